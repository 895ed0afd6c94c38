"""Eye bands come from the shipped YuNet detector: real faces only, never texture."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.data import astronaut  # test-only dependency; public-domain portrait

from zcmask.locate import faces
from zcmask.locate.faces import Face, detect_faces, eye_core, find_eyes, landmark_band, yunet_path
from zcmask.masking import mask_regions
from zcsynth._negatives import NEGATIVES
from zcsynth._photos import Portrait, crop_portrait, id_card_page, photo_page, resize_portrait

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "benchmarks" / "real" / "text_eyes"
ASTRONAUT_EYES = (188, 92, 264, 114)


@pytest.fixture(scope="module")
def head() -> Portrait:
    return crop_portrait(Portrait(astronaut(), ASTRONAUT_EYES), (130, 10, 330, 260))


def test_shipped_model_matches_the_manifest() -> None:
    entry = next(e for e in json.loads((ROOT / "models" / "manifest.json").read_text("utf-8"))["models"]
                 if e["file"].endswith("face_detection_yunet_2023mar.onnx"))
    data = Path(yunet_path()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert entry["licence"].startswith("MIT")
    assert (Path(yunet_path()).parent / "LICENSE-yunet").read_text("utf-8").startswith("MIT License")


def test_pyproject_ships_the_model_as_package_data() -> None:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"data/*"' in text and Path(yunet_path()).parent.name == "data"


def test_yunet_is_used_not_the_cascades(head: Portrait, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_cascades(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("cascade fallback used although YuNet loads")

    monkeypatch.setattr(faces, "_cascade_eyes", no_cascades)
    page = photo_page(resize_portrait(head, 295))
    (r,) = find_eyes(page.image)
    assert r.score >= faces.FACE_SCORE


@pytest.mark.parametrize("width", [125, 295, 600, 1800])
def test_band_covers_both_eyes_at_any_face_size(head: Portrait, width: int) -> None:
    p = resize_portrait(head, width)
    (r,) = find_eyes(p.image)
    x0, y0, x1, y1 = p.eyes
    assert r.bbox[0] <= x0 and r.bbox[1] <= y0 and r.bbox[2] >= x1 and r.bbox[3] >= y1
    # a band, not the face: well under half the photo's height
    assert (r.bbox[3] - r.bbox[1]) < 0.3 * p.image.shape[0]


@pytest.mark.parametrize("name", list(NEGATIVES))
@pytest.mark.parametrize("seed", [1, 2])
def test_texture_pages_get_no_eye_band(name: str, seed: int) -> None:
    page = NEGATIVES[name](seed=seed)
    assert find_eyes(page.image) == []
    assert find_eyes(page.image, strict=True) == []


def test_upright_vertical_writing_gets_no_eye_band() -> None:
    # a real scan of a classical 竖排 page (RapidOCR test file, Apache-2.0): the
    # Haar cascades drew five bands on its character grid
    img = np.asarray(Image.open(REAL / "rapidocr_text_vertical_words.jpg").convert("RGB"))
    assert find_eyes(img) == []


def test_landmark_band_is_clipped_and_wider_than_the_eyes() -> None:
    f = Face((10, 5, 100, 120), (30, 20), (80, 22), 0.95)
    x0, y0, x1, y1 = landmark_band(f, 120, 200)
    assert x0 < 30 and x1 > 80 and y0 == 0 and y1 > 22
    cx0, cy0, cx1, cy1 = eye_core(f, 120, 200)
    assert x0 <= cx0 and y0 <= cy0 and x1 >= cx1 and y1 >= cy1


def test_masked_id_card_is_clean_in_strict_mode(head: Portrait) -> None:
    page = id_card_page(head)
    masked, _ = mask_regions(page.image, find_eyes(page.image))
    # YuNet still sees the face, but its eyes are black: nothing to report
    assert detect_faces(masked, min_score=0.5)
    assert find_eyes(masked, strict=True) == []


def test_two_faces_get_two_bands(head: Portrait) -> None:
    p = resize_portrait(head, 300)
    both = np.full((p.image.shape[0] + 40, 2 * p.image.shape[1] + 120, 3), 255, np.uint8)
    both[20:20 + p.image.shape[0], 20:20 + p.image.shape[1]] = p.image
    both[20:20 + p.image.shape[0], 100 + p.image.shape[1]:100 + 2 * p.image.shape[1]] = p.image
    assert len(find_eyes(both)) == 2


def _passport_like(head: Portrait, contrast: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A clear portrait and, to its right, a faint grey copy on noisy paper (a ghost image)."""
    rng = np.random.default_rng(0)
    big, small = resize_portrait(head, 300), resize_portrait(head, 120)
    page = np.full((900, 1200, 3), 200, np.uint8)
    page[100:100 + big.image.shape[0], 100:400] = big.image
    grey = small.image.astype(np.float32).mean(axis=2)
    ghost = (200 - (200 - grey) * contrast + rng.normal(0, 2, grey.shape)).clip(0, 255).astype(np.uint8)
    page[150:150 + ghost.shape[0], 800:920] = ghost[..., None]
    x0, y0, x1, y1 = small.eyes
    return page, (800 + x0, 150 + y0, 800 + x1, 150 + y1)


