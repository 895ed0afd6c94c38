"""A second look for a faint seal stamped over the applicant's unit's printed name.

A unit signs a letter or a certificate with its name printed at the foot and its seal stamped
over that name and the date. On a phone photo the seal can be too faint for the page-wide
search (:mod:`zcmask.locate._seal_find`): under glare, or on orange award paper nearly as red as
the ink. Its ring text still shows the unit's name to a reader. Where the unit's name is printed
as a signature (much of a short line) and no seal was found over it, a window around it
is searched again for a ring of faint stamp ink (ink a few levels redder than its
surroundings), and a ring found there that overlaps the name is masked as the unit's seal.
Only there: page-wide, so loose a test finds rings in every pink pattern and red flower.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap
from zcmask.locate._seal_find import RingEvidence, grey_paper, paper_table, ring_evidence
from zcmask.results import Region, TextLine

log = logging.getLogger(__name__)

#: Longest side of a window, in px, at which it is searched.
WINDOW_SIDE = 480
#: How far around the unit's printed name to look, in heights of that line.
REACH = 7.0
#: A seal's radius, in heights of the line it is stamped over.
RADIUS = (1.2, 6.0)
#: Least redness above the local background that counts as faint stamp ink (grey levels of R - max(G, B)).
FAINT_RED = 8
#: Least share of a window that is faint stamp ink for a ring to be looked for (the faint seals
#: of real photos: 0.10 to 0.18 of their windows; a page's red title or rule: about 0.02).
MIN_INK = 0.04
#: Share of its line the unit's name must fill, and most characters of that line, for a signature
#: (共青团成都信息工程大学委员会 signs for a university's youth league; body text runs longer).
SIGNATURE_SHARE = 0.4
SIGNATURE_CHARS = 24


def faint_ink(win: np.ndarray) -> np.ndarray:
    """Faint stamp ink of an RGB window (paper made grey): red hues redder than their surroundings.

    >>> win = np.full((120, 120, 3), (235, 150, 60), np.uint8)  # orange award paper
    >>> win[40:80, 58:62] = (215, 95, 70)                       # a faint red stroke
    >>> m = faint_ink(win); bool(m[60, 60]), bool(m[10, 10])
    (True, False)
    """
    r = win[..., 0].astype(np.int16)
    gb = np.maximum(win[..., 1], win[..., 2]).astype(np.int16)
    red = np.clip(r - gb, 0, 255).astype(np.uint8)
    k = max(15, int(max(win.shape[:2]) / 6) | 1)
    bg = cv2.medianBlur(red, min(k, 255))
    hsv = cv2.cvtColor(win, cv2.COLOR_RGB2HSV)
    hue_ok = (hsv[..., 0] <= 15) | (hsv[..., 0] >= 140)
    return (red.astype(np.int16) - bg >= FAINT_RED) & (r - gb >= FAINT_RED) & hue_ok & (hsv[..., 2] >= 60)


def _ring_ok(ev: RingEvidence) -> bool:
    # a clean ring: the faint seals found on real photos measure ring 0.73 to 0.79 with no ink just
    # outside; rings traced in invoices' red print and table rules 0.60 to 0.65, most with ink outside
    return ev.ring >= 0.7 and ev.outside <= 0.1 and ev.text >= 0.2 and 0.03 <= ev.fill <= 0.5 and ev.thickness <= 0.4


def faint_unit_seals(image: np.ndarray, unit_boxes: Sequence[tuple[float, float, float, float]],
                     lines: Sequence[TextLine], known: Sequence[tuple[int, int, int, int]]) -> list[Region]:
    """``seal`` regions for faint rings stamped over the unit's name printed as a signature.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    unit_boxes : sequence of (x0, y0, x1, y1)
        Where the unit's name was found printed.
    lines : sequence of TextLine
        The page's lines (a unit box that is much of a short line is a signature).
    known : sequence of (x0, y0, x1, y1)
        Seals found already; a name under one is not searched again.

    """
    H, W = image.shape[:2]
    out: list[Region] = []
    lut: np.ndarray | None = None
    measured = False
    for x0, y0, x1, y1 in dict.fromkeys(tuple(b) for b in unit_boxes):  # a unit matched twice: once
        lh = y1 - y0
        if lh < 6 or x1 - x0 < 2 * lh or not _signature(x0, y0, x1, y1, lines):
            continue
        if any(boxes_overlap(b, (x0, y0, x1, y1)) for b in known) or any(boxes_overlap(r.bbox, (x0, y0, x1, y1)) for r in out):
            continue
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        wx0, wy0 = int(max(0, min(x0, cx - REACH * lh))), int(max(0, cy - REACH * lh))
        wx1, wy1 = int(min(W, max(x1, cx + REACH * lh))), int(min(H, cy + REACH * lh))
        if not measured:
            lut, measured = paper_table(image), True  # the page's paper made grey, in each window only
        win = grey_paper(image[wy0:wy1, wx0:wx1], lut)
        k = min(1.0, WINDOW_SIDE / max(win.shape[:2]))
        small = win if k >= 1.0 else cv2.resize(win, (max(1, round(win.shape[1] * k)), max(1, round(win.shape[0] * k))),
                                                 interpolation=cv2.INTER_AREA)
        redder = small[..., 0].astype(np.int16) - np.maximum(small[..., 1], small[..., 2]) >= FAINT_RED
        if float(redder.mean()) < MIN_INK:
            continue  # faint ink is a part of this: too little red to hold a seal (most pages)
        ink = faint_ink(small).astype(np.float32)
        log.debug("faint search at %s: mean ink %.4f", (x0, y0, x1, y1), float(ink.mean()))
        if float(ink.mean()) < MIN_INK:
            continue
        found = _best_ring(ink, ((x0 - wx0) * k, (y0 - wy0) * k, (x1 - wx0) * k, (y1 - wy0) * k), lh * k)
        if found is None:
            continue
        (ccx, ccy), outer = found
        px, py, rad = wx0 + ccx / k, wy0 + ccy / k, outer / k
        b = (int(max(0, px - rad)), int(max(0, py - rad)), int(min(W, np.ceil(px + rad))), int(min(H, np.ceil(py + rad))))
        if any(boxes_overlap(b, kb) for kb in known):
            continue  # a seal found already (an issuer's, kept), not a faint one
        log.debug("faint seal over the unit at %s: mean ink %.3f", b, float(ink.mean()))
        out.append(Region("seal", b, "", "faint", 1.0))
    return out


def _best_ring(ink: np.ndarray, name: tuple[float, float, float, float],
               lh: float) -> tuple[tuple[float, float], float] | None:
    """The best ring of faint ink centred over the name (a coarse grid, then a finer one), or None.

    Returns its centre and outer radius in window pixels. Centres run along the name and up to two
    line heights above and below it; radii from :data:`RADIUS` line heights.
    """
    x0, y0, x1, y1 = name
    # (ring less ink outside it, centre, radius tried, outer radius of the ring found)
    best: tuple[float, tuple[float, float], float, float] | None = None

    def look(cx: float, cy: float, r: float) -> None:
        nonlocal best
        ev = ring_evidence(ink, (cx, cy), (r, r), 0.0)
        if _ring_ok(ev) and (best is None or ev.ring - ev.outside > best[0]):
            best = (ev.ring - ev.outside, (cx, cy), r, r * (ev.rho + ev.thickness / 2))
            log.debug("faint ring at (%.0f, %.0f) r %.0f: %s", cx, cy, r, ev)

    radii = RADIUS[0] * lh * 1.25 ** np.arange(int(np.log(RADIUS[1] / RADIUS[0]) / np.log(1.25)) + 1)
    for cx in np.arange(x0, x1 + 1e-6, lh):
        for cy in np.arange(y0 - 2 * lh, y1 + 2 * lh + 1e-6, lh):
            for r in radii:
                look(float(cx), float(cy), float(r))
    if best is None:
        return None
    (bx, by), br = best[1], best[2]
    for dx in (-lh / 2, 0.0, lh / 2):
        for dy in (-lh / 2, 0.0, lh / 2):
            for f in (0.9, 1.0, 1.1):
                look(bx + dx, by + dy, br * f)
    return best[1], best[3]


def _signature(x0: float, y0: float, x1: float, y1: float, lines: Sequence[TextLine]) -> bool:
    """Whether the unit's name at this box is much of a short line (a signature, not body text)."""
    for ln in lines:
        a0, b0, a1, b1 = ln.bbox
        if a0 <= x1 and a1 >= x0 and b0 <= y1 and b1 >= y0 and min(b1, y1) - max(b0, y0) > 0.5 * (y1 - y0):
            return (x1 - x0) >= SIGNATURE_SHARE * (a1 - a0) and len(ln.text.replace(" ", "")) <= SIGNATURE_CHARS
    return False
