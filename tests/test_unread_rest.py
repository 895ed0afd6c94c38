"""A unit's name read only in part: the rest, unread ink beside the line, is masked with it."""

from __future__ import annotations

import numpy as np
import pymupdf
import pytest

from zcmask.locate._unread_rest import unit_rest_unread
from zcmask.results import Char, TextLine

FONT = 40  # px per character at the 1:1 render below


def _page(rest: str, right: str = "") -> np.ndarray:
    """A 900 x 200 px page: 西安 then ``rest`` in red at 40 px, and ``right`` in black further on."""
    doc = pymupdf.open()
    pg = doc.new_page(width=900, height=200)
    pg.insert_text((100, 100), "西安" + rest, fontname="china-s", fontsize=FONT, color=(0.8, 0.1, 0.1))
    if right:
        pg.insert_text((190, 100), right, fontname="china-s", fontsize=FONT)
    pix = pg.get_pixmap(dpi=72)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3].copy()


def _line(text: str, x: float, y0: float = 62, y1: float = 108) -> TextLine:
    chars = tuple(Char(c, (x + i * FONT, y0, x + (i + 1) * FONT, y1), 0.99) for i, c in enumerate(text))
    return TextLine(text, (x, y0, x + len(text) * FONT, y1), 0.99, chars)


def test_a_calligraphic_name_read_as_its_first_two_characters_is_masked_whole():
    # a red wordmark 西安交通大学 was read 西安: the detector saw no text in the other four
    img = _page("交通大学")
    regs = unit_rest_unread([_line("西安", 100)], img, ["西安交通大学"], [])
    assert len(regs) == 1 and regs[0].kind == "unit"
    x0, y0, x1, y1 = regs[0].bbox
    assert x0 <= 100 and x1 >= 100 + 6 * FONT - 4  # the four unread characters too
    assert x1 <= 100 + 6 * FONT + 20  # and not the blank row after them


@pytest.mark.parametrize(("rest", "right", "others"), [
    ("", "", ()),  # nothing runs on: a table cell that holds 西安 alone
    ("", "交通大学", ("交通大学",)),  # the ink beside is read as another line
])
def test_nothing_is_added_where_no_unread_ink_runs_on(rest, right, others):
    img = _page(rest, right)
    lines = [_line("西安", 100)] + [_line(t, 190) for t in others]
    assert unit_rest_unread(lines, img, ["西安交通大学"], []) == []
    if right:  # unread, the same ink would have been taken for the name's rest
        assert unit_rest_unread(lines[:1], img, ["西安交通大学"], []) != []


def test_a_line_already_matched_or_not_the_units_start_is_left_alone():
    img = _page("交通大学")
    done = unit_rest_unread([_line("西安", 100)], img, ["西安交通大学"], [])
    assert unit_rest_unread([_line("西安", 100)], img, ["西安交通大学"], done) == []
    assert unit_rest_unread([_line("西安", 100)], img, ["北京交通大学"], []) == []
