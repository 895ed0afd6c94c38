"""Lines read again without a light overprint: a watermark printed lighter than coloured paper.

An award certificate on green or orange paper carries its contest's name in large white
italic letters across the body (``Mathematical Contest in Modeling``). Where they cross a
line of print, PP-OCR reads the line as a jumble (学生：邱嘉希、邱伟华 read
``学生：嘉布部伟华a胡奥C``) and the applicant's name goes unmatched: a held-out phone
photo's leak. Black print is darker than the paper and the overprint lighter, so painting
every pixel much lighter than the line's own paper in that paper's colour leaves the print
alone and takes the overprint out.

Only lines read with some doubt (score under :data:`DOUBTFUL`), on coloured paper, with
overprint in their crop, are read again, each from a crop around it, and at most
:data:`MAX_LINES` of them, the most doubtful first. White and grey paper never qualify (there
the lighter pixels are glare and uneven light); on 95 real pages, 15 read a line or two again
(about 50 ms each), 80 nothing. The caller matches the lines read again *as well as* the first
reading.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask._geometry import shift_line
from zcmask.locate._text import _padded
from zcmask.results import TextLine

#: A line read with a score under this may be print under an overprint (the held-out photo's
#: name line: 0.81; the lines of 95 real pages with overprint-like light in them: most above).
DOUBTFUL = 0.95
#: A pixel is overprint when its channels sum this much above the line's paper (30 grey levels a
#: channel: the held-out photo's white letters are about 150 above its green paper).
LIGHT = 90
#: Least spread of the paper's channels: coloured paper (the held-out photo's green: 49). Grey or
#: white paper, where glare and uneven light are the lighter pixels, is not read again.
CHROMA = 25
#: Least share of a line's crop that is overprint for the line to be read again (the held-out
#: photo's name line: 0.10).
MIN_SHARE = 0.03
#: At most this many lines of a page are read again.
MAX_LINES = 8


def without_overprint(crop: np.ndarray) -> np.ndarray | None:
    """``crop`` with its light overprint painted in its paper's colour, or None when it has none.

    The paper is the crop's median colour (a line's crop is mostly paper).

    >>> crop = np.full((20, 60, 3), (127, 175, 146), np.uint8)  # green award paper
    >>> crop[5:15, 10:12] = 20                                   # a stroke of print
    >>> crop[2:18, 30:36] = (240, 245, 240)                      # a white overprint letter
    >>> out = without_overprint(crop); out[10, 32].tolist(), out[10, 11].tolist()
    ([127, 175, 146], [20, 20, 20])
    >>> without_overprint(np.full((20, 60, 3), 250, np.uint8)) is None  # white paper
    True
    """
    if crop.size == 0:
        return None
    paper = np.median(crop.reshape(-1, 3), axis=0)
    level = float(paper.sum())
    if level > 3 * 255 - LIGHT or float(paper.max() - paper.min()) < CHROMA:
        return None  # nothing can be that much lighter than this paper, or it is not coloured
    light = crop.astype(np.int16).sum(axis=2) > level + LIGHT
    if light.mean() < MIN_SHARE:
        return None
    out = crop.copy()
    out[light] = paper.astype(np.uint8)
    return out


def overprint_lines(lines: Sequence[TextLine], image: np.ndarray, engine) -> list[TextLine]:  # type: ignore[no-untyped-def]
    """The doubtful lines of a page read again without their light overprint, in page pixels.

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines as first read.
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    engine : OcrEngine
        Any engine with ``recognize(image) -> list[TextLine]``.

    """
    h, w = image.shape[:2]
    found: list[tuple[float, tuple[int, int, int, int], np.ndarray]] = []
    for ln in lines:
        if ln.source != "ocr" or not ln.chars or ln.score >= DOUBTFUL:
            continue
        x0, y0, x1, y1 = box = _padded(*ln.bbox, 0.25 * (ln.bbox[3] - ln.bbox[1]), (w, h))  # a quarter line
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        clean = without_overprint(np.ascontiguousarray(image[y0:y1, x0:x1]))
        if clean is not None:
            found.append((ln.score, box, clean))
    out: list[TextLine] = []
    for _score, (x0, y0, _x1, _y1), clean in sorted(found, key=lambda f: f[0])[:MAX_LINES]:
        out += [shift_line(r, x0, y0) for r in engine.recognize(clean) if r.chars]
    return out
