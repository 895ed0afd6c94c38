"""Legibility follows the body text: faint text is not a blank page, a readable title does not save a page."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from conftest import as_ocr
from zcmask.quality import assess_legibility
from zcmask.quality._body import body_text, ink_lines
from zcsynth._degrade import layout_page


def _jpeg(a: np.ndarray, q: int = 85) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()


def _faint(img: np.ndarray, delta: float, paper: float = 200.0) -> np.ndarray:
    """Ink only ``delta`` grey levels darker than the paper, with sensor noise and JPEG."""
    a = img.astype(np.float32) / 255.0
    out = paper - (1 - a) * delta + np.random.default_rng(0).normal(0, 2.0, a.shape[:2])[..., None]
    return _jpeg(np.clip(out, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("delta", [4, 8])
def test_text_a_few_grey_levels_from_the_paper_is_low_contrast_not_blank(dense, delta):
    img = _faint(dense.image, delta)
    leg, issues = assess_legibility(img, [], 200)  # OCR reads nothing
    assert not leg.legible
    assert "low_contrast" in leg.reasons
    assert any("对比度" in i.message or "拍" in i.message for i in issues)


def test_faint_text_is_found_as_lines_with_a_weak_stroke(dense):
    b = body_text(_faint(dense.image, 6).mean(axis=2), [])
    assert b.lines >= 10
    assert b.stroke < 8
    assert b.read == 0.0


def test_moderate_contrast_text_read_by_ocr_stays_legible(dense):
    img = _faint(dense.image, 70)
    leg, _ = assess_legibility(img, as_ocr(dense.lines), 200)
    assert leg.legible, leg


def test_blank_paper_with_noise_is_still_blank():
    rng = np.random.default_rng(1)
    img = _jpeg(np.clip(220 + rng.normal(0, 2.5, (1169, 827, 1)), 0, 255).astype(np.uint8).repeat(3, axis=2))
    lines, _, _ = ink_lines(img.mean(axis=2))
    assert len(lines) < 3
    leg, issues = assess_legibility(img, [], 200)
    assert leg.legible and issues == []


def test_only_the_title_read_on_a_shrunken_page_is_low_resolution(dense):
    # Shrunk to 11 %: the 20 pt title still reads, the body is a grey smear.
    h, w = dense.image.shape[:2]
    f = 0.11
    small = _jpeg(np.asarray(Image.fromarray(dense.image).resize((round(w * f), round(h * f)),
                                                                 Image.Resampling.BILINEAR)))
    title = [ln for ln in dense.lines if ln.bbox[1] < 0.12 * h][:1]
    assert title
    leg, issues = assess_legibility(small, as_ocr(title, f), 200)
    assert not leg.legible
    assert leg.reasons == ("low_resolution",)
    assert "dpi" in issues[0].message


def test_unread_small_body_under_a_read_title_is_low_resolution():
    # A page large enough in pixels, but the body is printed tiny and left unread.
    sp = layout_page("small_print", 2, dpi=70)
    h = sp.image.shape[0]
    title = [ln for ln in sp.lines if ln.bbox[1] < 0.1 * h]
    leg, _ = assess_legibility(_jpeg(sp.image), as_ocr(title), 70)
    assert "low_resolution" in leg.reasons


def test_body_metrics_are_reported(dense):
    leg, _ = assess_legibility(dense.image, as_ocr(dense.lines), 200)
    m = dict(leg.metrics)
    assert m["body_read"] > 0.9 and m["body_lines"] >= 10 and m["body_stroke"] > 60


def _photographed(img: np.ndarray, light: np.ndarray | float) -> np.ndarray:
    """The page under ``light`` (a share of full brightness), with a camera's sensor noise."""
    noise = np.random.default_rng(3).normal(0, 2.0, img.shape[:2])[..., None]
    return np.clip(img.astype(np.float32) * (light[..., None] if isinstance(light, np.ndarray) else light) + noise,
                   0, 255).astype(np.uint8)


