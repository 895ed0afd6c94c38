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


def test_text_eyes_upload_shrinks_and_recompresses_a_page_with_its_eye_boxes(tmp_path) -> None:
    from PIL import Image

    from benchmarks.real_text_eyes import Upload

    page = np.full((1000, 2000, 3), 255, np.uint8)
    page[400:440, 600:700] = 20  # the eyes
    Image.fromarray(page).save(tmp_path / "p.png")
    item = {"path": tmp_path / "p.png", "eyes": [[600, 400, 700, 440]]}
    img, eyes = Upload().page(item)
    assert img.shape == (1000, 2000, 3) and eyes == [(600, 400, 700, 440)]
    img, eyes = Upload(max_side=1000, jpeg=75).page(item)
    assert img.shape == (500, 1000, 3) and eyes == [(300, 200, 350, 220)]
    assert img[205:215, 305:345].max() < 80 and img.dtype == np.uint8


def test_unit_text_recompressed_keeps_its_labels() -> None:
    from benchmarks.real_unit_text import Source, recompressed

    img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    src = Source("s", img, {}, (), ())
    out = recompressed(src, 50)
    assert out.occurrences == src.occurrences and out.image.shape == img.shape
    assert not np.array_equal(out.image, img)  # JPEG changed the noise
