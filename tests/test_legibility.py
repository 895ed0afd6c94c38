"""Legibility: clean pages pass, pages degraded past reading fail with the right reason."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import NAME, UNIT, as_ocr
from zcmask.quality import assess_legibility
from zcmask.quality.legibility import legibility_metrics
from zcsynth import render
from zcsynth._degrade import degrade, layout_page


@pytest.mark.parametrize("template", ["公示", "承诺书", "职称证书"])
def test_clean_rendered_pages_are_legible(template):
    sp = render(template, NAME, UNIT)
    leg, issues = assess_legibility(sp.image, as_ocr(sp.lines), sp.dpi)
    assert leg.legible and issues == []
    assert 0.5 <= leg.score <= 1.0


@pytest.mark.parametrize("layout", ["dense", "table", "scanned", "small_print", "sparse", "landscape"])
def test_clean_layouts_are_never_flagged(layout):
    sp = layout_page(layout, 11)
    leg, issues = assess_legibility(sp.image, as_ocr(sp.lines), sp.dpi)
    assert leg.legible, leg
    assert issues == []


def test_id_card_copy_with_a_soft_photo_and_a_crisp_title_is_legible():
    # An ID-card copy: one printed line, most of the ink a (soft, upscaled) photo.
    astronaut = pytest.importorskip("skimage.data").astronaut
    from zcsynth._photos import Portrait, crop_portrait, id_card_page

    face = crop_portrait(Portrait(astronaut(), (188, 92, 264, 114)), (130, 10, 330, 260))
    sp = id_card_page(face)
    leg, issues = assess_legibility(sp.image, as_ocr(sp.lines), sp.dpi)
    assert leg.legible, leg
    assert issues == []


def test_few_crisp_lines_do_not_excuse_a_motion_blurred_page(dense):
    # Lines that were read but are themselves smeared: the page measure still decides.
    img = degrade(dense.image, "motion", 1.0)
    few = as_ocr(dense.lines[:1])
    leg, _ = assess_legibility(img, few, 200)
    assert "blurry" in leg.reasons


def test_blank_white_page_is_not_called_illegible():
    leg, issues = assess_legibility(np.full((2339, 1654, 3), 255, np.uint8), [], 200)
    assert leg.legible and issues == []


def test_heavy_blur_is_blurry(dense):
    img = degrade(dense.image, "blur", 1.0)
    leg, issues = assess_legibility(img, [], 200)
    assert not leg.legible
    assert [i.code for i in issues] == ["blurry"]
    assert issues[0].severity == "error" and "模糊" in issues[0].message


def test_strong_motion_blur_is_blurry(dense):
    leg, issues = assess_legibility(degrade(dense.image, "motion", 1.0), [], 200)
    assert "blurry" in leg.reasons and not leg.legible


def test_near_black_page_is_too_dark(dense):
    leg, issues = assess_legibility(degrade(dense.image, "dark", 1.0), [], 200)
    assert leg.reasons == ("too_dark",)
    assert leg.score < 0.5


def test_washed_out_page_is_overexposed(dense):
    leg, _ = assess_legibility(degrade(dense.image, "washed", 1.0), [], 200)
    assert leg.reasons == ("overexposed",)


def test_grey_on_grey_page_has_low_contrast(dense):
    leg, _ = assess_legibility(degrade(dense.image, "low_contrast", 1.0), [], 200)
    assert leg.reasons == ("low_contrast",)


def test_page_at_a_tenth_of_its_resolution_is_low_resolution(dense):
    img = degrade(dense.image, "downscale", 0.98)  # about 10 % of the pixels per side
    leg, issues = assess_legibility(img, [], 200)
    assert leg.reasons == ("low_resolution",)
    assert "dpi" in issues[0].message
    assert "文字小到无法识别" in issues[0].message and "0 像素" not in issues[0].message  # nothing read


def test_tiny_text_read_by_ocr_is_low_resolution(dense):
    img = degrade(dense.image, "downscale", 0.85)
    scale = img.shape[1] / dense.image.shape[1]
    leg, issues = assess_legibility(img, as_ocr(dense.lines, scale), 200)
    metrics = dict(leg.metrics)
    assert metrics["char_px"] < 9
    assert "low_resolution" in leg.reasons
    msg = next(i.message for i in issues if i.code == "low_resolution")
    assert f"文字高度约 {round(metrics['char_px'])} 像素" in msg


def test_mild_degradation_stays_legible(dense):
    for kind, s in [("blur", 0.05), ("jpeg", 0.3), ("dark", 0.4), ("washed", 0.4), ("downscale", 0.3)]:
        img = degrade(dense.image, kind, s)
        scale = img.shape[1] / dense.image.shape[1]
        leg, _ = assess_legibility(img, as_ocr(dense.lines, scale), 200)
        assert leg.legible, (kind, leg)


def test_text_mostly_read_at_low_confidence_is_illegible(dense):
    leg, issues = assess_legibility(dense.image, as_ocr(dense.lines, score=0.2), 200)
    assert leg.reasons == ("illegible",)
    assert issues[0].code == "illegible"


def test_metrics_describe_a_clean_page(dense):
    m = legibility_metrics(dense.image, as_ocr(dense.lines), 200)
    assert m["paper"] > 200 and m["ink"] < 80
    assert 20 < m["char_px"] < 40
    assert m["edge_px"] < 3.5


def test_page_wide_edges_are_measured_only_when_the_lines_read_do_not_speak_for_the_page(dense, monkeypatch):
    from zcmask.quality import legibility

    calls = []
    real = legibility._sharpest_edges
    monkeypatch.setattr(legibility, "_sharpest_edges", lambda *a, **k: calls.append(1) or real(*a, **k))
    leg, _ = assess_legibility(dense.image, as_ocr(dense.lines), 200)  # read in full: the lines decide
    assert leg.legible and calls == [] and "page_edge_px" not in dict(leg.metrics)
    # A motion-blurred page with one crisp line read: the page's own edges decide, and are reported.
    leg, _ = assess_legibility(degrade(dense.image, "motion", 1.0), as_ocr(dense.lines[:1]), 200)
    assert "blurry" in leg.reasons and calls == [1] and dict(leg.metrics)["page_edge_px"] > 5
    # Nothing read at all: the page measure stands in for the lines' edge width.
    leg, _ = assess_legibility(dense.image, [], 200)
    assert len(calls) == 2 and dict(leg.metrics)["edge_px"] == dict(leg.metrics)["page_edge_px"]
    # The public metrics function still measures it unless told not to.
    assert "page_edge_px" in legibility_metrics(dense.image, as_ocr(dense.lines), 200)


def test_input_image_is_not_modified(dense):
    img = degrade(dense.image, "blur", 0.5)
    before = img.copy()
    assess_legibility(img, as_ocr(dense.lines), 200)
    assert np.array_equal(img, before)


@pytest.mark.slow
def test_real_ocr_tells_clean_from_heavily_blurred_page():
    from zcmask.ocr import get_engine

    eng = get_engine("rapidocr")
    sp = layout_page("top_only", 5)
    leg, _ = assess_legibility(sp.image, eng.recognize(sp.image), 200)
    assert leg.legible
    bad = degrade(sp.image, "blur", 1.0)
    leg, _ = assess_legibility(bad, eng.recognize(bad), 200)
    assert not leg.legible and "blurry" in leg.reasons
