"""Fit text regions to the ink they cover.

OCR character boxes span the whole detected line height, which is about half as
tall again as the glyphs; a page dense with names and units then loses a few per
cent of its area to blank margins. :func:`fit_to_ink` trims a text region to the
rows and columns that hold ink inside it and pads that again. It makes a region wider or
taller only where its edge cuts through print (a glyph whose character box lagged it, the
capitals of an English line above its detected box), and it leaves a region
alone whenever ink and paper are not clearly apart, so a faint or unusual page is
masked as located. Pale print counts as ink even beside black print, so a light name
is never trimmed off as paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from zcmask.results import Region

#: Text kinds whose boxes come from character boxes (not layout areas, seals or eyes).
TEXT_KINDS = frozenset({"name", "unit"})
#: Share of the ink height kept above and below the ink (beyond ``pad``): a font's
#: line box reaches that far past its CJK glyphs (china-s 0.22, WenQuanYi 0.13).
VERTICAL_MARGIN = 0.16
#: Share of the ink height kept left and right (side bearings, about 0.13 at most).
HORIZONTAL_MARGIN = 0.08
_MIN_CONTRAST = 60  # grey levels between paper and ink below which nothing is trimmed
_PALE_INK = 40  # grey levels below paper that are always ink, however dark the darkest ink


def fit_to_ink(regions: Iterable[Region], image: np.ndarray, pad: float = 0.12) -> list[Region]:
    """Trim the blank margins of name and unit regions down to their text box.

    What is kept around the ink is ``pad`` plus :data:`VERTICAL_MARGIN` of the ink
    height above and below, and ``pad`` plus :data:`HORIZONTAL_MARGIN` left and right.

    Parameters
    ----------
    regions : iterable of Region
        Located regions, in the frame of ``image``.
    image : ndarray
        The page, (H, W) or (H, W, 3) uint8.
    pad : float
        Margin kept around the text box, as a share of the ink's height (at least 3 px).

    Returns
    -------
    list of Region
        The same regions, text ones trimmed, others unchanged.

    """
    return [_fit(r, image, pad) if r.kind in TEXT_KINDS and r.source in ("ocr", "text_layer") else r
            for r in regions]


def _darkest(sub: np.ndarray) -> np.ndarray:
    """The darkest channel of an image crop: coloured ink counts as ink."""
    return sub[..., :3].min(axis=2) if sub.ndim == 3 else sub


def _fit(r: Region, image: np.ndarray, pad: float) -> Region:
    x0, y0, x1, y1 = (max(0, int(v)) for v in r.bbox)
    sub = _darkest(image[y0:y1, x0:x1])
    if sub.size == 0 or min(sub.shape) < 4:
        return r
    paper = float(np.percentile(sub, 90))
    ink = float(np.percentile(sub, 1))
    if paper - ink < _MIN_CONTRAST:
        return r
    # Ink is what is clearly darker than paper, the palest print included: measured only
    # against the darkest ink, a pale watermark or a grey name beside black print (body text
    # in the box's corner, a table rule) would be trimmed away as paper.
    thr = paper - min(0.3 * (paper - ink), _PALE_INK)
    grown = _whole_rows(image, x0, y0, x1, y1, thr)
    if grown != (y0, y1):
        y0, y1 = grown
        sub = _darkest(image[y0:y1, x0:x1])
    wide = _whole_glyphs(image, x0, y0, x1, y1, thr)
    if wide != (x0, x1):
        x0, x1 = wide
        sub = _darkest(image[y0:y1, x0:x1])
    dark = sub < thr
    rows = _extent(dark.sum(axis=1))
    cols = _extent(dark.sum(axis=0))
    if rows is None or cols is None:
        return r
    ink_h = rows[1] - rows[0]
    # Keep the text's typographic box, not just its ink: glyphs sit inside a line box
    # up to about a quarter of their height taller (PyMuPDF's china-s: 0.22 above).
    pv = max(3, int(np.ceil((pad + VERTICAL_MARGIN) * ink_h)))
    ph = max(3, int(np.ceil((pad + HORIZONTAL_MARGIN) * ink_h)))
    box = (max(x0, x0 + cols[0] - ph), max(y0, y0 + rows[0] - pv),
           min(x1, x0 + cols[1] + ph), min(y1, y0 + rows[1] + pv))
    if box[2] <= box[0] or box[3] <= box[1]:
        return r
    return replace(r, bbox=box)


def _extent(counts: Sequence[int] | np.ndarray) -> tuple[int, int] | None:
    """First and one-past-last index with any ink."""
    idx = np.nonzero(np.asarray(counts) > 0)[0]
    if idx.size == 0:
        return None
    return int(idx[0]), int(idx[-1]) + 1


#: Most a text region grows left or right, as a share of its height, where its edge cuts a glyph.
COL_REACH = 0.6
#: Share of the inked rows a column holds print in for the glyph to run on across it (an
#: underline or a table rule under the text is thinner).
COL_INKED = 0.12
#: Least width of a region, in its heights, for its edges to be grown (a line of two characters or
#: more; a taller box holds other lines' print at its edges: a name's box over two lines of a letter).
COL_ASPECT = 1.5
#: Share of a row inked across the box and the reach beside it beyond which the row is a rule.
COL_RULE = 0.8


def _whole_glyphs(image: np.ndarray, x0: int, y0: int, x1: int, y1: int, thr: float) -> tuple[int, int]:
    """A text region's left and right, grown to the gap beside the glyph its edge cuts.

    A character's box comes from where the recogniser's column fired, which can lag the glyph
    by a third of a character after narrow digits (``2021年北京工业大学``: the box of 北 started
    11 px inside its left stroke, and 6% of the unit's ink stayed visible). Where the edge column
    and the column past it both hold print (darker than ``thr`` in every channel, in more than
    :data:`COL_INKED` of the rows that hold print), the edge moves out to the first column
    without print, by at most :data:`COL_REACH` of the region's height, where the print inside
    runs on at least half as far as outside: a neighbour's glyph the padding only grazes is
    left alone (a table of units grew over the next cell's text, 0.8% more of the page).
    """
    W = image.shape[1]
    if x1 - x0 < COL_ASPECT * (y1 - y0):
        return x0, x1  # not one line of two characters or more: its edges may cut another line's print
    band = image[y0:y1]
    band = band[..., :3].max(axis=2) if band.ndim == 3 else band
    dark = band < thr
    reach = int(np.ceil(COL_REACH * (y1 - y0)))
    # the rows that hold print; a table's rule across the box and beyond it (inked nearly all
    # along, out to the reach on both sides) is not print
    wide = dark[:, max(0, x0 - reach):min(W, x1 + reach)]
    rows = np.nonzero(dark[:, x0:x1].any(axis=1) & (wide.mean(axis=1) < COL_RULE))[0]
    if rows.size == 0:
        return x0, x1
    dark = dark[rows]
    need = max(2.0, COL_INKED * dark.shape[0])

    def inked(x: int) -> bool:
        return float(dark[:, x].sum()) > need

    def run(start: int, step: int, stop: int) -> int:
        """Inked columns in a row from ``start`` towards ``stop`` (excluded)."""
        n, x = 0, start
        while x != stop and n < reach and inked(x):
            n, x = n + 1, x + step
        return n

    nx0, nx1 = x0, x1
    # grown over a glyph whose part inside is at least half its part outside: the glyph the
    # box lagged, not a neighbour's side bearing the padding reached
    # and only where a column without print ends it within the reach (a thumb or a shadow at a
    # photo's edge runs on)
    out = run(x0 - 1, -1, -1) if x0 > 0 else 0
    if 0 < out < reach and 2 * run(x0, 1, x1) >= out:
        nx0 = x0 - out
    out = run(x1, 1, W) if x1 < W else 0
    if 0 < out < reach and 2 * run(x1 - 1, -1, x0 - 1) >= out:
        nx1 = x1 + out
    return nx0, nx1


#: Most a text region grows up or down, as a share of its height, where its print runs on past its
#: top or bottom edge (the detector's line box sat 4 px under the capitals of an English subtitle).
ROW_REACH = 0.3
#: Share of a region's columns inked in a row for the print to run on across it, and the share
#: beyond which the row is a band (a shadow, a texture, a rule), not print.
ROW_INKED = 0.05
ROW_BAND = 0.95


def _whole_rows(image: np.ndarray, x0: int, y0: int, x1: int, y1: int, thr: float) -> tuple[int, int]:
    """A text region's top and bottom, grown while its edge row and the row past it both hold print.

    Print is darker than ``thr`` in every channel (not a seal's red ink), in more than
    :data:`ROW_INKED` and less than :data:`ROW_BAND` of the region's columns (not a shadow, a
    texture or a rule); the region grows by at most :data:`ROW_REACH` of its height.
    """
    H = image.shape[0]
    reach = int(np.ceil(ROW_REACH * (y1 - y0)))

    def inked(y: int) -> bool:
        row = image[y, x0:x1]
        if row.ndim == 2:
            row = row[..., :3].max(axis=1)
        return ROW_INKED < float((row < thr).mean()) < ROW_BAND

    ny0, ny1 = y0, y1
    if y0 > 0 and inked(y0) and inked(y0 - 1):
        while ny0 > max(0, y0 - reach) and inked(ny0 - 1):
            ny0 -= 1
    if y1 < H and inked(y1 - 1) and inked(y1):
        while ny1 < min(H, y1 + reach) and inked(ny1):
            ny1 += 1
    return ny0, ny1
