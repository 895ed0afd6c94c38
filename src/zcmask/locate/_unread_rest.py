"""A unit's name read only in part, its rest left as ink that no line reads.

A red calligraphic wordmark 西安交通大学 beside a transcript's emblem was read ``西安``: the
text detector boxed the first two brush-written characters and saw no text in the other four,
so no rule matched and the whole name stayed visible (held-out real set: a rendered transcript).

A line whose whole reading is the start of one of the unit's names (or its end), at least
:data:`MIN_PIECE` characters, is looked at on the side where the rest would be printed: a run of
ink there, on the line's own row, that no other line reads and that reaches at least
:data:`MIN_REACH` of the room the missing characters need, is masked with the line as the unit's.
A table cell that holds only 西安 has other cells beside it, which are read, so nothing is added
there; nor where the row is blank. The box reaches as far as the ink runs, at most
:data:`MAX_REACH` of that room.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask._geometry import boxes_overlap, centre_within
from zcmask.locate._variants import is_han, norm_text
from zcmask.results import Region, TextLine

#: Fewest characters of the unit's name read.
MIN_PIECE = 2
#: Least and most of the missing characters' room (their count times the line's pitch) the ink
#: beside the line must fill, and may be masked over.
MIN_REACH = 0.5
MAX_REACH = 1.6
#: Widest gap inside the ink that runs on, in character pitches.
MAX_GAP = 1.0
#: A pixel darker than the row's paper by this share of the paper-to-ink range is ink (pale red
#: brush strokes beside black print count), but by at least :data:`MIN_STEP` grey levels.
INK = 0.3
MIN_STEP = 25
#: Least share of the room's columns holding ink.
MIN_FILL = 0.3


def unit_rest_unread(lines: Sequence[TextLine], image: np.ndarray, units: Sequence[str],
                     found: Sequence[Region]) -> list[Region]:
    """The unit's name where only its start (or end) was read and its rest is unread ink.

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines, in page pixels.
    image : ndarray, shape (H, W) or (H, W, 3), uint8
        The upright page.
    units : sequence of str
        The unit's names, folded (:func:`zcmask.locate.unit_patterns`).
    found : sequence of Region
        What was matched already; a line inside a unit region found is left alone.

    Returns
    -------
    list of Region
        Kind ``unit``, over the line and the ink beside it.

    """
    out: list[Region] = []
    done = [r.bbox for r in found if r.kind == "unit"]
    for ln in lines:
        if ln.source != "ocr":
            continue
        t = norm_text(ln.text)
        if len(t) < MIN_PIECE or not all(is_han(c) for c in t) or any(centre_within(ln.bbox, b) for b in done):
            continue
        for u in units:
            if len(u) <= len(t) or not all(is_han(c) for c in u):
                continue
            side = 1 if u.startswith(t) else -1 if u.endswith(t) else 0
            if side == 0:
                continue
            box = _ink_run(ln, lines, image, len(u) - len(t), side)
            if box is not None:
                out.append(Region("unit", box, u, ln.source, float(ln.score)))
                break
    return out


def _ink_run(ln: TextLine, lines: Sequence[TextLine], image: np.ndarray, missing: int,
             side: int) -> tuple[int, int, int, int] | None:
    """The line's box grown over the ink that runs on beside it (``side`` 1: right, -1: left)."""
    H, W = image.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in ln.bbox)
    h = max(4, y1 - y0)
    n = max(1, len(norm_text(ln.text)))
    pitch = min(max((x1 - x0) / n, 0.6 * h), 1.5 * h)
    need = missing * pitch
    a, b = (x1, min(W, int(x1 + MAX_REACH * need))) if side > 0 else (max(0, int(x0 - MAX_REACH * need)), x0)
    if b - a < MIN_REACH * need or y1 <= y0:
        return None
    room = (a, y0, b, y1)
    # ink that another line reads is that line's, not the rest of this one
    for other in lines:
        if other is not ln and boxes_overlap(room, other.bbox):
            ob = other.bbox
            if side > 0:
                b = min(b, int(ob[0]))
            else:
                a = max(a, int(ob[2]))
    if b - a < MIN_REACH * need:
        return None
    band = image[max(0, y0):min(H, y1), a:b]
    if band.ndim == 3:
        band = band[..., :3].min(axis=2)
    if band.size == 0:
        return None
    row = image[max(0, y0):min(H, y1), max(0, x0 - int(need)):min(W, x1 + int(need))]
    row = row[..., :3].min(axis=2) if row.ndim == 3 else row
    paper, ink = float(np.percentile(row, 90)), float(np.percentile(row, 1))
    step = max(MIN_STEP, INK * (paper - ink))
    if paper - ink < MIN_STEP:
        return None
    cols = np.nonzero((band < paper - step).sum(axis=0) >= 2)[0]
    if cols.size == 0:
        return None
    # walk out from the line: the ink runs on while its gaps stay under a character's pitch
    order = cols if side > 0 else (band.shape[1] - 1 - cols)[::-1]
    last, count = -1, 0
    for c in order:
        if c - last > MAX_GAP * pitch:
            break
        last, count = int(c), count + 1
    if last < MIN_REACH * need or count < MIN_FILL * need:
        return None
    pad = max(2, int(0.12 * h))
    if side > 0:
        nx0, nx1 = x0, a + last + 1
    else:
        nx0, nx1 = b - 1 - last, x1
    return (max(0, nx0 - pad), max(0, y0 - pad), min(W, nx1 + pad), min(H, y1 + pad))
