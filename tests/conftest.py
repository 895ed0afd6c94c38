"""Shared fixtures: fake OCR engines, synthetic documents, and helpers to read outputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zcmask.ocr import FakeOcrEngine, register_engine
from zcmask.options import Identity, Options, Unit
from zcmask.results import Char, TextLine

NAME = "王建国"
UNIT = "国网新疆电力有限公司巴州供电公司"


def mk_line(text: str, x: float = 100, y: float = 100, ch: float = 40, gap: float = 0.0,
            score: float = 1.0, scores: dict[int, float] | None = None) -> TextLine:
    """A synthetic OCR line: one ``ch``-pixel square per character, ``gap`` pixels apart.

    Spaces advance the pen without producing a character, like OCR output.
    """
    chars = []
    cx = x
    for i, c in enumerate(text):
        if c == " ":
            cx += ch / 2
            continue
        s = (scores or {}).get(i, score)
        chars.append(Char(c, (cx, y, cx + ch, y + ch), s))
        cx += ch + gap
    return TextLine(text, (x, y, cx, y + ch), score, tuple(chars))


def kinds(regions, kind):
    """The regions of one kind."""
    return [r for r in regions if r.kind == kind]


def covers(regions, line, start, end) -> bool:
    """True when the union of regions covers chars [start, end) of ``line``."""
    for c in line.chars[start:end]:
        x0, y0, x1, y1 = c.bbox
        if not any(r.bbox[0] <= x0 and r.bbox[1] <= y0 and r.bbox[2] >= x1 and r.bbox[3] >= y1
                   for r in regions):
            return False
    return True


def identity(name: str = NAME, units: tuple[str, ...] = (UNIT,), aliases: tuple[str, ...] = ()) -> Identity:
    return Identity(name=name, aliases=aliases, units=tuple(Unit(name=u) for u in units))


@pytest.fixture
def fake_engine() -> Iterator[FakeOcrEngine]:
    """Register a fake engine under the name ``fake``; tests set its lines."""
    eng = FakeOcrEngine([])
    register_engine("fake", eng)
    yield eng
    register_engine("fake", FakeOcrEngine([]))


def fake_options(**kw: object) -> Options:
    base: dict[str, object] = dict(identity=identity(), ocr_engine="fake", detect_orientation=False,
                                   progress=False, eyes=False, seals="none")
    base.update(kw)
    return Options(**base)  # type: ignore[arg-type]


def black_fraction(path: Path | str, bbox: tuple[int, int, int, int], thresh: int = 60) -> float:
    """Share of pixels inside ``bbox`` of the JPG at ``path`` that are black."""
    with Image.open(path) as im:
        a = np.asarray(im.convert("RGB"))
    x0, y0, x1, y1 = bbox
    crop = a[y0:y1, x0:x1]
    return float((crop.max(axis=2) < thresh).mean())


def save_jpeg(img: np.ndarray, path: Path, dpi: int = 200) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path, quality=92, dpi=(dpi, dpi))
    return path


def seal_box(page) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """The labelled box of the first seal of a generated page."""
    return next(t.bbox for t in page.truths if t.kind == "seal")


def covering(cands, box, share: float = 0.9):  # type: ignore[no-untyped-def]
    """The first candidate (anything with ``.bbox``) covering ``share`` of ``box``, or None."""
    x0, y0, x1, y1 = box
    area = (x1 - x0) * (y1 - y0)
    for c in cands:
        ix = max(0, min(x1, c.bbox[2]) - max(x0, c.bbox[0]))
        iy = max(0, min(y1, c.bbox[3]) - max(y0, c.bbox[1]))
        if ix * iy >= share * area:
            return c
    return None


def as_ocr(lines, scale: float = 1.0, score: float = 0.97) -> list[TextLine]:  # type: ignore[no-untyped-def]
    """Text-layer lines relabelled as confident OCR lines, optionally scaled with the page."""
    def sc(b):  # type: ignore[no-untyped-def]
        return tuple(v * scale for v in b)

    return [TextLine(ln.text, sc(ln.bbox), score, tuple(Char(c.text, sc(c.bbox), score) for c in ln.chars))
            for ln in lines]


@pytest.fixture(scope="module")
def dense():  # type: ignore[no-untyped-def]
    """A dense generated text page (3 columns of body text), shared by the legibility tests."""
    from zcsynth._degrade import layout_page

    return layout_page("dense", 3)


def scanned_pages(src: Path) -> tuple[dict[str, object], FakeOcrEngine]:
    """Two generated pages (公示, 承诺书) saved as JPGs in ``src``, and a fake engine, registered
    as ``fake``, that reads each page's own text (told apart by the decoded page's mean)."""
    from zcsynth import render

    src.mkdir(parents=True, exist_ok=True)
    pages = {"gongshi.jpg": render("公示", NAME, UNIT), "chengnuo.jpg": render("承诺书", NAME, UNIT)}
    by_mean = {}
    for name, sp in pages.items():
        Image.fromarray(sp.image).save(src / name, quality=95)
        with Image.open(src / name) as im:
            by_mean[round(float(np.asarray(im.convert("RGB")).mean()), 2)] = sp.lines
    eng = FakeOcrEngine(lambda img: list(by_mean.get(round(float(img.mean()), 2), [])))
    register_engine("fake", eng)
    return pages, eng
