"""Phone photos into scans: the sheet is found and flattened, light evened, skew removed; scans untouched."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from conftest import NAME, UNIT, save_jpeg
from zcmask.cli import main
from zcmask.ocr import FakeOcrEngine
from zcmask.ocr import _engine as engine_mod
from zcmask.quality._flatten import find_page, flatten, rotate_small, skew_angle
from zcsynth import render
from zcsynth._degrade import layout_page
from zcsynth._phone import phone_photo
from zcsynth._seals import COLORS, SealSpec, seal_ink, stamp


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    img = render("公示", NAME, UNIT).image
    h, w = img.shape[:2]
    sealed, _ = stamp(img, seal_ink(SealSpec("巴州供电公司", size=int(w * 0.22))), (w * 0.7, h * 0.42),
                      COLORS["red"])
    return sealed


@pytest.fixture(scope="module")
def photo(page):  # type: ignore[no-untyped-def]
    return phone_photo(page, seed=2, background="wood", size=1400)


def _red(img: np.ndarray) -> float:
    a = img.astype(np.int16)
    return float(np.mean((a[..., 0] > 120) & (a[..., 0] - a[..., 1] > 60) & (a[..., 0] - a[..., 2] > 60)))


@pytest.mark.parametrize("background", ["wood", "dark", "grey"])
def test_sheet_corners_are_found_on_every_desk(page, background):
    ph = phone_photo(page, seed=7, background=background, size=1400)
    corners = find_page(ph.image)
    assert corners is not None
    err = np.abs(corners - ph.corners).max()
    assert err < 0.015 * 1400, (corners, ph.corners)


def test_photo_becomes_an_upright_white_a4_page_with_a_red_seal(photo):
    f = flatten(photo.image)
    steps = [s.step for s in f.steps]
    assert steps[:2] == ["perspective", "light"]
    h, w = f.image.shape[:2]
    assert abs(h / w - 297 / 210) < 0.02
    gray = f.image.mean(axis=2)
    assert np.percentile(gray, 50) > 245  # the paper is white, shadow and tint gone
    assert np.percentile(gray, 0.5) < 80  # the ink is still black: nothing washed out
    assert _red(f.image) > 0.002  # the seal kept its red
    # No desk left at the borders: the page was cut at its own edges.
    border = np.concatenate([f.image[:5].reshape(-1, 3), f.image[-5:].reshape(-1, 3)])
    assert border.mean() > 200
    params = dict(f.steps[0].params)
    assert params["width"] == w and params["dpi"] > 100


@pytest.mark.parametrize("kind", ["clean", "jpeg", "scanned", "photo", "table"])
def test_flat_scan_is_returned_untouched(page, kind):
    if kind == "clean":
        img = page
    elif kind == "jpeg":
        import io

        buf = io.BytesIO()
        Image.fromarray(page).save(buf, "JPEG", quality=85)
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    else:
        img = layout_page(kind, 4).image
    f = flatten(img)
    assert f.steps == ()
    assert f.image is img


def test_small_tilt_of_a_scan_is_measured_and_removed(page):
    tilted = rotate_small(page, 5.0)  # turned 5 degrees counter-clockwise, white corners
    angle, conf = skew_angle(tilted)
    assert abs(angle + 5.0) < 0.3 and conf > 0.3
    f = flatten(tilted)
    assert [s.step for s in f.steps] == ["deskew"]
    assert abs(skew_angle(f.image)[0]) < 0.3


def test_sideways_page_skew_is_found_along_columns(page):
    side = np.ascontiguousarray(np.rot90(rotate_small(page, 4.0)))
    angle, _ = skew_angle(side)
    assert abs(abs(angle) - 4.0) < 0.3


def test_check_fix_flattens_a_photo_copies_a_scan_and_reports_steps(tmp_path, page, photo, monkeypatch):
    eng = FakeOcrEngine([])
    monkeypatch.setitem(engine_mod._ENGINES, "rapidocr", eng)
    scan = save_jpeg(page, tmp_path / "in" / "scan.jpg")
    shot = save_jpeg(photo.image, tmp_path / "in" / "photo.jpg")
    out = tmp_path / "fixed"
    rep = tmp_path / "r.json"
    code = main(["check", str(tmp_path / "in"), "--fix", str(out), "--report", str(rep), "--no-progress",
                 "--no-orientation", "-j", "1", "--seals", "none", "--no-eyes"])
    assert code in (0, 1)
    assert (out / "scan.jpg").read_bytes() == scan.read_bytes()  # byte for byte
    data = json.loads(rep.read_text(encoding="utf-8"))
    pages = {f["input"].split("/")[-1]: f["pages"][0] for f in data["files"]}
    assert pages["scan.jpg"]["fix"]["steps"] == []
    steps = [s["step"] for s in pages["photo.jpg"]["fix"]["steps"]]
    assert steps[:2] == ["perspective", "light"]
    assert pages["photo.jpg"]["fix"]["output"].endswith("photo.jpg")
    with Image.open(out / "photo.jpg") as im:
        fixed = np.asarray(im.convert("RGB"))
    assert (pages["photo.jpg"]["width"], pages["photo.jpg"]["height"]) == (fixed.shape[1], fixed.shape[0])
    assert np.median(fixed.mean(axis=2)) > 240
    html = rep.with_suffix(".html").read_text(encoding="utf-8")
    assert "透视校正" in html and html.count("data:image/jpeg;base64,") == 2
    assert shot.read_bytes() == save_jpeg(photo.image, tmp_path / "again.jpg").read_bytes()  # input untouched


def test_check_fix_no_flatten_only_turns_and_converts(tmp_path, photo, monkeypatch):
    monkeypatch.setitem(engine_mod._ENGINES, "rapidocr", FakeOcrEngine([]))
    shot = save_jpeg(photo.image, tmp_path / "in" / "photo.jpg")
    out = tmp_path / "fixed"
    main(["check", str(shot), "--fix", str(out), "--no-flatten", "--report", str(tmp_path / "r.json"),
          "--no-progress", "--no-orientation", "-j", "1"])
    with Image.open(out / "photo.jpg") as im:
        assert im.size == (photo.image.shape[1], photo.image.shape[0])


def test_mask_flatten_reports_boxes_on_the_flattened_page(tmp_path, photo, monkeypatch):
    from conftest import mk_line

    # The fake OCR "reads" the name at a fixed place of whatever page it is given.
    eng = FakeOcrEngine([mk_line(NAME, x=200, y=300, ch=40)])
    monkeypatch.setitem(engine_mod._ENGINES, "rapidocr", eng)
    shot = save_jpeg(photo.image, tmp_path / "in" / "photo.jpg")
    out = tmp_path / "out"
    code = main(["mask", str(shot), "-o", str(out), "--name", NAME, "--flatten", "--no-progress",
                 "--no-orientation", "-j", "1", "--seals", "none", "--no-eyes"])
    assert code == 0
    data = json.loads((out / "zcmask-report.json").read_text(encoding="utf-8"))
    p = data["files"][0]["pages"][0]
    assert [s["step"] for s in p["fix"]["steps"]][:1] == ["perspective"]
    with Image.open(out / "photo.jpg") as im:
        written = np.asarray(im.convert("RGB"))
    assert (p["width"], p["height"]) == (written.shape[1], written.shape[0])
    assert (written.shape[1], written.shape[0]) != (photo.image.shape[1], photo.image.shape[0])
    x0, y0, x1, y1 = p["regions"][0]["bbox"]
    assert written[y0:y1, x0:x1].max(axis=2).mean() < 60  # black on the written page, at the reported box


def test_page_filling_photo_with_a_shadow_gets_only_its_light_evened(page):
    h, w = page.shape[:2]
    light = np.ones((h, w), np.float32) * 0.85
    light[:, : w // 2] *= np.linspace(0.5, 1.0, w // 2)[None, :]
    shaded = np.clip(page.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    f = flatten(shaded)
    assert [s.step for s in f.steps] == ["light"]
    assert f.image.shape == shaded.shape
    left, right = f.image[:, : w // 8].mean(), f.image[:, -w // 8:].mean()
    assert abs(left - right) < 6 and min(left, right) > 240
