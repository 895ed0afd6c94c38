"""Mirrored pages (a front-camera photo): read flipped, masked where the text is, and reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import NAME, UNIT, black_fraction, mk_line
from zcmask import api
from zcmask.ocr import FakeOcrEngine
from zcmask.options import Identity, Options, Unit
from zcmask.quality.orientation import reads_mirrored
from zcmask.results import Char, Orientation, TextLine


def _doubtful(ln: TextLine, every: int = 4) -> TextLine:
    """``ln`` with every ``every``-th character read below 0.5, as mirrored glyphs are."""
    chars = tuple(Char(c.text, c.bbox, 0.3 if i % every == 0 else 0.9) for i, c in enumerate(ln.chars))
    return TextLine(ln.text, ln.bbox, 0.78, chars)


def test_a_page_of_doubtful_lines_that_read_sure_flipped_is_mirrored() -> None:
    lines = [_doubtful(mk_line("经单位推荐王建国同志申报工程系列中级职称", y=100 + 60 * i)) for i in range(4)]
    page = np.full((600, 1200, 3), 255, np.uint8)
    sure = FakeOcrEngine(lambda img: [TextLine("经单位推荐", (0, 0, 10, 10), 0.99, ())])
    assert reads_mirrored(lines, page, sure)
    assert sure.calls == 3  # the three longest lines, read flipped
    unsure = FakeOcrEngine(lambda img: [TextLine("经单位推荐", (0, 0, 10, 10), 0.8, ())])
    assert not reads_mirrored(lines, page, unsure)  # no better flipped: a poor page, not a mirrored one


def test_the_back_of_a_sheet_showing_through_does_not_make_a_page_mirrored() -> None:
    # Locating benchmark (Noto Serif CJK SC, 150 dpi, the back of the sheet showing through): the
    # page's two widest runs were the back's faint mirrored print, which reads sure flipped, so
    # the page was flipped and written mirrored, its own print (names included) left unmasked.
    page = np.full((600, 1400, 3), 250, np.uint8)

    def run(text: str, y: int, x: int, ink: int) -> TextLine:
        ln = _doubtful(mk_line(text, x=x, y=y))
        for c in ln.chars:
            x0, y0, x1, y1 = (int(v) for v in c.bbox)
            page[y0 + 4:y1 - 4, x0 + 4:x1 - 4:8] = ink  # strokes
        return ln

    prints = [run("经单位推荐王建国同志申报", 100 + 100 * i, 60, 40) for i in range(3)]
    backs = [run("效有实真料材上以诺承重郑人本", 150 + 100 * i, 700, 225) for i in range(2)]

    def read(crop: np.ndarray) -> list[TextLine]:  # flipped, the back reads sure, the print does not
        faint = crop.min() > 200
        return [TextLine("x", (0, 0, 10, 10), 0.99 if faint else 0.5, ())]

    eng = FakeOcrEngine(read)
    assert not reads_mirrored(prints + backs, page, eng)
    assert eng.calls == 3  # the three print lines, not the back's wider runs
    mirrored = FakeOcrEngine(lambda crop: [TextLine("x", (0, 0, 10, 10), 0.5 if crop.min() > 200 else 0.99, ())])
    assert reads_mirrored(prints + backs, page, mirrored)  # print that reads sure flipped: mirrored


def test_a_clearly_read_page_is_never_tested() -> None:
    lines = [mk_line("经单位推荐王建国同志申报工程系列中级职称", y=100 + 60 * i) for i in range(4)]
    eng = FakeOcrEngine(lambda img: [TextLine("x", (0, 0, 1, 1), 1.0, ())])
    assert not reads_mirrored(lines, np.full((600, 1200, 3), 255, np.uint8), eng)
    assert eng.calls == 0  # no extra reading on an ordinary page


def test_the_report_says_mirrored_only_when_it_is() -> None:
    assert "mirrored" not in Orientation(0, 0.9, "ocr").to_json()
    assert Orientation(0, 0.9, "ocr", mirrored=True).to_json()["mirrored"] is True


@pytest.mark.slow
@pytest.mark.parametrize("flip", ["left_right", "top_bottom"])
def test_a_mirrored_photo_is_masked_where_its_name_is(tmp_path: Path, flip: str) -> None:
    # Mirrored glyphs are read as characters at middling confidence: the page passed as legible,
    # nothing of the applicant was found, and nothing was said. Flipped top to bottom, a page is
    # turned by 180 degrees and mirrored.
    from zcsynth import render

    sp = render("公示", NAME, UNIT)
    w = sp.image.shape[1]
    src = tmp_path / "in"
    src.mkdir()
    stored = sp.image[:, ::-1] if flip == "left_right" else sp.image[::-1]
    Image.fromarray(np.ascontiguousarray(stored)).save(src / "front_camera.jpg", quality=92)
    opts = Options.build(identity=Identity(name=NAME, units=(Unit(name=UNIT),)), cache=False, progress=False)
    page = api.mask([src], tmp_path / "out", opts).files[0].pages[0]
    assert page.orientation.mirrored
    assert [(i.code, i.severity) for i in page.issues if i.code == "mirrored_page"] == [("mirrored_page", "warning")]
    truths = [t for t in sp.truths if t.kind in ("name", "unit")]
    assert truths
    for t in truths:  # the page is written flipped back: everything where the unmirrored page has it
        assert black_fraction(page.output, t.bbox) >= 0.95, t
    with Image.open(page.output) as im:
        out = np.asarray(im.convert("L")).astype(int)
    assert np.abs(out - np.asarray(Image.fromarray(sp.image).convert("L")).astype(int)).mean() < 20
    assert w == out.shape[1]


def test_a_flipped_page_is_rebuilt_flipped_for_the_cache_and_the_web_page(tmp_path: Path) -> None:
    # cached analyses and the web page's kept pages are rebuilt from the upload and checked
    # against a digest of the analysed pixels: a flipped page must be rebuilt flipped
    from zcmask._analysis_cache import pixel_digest, rebuild_upright
    from zcmask.pipeline import PageAnalysis
    from zcmask.quality._fixout import page_fix

    img = np.zeros((40, 60, 3), np.uint8)
    img[:, :10] = 255  # a band on the left of the page as stored
    Image.fromarray(img).save(tmp_path / "m.png")
    flipped = np.ascontiguousarray(img[:, ::-1])
    back = rebuild_upright(str(tmp_path / "m.png"), 0, 0, pixel_digest(flipped), dpi=200, max_pixels=10**8,
                           flatten=False, mirrored=True)
    assert back is not None and np.array_equal(back[3], flipped)
    assert rebuild_upright(str(tmp_path / "m.png"), 0, 0, pixel_digest(flipped), dpi=200, max_pixels=10**8,
                           flatten=False) is None
    an = PageAnalysis(flipped, 200, "png", Orientation(0, 0.9, "ocr", mirrored=True), ())
    assert [s.step for s in page_fix(an, None).steps] == ["mirror"]  # check --fix writes it flipped back
