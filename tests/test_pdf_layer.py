"""Digital PDFs whose text layer does not hold all of their print (``zcmask.ocr._layer``).

Real OCR reads what the layer misses: text drawn as vector outlines and text whose font
has no Unicode map. A page whose layer covers its print is still read without OCR.
"""

from __future__ import annotations

import pymupdf
import pytest

from conftest import NAME, UNIT, black_fraction, fake_options
from zcmask import api
from zcmask.options import Identity, Options, Unit

pytest.importorskip("fontTools")
from zcsynth._outline import outlined_text, without_unicode_map  # noqa: E402


def _opts() -> Options:
    return Options(identity=Identity(name=NAME, units=(Unit(name=UNIT),)), progress=False, eyes=False,
                   seals="none", detect_orientation=False, cache=False)


def _boxes_px(page: pymupdf.Page, spans: list[tuple[float, float, float, float]]) -> list[tuple[int, int, int, int]]:
    k = 200 / 72
    return [(int(x0 * k), int(y0 * k), int(x1 * k), int(y1 * k)) for x0, y0, x1, y1 in spans]


def _page(tmp_path, build) -> tuple:  # type: ignore[no-untyped-def]
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "公示", fontname="china-s", fontsize=20)
    page.insert_text((72, 150), "经单位研究，下列同志符合申报条件：", fontname="china-s", fontsize=12)
    truths = build(doc, page)
    page.insert_text((72, 260), "以上内容真实有效。", fontname="china-s", fontsize=12)
    path = tmp_path / "in" / "doc.pdf"
    path.parent.mkdir()
    doc.save(path)
    return path, _boxes_px(page, truths)


def test_text_drawn_as_outlines_is_read_by_ocr(tmp_path):
    def build(doc, page):  # type: ignore[no-untyped-def]
        x = outlined_text(page, 72, 190, "申报人：", 12)
        end = outlined_text(page, x, 190, NAME, 12)
        name = (x, 179, end, 193)
        x = outlined_text(page, end + 12, 190, "工作单位：", 12)
        end = outlined_text(page, x, 190, UNIT, 12)
        unit = (x, 179, end, 193)
        end = outlined_text(page, 300, 230, NAME, 28)
        return [name, unit, (300, 204, end, 236)]

    path, truths = _page(tmp_path, build)
    assert NAME not in pymupdf.open(path)[0].get_text()  # the layer does not hold it
    page = api.mask([path], tmp_path / "out", _opts()).files[0].pages[0]
    assert {r.kind for r in page.regions} >= {"name", "unit"}
    for box in truths:
        assert black_fraction(page.output, box) >= 0.9, box


def test_text_of_a_font_without_unicode_map_is_read_by_ocr(tmp_path):
    def build(doc, page):  # type: ignore[no-untyped-def]
        page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("china-s").buffer)
        page.insert_text((72, 190), f"申报人：{NAME}  工作单位：{UNIT}", fontname="F0", fontsize=12)
        without_unicode_map(doc, page, "F0")
        w = pymupdf.get_text_length("申报人：", fontname="china-s", fontsize=12)
        wn = pymupdf.get_text_length(NAME, fontname="china-s", fontsize=12)
        return [(72 + w, 179, 72 + w + wn, 193)]

    path, truths = _page(tmp_path, build)
    assert NAME not in pymupdf.open(path)[0].get_text()  # glyph numbers, not characters
    page = api.mask([path], tmp_path / "out", _opts()).files[0].pages[0]
    assert "name" in {r.kind for r in page.regions}
    assert black_fraction(page.output, truths[0]) >= 0.9


def test_a_layer_covering_its_print_and_table_rules_needs_no_ocr(tmp_path, fake_engine):
    def build(doc, page):  # type: ignore[no-untyped-def]
        page.insert_text((80, 190), f"姓名  {NAME}    单位  {UNIT}", fontname="china-s", fontsize=12)
        shape = page.new_shape()
        shape.draw_rect(pymupdf.Rect(70, 172, 520, 200))
        for x in (110, 180, 230):
            shape.draw_line((x, 172), (x, 200))
        shape.finish(color=(0, 0, 0), width=1.2)
        shape.commit()
        return []

    path, _ = _page(tmp_path, build)
    fake_engine.crash = True  # any OCR call would fail the page
    rep = api.mask([path], tmp_path / "out", fake_options())
    assert rep.files[0].status == "ok" and fake_engine.calls == 0
    assert {r.kind for r in rep.files[0].pages[0].regions} == {"name", "unit"}


def test_a_small_image_of_the_name_is_read(tmp_path):
    """An image under 2% of the page used to be left unread (a pasted name, a signature)."""

    def build(doc, page):  # type: ignore[no-untyped-def]
        small = pymupdf.open()
        p = small.new_page(width=60, height=24)
        p.insert_text((4, 17), NAME, fontname="china-s", fontsize=14)
        png = p.get_pixmap(dpi=200).tobytes("png")
        page.insert_text((72, 190), "经单位研究，", fontname="china-s", fontsize=12)
        page.insert_image(pymupdf.Rect(150, 176, 210, 200), stream=png)
        page.insert_text((214, 190), "同志符合申报条件。", fontname="china-s", fontsize=12)
        return [(154, 180, 200, 196)]

    path, truths = _page(tmp_path, build)
    page = api.mask([path], tmp_path / "out", _opts()).files[0].pages[0]
    assert "name" in {r.kind for r in page.regions}
    assert black_fraction(page.output, truths[0]) >= 0.9
