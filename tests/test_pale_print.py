"""The unit's name printed large and pale across the page (a watermark): read and masked."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import identity, kinds, mk_line
from zcmask.locate._pale_print import pale_image, pale_print_lines, pale_print_regions
from zcmask.ocr import FakeOcrEngine
from zcmask.results import Char, Region, TextLine

UNIT = "昆仑理工大学"
SIZE = (2000, 1400)


def _slanted(text: str, x: float, y: float, step: float, ch: float = 120) -> TextLine:
    """A line running down to the right at 45 degrees, one ``ch`` box per character."""
    chars = tuple(Char(c, (x + i * step, y + i * step, x + i * step + ch, y + i * step + ch), 0.99)
                  for i, c in enumerate(text))
    box = (chars[0].bbox[0], chars[0].bbox[1], chars[-1].bbox[2], chars[-1].bbox[3])
    return TextLine(text, box, 0.99, chars)


def test_a_slanted_watermark_is_masked_a_character_at_a_time():
    ln = _slanted(UNIT, 200, 300, 100)
    regions = pale_print_regions([ln], identity(units=(UNIT,)), SIZE, pad=0.12)
    assert len(kinds(regions, "unit")) == 6
    assert all(r.source == "watermark" for r in regions)
    # every character is covered, and far less than the line's upright hull
    for c in ln.chars:
        assert any(r.bbox[0] <= c.bbox[0] and r.bbox[1] <= c.bbox[1] and r.bbox[2] >= c.bbox[2]
                   and r.bbox[3] >= c.bbox[3] for r in regions)
    hull = (ln.bbox[2] - ln.bbox[0]) * (ln.bbox[3] - ln.bbox[1])
    assert sum((r.bbox[2] - r.bbox[0]) * (r.bbox[3] - r.bbox[1]) for r in regions) < 0.5 * hull


def test_a_brush_written_unit_read_with_one_character_wrong_is_the_unit():
    # held-out scan: a pale red calligraphic 重庆大学 behind a certificate's text, read 重度大學
    ident = identity(units=("重庆大学",))
    assert kinds(pale_print_regions([mk_line("重度大學", ch=250)], ident, SIZE, pad=0.12), "unit")
    assert not kinds(pale_print_regions([mk_line("重度天學", ch=250)], ident, SIZE, pad=0.12), "unit")  # two wrong
    assert not kinds(pale_print_regions([mk_line("复旦大学", ch=250)], ident, SIZE, pad=0.12), "unit")


def test_a_first_character_lost_under_black_print_is_covered_one_step_before():
    ln = mk_line("仑理工大学", x=400, ch=200)  # 昆 stood at x = 200..400
    regions = kinds(pale_print_regions([ln], identity(units=(UNIT,)), SIZE, pad=0.12), "unit")
    assert regions and min(r.bbox[0] for r in regions) <= 200 and max(r.bbox[2] for r in regions) >= 1400


def _page_with_pale_ink() -> np.ndarray:
    page = np.full((1400, 2000, 3), 245, np.uint8)
    page[400:900, 300:340] = (245, 205, 205)  # a pale red brush stroke
    page[100:130, 100:1900:7] = 0  # a line of black print
    return page


class _Detector(FakeOcrEngine):
    def detect(self, image, side):  # type: ignore[no-untyped-def]
        self.calls += 1
        return []


def test_nothing_is_detected_on_a_page_that_does_not_name_the_unit():
    eng = _Detector(lambda img: [])
    page = _page_with_pale_ink()
    assert pale_print_lines(page, [], [], [], eng) == [] and eng.calls == 0
    assert pale_print_lines(page, [], [Region("name", (0, 0, 9, 9), "王建国", "ocr", 1.0)], [], eng) == []
    assert eng.calls == 0
    unit = [Region("unit", (0, 0, 9, 9), UNIT, "ocr", 1.0)]
    pale_print_lines(page, [], unit, [], eng)
    assert eng.calls == 1  # named: looked at
    white = np.full((1400, 2000, 3), 245, np.uint8)
    white[100:130, 100:1900:7] = 0  # black print only
    eng.calls = 0
    assert pale_print_lines(white, [], unit, [], eng) == [] and eng.calls == 0


def test_the_pale_picture_keeps_pale_ink_and_drops_black_print():
    pic, k, share = pale_image(_page_with_pale_ink())
    assert pic.shape == (448, 640) and k == pytest.approx(0.32)
    assert pic[int(650 * k), int(320 * k)] < 100  # the stroke
    assert pic[int(115 * k), 600].min() == 255  # the black line and its edges: white
    assert 0.004 < share < 0.05


def _certificate_with_watermark(slant: bool) -> np.ndarray:
    """An honour certificate: the unit's name huge and pale red behind black body text, and once in print."""
    import cv2
    import pymupdf

    doc = pymupdf.open()
    p = doc.new_page(width=842, height=595)
    mark = dict(fontname="china-s", fontsize=96, color=(0.98, 0.82, 0.82))
    if slant:
        pivot = pymupdf.Point(150, 190)
        p.insert_text(pivot, UNIT, morph=(pivot, pymupdf.Matrix(-30)), **mark)
    else:
        p.insert_text((130, 330), UNIT, **mark)
    p.insert_text((330, 90), "荣誉证书", fontname="china-s", fontsize=36)
    p.insert_text((90, 170), "王建国同学：", fontname="china-s", fontsize=22)
    for i, body in enumerate(["在二〇二五年度学习中成绩优异，", f"被评为{UNIT}优秀学生。", "特发此证，以资鼓励。"]):
        p.insert_text((140, 230 + 50 * i), body, fontname="china-s", fontsize=22)
    p.insert_text((560, 500), UNIT, fontname="china-s", fontsize=18)
    pix = p.get_pixmap(dpi=150)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[..., :3].copy()
    return cv2.GaussianBlur(img, (3, 3), 0)


