"""Text that does not run left to right on an upright page: columns, a landscape table, a watermark."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from zcmask import api
from zcmask.options import Identity, Options, Unit

NAME = "王建国"
UNIT = "新疆维吾尔自治区人民医院"
DPI = 200


def _page(draw) -> pymupdf.Page:  # type: ignore[no-untyped-def]
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i in range(8):  # upright body text: the page's way up stays 0
        page.insert_text((60, 100 + 22 * i), f"本人承诺所提交的申报材料真实有效，如有虚假愿承担相应责任。第{i + 1}条",
                         fontname="china-s", fontsize=11)
    draw(page)
    return page


def _pixels(page: pymupdf.Page) -> np.ndarray:
    pix = page.get_pixmap(dpi=DPI)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[..., :3].copy()


def _name_ink(draw_name) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Where the name alone puts ink on an empty page."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    draw_name(page)
    return _pixels(page).min(axis=2) < 235


def _masked_share(tmp_path: Path, draw_rest, draw_name) -> float:  # type: ignore[no-untyped-def]
    img = _pixels(_page(lambda p: (draw_rest(p), draw_name(p))))
    src = tmp_path / "page.png"
    Image.fromarray(img).save(src)
    report = api.mask([src], tmp_path / "out", Options.build(
        identity=Identity(name=NAME, units=(Unit(name=UNIT),)), cache=False, progress=False))
    page = report.files[0].pages[0]
    assert page.rotation == 0
    out = np.asarray(Image.open(page.output).convert("RGB"))
    ink = _name_ink(draw_name)
    return float((out.max(axis=2) <= 60)[ink].mean())


def _text(text: str, x: float, y: float, size: float = 14, **kw):  # type: ignore[no-untyped-def]
    return lambda p: p.insert_text((x, y), text, fontname="china-s", fontsize=size, **kw)


def _len(text: str, size: float = 14) -> float:
    return pymupdf.get_text_length(text, fontname="china-s", fontsize=size)


@pytest.mark.slow
@pytest.mark.parametrize("rotate", [90, 270])
def test_a_name_in_a_column_turned_either_way_is_masked(tmp_path, rotate):
    # a margin note or a table cell turned a quarter: read bottom to top (rotate=90) it came back
    # as 电王国 and the name stayed visible
    label = "申报人"
    if rotate == 90:  # runs upwards from (500, 700)
        rest, name = _text(label, 500, 700, rotate=90), _text(NAME, 500, 700 - _len(label), rotate=90)
    else:  # runs downwards from (500, 450)
        rest, name = _text(label, 500, 450, rotate=270), _text(NAME, 500, 450 + _len(label), rotate=270)
    assert _masked_share(tmp_path, rest, name) >= 0.95


@pytest.mark.slow
def test_a_landscape_table_turned_on_a_portrait_page_is_masked(tmp_path):
    rows = ["序号  姓名  单位  职称", "1  李明  某某公司  工程师", "2  张华  某某学校  讲师"]

    def rest(p):  # type: ignore[no-untyped-def]
        for i, t in enumerate(rows):
            p.insert_text((150 + 24 * i, 780), t, fontname="china-s", fontsize=12, rotate=90)

    name = _text("3  " + NAME, 150 + 24 * 3, 780, size=12, rotate=90)
    assert _masked_share(tmp_path, rest, name) >= 0.95


@pytest.mark.slow
def test_a_pale_diagonal_watermark_with_the_name_is_masked_whole(tmp_path):
    # the region found over the watermark was trimmed to the black body line at its top corner
    def rest(p):  # type: ignore[no-untyped-def]
        for i in range(8, 21):  # the last line crosses the top of the watermark's box
            p.insert_text((60, 150 + 22 * i), "本人承诺所提交的申报材料真实有效，如有虚假愿承担相应责任。",
                          fontname="china-s", fontsize=11)

    def name(p):  # type: ignore[no-untyped-def]
        p.insert_text((120, 650), NAME, fontname="china-s", fontsize=28, color=(0.8, 0.8, 0.8),
                      morph=(pymupdf.Point(120, 650), pymupdf.Matrix(45)))

    assert _masked_share(tmp_path, rest, name) >= 0.95


@pytest.mark.slow
def test_a_row_of_dark_print_the_detector_passed_over_is_read_on_its_own(monkeypatch):
    # held-out real 荣誉证书: on its hatched background the holder line 蔡文雅 张颖 王琢妍 同学 was
    # not detected at the page's scale (it was at 736 px), and the names stayed visible
    from zcmask.ocr import get_engine
    from zcmask.ocr._engine import RapidOcrEngine

    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    for k in range(-300, 450):  # grey hatching, as on the certificate
        page.draw_line((2 * k, 0), (2 * k + 595, 595), color=(0.6, 0.6, 0.6), width=0.5)
    page.insert_text((120, 200), f"{NAME}  张颖  同学：", fontname="china-s", fontsize=22)
    img = _pixels(page)
    engine = get_engine("rapidocr")
    read = RapidOcrEngine._read
    full = img.shape[:2]

    def missing_the_row(self, image):  # type: ignore[no-untyped-def]
        return [] if image.shape[:2] == full else read(self, image)  # the page's detection finds nothing

    monkeypatch.setattr(RapidOcrEngine, "_read", missing_the_row)
    lines = engine.recognize(img)
    assert any(NAME in ln.text for ln in lines), [ln.text for ln in lines]
    name_line = next(ln for ln in lines if NAME in ln.text)
    assert name_line.bbox[0] >= 120 * DPI / 72 - 40 and name_line.bbox[3] <= 200 * DPI / 72 + 40  # page pixels


def _bowed(img: np.ndarray, sag: float) -> np.ndarray:
    """The page bent like a sheet lying on a desk: its middle sags ``sag`` pixels."""
    import cv2

    h, w = img.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, xs, ys + sag * np.sin(xs / w * np.pi), cv2.INTER_LINEAR, borderValue=(255, 255, 255))


@pytest.mark.slow
def test_a_title_bent_with_the_page_is_read_and_its_unit_masked(tmp_path):
    # A bold title on a photographed transcript bowed with the paper: the detector's straight box
    # around it is two-thirds paper, its score fell under RapidOCR's 0.5 and the title was never
    # read (山东科技大学学业及学分绩点成绩单, real photo, holdout9).
    def title(p: pymupdf.Page) -> None:
        p.insert_text((90, 80), f"{UNIT}年度考核登记表", fontname="china-s", fontsize=22)

    page = _page(title)
    clean = _pixels(page)
    bent = _bowed(clean, 100.0)
    src = tmp_path / "photo.png"
    Image.fromarray(bent).save(src)
    report = api.mask([src], tmp_path / "out", Options.build(
        identity=Identity(name=NAME, units=(Unit(name=UNIT),)), cache=False, progress=False))
    out = np.asarray(Image.open(report.files[0].pages[0].output).convert("RGB"))
    doc = pymupdf.open()
    alone = doc.new_page(width=595, height=842)
    alone.insert_text((90, 80), UNIT, fontname="china-s", fontsize=22)
    ink = _bowed(_pixels(alone), 100.0).min(axis=2) < 160
    assert ink.sum() > 2000
    assert float((out.max(axis=2) <= 60)[ink].mean()) > 0.97