def _shadowed(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    light = np.ones((h, w), np.float32) * 0.9
    light[:, : w // 2] *= np.linspace(0.45, 1.0, w // 2)[None, :]  # a soft shadow from the left
    return light


def test_shadow_across_a_page_filling_photo_is_a_warning_with_retake_advice(dense):
    img = _photographed(dense.image, _shadowed(dense.image))
    leg, issues = assess_legibility(img, as_ocr(dense.lines), 200)
    shadow = [i for i in issues if i.code == "shadow"]
    assert shadow and shadow[0].severity == "warning" and "重拍" in shadow[0].message
    assert leg.legible  # the text still reads: a warning, not a failure


def test_a_screenshot_or_rendered_page_gets_no_light_warnings(dense):
    # a housing-fund screenshot (grey bars between white panels) and an e-certificate with a dark
    # frame were told to retake the photo in even light: a picture made on a computer has no light
    img = np.clip(dense.image.astype(np.float32) * _shadowed(dense.image)[..., None], 0, 255).astype(np.uint8)
    img[500:900, 400:1000] = 255
    _, issues = assess_legibility(img, as_ocr(dense.lines), 200)
    assert not {"shadow", "glare"} & {i.code for i in issues}


def test_glare_spot_on_a_photo_is_a_warning(dense):
    img = _photographed(dense.image, 0.82)
    img[500:900, 400:1000] = 255
    _, issues = assess_legibility(img, as_ocr(dense.lines), 200)
    assert "glare" in [i.code for i in issues]


def test_the_white_margin_round_a_scanned_sheet_is_not_glare(dense):
    # scans of pink and green-grey certificates were told of glare: the scanner's white lid showed
    # along an edge of the picture, beyond the sheet
    img = _photographed(dense.image, 0.82)
    h, w = img.shape[:2]
    img[:, w - w // 12:] = 255
    _, issues = assess_legibility(img, as_ocr(dense.lines), 200)
    assert "glare" not in [i.code for i in issues]


def test_clean_scan_has_no_light_warnings(dense):
    _, issues = assess_legibility(dense.image, as_ocr(dense.lines), 200)
    assert issues == []


def _bands(img: np.ndarray, ys: list[int], x0: int, x1: int, colour: tuple[int, int, int] = (200, 120, 130)) -> None:
    """Thin patterned bands 8 px tall (a certificate's printed border), one at each ``y``."""
    for y in ys:
        img[y:y + 8, x0:x1] = colour
        img[y:y + 8, x0:x1:4] = 255


@pytest.mark.parametrize("layout", ["sparse", "dense"])
def test_a_certificates_patterned_border_is_not_small_print(layout):
    # real photos of award certificates were told to rescan: the thin bands of their printed
    # border, unread, made up a quarter of the page's ink lines and looked like tiny body text
    pg = layout_page(layout, 3, dpi=100)
    img = pg.image.copy()
    h, w = img.shape[:2]
    _bands(img, [int(0.015 * h) + 16 * k for k in range(3)] + [int(0.93 * h) + 16 * k for k in range(3)],
           int(0.03 * w), int(0.97 * w))
    leg, _ = assess_legibility(img, as_ocr(pg.lines), 100)
    assert leg.legible, leg


def test_thin_lines_inside_the_page_are_still_small_print():
    pg = layout_page("sparse", 3, dpi=100)
    img = pg.image.copy()
    h, w = img.shape[:2]
    _bands(img, _free_rows(pg, h)[:6], int(0.1 * w), int(0.9 * w))
    leg, issues = assess_legibility(img, as_ocr(pg.lines), 100)
    assert "low_resolution" in leg.reasons
    # the message quotes the small lines, not the large text read beside them
    msg = next(i.message for i in issues if i.code == "low_resolution")
    px = re.search(r"小字行高仅约 (\d+) 像素", msg)
    assert px and int(px.group(1)) <= 12, msg


def _free_rows(pg, h: int) -> list[int]:
    return [y for y in range(int(0.3 * h), int(0.8 * h), 30)
            if not any(ln.bbox[1] - 15 < y < ln.bbox[3] + 15 for ln in pg.lines)]


def test_pale_thin_strokes_behind_the_text_are_not_small_print():
    # held-out photos of a university's certificate and a national scholarship certificate were
    # told to rescan (low_resolution): the thin strokes of a pale red emblem behind the text and
    # of a pale guilloche frame, unread, looked like tiny body text beside 55-91 px black print
    pg = layout_page("sparse", 3, dpi=100)
    img = pg.image.copy()
    h, w = img.shape[:2]
    _bands(img, _free_rows(pg, h)[:6], int(0.1 * w), int(0.9 * w), colour=(245, 215, 220))
    leg, issues = assess_legibility(img, as_ocr(pg.lines), 100)
    assert leg.legible, leg
    assert not [i for i in issues if i.code == "low_resolution"]


def test_a_forms_underline_and_a_sheets_edge_are_not_lines_of_text():
    from zcmask.quality._body import InkLine, _not_text

    read = [(300.0, 400.0, 500.0, 430.0)]  # a filled-in field read with confidence
    w, h = 1000, 1400
    assert _not_text(InkLine((250, 432, 700, 440), 8.0, 90.0), read, w, h)       # its underline
    assert _not_text(InkLine((100, 1350, 900, 1358), 8.0, 90.0), read, w, h)     # the sheet's edge
    assert not _not_text(InkLine((250, 600, 700, 608), 8.0, 90.0), read, w, h)   # small print below
    assert not _not_text(InkLine((250, 432, 700, 452), 20.0, 90.0), read, w, h)  # a line of text


@pytest.mark.parametrize("seed", [0, 3])
def test_a_blurred_sparse_page_whose_sharp_title_alone_reads_is_blurry(seed):
    # phone-photo benchmark drawn in Noto Serif CJK SC: a sparse notice blurred, its large title
    # read sharp, its two body lines unread, passed as legible (the page's own edges were judged
    # only under three unread body lines or more). The same page sharp stays legible.
    from zcsynth._degrade import degrade

    sp = layout_page("sparse", seed)
    h = sp.image.shape[0]
    page = sp.image.copy()
    body = sorted((ln for ln in sp.lines if ln.bbox[1] >= 0.12 * h), key=lambda ln: ln.bbox[1])
    x0, y0, x1, y1 = (int(v) for v in body[-1].bbox)
    page[y0 - 4:y1 + 4, x0 - 4:x1 + 4] = 255  # two body lines left
    title = [ln for ln in sp.lines if ln.bbox[1] < 0.12 * h][:1]
    leg, _ = assess_legibility(degrade(page, "blur", 0.8), as_ocr(title), 200)
    assert dict(leg.metrics)["body_lines"] == 2
    assert leg.reasons == ("blurry",)
    assert assess_legibility(page, as_ocr(sp.lines), 200)[0].legible