@pytest.mark.slow
@pytest.mark.parametrize("slant", [False, True])
def test_a_pale_watermark_of_the_units_name_is_masked(tmp_path, slant):
    # held-out scans: a pale red brush-written 重庆大学 behind a certificate's text, a hollow grey
    # 国防科技大学 at 45 degrees across a check report; neither was read
    from PIL import Image

    from conftest import save_jpeg
    from zcmask.api import mask
    from zcmask.options import Identity, Options, Unit

    img = _certificate_with_watermark(slant)
    pink = (img[..., 0].astype(int) - img[..., 1] > 20) & (img.min(axis=2) > 150)  # the watermark's pixels
    rep = mask([save_jpeg(img, tmp_path / "cert.jpg")], tmp_path / "out",
               Options.build(identity=Identity(name="王建国", units=(Unit(name=UNIT),)), cache=False, progress=False))
    page = rep.files[0].pages[0]
    assert "watermark" in {r.source for r in page.regions}
    out = np.asarray(Image.open(tmp_path / "out" / page.output).convert("RGB"))
    assert (out[pink].max(axis=1) <= 48).mean() >= 0.9
    hidden = np.zeros(img.shape[:2], bool)
    for r in page.regions:
        if r.source == "watermark":
            hidden[r.bbox[1]:r.bbox[3], r.bbox[0]:r.bbox[2]] = True
    ys, xs = np.nonzero(pink)
    hull = (ys.max() - ys.min()) * (xs.max() - xs.min()) / pink.size
    assert hidden.mean() < (0.8 * hull if slant else 0.3)  # the watermark's own band, not the page


def test_the_web_pages_memo_engine_detects_with_the_engine_it_wraps():
    from zcmask.web._memo import MemoOcrEngine

    inner = _Detector(lambda img: [])
    memo = MemoOcrEngine(inner)
    assert memo.detect(np.full((64, 64, 3), 255, np.uint8), 320) == [] and inner.calls == 1
    assert FakeOcrEngine().detect(np.full((64, 64, 3), 255, np.uint8), 320) == []  # cannot detect alone: none


def test_a_column_is_read_turned_and_its_quad_is_not_cut_as_a_row():
    from zcmask.locate._pale_print import _inked_part, _upright_crop

    pic = np.full((400, 200), 255, np.uint8)
    pic[60:340, 80:120] = 0  # a column of ink
    col = np.array([[70, 50], [130, 50], [130, 350], [70, 350]], np.float32)
    crop = _upright_crop(pic, col)
    assert crop.shape == (60, 300)  # turned to be read as a row
    assert np.array_equal(_inked_part(col, crop), col)
    row = np.array([[50, 70], [350, 70], [350, 130], [50, 130]], np.float32)
    pic2 = np.full((200, 400), 255, np.uint8)
    pic2[80:120, 60:340] = 0
    cut = _inked_part(row, _upright_crop(pic2, row))
    assert cut[0, 0] > 55 and cut[2, 1] < 125  # cut to the ink
