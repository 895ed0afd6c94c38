"""Eyes in ID photos and 一寸照: a band across both eyes is blacked out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from skimage.data import astronaut  # test-only dependency; public-domain portrait

from conftest import black_fraction, fake_options, save_jpeg
from zcmask.locate.faces import eye_band, find_eyes
from zcmask.masking import mask_regions
from zcmask.pipeline import PageContext, process_page
from zcsynth._pages import SynthPage, text_page
from zcsynth._photos import (
    Portrait,
    crop_portrait,
    gray_portrait,
    id_card_page,
    photo_page,
    resize_portrait,
    with_glasses,
)
from zcsynth._seals import SealSpec, seal_page

# the eye band of skimage's astronaut, measured by hand on the 512 x 512 image
ASTRONAUT_EYES = (188, 92, 264, 114)


@pytest.fixture(scope="module")
def head() -> Portrait:
    return crop_portrait(Portrait(astronaut(), ASTRONAUT_EYES), (130, 10, 330, 260))


def band_black(page: SynthPage, regions) -> float:  # type: ignore[no-untyped-def]
    out, _ = mask_regions(page.image, regions)
    x0, y0, x1, y1 = next(t for t in page.truths if t.kind == "eyes").bbox
    return float((out[y0:y1, x0:x1].max(axis=2) == 0).mean())


VARIANTS: dict[str, Callable[[Portrait], SynthPage]] = {
    "one_inch_colour": lambda p: photo_page(resize_portrait(p, 295)),
    "one_inch_gray": lambda p: photo_page(gray_portrait(resize_portrait(p, 295))),
    "small_face": lambda p: photo_page(resize_portrait(p, 125)),  # face about 60 px
    "glasses": lambda p: photo_page(with_glasses(resize_portrait(p, 260))),
    "glasses_gray_small": lambda p: photo_page(gray_portrait(with_glasses(resize_portrait(p, 150)))),
    "id_card": lambda p: id_card_page(p),
    "id_card_gray_glasses": lambda p: id_card_page(gray_portrait(with_glasses(p))),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_eye_band_is_blacked_out(head: Portrait, variant: str) -> None:
    page = VARIANTS[variant](head)
    regions = find_eyes(page.image)
    assert len(regions) == 1
    assert regions[0].kind == "eyes" and regions[0].source == "face"
    assert band_black(page, regions) >= 0.95


def test_eye_band_is_a_band_not_the_whole_photo(head: Portrait) -> None:
    page = photo_page(resize_portrait(head, 295))
    (r,) = find_eyes(page.image)
    x0, y0, x1, y1 = page.meta["photo"]  # type: ignore[misc]
    assert (r.bbox[3] - r.bbox[1]) < 0.3 * (y1 - y0)
    assert (r.bbox[2] - r.bbox[0]) * (r.bbox[3] - r.bbox[1]) < 0.003 * page.image.shape[0] * page.image.shape[1]


def test_bare_photo_file_gets_its_eye_band(head: Portrait) -> None:
    p = resize_portrait(head, 295)
    (r,) = find_eyes(p.image)
    x0, y0, x1, y1 = p.eyes
    assert r.bbox[0] <= x0 and r.bbox[1] <= y0 and r.bbox[2] >= x1 and r.bbox[3] >= y1


def test_fallback_band_sits_at_eye_height_of_the_face() -> None:
    x0, y0, x1, y1 = eye_band((100, 200, 100, 100), [])
    assert (x0, x1) == (108, 192)
    assert 220 <= y0 <= 228 and 250 <= y1 <= 255


def test_band_spans_both_detected_eyes_with_margin() -> None:
    eyes = [(125, 230, 20, 20), (160, 232, 20, 20)]
    x0, y0, x1, y1 = eye_band((100, 200, 100, 100), eyes)
    assert x0 < 125 and x1 > 180 and y0 < 230 and y1 > 252


@pytest.mark.parametrize("make", [
    lambda: text_page([("兹证明王建国同志在我单位工作。", None, "")] * 20),
    lambda: seal_page(SealSpec("巴州鑫源电力工程有限公司", size=320)),
    lambda: seal_page(SealSpec("王建国", shape="square", size=150), gray=True),
])
def test_pages_without_faces_get_no_eye_bands(make) -> None:  # type: ignore[no-untyped-def]
    assert find_eyes(make().image) == []


def test_blank_and_tiny_images_are_fine() -> None:
    assert find_eyes(np.full((50, 40, 3), 255, np.uint8)) == []
    assert find_eyes(np.zeros((10, 10, 3), np.uint8)) == []


def test_input_image_is_not_modified(head: Portrait) -> None:
    page = photo_page(resize_portrait(head, 200))
    before = page.image.copy()
    find_eyes(page.image)
    assert np.array_equal(before, page.image)


def test_mask_command_blacks_out_eyes_on_id_card(tmp_path, head: Portrait, fake_engine) -> None:  # type: ignore[no-untyped-def]
    page = id_card_page(head)
    src = save_jpeg(page.image, tmp_path / "身份证.jpg")
    out = tmp_path / "out.jpg"
    res = process_page(PageContext(str(src), 0, fake_options(eyes=True), "mask", str(out)))
    assert res.error is None
    band = next(t for t in page.truths if t.kind == "eyes").bbox
    assert black_fraction(out, band) >= 0.95
    assert [r.kind for r in res.regions] == ["eyes"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_strict_mode_still_finds_every_unmasked_face(head: Portrait, variant: str) -> None:
    # check/audit read pages strictly; an unmasked face must still be reported.
    page = VARIANTS[variant](head)
    assert band_black(page, find_eyes(page.image, strict=True)) >= 0.95


@pytest.mark.parametrize("variant", ["one_inch_colour", "id_card", "id_card_gray_glasses"])
def test_strict_mode_reports_nothing_visible_on_a_masked_photo(head: Portrait, variant: str) -> None:
    from zcmask.pipeline import already_hidden

    page = VARIANTS[variant](head)
    masked, _ = mask_regions(page.image, find_eyes(page.image))
    left = [r for r in find_eyes(masked, strict=True) if not already_hidden(masked, r)]
    assert left == []
