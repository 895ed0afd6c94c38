"""The name or the unit printed again in another script (Uyghur letters over 艾尔肯·吐尔逊)."""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import pytest

from zcmask.locate import find_identity
from zcmask.locate._other_script import other_script_copies
from zcmask.options import Identity, Unit
from zcmask.results import Char, TextLine

NAME = "艾尔肯·吐尔逊"
UNIT = "新疆维吾尔自治区人民医院"
IDENT = Identity(name=NAME, units=(Unit(name=UNIT),))


def _page(lines: list[tuple[str, float, float, float]]) -> tuple[np.ndarray, list[TextLine]]:
    """A 200 dpi page with ``lines`` (text, x, y baseline, size in points) in PyMuPDF's china-s.

    Returns the image and the lines as OCR reads them: one box per character, from the text layer.
    """
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for text, x, y, size in lines:
        page.insert_text((x, y), text, fontname="china-s", fontsize=size)
    k = 200 / 72
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csRGB, alpha=False)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3).copy()
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for ln in block.get("lines", ()):
            chars = [Char(c["c"], tuple(v * k for v in c["bbox"]), 0.99)  # type: ignore[arg-type]
                     for s in ln["spans"] for c in s["chars"] if c["c"].strip()]
            if chars:
                box = (chars[0].bbox[0], min(c.bbox[1] for c in chars), chars[-1].bbox[2], max(c.bbox[3] for c in chars))
                out.append(TextLine("".join(c.text for c in chars), box, 0.99, tuple(chars)))
    return img, out


def _script(img: np.ndarray, x: int, y: int, width: int, height: int, seed: int = 0) -> tuple[int, int, int, int]:
    """Cursive, joined strokes with dots above and below, like a line of Uyghur letters; its box."""
    rng = np.random.default_rng(seed)
    before = img.copy()
    base = y + int(0.65 * height)
    xs = np.arange(x, x + width, 3)
    ys = base - (np.abs(np.sin(xs / 9.0 + rng.uniform(0, 6))) * 0.45 * height).astype(int)
    pts = np.stack([xs, ys], axis=1).astype(np.int32)
    for i in range(0, len(pts) - 8, 14):  # words with gaps between them
        cv2.polylines(img, [pts[i:i + 11]], False, (20, 20, 20), 3)
    for dx in range(x + 10, x + width, 37):
        cv2.circle(img, (dx, y + int(0.08 * height) if dx % 2 else base + int(0.3 * height)), 3, (20, 20, 20), -1)
    ys_, xs_ = np.nonzero((img != before).any(axis=2))
    return (int(xs_.min()), int(ys_.min()), int(xs_.max()) + 1, int(ys_.max()) + 1)


def _found(img: np.ndarray, lines: list[TextLine]):  # type: ignore[no-untyped-def]
    regions = find_identity(lines, IDENT, (img.shape[1], img.shape[0]))
    return regions, other_script_copies(lines, img, regions)


def _covered(box: tuple[int, int, int, int], regions) -> bool:  # type: ignore[no-untyped-def]
    return any(r.bbox[0] <= box[0] + 3 and r.bbox[1] <= box[1] + 3 and r.bbox[2] >= box[2] - 3
               and r.bbox[3] >= box[3] - 3 for r in regions)


def test_a_name_in_uyghur_letters_over_its_chinese_field_is_masked():
    # a Uyghur applicant's bilingual ID card or form: the name in Uyghur letters over the Chinese
    # one; the recogniser reads neither the letters nor, mostly, even boxes them
    img, lines = _page([(f"姓名：{NAME}", 100, 300, 14)])
    y = int(lines[0].bbox[1])
    script = _script(img, 330, y - 60, 330, 40)
    regions, extra = _found(img, lines)
    assert any(r.kind == "name" for r in regions)
    assert _covered(script, [r for r in extra if r.kind == "name"])


def test_a_unit_letterhead_with_its_uyghur_name_under_it_is_masked():
    img, lines = _page([(UNIT, 150, 120, 20)])
    y1 = int(lines[0].bbox[3])
    script = _script(img, 300, y1 + 12, 520, 50, seed=3)
    _, extra = _found(img, lines)
    assert _covered(script, [r for r in extra if r.kind == "unit"])


@pytest.mark.parametrize("beside", ["read_line", "rule", "blank"])
def test_what_is_read_a_rule_or_nothing_beside_the_name_is_left_alone(beside: str):
    rows = [(f"姓名：{NAME}", 100, 300, 14)]
    if beside == "read_line":
        rows.append(("性别：男  民族：维吾尔族", 100, 270, 14))
    img, lines = _page(rows)
    name_line = next(ln for ln in lines if "姓名" in ln.text)
    if beside == "rule":
        y = int(name_line.bbox[1]) - 20
        cv2.line(img, (60, y), (1500, y), (0, 0, 0), 2)
    regions, extra = _found(img, lines)
    assert any(r.kind == "name" for r in regions)
    assert extra == []


def test_a_name_inside_running_text_is_not_looked_at():
    # the name is a small part of a long line: a paragraph's other lines above it are no other script
    img, lines = _page([("本人" + NAME + "同志自二〇一五年起在本院从事临床工作，表现良好，特此证明。", 60, 300, 12)])
    _script(img, 200, int(lines[0].bbox[1]) - 50, 400, 36)
    regions, extra = _found(img, lines)
    assert any(r.kind == "name" for r in regions)
    assert extra == []


def test_a_tilted_rule_is_one_piece_and_script_is_many():
    # a distorted scan's table rule under the unit, tilted across many pixel rows and broken
    # into dashes when looked at on every k-th pixel, was masked as a line of script
    from zcmask.locate._other_script import _pieces

    img = np.full((200, 1200, 3), 255, np.uint8)
    cv2.line(img, (20, 60), (1180, 75), (40, 40, 40), 2)
    assert not _pieces(img, (10, 50, 1190, 85))
    box = _script(img, 100, 120, 900, 40)
    assert _pieces(img, box)
