"""Characters standing alone that the text detector did not see (丁 | 丁 down a margin)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import identity, kinds
from zcmask.locate import find_identity
from zcmask.locate._lone_glyphs import MAX_PIECES, lone_glyph_lines, lone_pieces
from zcmask.results import TextLine


def _page(margin: str) -> np.ndarray:
    """An A4 page at 200 dpi: body text, and ``margin`` written down the right margin, 36 pt apart."""
    import pymupdf

    doc = pymupdf.open()
    p = doc.new_page(width=595, height=842)
    p.insert_text((60, 80), "兹证明本单位职工已完成年度继续教育学习。", fontname="china-s", fontsize=16)
    for i in range(8):
        p.insert_text((60, 130 + 30 * i), "该同志在本年度工作中表现良好，考核合格，特此证明。", fontname="china-s", fontsize=12)
    for i, c in enumerate(margin):
        p.insert_text((540, 200 + 36 * i), c, fontname="china-s", fontsize=16)
    pix = p.get_pixmap(dpi=200)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[..., :3].copy()


def _body(lines: list[TextLine]) -> list[TextLine]:
    """The lines a detector that missed the margin's lone characters would give (the body's)."""
    return [ln for ln in lines if ln.bbox[0] < 1300]


@pytest.mark.slow
def test_lone_characters_the_detector_missed_are_read_and_matched():
    # Locating benchmark (layouts, other names, AR PL UKai): 丁 | 丁 written down the right margin,
    # neither seen by the detector; nothing was read there and the name stayed visible
    from zcmask.ocr import get_engine

    eng = get_engine("rapidocr")
    img = _page("丁丁")
    body = _body(eng.recognize(img))
    lone = lone_glyph_lines(body, img, eng)
    assert [ln.text for ln in lone] == ["丁", "丁"] and all(ln.bbox[0] > 1400 for ln in lone)
    regs = kinds(find_identity([*body, *lone], identity(name="丁丁"), img.shape[1::-1]), "name")
    for ln in lone:
        assert any(r.bbox[0] <= ln.bbox[0] and r.bbox[1] <= ln.bbox[1] and r.bbox[2] >= ln.bbox[2]
                   and r.bbox[3] >= ln.bbox[3] for r in regs)
    # within a seal, or nothing in the margin: nothing read
    assert lone_glyph_lines(body, img, eng, skip=[(1400, 400, img.shape[1], img.shape[0])]) == []
    assert lone_glyph_lines(body, _page(""), eng) == []


def test_only_pieces_about_a_character_in_size_are_read():
    page = np.full((1200, 900, 3), 250, np.uint8)
    line = TextLine("姓名", (40, 20, 120, 60), 1.0, ())
    page[300:340, 700:704] = 30                      # 丁, unread: a piece
    page[300:304, 685:720] = 30
    page[500:503, 600:640] = 30                      # a dash alone: no piece
    page[700:703, 600:603] = 30                      # a speck
    page[900:1100, 100:400] = 30                     # a photo's dark block, far larger than a character
    page[30:50, 60:100] = 30                         # ink inside the read line
    assert lone_pieces([line], page) == [(680, 296, 724, 344)]
    # a page of many such pieces (a photo's texture) is not read piece by piece
    from zcmask.ocr import FakeOcrEngine
    busy = page.copy()
    for i in range(MAX_PIECES + 1):
        busy[400 + 100 * (i // 10):430 + 100 * (i // 10), 80 * (i % 10) + 20:80 * (i % 10) + 50] = 30
    read = FakeOcrEngine(lambda crop: [TextLine("丁", (0, 0, 10, 10), 1.0, ())])
    assert [ln.text for ln in lone_glyph_lines([line], page, read)] == ["丁"]
    assert lone_glyph_lines([line], busy, read) == []


@pytest.mark.parametrize(("read", "kept"), [(("ト", 0.83), True), (("ト", 0.6), False), (("T", 1.0), False)])
def test_a_lone_piece_read_as_a_katakana_drawn_like_a_chinese_character_is_kept(read, kept):
    # 卜 standing alone in WenQuanYi Zen Hei read ト at 0.83: a katakana, so no Chinese character, and
    # the piece was dropped; ト folds to 卜 in matching (KANA_LOOKALIKES)
    from zcmask.ocr import FakeOcrEngine

    page = np.full((1200, 900, 3), 250, np.uint8)
    line = TextLine("姓名", (40, 20, 120, 60), 1.0, ())
    page[300:340, 700:704] = 30                      # 卜, unread
    page[315:319, 704:716] = 30
    eng = FakeOcrEngine(lambda crop: [TextLine(read[0], (0, 0, 10, 10), read[1], ())])
    assert bool(lone_glyph_lines([line], page, eng)) is kept
