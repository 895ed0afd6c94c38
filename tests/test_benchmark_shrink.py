"""The benchmarks' ``--max-side``: a page made smaller keeps its labels on the same ink."""

from __future__ import annotations

import numpy as np

from benchmarks.real_seals import Case, Seal, _downscaled, _upright


def _case(rotation: int) -> Case:
    """A 1000 x 2000 page stored turned ``rotation`` degrees, a seal's ink labelled in the upright frame."""
    upright = np.full((2000, 1000, 3), 255, np.uint8)
    upright[1200:1400, 600:800] = (200, 30, 40)
    ink = np.zeros((2000, 1000), bool)
    ink[1200:1400, 600:800] = True
    stored, _ = _upright(upright, [], (360 - rotation) % 360)  # turned back the other way: as stored
    return Case("p", "orig", stored, rotation, {}, (Seal("unit", (600, 1200, 800, 1400), ink),))


def test_a_page_stored_turned_is_shrunk_with_its_upright_labels() -> None:
    for rotation in (0, 90, 270):
        case = _case(rotation)
        small = _downscaled(case, 500)
        assert max(small.image.shape[:2]) == 500 and small.variant == "orig@500px"
        page, _ = _upright(small.image, [], rotation)
        seal = small.seals[0]
        assert seal.ink.shape == page.shape[:2], rotation          # the ink matches the page turned upright
        assert seal.bbox == (150, 300, 200, 350)
        red = page[..., 0].astype(int) - page[..., 1] > 100
        assert (red & seal.ink).sum() >= 0.9 * seal.ink.sum()      # and lies on the seal's ink
    case = _case(0)
    assert _downscaled(case, 4000) is case                          # no longer than asked: as it is
