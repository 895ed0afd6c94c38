"""The page's lines without faint print: the back of a thin sheet showing through.

A page printed on both sides and scanned (or photographed against the light) shows
the back's text mirrored and faint. PP-OCR reads mirrored glyphs as characters, and
where a ghost row lies on a real row the detector joins them into one line:
``…均由申报人林`` + ``林人申由世迷…``. A name split across lines then no longer ends
its line, and ghost lines between rows break a name's run in reading order. Where the
ghost fills a row's gaps the detector may even drop the row altogether.

:func:`faint_print` finds the characters far lighter than the page's print and gives
the page's OCR lines without them; :func:`erase_faint` whitens everything that light,
for a second OCR of the page. The caller matches names and units on both *as well as*
on the lines as first read: faint print is never dropped from the first reading (a
light grey watermark may carry the name), it only stops hiding the dark print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zcmask.locate._variants import is_han
from zcmask.ocr._engine import flipped_scores
from zcmask.results import Char, TextLine

#: A character is faint when its darkest ink is this many grey levels lighter than the page's
#: print (at least; half the print's distance to the paper when that is more).
_MIN_GAP = 60.0
#: Fewer faint characters than this on a page: nothing to take out.
_MIN_FAINT = 3


def _darkness(small: np.ndarray, c: Char) -> float | None:
    """The darkest value inside the character's box on the half-size, smoothed grey page (its ink)."""
    h, w = small.shape
    x0, y0 = max(0, int(c.bbox[0] / 2)), max(0, int(c.bbox[1] / 2))
    x1, y1 = min(w, int(np.ceil(c.bbox[2] / 2))), min(h, int(np.ceil(c.bbox[3] / 2)))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return float(small[y0:y1, x0:x1].min())


def _is_glyph(c: Char) -> bool:
    """Characters with enough ink to judge (not punctuation, whose few pixels look light)."""
    return bool(c.text) and (c.text.isalnum() or is_han(c.text))


@dataclass(frozen=True)
class FaintPrint:
    """Faint print found on a page.

    ``ink`` is the page's print level (grey), ``limit`` the level above which the faint
    characters lie, ``lines`` the page's lines without them.
    """

    ink: float
    limit: float
    lines: list[TextLine]
    #: Runs of four or more faint characters of one line: their box, and their mean OCR score.
    runs: tuple[tuple[tuple[float, float, float, float], float], ...] = ()

    @property
    def erase_above(self) -> float:
        """Pixels lighter than this are whitened for a second reading.

        Half-way from the print to the faint characters' level: a ghost's darkest pixels are
        darker than its smoothed level.
        """
        return 0.5 * (self.ink + self.limit)


def erase_faint(image: np.ndarray, limit: float) -> np.ndarray:
    """A copy of ``image`` with every pixel lighter than ``limit`` (grey) made white: the page for a second OCR.

    >>> img = np.full((4, 4, 3), 250, np.uint8); img[0, 0] = 20; img[1, 1] = 180
    >>> erase_faint(img, 120)[..., 0].tolist()[:2]
    [[20, 255, 255, 255], [255, 255, 255, 255]]
    """
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    out = image.copy()
    out[gray > limit] = 255
    return out


def faint_print(lines: Sequence[TextLine], image: np.ndarray) -> FaintPrint | None:
    """The faint print among a page's OCR characters, or None when the page has none.

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines (text-layer lines are kept as they are).
    image : ndarray, shape (H, W, 3), uint8
        The upright page.

    Examples
    --------
    >>> img = np.full((60, 400, 3), 255, np.uint8)
    >>> chars = []
    >>> for i, (t, ink) in enumerate(zip("申报人林林人申由", (20, 20, 20, 20, 200, 200, 200, 200))):
    ...     img[10:40, 10 + 40 * i:40 + 40 * i:3] = ink
    ...     chars.append(Char(t, (10 + 40 * i, 10, 40 + 40 * i, 40), 1.0))
    >>> found = faint_print([TextLine("申报人林林人申由", (10, 10, 330, 40), 1.0, tuple(chars))], img)
    >>> [ln.text for ln in found.lines], found.ink < found.erase_above < found.limit
    (['申报人林'], True)

    """
    import cv2

    if sum(len(ln.chars) for ln in lines if ln.source == "ocr") < _MIN_FAINT + 3:
        return None
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    # half size, smoothed (pyrDown: a Gaussian, then every other pixel; 1 ms at 200 dpi): JPEG and
    # scanner grain no longer make a ghost look inked
    small = cv2.pyrDown(gray)
    dark: dict[tuple[int, int], float] = {}
    for li, ln in enumerate(lines):
        if ln.source != "ocr":
            continue
        for ci, c in enumerate(ln.chars):
            if _is_glyph(c):
                d = _darkness(small, c)
                if d is not None:
                    dark[(li, ci)] = d
    if len(dark) < _MIN_FAINT + 3:
        return None
    values = np.fromiter(dark.values(), float)
    ink = float(np.percentile(values, 20))
    paper = float(np.percentile(small[::8, ::8], 90))
    limit = ink + max(_MIN_GAP, 0.5 * (paper - ink))
    if int((values > limit).sum()) < _MIN_FAINT:
        return None
    out: list[TextLine] = []
    runs: list[tuple[tuple[float, float, float, float], float]] = []
    for li, ln in enumerate(lines):
        if ln.source != "ocr":
            out.append(ln)
            continue
        keep: list[Char] = []
        run: list[Char] = []
        last_dark = True
        for ci, c in enumerate(ln.chars):
            d = dark.get((li, ci))
            if d is not None:
                last_dark = d <= limit
            if last_dark:  # punctuation goes with the glyph before it
                keep.append(c)
            if not last_dark:
                run.append(c)
            if (last_dark or ci == len(ln.chars) - 1) and run:
                if len(run) >= 4:
                    runs.append(((run[0].bbox[0], ln.bbox[1], run[-1].bbox[2], ln.bbox[3]),
                                 float(np.mean([c.score for c in run]))))
                run = []
        if len(keep) == len(ln.chars):
            out.append(ln)
        elif keep:
            x0, x1 = min(c.bbox[0] for c in keep), max(c.bbox[2] for c in keep)
            out.append(TextLine("".join(c.text for c in keep), (x0, ln.bbox[1], x1, ln.bbox[3]),
                                ln.score, tuple(keep), ln.source))
    return FaintPrint(ink, limit, out, tuple(runs))


def looks_mirrored(faint: FaintPrint, image: np.ndarray, engine) -> bool:  # type: ignore[no-untyped-def]
    """Whether the faint print is a page seen from behind: it reads better flipped left to right.

    Coloured or grey print (an invoice's brown labels, a screenshot's grey captions) is as
    faint but reads worse flipped; the back of a sheet showing through reads better. Up to
    three of the longest faint runs are read flipped (``engine.recognize_lines``).
    """
    longest = sorted(faint.runs, key=lambda r: r[0][0] - r[0][2])[:3]
    return any(a >= 0.8 and a >= b + 0.1 for b, a in flipped_scores(engine, image, longest))
