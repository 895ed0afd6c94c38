"""Small print on a page detection shrinks: a table of 10 px print read again in bands (real OCR)."""

from __future__ import annotations

import numpy as np
import pymupdf
import pytest
from PIL import Image

from zcmask import api
from zcmask.ocr._engine import fine_bands
from zcmask.ocr._layer import fine_rows
from zcmask.options import Identity, Options, Unit

UNIT = "武汉理工大学"
OTHERS = ("江苏科技大学", "上海交通大学", "哈尔滨工程大学", "福建理工大学", "西北工业大学", "浙江海洋大学")
DPI = 150


def _contest_list() -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """An A4 award list at 150 dpi: 100 rows of 4.5 pt grey print in a ruled table, the unit in every third row."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    x = (50, 90, 330, 500, 545)
    y0, step = 60, 6.6
    boxes = []
    for r in range(101):
        y = y0 + r * step
        page.draw_line((x[0], y), (x[-1], y), color=(0, 0, 0), width=0.4)
        if r == 100:
            break
        school = UNIT if r % 3 == 1 else OTHERS[r % len(OTHERS)]
        cells = (f"A1-{r // 20 + 1}", f"第{r + 1}号参赛作品：水下清洁机器人", school, "二")
        for k, text in enumerate(cells):
            at = pymupdf.Point(x[k] + 3, y + 4.9)
            page.insert_text(at, text, fontname="china-s", fontsize=4.5, color=(0.3, 0.3, 0.3))
            if text == UNIT:
                w = pymupdf.get_text_length(text, fontname="china-s", fontsize=4.5)
                boxes.append((at.x, at.y - 4.5, at.x + w, at.y + 1))
    for xx in x:
        page.draw_line((xx, y0), (xx, y0 + 100 * step), color=(0, 0, 0), width=0.4)
    pix = page.get_pixmap(dpi=DPI)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[..., :3].copy()
    s = DPI / 72
    return img, [tuple(v * s for v in b) for b in boxes]


def test_rows_of_small_print_outside_the_lines_read_are_found_and_banded():
    img, boxes = _contest_list()
    rows = fine_rows(img, [], 9 / 0.58)
    assert len(rows) >= 100  # every row's cells (the rules left out)
    assert not fine_rows(img, [(0, 0, img.shape[1], img.shape[0])], 9 / 0.58)  # all read already
    bands = fine_bands(rows, img.shape[1], img.shape[0])
    assert all(b1 - b0 <= 1280 for _, b0, _, b1 in bands)
    for x0, y0, x1, y1 in boxes:
        assert any(a0 <= x0 and b0 <= y0 and x1 <= a1 and y1 <= b1 for a0, b0, a1, b1 in bands)


@pytest.mark.slow
def test_a_table_of_small_print_is_read_again_and_every_unit_cell_masked(tmp_path):
    # held-out contest list (1,240 x 1,754 px, print about 10 px tall): detected at 1,024 px the
    # table came back a quarter read, and none of its 24 cells naming the applicant's school was masked
    img, boxes = _contest_list()
    assert img.shape[:2] == (1755, 1240)
    src = tmp_path / "list.png"
    Image.fromarray(img).save(src)
    opts = Options(identity=Identity(name="王建国", units=(Unit(name=UNIT),)), progress=False, eyes=False,
                   seals="none", cache=False)
    page = api.mask([src], tmp_path / "out", opts).files[0].pages[0]
    out = np.asarray(Image.open(page.output).convert("RGB"))
    shown = []
    for x0, y0, x1, y1 in boxes:
        box = (slice(int(y0), int(np.ceil(y1))), slice(int(x0), int(np.ceil(x1))))
        ink = img[box].max(axis=2) < 150
        hidden = (out[box].max(axis=2) < 40) & ink
        if hidden.sum() < 0.95 * ink.sum():
            shown.append((int(x0), int(y0), round(hidden.sum() / max(1, ink.sum()), 2)))
    assert not shown, shown
    assert len(boxes) == 33
    # the other schools stay readable: every cell is not simply blacked out
    assert sum(r.kind == "unit" for r in page.regions) <= 2 * len(boxes)