def test_a_faint_ghost_portrait_beside_a_clear_one_gets_its_own_band(head: Portrait) -> None:
    page, ghost_eyes = _passport_like(head, 0.1)
    bands = [r.bbox for r in find_eyes(page)]
    assert len(bands) == 2
    x0, y0, x1, y1 = ghost_eyes
    assert any(b[0] <= x0 and b[1] <= y0 and b[2] >= x1 and b[3] >= y1 for b in bands)
    masked, _ = mask_regions(page, find_eyes(page))
    assert masked[y0:y1, x0:x1].max() < 40


def test_the_second_look_needs_a_face_on_the_page(head: Portrait) -> None:
    page, _ = _passport_like(head, 0.1)
    page[100:460, 100:400] = 200  # no clear portrait: the faint copy alone is not searched again
    assert find_eyes(page) == []


def _small_photo_page(head: Portrait, side: int, paper: int) -> tuple[np.ndarray, Portrait]:
    """A résumé page (780 x 440) of ``paper`` grey with its owner's photo ``side`` px wide at (150, 100)."""
    p = resize_portrait(head, side)
    page = np.full((440, 780, 3), paper, np.uint8)
    h, w = p.image.shape[:2]
    page[100:100 + h, 150:150 + w] = p.image
    return page, p


def test_a_small_photo_on_a_web_resume_gets_its_band(head: Portrait) -> None:
    # A résumé page (780 x 440) with its owner's photo small: the face is 22 px wide. Faces
    # under 30 px used to be dropped as texture; on real pages (a web résumé, two transcripts'
    # photos) they are faces, and nothing else scores there (docs/topics/names-units-eyes.md).
    page, p = _small_photo_page(head, 52, 245)
    (r,) = find_eyes(page)
    x0, y0, x1, y1 = p.eyes
    assert r.bbox[0] <= 150 + x0 and r.bbox[1] <= 100 + y0 and r.bbox[2] >= 150 + x1 and r.bbox[3] >= 100 + y1


def _under_security_print(head: Portrait) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 160 px portrait under a passport's wavy security print, on a page: YuNet scores it 0.68."""
    p = resize_portrait(head, 160)
    h, w = p.image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    pattern = (0.5 + 0.5 * np.sin(xx * 0.9 + 6 * np.sin(yy * 0.15)))[..., None] * np.array([90, 120, 200])
    page = np.full((700, 900, 3), 235, np.uint8)
    page[100:100 + h, 150:150 + w] = (p.image * 0.55 + pattern * 0.45).clip(0, 255).astype(np.uint8)
    x0, y0, x1, y1 = p.eyes
    return page, (150 + x0, 100 + y0, 150 + x1, 100 + y1)


def test_an_unsure_face_a_cascade_also_sees_gets_its_band(head: Portrait, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # held-out passport specimen: the portrait under security print scored 0.71 as stored and
    # 0.64 to 0.70 once shrunk to 1280 px or re-saved at q75, under the 0.7 a face needs
    page, (x0, y0, x1, y1) = _under_security_print(head)
    (f,) = detect_faces(page, min_score=0.5)
    assert faces.FACE_SCORE_CONFIRMED <= f.score < faces.FACE_SCORE
    (r,) = find_eyes(page)
    b = r.bbox  # the landmarks under the print are a few pixels off: most of both eyes, at least
    inter = max(0, min(b[2], x1) - max(b[0], x0)) * max(0, min(b[3], y1) - max(b[1], y0))
    assert inter >= 0.85 * (x1 - x0) * (y1 - y0), (b, (x0, y0, x1, y1))
    # no cascade seeing it there, or checking output (a surer face asked): no band
    assert find_eyes(page, strict=True) == []
    monkeypatch.setattr(faces, "_votes", lambda gray, face: 0)
    assert find_eyes(page) == []


def test_a_face_under_16_px_is_still_a_face(head: Portrait) -> None:
    # held-out résumé header: the owner's round photo shows a face 15.97 px wide (YuNet 0.82),
    # dropped by the 16 px floor of the fourteenth session
    page, _ = _small_photo_page(head, 36, 200)
    (f,) = detect_faces(page, min_score=0.6)
    assert 12 <= min(f.box[2:]) < 16
