"""Small print right under or over the unit's name where the name is set large, read again larger.

A school's wordmark on a transcript or an honour has its English name in small capitals right
under it (西安邮电大学 over ``XI'AN UNIVERSITY OF POSTS & TELECOMMUNICATIONS``, 大连理工大学 over
``DALIAN UNIVERSITY OF TECHNOLOGY``), 10 to 13 px tall on a page read at 1,024 px: the text
detector, working at the page's scale, does not see such a line at all, so the name stays
visible although the applicant gave it as an alias (held-out real sets: 4 of 4 such lines
missed, on two rendered transcripts and two phone photos).

Beside every occurrence of the unit matched at least :data:`MIN_HEIGHT` px tall, a band of
:data:`BAND` of its heights under it and over it is looked at. A row of ink there that no line
read covers, clear of the band's edges, much wider than tall and at most :data:`SMALL` of the
name's height, is cut out and read again scaled so that it is :data:`TARGET` px tall. What that
reading finds that was not read already is matched like the page's own lines. Most pages have
no such row (body text is read at the page's scale); each costs one small reading.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap, shift_line
from zcmask.ocr._layer import new_lines
from zcmask.results import BBox, Region, TextLine

#: Least height of the unit's matched name beside which small print is looked for, in px.
MIN_HEIGHT = 16
#: How far under and over the name the band reaches, in the name's heights; how far past its ends.
BAND = 0.9
SIDE = 0.5
#: How far into the name's own box the band reaches, in its heights.
NEAR = 0.25
#: Most height of the row read again, in the name's heights (a subtitle, not the next line of text).
SMALL = 0.6
#: Least width of the row, in its heights.
MIN_ASPECT = 4.0
#: A pixel whose darkest channel is under this share of the band's paper (its brightest tenth, in
#: that channel) is ink: black, blue and red print alike, on white paper or a dim phone photo.
INK = 0.7
#: Share of the band's height (width) a column (row) of ink must cover to be a table rule.
RULE = 0.6
#: Height, in px, the row is scaled to for the second reading, and the most it is scaled.
TARGET = 32
MAX_SCALE = 4.0
#: Most rows read again on one page.
MAX_ROWS = 4


def small_print_beside(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region],
                       engine) -> list[TextLine]:  # type: ignore[no-untyped-def]
    """Lines of small print beside the unit's name set large, read again scaled up, in page pixels.

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines (what they cover was read already).
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    found : sequence of Region
        What the name matcher found; only ``unit`` regions are looked beside.
    engine : OcrEngine
        Reads the rows cut out.

    """
    H, W = image.shape[:2]
    covered = [ln.bbox for ln in lines]
    read = [ln.bbox for ln in lines if ln.source == "ocr"]
    out: list[TextLine] = []
    rows: list[BBox] = []
    for r in found:
        x0, y0, x1, y1 = r.bbox
        h = y1 - y0
        if r.kind != "unit" or h < MIN_HEIGHT or not any(boxes_overlap(r.bbox, b) for b in read):
            continue  # small, or from a PDF's text layer (which holds its small print as well)
        # the band takes in the lower (upper) edge of the name's own box, whose padding may reach
        # over a subtitle printed close under it (the lines read cover only what they read)
        near = int(NEAR * h)
        bands = [((int(max(0, x0 - SIDE * h)), int(max(0, b0)), int(min(W, x1 + SIDE * h)), int(min(H, b1))), below)
                 for b0, b1, below in ((y1 - near, y1 + BAND * h, True), (y0 - BAND * h, y0 + near, False))]
        for band, below in bands:
            row = _uncovered_row(image, band, covered, SMALL * h, below=below, near=near)
            if row is None or any(boxes_overlap(row, q) for q in rows) or len(rows) >= MAX_ROWS:
                continue
            rows.append(row)
            out += new_lines(_read_larger(image, row, engine), covered)
        # a small Latin line read there, but read doubtfully, is read again larger
        for ln in lines:
            if len(rows) >= MAX_ROWS or not _doubtful_latin(ln) or ln.bbox[3] - ln.bbox[1] > SMALL * h:
                continue
            if not any(boxes_overlap(ln.bbox, band) for band, _below in bands):
                continue
            row = _ink_row(image, ln.bbox)
            if row is None or any(boxes_overlap(row, q) for q in rows):
                continue
            rows.append(row)
            out += new_lines(_read_larger(image, row, engine), [c for c in covered if c != ln.bbox])
    return out


#: A line beside the name read no surer than this, at least :data:`LATIN_SHARE` of its characters
#: Latin letters, is read again larger: a phone photo's ``Jiangxi University of Science and
#: Technology`` under 江西理工大学 was read ``Jangi Uiverity fScicndTeology`` (0.63) at the page's
#: scale, and ``Jiangi University of Science and Technology`` (0.96) from its row scaled up.
DOUBTFUL = 0.8
LATIN_SHARE = 0.6


def _doubtful_latin(ln: TextLine) -> bool:
    letters = sum(c.isascii() and c.isalpha() for c in ln.text)
    return ln.source == "ocr" and ln.score < DOUBTFUL and letters >= LATIN_SHARE * max(1, len(ln.text.replace(" ", "")))


def _ink_row(image: np.ndarray, box: BBox) -> BBox | None:
    """The rows of ``box`` that hold its print: the longest run of inked rows (one-row gaps allowed)."""
    H, W = image.shape[:2]
    x0, y0 = int(max(0, box[0])), int(max(0, box[1]))
    x1, y1 = int(min(W, np.ceil(box[2]))), int(min(H, np.ceil(box[3])))
    if x1 - x0 < 8 or y1 - y0 < 4:
        return None
    dark = image[y0:y1, x0:x1].min(axis=2) if image.ndim == 3 else image[y0:y1, x0:x1]
    run = _longest_run(dark < INK * float(np.percentile(dark, 90)))
    if run is None or run[1] - run[0] < 3:
        return None
    return (x0, y0 + run[0], x1, y0 + run[1])


def _longest_run(ink: np.ndarray) -> tuple[int, int] | None:
    """First and one-past-last row of the longest run of rows with ink (one-row gaps allowed: thin strokes)."""
    rows = np.flatnonzero(ink.sum(axis=1) >= 2)
    if len(rows) == 0:
        return None
    run = max(np.split(rows, np.flatnonzero(np.diff(rows) > 2) + 1), key=len)
    return int(run[0]), int(run[-1]) + 1


def _uncovered_row(image: np.ndarray, band: tuple[int, int, int, int], covered: Sequence[BBox],
                   most: float, *, below: bool = True, near: int = 0) -> BBox | None:
    """The box of one row of ink in ``band`` outside every ``covered`` box, or None.

    The row must be clear of the band's far edge (its bottom when the band is ``below`` the name,
    else its top: not a tall shape running on past it), at most ``most`` px tall and
    :data:`MIN_ASPECT` times as wide. It may start in the ``near`` rows at the other edge (the
    name's own glyphs) but must run on at least two rows past them: the name alone is no row.

    >>> page = np.full((100, 300, 3), 255, np.uint8)
    >>> page[50:58, 40:240:6] = (30, 60, 160)  # a row of small blue letters
    >>> _uncovered_row(page, (0, 30, 300, 80), [], 20)
    (40, 50, 239, 58)
    >>> _uncovered_row(page, (0, 30, 300, 80), [(30, 45, 250, 62)], 20) is None
    True
    >>> _uncovered_row(page, (0, 50, 300, 80), [], 20, near=8) is None  # the name's own glyphs only
    True
    >>> ruled = np.full((100, 300, 3), 255, np.uint8)
    >>> ruled[30:80, 100:103] = 0; ruled[60:62, 0:300] = 0  # a table's rules, no print
    >>> _uncovered_row(ruled, (0, 30, 300, 80), [], 20) is None
    True
    """
    bx0, by0, bx1, by1 = band
    if bx1 - bx0 < 16 or by1 - by0 < 6:
        return None
    dark = image[by0:by1, bx0:bx1].min(axis=2)
    ink = dark < INK * float(np.percentile(dark, 90))
    # table rules are no print: columns inked down most of the band, rows inked along most of it
    ink[:, ink.mean(axis=0) > RULE] = False
    ink[ink.mean(axis=1) > RULE, :] = False
    for c in covered:
        a0, b0 = int(max(bx0, np.floor(c[0]))), int(max(by0, np.floor(c[1])))
        a1, b1 = int(min(bx1, np.ceil(c[2]))), int(min(by1, np.ceil(c[3])))
        if a1 > a0 and b1 > b0:
            ink[b0 - by0:b1 - by0, a0 - bx0:a1 - bx0] = False
    run = _longest_run(ink)
    if run is None:
        return None
    top, bottom = run
    n = ink.shape[0]
    if below and (bottom >= n or bottom <= near + 2) or not below and (top == 0 or top >= n - near - 2):
        return None
    if bottom - top > most:
        return None
    # where the run starts in the name's own glyphs, the subtitle begins past its thinnest row there
    counts = ink.sum(axis=1)
    zone = range(top, min(bottom, near + 2)) if below else range(max(top, n - near - 2), bottom)
    if len(zone):
        valley = min(zone, key=lambda i: counts[i])
        if counts[valley] < 0.5 * counts[top:bottom].max():
            top, bottom = (valley + 1, bottom) if below else (top, valley)
    if bottom - top < 3:
        return None
    cols = np.flatnonzero(ink[top:bottom].any(axis=0))
    left, right = int(cols[0]), int(cols[-1]) + 1
    if right - left < MIN_ASPECT * (bottom - top):
        return None
    return (bx0 + left, by0 + top, bx0 + right, by0 + bottom)


def _read_larger(image: np.ndarray, row: BBox, engine) -> list[TextLine]:  # type: ignore[no-untyped-def]
    """The lines of ``row`` (page pixels), read scaled to :data:`TARGET` px tall, in page pixels."""
    H, W = image.shape[:2]
    rh = row[3] - row[1]
    m = 0.6 * rh
    a0, b0 = int(max(0, row[0] - 2 * m)), int(max(0, row[1] - m))
    a1, b1 = int(min(W, np.ceil(row[2] + 2 * m))), int(min(H, np.ceil(row[3] + m)))
    k = float(np.clip(TARGET / max(1.0, rh), 1.0, MAX_SCALE))
    crop = image[b0:b1, a0:a1]
    big = cv2.resize(crop, (round(crop.shape[1] * k), round(crop.shape[0] * k)), interpolation=cv2.INTER_CUBIC)
    return [shift_line(ln, a0, b0, scale=1 / k) for ln in engine.recognize(big)]
