"""The name or the unit printed again in another script, right above or below it.

Xinjiang's bilingual documents print a name or a unit twice: a Uyghur applicant's ID card
has the name in Uyghur letters over 艾尔肯·吐尔逊, and a unit's letterhead or a certificate
issued in the region prints the unit in Uyghur (or Kazakh, or Mongolian in 巴音郭楞) beside
the Chinese. The recogniser reads Chinese and Latin letters only; its detector does not even
box most Arabic-script lines (on a rendered page it boxed half of one line and none of
another), so the other script stayed visible: the name, readable to anyone who reads it.

A name or unit found on a line that holds little else (a field's value, a letterhead, a
signing line) is looked at right above and right below: a band of ink there as tall as a
line of print (not a rule, not a speck), as wide as a good part of the name, that no line
read as Chinese or Latin text covers, is masked with it. A table row read as text above or
below is left alone, and so is a blank one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap, centre_within
from zcmask.locate._variants import is_han
from zcmask.results import Region, TextLine

#: Least share of its line's width the name or unit must fill (a field's value, a letterhead).
MIN_SHARE = 0.45
#: How far from the name the other script may start, and how tall its ink may be, in line heights.
GAP = 0.9
HEIGHT = (0.35, 1.6)
#: How far left and right of the name the other script may run, in the name's widths.
SIDE = 0.5
#: Least width of the other script's ink, in the name's widths, and least share of that width inked.
MIN_WIDTH = 0.35
MIN_FILL = 0.35
#: A pixel darker than the paper by this share of the paper-to-ink range is ink, by at least
#: :data:`MIN_STEP` grey levels.
INK = 0.35
MIN_STEP = 40
#: Least share of a row's columns inked for the row to be part of a line of print.
ROW_INK = 0.02
#: Fewest pieces of ink (words, letters, dots) in a line of script, and the widest share of its
#: width one piece may span (a rule spans it all).
MIN_PIECES, MAX_PIECE = 4, 0.8
#: Most difference between a pixel's channels for it to count as grey print (not stamp ink).
MAX_COLOUR = 60
#: Largest name or unit looked beside, in the page's median line heights.
MAX_SIZE = 3.0

_ALNUM = re.compile("[A-Za-z0-9]")


def other_script_copies(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region]) -> list[Region]:
    """Regions over the other-script copy of each name or unit found (see the module).

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines, in page pixels.
    image : ndarray, shape (H, W, 3) or (H, W), uint8
        The upright page. Not modified.
    found : sequence of Region
        The name and unit regions found on the page's text.

    Returns
    -------
    list of Region
        Of the found region's kind, source ``layout``, over the other script's ink.

    """
    readable = [ln for ln in lines if _reads_as_text(ln)]
    heights = [ln.bbox[3] - ln.bbox[1] for ln in lines if len(ln.text.strip()) >= 2]
    body = float(np.median(heights)) if heights else 0.0
    out: list[Region] = []
    for r in found:
        if r.kind not in ("name", "unit"):
            continue
        line = next((ln for ln in lines if centre_within(r.bbox, ln.bbox)), None)
        if line is None or (r.bbox[2] - r.bbox[0]) < MIN_SHARE * (line.bbox[2] - line.bbox[0]):
            continue
        if body and r.bbox[3] - r.bbox[1] > MAX_SIZE * body:
            continue  # a wordmark, a title or a watermark: an emblem or a pattern beside it is no script
        others = [ln for ln in readable if ln is not line]
        # the line's own height: a region grown over a seal or a signature beside it is taller
        x0, y0, x1, y1 = (float(v) for v in r.bbox)
        lh = float(line.bbox[3] - line.bbox[1])
        if y1 - y0 > 1.2 * lh:
            mid = (line.bbox[1] + line.bbox[3]) / 2
            y0, y1 = mid - lh / 2, mid + lh / 2
        # looked at on every k-th pixel, the line kept about 12 px tall (cost: a few ms a name)
        k = max(1, int(lh // 12))
        small = image[::k, ::k]
        for above in (True, False):
            found_small = _copy_beside(small, (x0 / k, y0 / k, x1 / k, y1 / k), above)
            if found_small is None:
                continue
            H, W = image.shape[:2]
            pad = max(2, int(0.15 * lh))
            box = (max(0, found_small[0] * k - pad), max(0, found_small[1] * k - pad),
                   min(W, found_small[2] * k + pad), min(H, found_small[3] * k + pad))
            if any(boxes_overlap(box, ln.bbox) for ln in others):
                continue  # a line of print that was read: not another script
            if not _pieces(image, tuple(v * k for v in found_small)):  # type: ignore[arg-type]
                continue
            if not any(boxes_overlap(box, o.bbox) for o in out):
                out.append(Region(r.kind, box, r.text, "layout", 0.5))
    return out


def _pieces(image: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the ink in ``box`` (page pixels) is many pieces, as words and dots are.

    A rule, even a tilted one that crosses many rows, is one piece across it all; looked at
    on every k-th pixel it falls apart, so this is counted at full resolution.
    """
    x0, y0, x1, y1 = box
    crop = _dark(image, y0, y1, x0, x1)
    if crop.size == 0:
        return False
    paper, ink = float(np.percentile(crop, 95)), float(np.percentile(crop, 1))
    mask = (crop < paper - max(MIN_STEP, INK * (paper - ink))).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    return n - 1 >= MIN_PIECES and int(widths.max()) < MAX_PIECE * (x1 - x0)


