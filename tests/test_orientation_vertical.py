"""Upright pages of vertical Chinese writing (竖排) are not called rotated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zcmask.ocr import get_engine
from zcmask.quality.orientation import _column_mosaic, read_orientation
from zcmask.results import Char, TextLine

# a real scan of a classical page in vertical columns (RapidOCR test file, Apache-2.0)
VERTICAL = Path(__file__).resolve().parents[1] / "benchmarks" / "real" / "text_eyes" / "rapidocr_text_vertical_words.jpg"


def test_column_mosaic_needs_two_tall_lines():
    img = np.full((400, 300, 3), 255, np.uint8)
    col = TextLine("一二三四", (10, 10, 50, 300), 0.9, (Char("一", (10, 10, 50, 80), 0.9),) * 4)
    wide = TextLine("一二三四", (10, 10, 290, 50), 0.9, (Char("一", (10, 10, 80, 50), 0.9),) * 4)
    assert _column_mosaic(img, [col]) is None
    assert _column_mosaic(img, [wide, wide]) is None
    m = _column_mosaic(img, [col, col])
    assert m is not None and m.shape == (240, 240, 3)


@pytest.mark.slow
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_vertical_writing_page_orientation_is_right(rotation):
    img = np.asarray(Image.open(VERTICAL).convert("RGB"))
    turned = np.ascontiguousarray(np.rot90(img, k=-rotation // 90)) if rotation else img
    got = read_orientation(turned, engine=get_engine("rapidocr")).orientation
    assert got.rotation == rotation, got