def _reads_as_text(ln: TextLine) -> bool:
    """Whether a line was read as Chinese, Latin letters or digits (not a dot or two off another script)."""
    return ln.score >= 0.5 and (any(map(is_han, ln.text)) or len(_ALNUM.findall(ln.text)) >= 3)


def _dark(image: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    """A crop's grey print: its brightest channel, with coloured pixels (a seal's ring) made paper.

    Black and grey print is dark in every channel; stamp ink (red, purple, blue) is not.
    """
    crop = image[y0:y1, x0:x1]
    if crop.ndim != 3:
        return np.asarray(crop)
    hi = crop[..., :3].max(axis=2)
    lo = crop[..., :3].min(axis=2)
    return np.where(hi.astype(np.int16) - lo > MAX_COLOUR, 255, hi).astype(np.uint8)


def _copy_beside(image: np.ndarray, bbox: tuple[float, float, float, float],
                 above: bool) -> tuple[int, int, int, int] | None:
    """The box of one line of unread grey ink right above (below) ``bbox``, in ``image``'s pixels."""
    H, W = image.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in bbox)
    h, w = y1 - y0, x1 - x0
    if h < 6 or w < 6:
        return None
    reach = int((GAP + HEIGHT[1]) * h)
    bx0, bx1 = max(0, int(x0 - SIDE * w)), min(W, int(x1 + SIDE * w))
    by0, by1 = (max(0, y0 - reach), y0) if above else (y1, min(H, y1 + reach))
    if by1 - by0 < HEIGHT[0] * h or bx1 - bx0 < w:
        return None
    band = _dark(image, by0, by1, bx0, bx1)
    around = _dark(image, max(0, y0 - h), min(H, y1 + h), bx0, bx1)
    paper, ink = float(np.percentile(around, 90)), float(np.percentile(around, 1))
    step = max(MIN_STEP, INK * (paper - ink))
    if paper - ink < MIN_STEP:
        return None
    inked = band < paper - step
    # a form's rules are not script: rows inked across half the band, columns down most of it
    inked[inked.mean(axis=1) > 0.5] = False
    inked[:, inked.mean(axis=0) > 0.6] = False
    rows = inked.mean(axis=1) >= ROW_INK
    # the run of inked rows nearest the name, within GAP line heights of it
    order = range(len(rows) - 1, -1, -1) if above else range(len(rows))
    run: list[int] = []
    for i in order:
        dist = (len(rows) - 1 - i) if above else i
        if not run:
            if rows[i]:
                if dist > GAP * h:
                    return None
                run.append(i)
            continue
        if rows[i]:
            run.append(i)
        elif abs(i - run[-1]) > 0.3 * h:  # dots under or over the letters stand apart
            break
    if not run:
        return None
    r0, r1 = min(run), max(run) + 1
    if not HEIGHT[0] * h <= r1 - r0 <= HEIGHT[1] * h:
        return None
    if (r0 == 0) if above else (r1 == len(rows)):
        return None  # the ink runs on past the band: a paragraph, a table, a picture, not one line
    cols = np.nonzero(inked[r0:r1].any(axis=0))[0]
    if cols.size == 0:
        return None
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    if c1 - c0 < MIN_WIDTH * w or cols.size < MIN_FILL * (c1 - c0):
        return None
    return (bx0 + c0, by0 + r0, bx0 + c1, by0 + r1)
