"""Find seal candidates on an upright page: stamp ink by colour, or ring shapes on gray pages.

Two paths share one verifier. On colour scans, stamp ink (red, vermilion, faded
pink, purple-red) is split from black text and paper in HSV plus an R-channel
test, so a seal stamped over text still shows as a ring. On grayscale or
photocopied pages there is no colour, so rings are proposed from Hough circles
and from enclosed holes, and kept only with ring evidence: a thin closed curve
with ink (ring text) laid out along the inside of it.

Every candidate is checked in the ellipse's own polar frame (angle x radius),
which is also how the ring text is unwrapped for reading. Red things that are
not seals fail these checks: a 红头 title is a wide line of text, table rules
are mostly empty cells, an emblem is a filled disc, a pen loop has no ring text.

This module only proposes geometry; it does not read text or decide ownership.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap

log = logging.getLogger(__name__)

#: pages are analysed with their longest side scaled to this many pixels
WORK_SIDE = 1200
#: polar sampling of a candidate: angles x radii, radius in units of the fitted ellipse
N_ANG = 180
RHO_MAX = 1.3
N_RHO = 130


@dataclass(frozen=True)
class SealCandidate:
    """A seal-like shape in page pixels.

    ``center``/``axes``/``angle`` describe the ellipse through the middle of
    the outer ring (``axes`` are semi-axes along the ellipse's own x and y, and
    ``angle`` turns it clockwise, in degrees). Square seals use the same fields
    for their rectangle (``axes`` are half sides). ``bbox`` is the outer box of
    the shape without margin.
    """

    center: tuple[float, float]
    axes: tuple[float, float]
    angle: float
    shape: str  # round | oval | square
    source: str  # color | shape
    score: float
    bbox: tuple[int, int, int, int]


def ink_mask(image: np.ndarray) -> np.ndarray:
    """Stamp-ink pixels: red to purple-red hues, saturated enough, R clearly above G and B.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB

    Returns
    -------
    ndarray, shape (H, W), bool

    Examples
    --------
    >>> img = np.full((4, 4, 3), 255, np.uint8); img[1, 1] = (215, 30, 35); img[2, 2] = (20, 20, 20)
    >>> int(ink_mask(img).sum()), bool(ink_mask(img)[1, 1])
    (1, True)

    """
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    r = image[..., 0].astype(np.int16)
    gb = np.maximum(image[..., 1], image[..., 2]).astype(np.int16)
    hue_ok = (h <= 12) | (h >= 140)
    return hue_ok & (s >= 30) & (v >= 90) & ((r - gb) >= 18)


def stamp_ink(image: np.ndarray, *, drop_lines: bool = True) -> np.ndarray:
    """Stamp ink that survives real pages: :func:`ink_mask` less the page's own red print.

    Two kinds of red that are not stamp ink are taken out. A tinted
    background (a pink security pattern, a warm photo) is everywhere, so only
    ink clearly redder than its surroundings counts. Red or brown-red print
    (table rules, a 红头 rule, form frames) is straight and long, while a
    stamp's ring is curved and its characters are short, so long horizontal
    and vertical runs are removed.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        A page at working size (a longest side of about :data:`WORK_SIDE`).
    drop_lines : bool
        Remove long straight runs. A close-up seal's ring is nearly straight
        over a third of the frame, so candidates are also looked for without.

    Returns
    -------
    ndarray, shape (H, W), bool

    Examples
    --------
    >>> img = np.full((200, 200, 3), 255, np.uint8); img[100, 10:190] = (200, 30, 30)
    >>> bool(ink_mask(img)[100, 50]), bool(stamp_ink(img)[100, 50])
    (True, False)

    """
    ink = stamp_inks(image)[0]
    return _drop_lines(ink) if drop_lines else ink


def stamp_inks(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`stamp_ink` without line removal, and the warm ink beside it, from one pass over the page.

    The warm ink is orange (vermilion) ink too: hues up to :data:`WARM_HUE`, and green allowed as
    far above blue as red is above green. An orange 党委 seal on a scanned certificate (hue 28°,
    RGB about 241, 187, 148) fails both the hue and the brown-print test of the red ink.
    """
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    h, sat, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    r = image[..., 0].astype(np.int16)
    g = image[..., 1].astype(np.int16)
    b = image[..., 2].astype(np.int16)
    lead = r - np.maximum(g, b)
    warm = ((h <= WARM_HUE) | (h >= 140)) & (sat >= 30) & (v >= 90) & (lead >= 18)
    if not warm.any():
        return warm, warm
    hh, ww = warm.shape
    side = max(hh, ww)
    red = np.clip(lead, 0, 255)
    # background redness: the median over a window several ring widths across, on a quarter-size copy
    q = 4
    small = cv2.resize(red.astype(np.uint8), (max(1, ww // q), max(1, hh // q)), interpolation=cv2.INTER_AREA)
    k = max(3, int(0.06 * side / q) | 1)
    bg = cv2.resize(cv2.medianBlur(small, min(k, 255)), (ww, hh), interpolation=cv2.INTER_LINEAR)
    # A tint is faint: a seal's own ink filling the window (a close-up) must not count as one.
    warm &= red - np.minimum(bg, 40).astype(np.int16) >= 15
    # Brown print (an e-invoice's title and rules) has green well above blue; stamp inks,
    # red to vermilion to purple, keep green and blue close compared with red's lead.
    rg, gb = r - g, g - b
    ink = warm & ((h <= 12) | (h >= 140)) & (gb < 0.6 * rg)
    warm &= gb < rg
    return ink, warm


#: The most orange hue (OpenCV's 0-179 scale, 40°) of the warm ink of :func:`stamp_inks`.
WARM_HUE = 20


def _drop_lines(ink: np.ndarray) -> np.ndarray:
    """``ink`` without long horizontal and vertical runs (printed rules)."""
    L = max(25, int(0.08 * max(ink.shape)))
    u8 = ink.astype(np.uint8)
    lines = np.maximum(np.asarray(cv2.morphologyEx(u8, cv2.MORPH_OPEN, np.ones((1, L), np.uint8))),
                       np.asarray(cv2.morphologyEx(u8, cv2.MORPH_OPEN, np.ones((L, 1), np.uint8))))
    if lines.any():
        ink = ink & ~(cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0)
    return ink


def redness(image: np.ndarray) -> np.ndarray:
    """Ink strength of stamp colours, (H, W) float32 in [0, 1]; black text scores 0."""
    r = image[..., 0].astype(np.float32)
    gb = np.maximum(image[..., 1], image[..., 2]).astype(np.float32)
    return np.clip((r - gb) / 120.0, 0.0, 1.0)


def polar(plane: np.ndarray, center: tuple[float, float], axes: tuple[float, float], angle: float,
          *, n_ang: int = N_ANG, rho: tuple[float, float] = (0.0, RHO_MAX), n_rho: int = N_RHO,
          start_deg: float = 0.0) -> np.ndarray:
    """Sample ``plane`` on an ellipse's polar grid.

    Row ``i`` is the angle ``start_deg + 360 * i / n_ang`` (clockwise on screen,
    0 = the ellipse's +x axis); column ``j`` the radius ``rho[0] + (rho[1]-rho[0]) * j / n_rho``
    in units of the ellipse. Returns (n_ang, n_rho) float32.
    """
    t = np.deg2rad(start_deg + 360.0 * np.arange(n_ang, dtype=np.float64) / n_ang)[:, None]
    p = rho[0] + (rho[1] - rho[0]) * np.arange(n_rho, dtype=np.float64)[None, :] / max(1, n_rho - 1)
    ex, ey = axes[0] * p * np.cos(t), axes[1] * p * np.sin(t)
    th = math.radians(angle)
    mx = (center[0] + ex * math.cos(th) - ey * math.sin(th)).astype(np.float32)
    my = (center[1] + ex * math.sin(th) + ey * math.cos(th)).astype(np.float32)
    src = plane if plane.dtype == np.float32 else plane.astype(np.float32)  # no copy of a float plane
    return cv2.remap(src, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                     borderValue=0.0)


@dataclass(frozen=True)
class RingEvidence:
    """How ring-like a shape is, from its polar profile."""

    rho: float  # where the ring is, in units of the fitted ellipse
    ring: float  # share of angles with ink on the ring
    outside: float  # share of angles with ink just outside it
    text: float  # share of angles with ink in the ring-text band
    fill: float  # inked share of the area inside the ring
    thickness: float  # ring width, in units of the ellipse


def ring_evidence(mask: np.ndarray, center: tuple[float, float], axes: tuple[float, float],
                  angle: float, *, min_inside: float = 1.0, on_page: np.ndarray | None = None,
                  ) -> RingEvidence:
    """Measure a ring around ``center`` on a (H, W) ink mask (bool or float in [0, 1]).

    Only angles at which the ring lies on the page are measured, so a seal
    clipped by the page edge is judged on the part that shows; with fewer than
    ``min_inside`` of the angles on the page the evidence is empty. ``on_page``
    (N_ANG,) bool, when given, says which angles show instead (a seal cut by the
    edge of a sheet inside the image).
    """
    P = polar(mask, center, axes, angle) > 0.5
    if on_page is None:
        on_page = _angles_on_page(mask.shape[:2], center, axes, angle)
    if on_page.mean() < min_inside - 1e-6:
        return RingEvidence(1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    if not on_page.all():
        P = P[on_page]
    rhos = np.linspace(0.0, RHO_MAX, N_RHO)
    cov = P.mean(axis=0)
    band = (rhos >= 0.8) & (rhos <= 1.12)
    j = int(np.flatnonzero(band)[np.argmax(cov[band])])
    r0 = rhos[j]
    step = rhos[1] - rhos[0]
    w = max(2, int(round(0.05 / step)))
    ring = float(P[:, max(0, j - w): j + w + 1].any(axis=1).mean())
    # thickness: contiguous run of high coverage around the peak
    thr = 0.5 * cov[j]
    a, b = j, j
    while a > 0 and cov[a - 1] >= thr:
        a -= 1
    while b < N_RHO - 1 and cov[b + 1] >= thr:
        b += 1
    thick = (b - a + 1) * step
    o0, o1 = np.searchsorted(rhos, r0 * 1.12 + thick / 2), np.searchsorted(rhos, r0 * 1.25 + thick / 2)
    outside = float(P[:, o0:o1].any(axis=1).mean()) if o1 > o0 else 0.0
    t0, t1 = np.searchsorted(rhos, 0.45 * r0), np.searchsorted(rhos, r0 - thick / 2 - 0.03)
    text = float(P[:, t0:t1].any(axis=1).mean()) if t1 > t0 else 0.0
    inner = rhos < r0 - thick / 2
    wts = rhos[inner]
    fill = float((P[:, inner].mean(axis=0) * wts).sum() / max(1e-6, wts.sum()))
    return RingEvidence(float(r0), ring, outside, text, fill, float(thick))


@functools.lru_cache(maxsize=4)
def _ones(shape: tuple[int, ...]) -> np.ndarray:
    """A read-only plane of ones (what is on the page), made once per page size."""
    ones = np.ones(shape, np.float32)
    ones.flags.writeable = False
    return ones


def _angles_on_page(shape: tuple[int, int], center: tuple[float, float], axes: tuple[float, float],
                    angle: float) -> np.ndarray:
    """(N_ANG,) bool: whether the ellipse's ring (rho 0.9 to 1.0) lies on the page at each angle."""
    V = polar(_ones(shape), center, axes, angle, rho=(0.9, 1.0), n_rho=3)
    return np.asarray(V.min(axis=1) > 0.5)


def _is_ring_seal(ev: RingEvidence, *, strict: bool, half_hidden: bool = False) -> bool:
    """Whether ring evidence makes a seal.

    ``half_hidden`` also takes a ring half lost with its text whole (:func:`_text_ringed`): for a
    blob's own ellipse, not for a ring fitted to a clipped blob's hull.
    """
    if strict:  # gray pages: printed text everywhere, so ask for a clean ring
        return (ev.ring >= 0.8 and ev.ring - ev.outside >= 0.3 and ev.text >= 0.3
                and 0.04 <= ev.fill <= 0.5 and ev.thickness <= 0.2)
    if ev.ring < 0.6 and not (half_hidden and _text_ringed(ev)):
        return False
    if ev.thickness > 0.3 or ev.fill > 0.55:
        return False
    # ring text inside the ring; or, for a seal without ring text, a closed ring with ink inside
    # (a red pen loop around a printed word has no red ink inside it)
    return (ev.text >= 0.15 and ev.fill >= 0.008) or (ev.ring >= 0.9 and ev.fill >= 0.02)


#: A ring that shows only this share of the angles is a seal when its ring text runs round at least
#: :data:`HIDDEN_RING_TEXT` of them (and nothing lies just outside, the stroke is thin, the inside
#: is inked as a seal's is): a phone photo's 中国地质大学（武汉） seal, its ring lost under the printed
#: line and the page's fold (ring 0.56, text 0.76, nothing outside, 0.10 thick).
HIDDEN_RING = 0.5
HIDDEN_RING_TEXT = 0.6


def _text_ringed(ev: RingEvidence) -> bool:
    return (ev.ring >= HIDDEN_RING and ev.text >= HIDDEN_RING_TEXT and ev.outside <= 0.05
            and ev.thickness <= 0.15 and 0.1 <= ev.fill <= 0.45)


#: Least redness above the local background that counts as faint stamp ink (grey levels of R - max(G, B)).
FAINT_RED = 8


def faint_ink(win: np.ndarray, red: int = FAINT_RED) -> np.ndarray:
    """Faint stamp ink of an RGB window (paper made grey): red hues ``red`` levels redder than their surroundings.

    >>> win = np.full((120, 120, 3), (235, 150, 60), np.uint8)  # orange award paper
    >>> win[40:80, 58:62] = (215, 95, 70)                       # a faint red stroke
    >>> m = faint_ink(win); bool(m[60, 60]), bool(m[10, 10])
    (True, False)
    """
    r = win[..., 0].astype(np.int16)
    gb = np.maximum(win[..., 1], win[..., 2]).astype(np.int16)
    redness = np.clip(r - gb, 0, 255).astype(np.uint8)
    k = max(15, int(max(win.shape[:2]) / 6) | 1)
    bg = cv2.medianBlur(redness, min(k, 255))
    hsv = cv2.cvtColor(win, cv2.COLOR_RGB2HSV)
    hue_ok = (hsv[..., 0] <= 15) | (hsv[..., 0] >= 140)
    return (redness.astype(np.int16) - bg >= red) & (r - gb >= red) & hue_ok & (hsv[..., 2] >= 60)


def _clean_ring(ev: RingEvidence, *, ring: float, outside: float, text: float) -> bool:
    """Whether ``ev`` is a seal's ring: round ``ring`` of the angles at least, with ring text.

    Ink just outside at most ``outside``, ring text around at least ``text``, some ink inside
    and a thin stroke.
    """
    return ev.ring >= ring and ev.outside <= outside and ev.text >= text and 0.03 <= ev.fill <= 0.5 and ev.thickness <= 0.4


def _ring_candidate(center: tuple[float, float], axes: tuple[float, float], angle: float, ev: RingEvidence,
                    source: str, ink_box: tuple[int, int, int, int] | None = None) -> SealCandidate:
    """The seal whose ring ``ev`` measured round the ellipse ``center``/``axes``/``angle``: out to the ring's outer edge.

    ``ink_box``, when given, is held by the candidate's box too: a fit to a small part of a ring
    may come out too small or off centre.
    """
    outer = ev.rho + ev.thickness / 2
    axes = (axes[0] * outer, axes[1] * outer)
    shape = "round" if max(axes) / max(1e-6, min(axes)) < 1.2 else "oval"
    box = _box(center, axes, angle, shape)
    return SealCandidate(center, axes, angle, shape, source, ev.ring, box if ink_box is None else _union(box, ink_box))


def _norm_rect(rect: tuple) -> tuple:
    """A minAreaRect turned by at most 45 degrees, with its sides swapped to match."""
    (cx, cy), (w, h), ang = rect
    while ang > 45:
        ang -= 90
        w, h = h, w
    while ang <= -45:
        ang += 90
        w, h = h, w
    return (cx, cy), (w, h), ang


def _square_evidence(mask: np.ndarray, rect: tuple) -> tuple[float, float]:
    """Side coverage and interior fill of a rotated rectangle on a mask."""
    (cx, cy), (w, h), ang = rect
    w, h = max(w, 2.0), max(h, 2.0)
    m = cv2.getRotationMatrix2D((cx, cy), ang, 1.0)
    m[0, 2] += w / 2 + 2 - cx
    m[1, 2] += h / 2 + 2 - cy
    sub: np.ndarray = np.asarray(cv2.warpAffine(mask.astype(np.uint8), m, (int(w) + 4, int(h) + 4),
                                    flags=cv2.INTER_NEAREST)) > 0
    H, W = sub.shape
    bw = max(2, int(0.1 * min(H, W)))
    sides = [np.any(sub[:bw], axis=0), np.any(sub[-bw:], axis=0), np.any(sub[:, :bw], axis=1),
             np.any(sub[:, -bw:], axis=1)]
    side_cov = float(min(s[bw:-bw].mean() for s in sides))
    inner = sub[bw + 1: H - bw - 1, bw + 1: W - bw - 1]
    fill = float(inner.mean()) if inner.size else 0.0
    return side_cov, fill


def _outside_density(dark: np.ndarray, center: tuple[float, float], half: tuple[float, float]) -> float:
    """Inked share of the frame 10-35% beyond a box: paper around a seal, dense inside a photo."""
    H, W = dark.shape
    cx, cy = center
    hx, hy = max(half), max(half)

    def clip(f: float) -> tuple[int, int, int, int]:
        return (max(0, int(cx - hx * f)), max(0, int(cy - hy * f)), min(W, int(cx + hx * f) + 1),
                min(H, int(cy + hy * f) + 1))

    ox0, oy0, ox1, oy1 = clip(1.35)
    ix0, iy0, ix1, iy1 = clip(1.1)
    outer = dark[oy0:oy1, ox0:ox1]
    n_out = outer.size - max(0, ix1 - ix0) * max(0, iy1 - iy0)
    if n_out <= 0:
        return 1.0
    inked = float(outer.sum()) - float(dark[iy0:iy1, ix0:ix1].sum())
    return inked / n_out


def _square_ok(dark: np.ndarray, center: tuple[float, float], half: tuple[float, float], angle: float,
               ) -> bool:
    """Name seals are stamped about upright, are not long, sit on paper, and are no table's cell."""
    return (abs(angle) <= 25 and max(half) / max(1e-6, min(half)) <= 1.6
            and _outside_density(dark, center, half) < 0.45 and not _ruled_cell(dark, center, half, angle))


#: A square frame is a table's cell when this many of its four sides run on past its corners as
#: rules (:func:`_ruled_cell`).
CELL_RULED_SIDES = 3
#: Share of a side's run past a corner, half the frame's shorter side long, that must be ink.
CELL_RULE_COVER = 0.9


def _ruled_cell(dark: np.ndarray, center: tuple[float, float], half: tuple[float, float], angle: float) -> bool:
    """Whether a square frame is a cell of a ruled table: its sides run on past its corners.

    A phone photo of a transcript blurs its header cells into thick frames holding a blot of
    text, as a name seal is; a held-out photo's 课程属性 cell was read 'EN面！' and masked as a
    seal, and the faded 教务科 seal of the page then went unlooked-for. A seal's frame stops at
    its corners; a cell's rules run on into the next cells. A side runs on when, along the
    frame's edge past either corner, for half the frame's shorter side, a band a few pixels
    wide holds ink at :data:`CELL_RULE_COVER` of its length.
    """
    H, W = dark.shape[:2]
    th = math.radians(angle)
    u, v = np.array([math.cos(th), math.sin(th)]), np.array([-math.sin(th), math.cos(th)])
    c = np.asarray(center, np.float64)
    hx, hy = half
    run = max(4.0, min(hx, hy))  # half the shorter side
    band = np.arange(-max(2, round(0.1 * min(hx, hy))), max(2, round(0.1 * min(hx, hy))) + 1)
    steps = np.arange(0.0, run, 1.0)

    def runs_on(edge: np.ndarray, along: np.ndarray, normal: np.ndarray, reach: float) -> bool:
        for sign in (-1.0, 1.0):
            pts = (edge[None, None, :] + (sign * (reach + steps))[:, None, None] * along
                   + band[None, :, None] * normal)
            xs, ys = np.rint(pts[..., 0]).astype(int), np.rint(pts[..., 1]).astype(int)
            inside = (xs >= 0) & (xs < W) & (ys >= 0) & (ys < H)
            if not inside.all():
                continue  # a side running off the page says nothing
            if float(dark[ys, xs].any(axis=1).mean()) >= CELL_RULE_COVER:
                return True
        return False

    sides = ((c - hy * v, u, v, hx), (c + hy * v, u, v, hx), (c - hx * u, v, u, hy), (c + hx * u, v, u, hy))
    return sum(runs_on(e, a, n, r) for e, a, n, r in sides) >= CELL_RULED_SIDES


def _box(center: tuple[float, float], axes: tuple[float, float], angle: float, shape: str,
         ) -> tuple[int, int, int, int]:
    th = math.radians(angle)
    c, s = abs(math.cos(th)), abs(math.sin(th))
    if shape == "square":
        hx, hy = axes[0] * c + axes[1] * s, axes[0] * s + axes[1] * c
    else:
        hx = math.sqrt((axes[0] * c) ** 2 + (axes[1] * s) ** 2)
        hy = math.sqrt((axes[0] * s) ** 2 + (axes[1] * c) ** 2)
    return (int(center[0] - hx), int(center[1] - hy), int(math.ceil(center[0] + hx)),
            int(math.ceil(center[1] + hy)))


def _pts_box(pts: np.ndarray) -> tuple[int, int, int, int]:
    """The box of ink points (N, 2) as (x0, y0, x1, y1), exclusive ends."""
    return (int(pts[:, 0].min()), int(pts[:, 1].min()), int(pts[:, 0].max()) + 1, int(pts[:, 1].max()) + 1)


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _scaled(c: SealCandidate, k: float) -> SealCandidate:
    ctr = (c.center[0] * k, c.center[1] * k)
    ax = (c.axes[0] * k, c.axes[1] * k)
    # the shape's box, and the candidate's own box scaled (it may hold ink outside the shape)
    own = (int(c.bbox[0] * k), int(c.bbox[1] * k), int(math.ceil(c.bbox[2] * k)), int(math.ceil(c.bbox[3] * k)))
    return SealCandidate(ctr, ax, c.angle, c.shape, c.source, c.score, _union(_box(ctr, ax, c.angle, c.shape), own))


#: Longest over shortest axis of an oval seal (stamped ovals are 1.2 to 1.6: 40 x 30, 45 x 30 mm).
OVAL_MAX_ASPECT = 1.9


#: A square frame with less ink inside than 0.12 of it is a name seal when all four sides show (this
#: share of them) and its characters fill this much: 王建国印 cut in a light serif face (Noto Serif CJK
#: SC Light) and stamped faded fills 0.06 of its frame, in the regular face 0.09.
SQUARE_THIN_SIDES = 0.95
SQUARE_THIN_FILL = 0.05


def _classify_blob(mask: np.ndarray, pts: np.ndarray, *, source: str, strict: bool,
                   side: int, max_square: float = 0.16) -> SealCandidate | None:
    """Decide whether the ink points of one blob form a seal; ``mask`` is the whole work mask."""
    hull = cv2.convexHull(pts.astype(np.int32))
    if len(hull) < 5:
        return None
    rect = _norm_rect(cv2.minAreaRect(hull))
    (rw, rh) = rect[1]
    if min(rw, rh) < 0.025 * side or max(rw, rh) > 0.4 * side:
        return None
    aspect = max(rw, rh) / max(1.0, min(rw, rh))
    hull_area = cv2.contourArea(hull)
    rectangularity = hull_area / max(1.0, rw * rh)
    if _RECT_ASPECT[0] < aspect <= _RECT_ASPECT[1] and rectangularity >= 0.95:  # an oval's hull fills π/4 of its box
        framed = _rect_stamp(mask, rect, source, side)
        if framed is not None:
            return framed
    if aspect > OVAL_MAX_ASPECT:
        return None
    if rectangularity >= 0.9 and aspect <= 1.6 and max(rw, rh) <= max_square * side:
        side_cov, fill = _square_evidence(mask, rect)
        thin = side_cov >= SQUARE_THIN_SIDES and fill >= SQUARE_THIN_FILL  # a whole frame round thin characters
        if side_cov >= 0.75 and (fill >= 0.12 or thin) and fill <= 0.6 and abs(rect[2]) <= 30:
            ang = rect[2]
            return SealCandidate(rect[0], (rw / 2, rh / 2), ang, "square", source,
                                 min(1.0, side_cov), _box(rect[0], (rw / 2, rh / 2), ang, "square"))
        return None
    (cx, cy), (ea, eb), eang = cv2.fitEllipse(hull)
    if min(ea, eb) <= 0 or max(ea, eb) / min(ea, eb) > OVAL_MAX_ASPECT:
        # the hull's box may pass (1.9) while the ellipse through it does not: a held-out photo's
        # printed oval frame round an award's text, 2.0 times as wide as high, was masked as a seal
        return None
    axes = (ea / 2, eb / 2)
    ev = ring_evidence(mask, (cx, cy), axes, eang)
    if not _is_ring_seal(ev, strict=strict, half_hidden=True):
        log.debug("blob at (%.0f, %.0f) rejected: %s", cx, cy, ev)
        return None
    return _ring_candidate((cx, cy), axes, eang, ev, source)


#: Long side over short side of a rectangular stamp (成绩审核专用章, a 2 x 1 frame round two lines).
_RECT_ASPECT = (1.6, 3.2)
#: A rectangular stamp is at most this share of the page side long.
_RECT_MAX = 0.25


def _rect_stamp(mask: np.ndarray, rect: tuple, source: str, side: int) -> SealCandidate | None:
    """A rectangular stamp: an upright frame of stamp ink, closed on all four sides, round text.

    Such a stamp (沈阳航空航天大学 / 成绩审核专用章 in a red frame under a transcript) was too
    long for a square seal and not round, and was not found. It is returned as a square seal,
    which is read the same way (the page's OCR of its crop); :func:`seals.judge_seals` keeps
    it only when its words are the unit's or name a seal (…章).
    """
    (cx, cy), (rw, rh), ang = rect
    if max(rw, rh) > _RECT_MAX * side or abs(ang) > 10:
        return None
    side_cov, fill = _square_evidence(mask, rect)
    if side_cov < 0.9 or not 0.12 <= fill <= 0.6:
        return None
    return SealCandidate((cx, cy), (rw / 2, rh / 2), ang, "square", source, min(1.0, side_cov),
                         _box((cx, cy), (rw / 2, rh / 2), ang, "square"))


def is_rect_stamp(cand: SealCandidate) -> bool:
    """A rectangular stamp (:func:`_rect_stamp`): a square seal more than :data:`_RECT_ASPECT` long.

    A red frame round red print is no stamp unless it reads as one, so the caller keeps such a
    candidate only when its words are the unit's or end like a seal's (…专用章).
    """
    return cand.shape == "square" and max(cand.axes) > _RECT_ASPECT[0] * max(1e-6, min(cand.axes))


def _without_specks(pts: np.ndarray, share: float = 0.01) -> np.ndarray:
    """The blob's points less its tiny ink pieces (under ``share`` of its ink).

    A few reddish pixels of nearby print or a pink photo cast, joined to a seal
    by the dilation, stretch its hull: a square office seal then looks too long
    to be square and is tried, and lost, as a ring.
    """
    x0, y0 = pts.min(axis=0)
    img = np.zeros((int(pts[:, 1].max() - y0) + 1, int(pts[:, 0].max() - x0) + 1), np.uint8)
    img[pts[:, 1] - y0, pts[:, 0] - x0] = 1
    n, labels, stats, _ = cv2.connectedComponentsWithStats(img, connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= max(4, share * len(pts))
    return pts[keep[labels[pts[:, 1] - y0, pts[:, 0] - x0]]]


def _classify_or_trim(mask: np.ndarray, pts: np.ndarray, **kw) -> SealCandidate | None:
    """:func:`_classify_blob`, tried again without specks when it fails."""
    cand = _classify_blob(mask, pts, **kw)
    if cand is None:
        core = _without_specks(pts)
        if 30 <= len(core) < len(pts):
            cand = _classify_blob(mask, core, **kw)
    return cand


def _along_long_axis(pts: np.ndarray) -> tuple[float, float, np.ndarray]:
    """A blob's long and short side (its minimum-area rectangle's) and each point's place along the long one.

    The places are measured from the rectangle's centre, so they run from about ``-long/2`` to ``long/2``.
    """
    rect = _norm_rect(cv2.minAreaRect(pts.astype(np.int32)))
    (rw, rh), ang = rect[1], math.radians(rect[2])
    if rh > rw:
        ang += math.pi / 2
    t = (pts[:, 0] - rect[0][0]) * math.cos(ang) + (pts[:, 1] - rect[0][1]) * math.sin(ang)
    return max(rw, rh), min(rw, rh), t


def _split_pair(mask: np.ndarray, pts: np.ndarray, *, side: int, **kw) -> list[SealCandidate]:  # type: ignore[no-untyped-def]
    """Two seals stamped side by side, touching: one blob twice as long as wide, cut in two.

    Two issuers' round seals stamped against each other (a joint notice) make one blob of
    ink too long to be a seal, and neither was found. A blob 1.7 to 2.6 times as long as wide
    is cut across its long axis, at its middle (two seals of one size) and a little to
    either side (two sizes), and each side is classified on its own; both must be ring seals.
    """
    long_, short, t = _along_long_axis(pts)
    if not 1.7 <= long_ / max(1.0, short) <= 2.6:
        return []
    for shift in (0.0, -0.08, 0.08, -0.16, 0.16):
        cut = shift * long_
        out: list[SealCandidate] = []
        for part in (pts[t < cut], pts[t >= cut]):
            cand = _classify_or_trim(mask, part, side=side, **kw) if len(part) >= 30 else None
            if cand is None or cand.shape == "square":
                break
            out.append(cand)
        if len(out) == 2:
            return out
    return []


def _end_ring(mask: np.ndarray, pts: np.ndarray, *, side: int, source: str) -> list[SealCandidate]:
    """A round seal at one end of a longer blob: the seal stamped touching a line of red print.

    A seal stamped against red text added to a page (仅用做…证明) made one blob with it,
    too long to be a seal, and the seal was not found. Each end of a blob at least 1.5
    times as long as wide is cut off as a square of the blob's width (and 10% either way)
    and classified on its own. Only a clean round or oval ring counts (the strict test
    of grey pages): the last character of a red title is not a seal.
    """
    long_, short, t = _along_long_axis(pts)
    if long_ < 1.5 * max(1.0, short):
        return []
    for end in (1.0, -1.0):
        for extra in (1.0, 0.9, 1.1):
            part = pts[end * t >= long_ / 2 - short * extra]
            cand = _classify_or_trim(mask, part, source=source, strict=True, side=side) if len(part) >= 30 else None
            if cand is not None and cand.shape != "square":
                return [cand]
    return []


def _ink_blobs(ink: np.ndarray, *, join: float, min_side: float, min_pts: int,
               ) -> Iterator[tuple[tuple[int, int, int, int], np.ndarray]]:
    """Blobs of ``ink`` joined by a disc of ``join`` × the page side.

    Yields each blob's box ``(x, y, w, h)`` and its ink points ``(N, 2)`` as
    ``(x, y)``; blobs smaller than ``min_side`` × the page side or with fewer
    than ``min_pts`` ink pixels are skipped.
    """
    if int(ink.sum()) < 60:
        return
    side = max(ink.shape[:2])
    k = max(3, int(round(side * join)) | 1)
    # Only the part of the page that holds ink (grown by the joining disc) is dilated and
    # labelled: the same blobs, in the same order, at a fraction of the cost on a page whose
    # stamp ink is one seal. Outside it the joined image is empty.
    u8 = ink.astype(np.uint8)
    bx, by, bw, bh = cv2.boundingRect(u8)
    pad = k // 2 + 1
    ox, oy = max(0, bx - pad), max(0, by - pad)
    ex, ey = min(ink.shape[1], bx + bw + pad), min(ink.shape[0], by + bh + pad)
    joined = cv2.dilate(u8[oy:ey, ox:ex], cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if max(w, h) < min_side * side:
            continue
        sub = (labels[y:y + h, x:x + w] == i) & ink[oy + y:oy + y + h, ox + x:ox + x + w]
        ys, xs = np.nonzero(sub)
        if len(xs) < min_pts:
            continue
        yield (ox + x, oy + y, w, h), np.stack([xs + ox + x, ys + oy + y], axis=1)


def _color_candidates(small: np.ndarray) -> list[SealCandidate]:
    ink = ink_mask(small)
    side = max(small.shape[:2])
    out: list[SealCandidate] = []
    for _box, pts in _ink_blobs(ink, join=0.008, min_side=0.025, min_pts=30):
        cand = _classify_or_trim(ink, pts, source="color", strict=False, side=side)
        if cand is not None:
            out.append(cand)
        else:
            out += _split_pair(ink, pts, source="color", strict=False, side=side) \
                or _end_ring(ink, pts, source="color", side=side)
    return out


#: How far past a page edge, in page sides, a fitted ring may reach and still count as cut by it.
_PAST_EDGE = 0.02


def _past_edges(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    """Whether a ring fitted to ``box`` reaches past three or four edges of a page of ``shape``: its frame.

    A seal is cut by a sheet's edge on one side (a 骑缝章) or two (a corner); a close-up photo of
    a seal shows all of its ring. A ring reaching past three edges is the page's own border: a
    certificate's printed frame, a red folder round it (a real photo shrunk to 1280 px: an oval
    42 px past every edge, read as nothing and masked as an unread seal, blacked out the page).

    >>> _past_edges((-42, -33, 1319, 963), (923, 1280)), _past_edges((-60, 300, 200, 560), (923, 1280))
    (True, False)
    """
    h, w = shape[:2]
    m = _PAST_EDGE * max(h, w)
    x0, y0, x1, y1 = box
    return sum((x0 < -m, y0 < -m, x1 > w + m, y1 > h + m)) >= 3


#: Least share of a clipped seal's ring that must lie on the page: a 骑缝章 stamped across the
#: edges of a report's sheets shows a quarter to a third of its ring on each page.
_MIN_ON_PAGE = 0.25


def _fit_ring(mask: np.ndarray, pts: np.ndarray, *, source: str,
              ) -> SealCandidate | None:
    """Fit the outer ring of a blob that may be clipped by the page edge, and verify it.

    The convex hull of a seal's ink is its outer ring; where the page edge cuts
    the seal, the hull runs along the edge, so those hull points are left out
    of the ellipse fit and only the angles on the page are checked for ring ink.
    """
    H, W = mask.shape
    hull = cv2.convexHull(pts.astype(np.int32)).reshape(-1, 2)
    # densify the hull so the fit is not decided by a handful of corners
    dense = []
    for a, b in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        n = max(1, int(np.hypot(*(b - a)) / 3))
        dense.append(a + (b - a) * np.arange(n)[:, None] / n)
    ring_pts = np.concatenate(dense).astype(np.float32)
    edge = 2
    keep = ((ring_pts[:, 0] > edge) & (ring_pts[:, 0] < W - 1 - edge)
            & (ring_pts[:, 1] > edge) & (ring_pts[:, 1] < H - 1 - edge))
    if keep.sum() < 8:
        return None
    (cx, cy), (ea, eb), eang = cv2.fitEllipse(ring_pts[keep])
    if min(ea, eb) <= 4 or max(ea, eb) / min(ea, eb) > OVAL_MAX_ASPECT or max(ea, eb) > 2.5 * max(H, W):
        return None
    axes = (ea / 2, eb / 2)
    ev = ring_evidence(mask, (cx, cy), axes, eang, min_inside=_MIN_ON_PAGE)
    if not _is_ring_seal(ev, strict=False):
        log.debug("clipped blob at (%.0f, %.0f) rejected: %s", cx, cy, ev)
        return None
    cand = _ring_candidate((cx, cy), axes, eang, ev, source, _pts_box(pts))
    # a ring reaching past three page edges is the page's own border, not a seal cut by one
    return None if _past_edges(cand.bbox, mask.shape) else cand


def _cut_chord(hull: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The straight cut of a seal cut by a sheet's edge: the hull's longest side, if it is one.

    Returns a point on the cut and its unit normal pointing into the ink, or None
    when the blob has no side long and straight enough (at least 0.6 of the
    blob's extent along it) or is too thin or too deep for part of a ring.
    """
    pts = hull.reshape(-1, 2).astype(np.float64)
    nxt = np.roll(pts, -1, axis=0)
    lens = np.hypot(*(nxt - pts).T)
    i = int(np.argmax(lens))
    chord = float(lens[i])
    if chord < 8:
        return None
    d = (nxt[i] - pts[i]) / chord
    normal = np.array([-d[1], d[0]])
    along = (pts - pts[i]) @ d
    depth = (pts - pts[i]) @ normal
    if depth.mean() < 0:
        normal, depth = -normal, -depth
    if chord < 0.6 * float(along.max() - along.min()) or not 0.2 <= float(depth.max()) / chord <= 0.9:
        return None
    return pts[i], normal


def _cut_tilt(normal: np.ndarray) -> float:
    """How far a cut with this normal runs from the page's rows or columns, in degrees (0 to 45)."""
    tilt = math.degrees(math.atan2(abs(float(normal[0])), abs(float(normal[1]))))
    return min(tilt, 90.0 - tilt)


#: A cut tilted more than this from the page's rows and columns, in degrees, is no sheet's edge:
#: the ring must then be thin (at most :data:`CUT_TILTED_THICKNESS` of its radius). A seal whose
#: lower part faded (a held-out volunteer certificate: cut at 32 degrees, ring 0.07 thick) is
#: such a ring; a certificate's printed corner flourish (two on a held-out honour, their hulls'
#: longest sides across the corners at 45 degrees, rings 0.22 and 0.24 thick: 19% of the page
#: blacked out as two unread seals) is not.
CUT_MAX_TILT = 20.0
CUT_TILTED_THICKNESS = 0.15


#: Least ring text inside a seal cut by its sheet's edge; less (:data:`CUT_TEXT_CLEAN`) inside a
#: ring whole on the page's side of the cut with clean paper round it (a phone photo's school
#: seal cut by the right edge, shrunk to 1280 px and re-saved at JPEG q75: ring 1.0, nothing
#: outside, text 0.29).
CUT_TEXT = 0.3
CUT_TEXT_CLEAN = 0.25


def _cut_text(ev: RingEvidence) -> float:
    """The ring text a cut seal with this evidence needs (:data:`CUT_TEXT`, :data:`CUT_TEXT_CLEAN`)."""
    return CUT_TEXT_CLEAN if ev.ring >= 0.9 and ev.outside <= 0.05 else CUT_TEXT


def _fit_cut_ring(mask: np.ndarray, pts: np.ndarray, *, source: str) -> SealCandidate | None:
    """A seal cut by a straight edge inside the image: a 骑缝章 on the edge of its sheet.

    A seal stamped across two sheets shows on each only the part on that
    sheet, cut along a straight line that is not the image's edge. The hull
    side along the cut is left out of the ellipse fit (as the page edge is in
    :func:`_fit_ring`), and only the angles on the ink's side of the cut are
    checked for ring ink and ring text.
    """
    H, W = mask.shape
    hull = cv2.convexHull(pts.astype(np.int32)).reshape(-1, 2)
    if len(hull) < 5:
        return None
    cut = _cut_chord(hull)
    if cut is None:
        return None
    p0, normal = cut
    dense = []
    for a, b in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        n = max(1, int(np.hypot(*(b - a)) / 3))
        dense.append(a + (b - a) * np.arange(n)[:, None] / n)
    ring_pts = np.concatenate(dense).astype(np.float32)
    keep = (ring_pts - p0) @ normal > 3
    if keep.sum() < 8:
        return None
    (cx, cy), (ea, eb), eang = cv2.fitEllipse(ring_pts[keep])
    if min(ea, eb) <= 4 or max(ea, eb) / min(ea, eb) > 1.5 or max(ea, eb) > 0.5 * max(H, W):
        return None
    axes = (ea / 2, eb / 2)
    # the angles at which the ring (rho 0.9 to 1.0) lies on the ink's side of the cut and on the page
    t = np.deg2rad(360.0 * np.arange(N_ANG) / N_ANG)[:, None]
    rho = np.array([0.9, 0.95, 1.0])[None, :]
    th = math.radians(eang)
    ex, ey = axes[0] * rho * np.cos(t), axes[1] * rho * np.sin(t)
    px = cx + ex * math.cos(th) - ey * math.sin(th)
    py = cy + ex * math.sin(th) + ey * math.cos(th)
    side = (px - p0[0]) * normal[0] + (py - p0[1]) * normal[1]
    on = ((side > 0) & (px >= 0) & (px <= W - 1) & (py >= 0) & (py <= H - 1)).all(axis=1)
    if not 0.3 <= on.mean() <= 0.85:  # a cut seal: neither a sliver nor nearly whole
        return None
    ev = ring_evidence(mask, (cx, cy), axes, eang, min_inside=0.3, on_page=on)
    if not _is_ring_seal(ev, strict=False) or ev.text < _cut_text(ev):
        log.debug("cut blob at (%.0f, %.0f) rejected: %s", cx, cy, ev)
        return None
    if _cut_tilt(normal) > CUT_MAX_TILT and ev.thickness > CUT_TILTED_THICKNESS:
        log.debug("cut blob at (%.0f, %.0f) cut across the page, its ring thick: %s", cx, cy, ev)
        return None
    cand = _ring_candidate((cx, cy), axes, eang, ev, source, _pts_box(pts))
    # a ring reaching past three page edges is the page's own border, not a seal cut by one
    return None if _past_edges(cand.bbox, mask.shape) else cand


def _stamp_candidates(small: np.ndarray) -> list[SealCandidate]:
    """Seals on real pages: cleaned stamp ink, any size up to the whole frame, clipped rings too."""
    ink, warm = stamp_inks(small)
    if int(ink.sum()) < 60:
        return _warm_rings(warm, ink, [])
    # seals cut by their sheet's edge are looked for in the first pass only (cost: one fit per blob)
    lined = _drop_lines(ink)
    first = list(_ink_blobs(lined, join=0.008, min_side=0.04, min_pts=60))
    out = _stamp_pass(lined, cut=True, blobs=first)
    # Again without line removal: a close-up's ring is nearly straight over long runs, and a
    # name seal's frame is made of straight sides. Then with strong red only: JPEG colour
    # bleeding around black print can bridge a seal to the text around it.
    red = small[..., 0].astype(np.int16) - np.maximum(small[..., 1], small[..., 2])
    raw = list(_ink_blobs(ink, join=0.008, min_side=0.04, min_pts=60))  # for this pass and the rest
    wide = list(_ink_blobs(ink, join=0.03, min_side=0.04, min_pts=60))
    # Last, joined more widely: a worn or faded ring falls apart into arcs.
    for extra, join, blobs in ((ink, 0.008, raw), (_drop_lines(ink & (red >= 50)), 0.008, None),
                               (ink, 0.03, wide)):
        for c in _stamp_pass(extra, join, blobs=blobs):
            over = [i for i, o in enumerate(out) if _iou(c.bbox, o.bbox) >= 0.3]
            if not over:
                out.append(c)
            elif len(over) == 1 and _holds_more(ink, c, out[over[0]]):
                out[over[0]] = c
    for box, pts in first:
        if not any(_over_smaller(_xywh(box), o.bbox) >= 0.5 for o in out):
            pale = _pale_ring(small, lined, ink & ~lined, pts)
            if pale is not None:
                out.append(pale)
    out += _warm_rings(warm, ink, out)
    out = [_grown_over_rest(c, wide, [o for o in out if o is not c]) for c in out]
    return out + _overlapped_rest(ink, out, raw)


#: Least orange stamp-ink pixels, beyond the red ones, for the orange pass (in working pixels).
_WARM_MIN = 400


def _warm_rings(warm: np.ndarray, ink: np.ndarray, found: list[SealCandidate]) -> list[SealCandidate]:
    """Round seals in orange (vermilion) ink that the red passes did not see.

    Only where a fair amount of orange ink is not red ink, one pass joined widely (the print
    laid over a seal cuts its ring into arcs), and only round seals that overlap nothing found.
    """
    if int((warm & ~ink).sum()) < _WARM_MIN:
        return []
    return [c for c in _stamp_pass(warm, 0.03)
            if c.shape == "round" and not any(_over_smaller(c.bbox, o.bbox) >= 0.3 for o in found)]


#: A pale seal's ring, as stamp ink, is at most this much longer one way than the other.
_PALE_ROUND = 1.55
#: Least share of its angles, most ink just outside and thickest, the stamp-ink ring of a pale seal
#: (real pale seals: 0.50 to 0.85 of the ring, nothing outside, 0.03 to 0.09 of their radius thick;
#: a pale pink 启明学院 seal with its lower arc faded, re-saved at JPEG q75: 0.50).
_PALE_RING = 0.45
_PALE_OUTSIDE = 0.05
_PALE_THICKNESS = 0.13


def _xywh(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return x, y, x + w, y + h


def _pale_ring(small: np.ndarray, ink: np.ndarray, rules: np.ndarray, pts: np.ndarray) -> SealCandidate | None:
    """A pale seal whose ring is stamp ink but whose characters are too pale for it.

    A light stamp on a scan keeps its ring, the widest and most even stroke, above the stamp-ink
    threshold while its characters and star fall under it: re-saved at JPEG q75, a real pale pink
    company seal measured a clean ring (0.73 of its angles, nothing outside) with 0.04 of ring
    text, and was no seal. Such a ring (round, thin, clean outside) is measured again on the
    window's faint stamp ink (:func:`faint_ink`) less the page's red rules (``rules``, the long
    runs taken out of ``ink``), where its characters show (ring 0.83, ring text 0.41); it is a
    seal when that ink makes a clean ring with text, as a faint seal must
    (:func:`zcmask.locate._faint_seal.faint_unit_seals`). A bare red ring, or one round black
    print, has no faint red inside it.
    """
    hull = cv2.convexHull(pts.astype(np.int32))
    if len(hull) < 5:
        return None
    (cx, cy), (ea, eb), eang = cv2.fitEllipse(hull)
    if min(ea, eb) <= 0 or max(ea, eb) > _PALE_ROUND * min(ea, eb) or max(ea, eb) > 0.4 * max(ink.shape):
        return None
    axes = (ea / 2, eb / 2)
    ev = ring_evidence(ink, (cx, cy), axes, eang)
    if ev.ring < _PALE_RING or ev.outside > _PALE_OUTSIDE or ev.thickness > _PALE_THICKNESS:
        return None
    H, W = ink.shape
    reach = 1.3 * max(axes)
    x0, y0 = int(max(0, cx - reach)), int(max(0, cy - reach))
    x1, y1 = int(min(W, cx + reach)), int(min(H, cy + reach))
    # the page's red rules crossing the seal are no ring text (a bare ring over a table's rows)
    pale = faint_ink(small[y0:y1, x0:x1]) & (cv2.dilate(rules[y0:y1, x0:x1].astype(np.uint8), np.ones((5, 5), np.uint8)) == 0)
    faint = ring_evidence(pale, (cx - x0, cy - y0), axes, eang)
    if not _clean_ring(faint, ring=0.7, outside=0.1, text=0.2):
        return None
    log.debug("pale ring at (%.0f, %.0f): %s, as faint ink %s", cx, cy, ev, faint)
    return _ring_candidate((cx, cy), axes, eang, faint, "color")


#: A later fit replaces an earlier one it holds when this share of the stamp ink inside it lies
#: outside the earlier one: the earlier fit was to part of the ring.
_MISSED_INK = 0.15


def _grown_over_rest(c: SealCandidate, wide: list[tuple[tuple[int, int, int, int], np.ndarray]],
                     others: list[SealCandidate]) -> SealCandidate:
    """``c`` with its box grown over the rest of its widely joined blob, when it left out a share of it.

    When no wider fit holds the seal (its faint half too broken after a second JPEG save to
    make a ring), the box of the fit to part of it is grown over the stamp ink joined to it
    (:data:`_MISSED_INK` of that blob's ink outside the fit), at most to 1.6 times its size
    each way, so the part of the ring left out is still masked. The ink of ``others`` (a second
    seal stamped beside it, joined to it at that distance) is not its rest. Its shape, which the
    ring is read along, stays.
    """
    w0, h0 = c.bbox[2] - c.bbox[0], c.bbox[3] - c.bbox[1]
    for _b, pts in wide:
        if not boxes_overlap(_pts_box(pts), c.bbox):
            continue
        for o in others:
            pts = pts[~_inside_shape(pts, o, 1.1)]
        inside = _inside_shape(pts, c, 1.1)
        if not inside.any() or float((~inside).mean()) < _MISSED_INK:
            continue
        u = _union(c.bbox, _pts_box(pts[~inside]))
        if u[2] - u[0] <= 1.6 * w0 and u[3] - u[1] <= 1.6 * h0 and all(_iou(u, o.bbox) < 0.3 for o in others):
            c = replace(c, bbox=u)
    return c


def _holds_more(ink: np.ndarray, c: SealCandidate, o: SealCandidate) -> bool:
    """Whether ``c`` is the whole seal that ``o`` was fitted to part of.

    A ring whose lower half printed faintly falls apart into pieces at the first join; the
    largest piece (the upper ring and its text) fits an oval that is too small and off centre,
    and the seal was masked with a third of its ring and text still showing (a pink diploma
    seal with the school's name printed across it). Joined more widely, the pieces fit the
    whole ring. The wider fit replaces the first when it holds the first's box and at least
    :data:`_MISSED_INK` of the stamp ink inside it lies outside the first.
    """
    ox0, oy0, ox1, oy1 = o.bbox
    area = max(1, (ox1 - ox0) * (oy1 - oy0))
    ix = max(0, min(ox1, c.bbox[2]) - max(ox0, c.bbox[0]))
    iy = max(0, min(oy1, c.bbox[3]) - max(oy0, c.bbox[1]))
    if ix * iy < 0.9 * area:
        return False
    x0, y0 = max(0, c.bbox[0]), max(0, c.bbox[1])
    ys, xs = np.nonzero(ink[y0:c.bbox[3], x0:c.bbox[2]])
    pts = np.stack([xs + x0, ys + y0], axis=1)
    pts = pts[_inside_shape(pts, c, 1.05)]
    if len(pts) < 60:
        return False
    return float((~_inside_shape(pts, o, 1.1)).mean()) >= _MISSED_INK


def _inside_shape(pts: np.ndarray, c: SealCandidate, k: float) -> np.ndarray:
    """(N,) bool: which points lie inside ``c``'s ellipse or rectangle grown by ``k``."""
    th = math.radians(c.angle)
    dx, dy = pts[:, 0] - c.center[0], pts[:, 1] - c.center[1]
    u = (dx * math.cos(th) + dy * math.sin(th)) / max(1e-6, k * c.axes[0])
    v = (-dx * math.sin(th) + dy * math.cos(th)) / max(1e-6, k * c.axes[1])
    if c.shape == "square":
        return np.asarray((np.abs(u) <= 1) & (np.abs(v) <= 1))
    return np.asarray(u * u + v * v <= 1)


def _largest_piece(pts: np.ndarray) -> float:
    """Share of the points (N, 2) in their largest 8-connected piece."""
    x0, y0 = pts.min(axis=0)
    img = np.zeros((int(pts[:, 1].max() - y0) + 1, int(pts[:, 0].max() - x0) + 1), np.uint8)
    img[pts[:, 1] - y0, pts[:, 0] - x0] = 1
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(img, connectivity=8)
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / len(pts) if n > 1 else 0.0


def _overlapped_rest(ink: np.ndarray, found: list[SealCandidate],
                     blobs: list[tuple[tuple[int, int, int, int], np.ndarray]]) -> list[SealCandidate]:
    """Second seals stamped over or against a found one: the rest of its ink blob.

    Two seals stamped over each other (a round company seal half over a square
    one, a name seal against a 公章) make one blob of ink; when one of them is
    found, the other shows as a seal-sized, compact rest of that blob outside
    it (``blobs``: those of ``ink`` joined by 0.008 of the page side). That rest
    is classified on its own, or, when the first seal hides too
    much of it, covered by its box (masked as unread: the safe side). A rest
    that is long (a red title, a rule), small (a signature's tail), not joined
    to the found seal's ink, or made of specks (a pink printed pattern, whose
    largest piece holds under 35% of it) is no seal.
    """
    if not found:
        return []
    side = max(ink.shape)
    extra: list[SealCandidate] = []
    for (x, y, w, h), pts in blobs:
        near = [c for c in found if c.bbox[0] < x + w and x < c.bbox[2] and c.bbox[1] < y + h and y < c.bbox[3]]
        if not near:
            continue
        rest = pts
        for c in near:
            rest = rest[~_inside_shape(rest, c, 1.1)]
        # the blob must hold the found seal's own ink (it is joined to it), and the rest must be
        # strokes (a frame, a ring), not specks of a printed pattern or a photo's grain
        if len(rest) < max(60, 0.25 * len(pts)) or len(rest) > 0.9 * len(pts) or _largest_piece(rest) < 0.35:
            continue
        rx0, ry0 = rest.min(axis=0)
        rx1, ry1 = rest.max(axis=0)
        rw, rh = float(rx1 - rx0 + 1), float(ry1 - ry0 + 1)
        ref = max(max(c.bbox[2] - c.bbox[0], c.bbox[3] - c.bbox[1]) for c in near)
        if min(rw, rh) < 0.3 * ref or max(rw, rh) > 1.2 * ref or max(rw, rh) / min(rw, rh) > 1.6:
            continue
        cand = _classify_or_trim(ink, rest, source="color", strict=False, side=side, max_square=0.3)
        if cand is None:
            ctr, ax = ((rx0 + rx1) / 2.0, (ry0 + ry1) / 2.0), (rw / 2.0, rh / 2.0)
            cand = SealCandidate(ctr, ax, 0.0, "square", "color", 0.5, _box(ctr, ax, 0.0, "square"))
        if all(_iou(cand.bbox, o.bbox) < 0.3 for o in (*found, *extra)):
            extra.append(cand)
    return extra


def _stamp_pass(ink: np.ndarray, join: float = 0.008, *, cut: bool = False,
                blobs: list[tuple[tuple[int, int, int, int], np.ndarray]] | None = None,
                ) -> list[SealCandidate]:
    H, W = ink.shape
    side = max(H, W)
    out: list[SealCandidate] = []
    if blobs is None:
        blobs = list(_ink_blobs(ink, join=join, min_side=0.04, min_pts=60))
    for (x, y, w, h), pts in blobs:
        touches = x <= 1 or y <= 1 or x + w >= W - 1 or y + h >= H - 1
        cand = None
        if not touches and max(w, h) <= 0.4 * side:
            cand = _classify_or_trim(ink, pts, source="color", strict=False, side=side, max_square=0.3)
        if cand is None and (touches or max(w, h) > 0.3 * side):
            cand = _fit_ring(ink, pts, source="color")
        # a blob joined up to the page edge whose ink stops short of it (a white margin after the
        # cut) is a cut seal too: its hull's straight side is not on the edge, so the fit above fails
        if cand is None and cut and max(w, h) <= 0.3 * side:
            cand = _fit_cut_ring(ink, pts, source="color")
        if cand is None and not touches and max(w, h) <= 0.8 * side:
            out += _split_pair(ink, pts, source="color", strict=False, side=side, max_square=0.3)
        if cand is not None:
            out.append(cand)
    return out


def _frame_thickness(dark: np.ndarray, rect: tuple) -> int:
    """How many pixels of ink surround a rectangular hole, going outwards (0 if not framed)."""
    (cx, cy), (w, h), ang = rect
    kmax = int(0.25 * min(w, h)) + 2
    r = int(max(w, h) / 2 * 1.5) + kmax + 2
    x0, y0 = max(0, int(cx) - r), max(0, int(cy) - r)
    crop = dark[y0: int(cy) + r, x0: int(cx) + r]
    t = 0
    for k in range(1, kmax):
        box = cv2.boxPoints(((cx - x0, cy - y0), (w + 2 * k, h + 2 * k), ang)).astype(np.int32)
        line = np.zeros(crop.shape, np.uint8)
        cv2.polylines(line, [box], True, 1, 1)
        on = line > 0
        if not on.any() or float(crop[on].mean()) < 0.8:
            break
        t = k
    return t


def _trace_ring(dark: np.ndarray, center: tuple[float, float], r: float,
                ) -> tuple[tuple[float, float], tuple[float, float], float] | None:
    """Follow the ring around a rough centre and fit an ellipse to it.

    A Hough circle only roughly hits an oval seal, or one with text running
    through it. In the polar image around the rough centre the ring is the one
    smooth curve inked at (almost) every angle, so dynamic programming finds it
    while crossing text, which is broken up, cannot pull it far.
    """
    n_ang, lo, hi, n_rho = 120, 0.5, 1.7, 72
    P = polar(dark, center, (r, r), 0.0, n_ang=n_ang, rho=(lo, hi), n_rho=n_rho)
    S = (P > 0.5).astype(np.float32)
    D = S[0].copy()
    back = np.zeros((n_ang, n_rho), np.int16)
    idx = np.arange(n_rho)
    # shifted[k][j] = D[j + 2 - k], -1e9 off the ends: D shifted by -2..2 without wrapping
    padded = np.full(n_rho + 4, -1e9, np.float32)
    rows = np.arange(4, -1, -1)[:, None] + idx[None, :]
    for i in range(1, n_ang):
        padded[2:-2] = D
        shifted = padded[rows]
        best = np.argmax(shifted, axis=0)
        back[i] = idx - (best - 2)
        D = S[i] + shifted[best, idx]
    j = int(np.argmax(D))
    path = [j]
    for i in range(n_ang - 1, 0, -1):
        j = int(back[i, j])
        path.append(j)
    path.reverse()
    rhos = lo + (hi - lo) * np.asarray(path, np.float64) / (n_rho - 1)
    on = S[np.arange(n_ang), path] > 0
    # only the angles at which the traced ring is on the page count (a close-up is clipped by it)
    V = polar(_ones(dark.shape[:2]), center, (r, r), 0.0, n_ang=n_ang, rho=(lo, hi), n_rho=n_rho)
    visible = V[np.arange(n_ang), path] > 0.5
    if visible.mean() < 0.5 or on[visible].mean() < 0.7:
        return None
    on &= visible
    t = np.deg2rad(360.0 * np.arange(n_ang) / n_ang)
    pts = np.stack([center[0] + r * rhos * np.cos(t), center[1] + r * rhos * np.sin(t)], axis=1)[on]
    (cx, cy), (ea, eb), ang = cv2.fitEllipse(pts.astype(np.float32))
    if min(ea, eb) <= 0:
        return None
    return (cx, cy), (ea / 2, eb / 2), ang


def _thick_frames(dark: np.ndarray, side: int, taken: list[tuple[int, int, int, int]],
                  ) -> list[SealCandidate]:
    """Square name-seal frames on a gray page, even where printed text runs through them.

    A seal's frame is several times thicker than printed strokes, so a small
    erosion leaves the frame and wipes the text; the frame must then cover all
    four sides of its box and hold ink (the characters) inside.
    """
    core = cv2.erode(dark.astype(np.uint8), np.ones((3, 3), np.uint8))
    n = max(5, int(0.02 * side))
    core = np.maximum(np.asarray(cv2.morphologyEx(core, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))),
                      np.asarray(cv2.morphologyEx(core, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))))
    cnts, _ = cv2.findContours(core, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[SealCandidate] = []
    for c in cnts:
        x, y, w, h = cv2.boundingRect(c)
        if min(w, h) < 0.03 * side or max(w, h) > 0.16 * side or max(w, h) / max(1, min(w, h)) > 1.6:
            continue
        if any(x < t[2] and t[0] < x + w and y < t[3] and t[1] < y + h for t in taken):
            continue
        rect = _norm_rect(cv2.minAreaRect(c))
        side_cov, _ = _square_evidence(core, rect)
        if side_cov < 0.8:
            continue
        (rw, rh) = rect[1]
        _, fill = _square_evidence(dark, (rect[0], (rw * 0.9, rh * 0.9), rect[2]))
        ax = (rw / 2 + 1, rh / 2 + 1)
        if 0.12 <= fill <= 0.7 and _square_ok(dark, rect[0], ax, rect[2]):
            out.append(SealCandidate(rect[0], ax, rect[2], "square", "shape", side_cov,
                                     _box(rect[0], ax, rect[2], "square")))
    return out


def _dark_mask(gray: np.ndarray) -> np.ndarray:
    """Ink on a gray page: darker than 200, and clearly darker than the paper around it.

    On a white page this is ``gray < 200``. A gray copy of a photo (a desk, a
    shadow, a washed-out copy) has paper well below 200, where a fixed
    threshold marks everything as ink; there ink must be 30 levels below the
    local paper: the brightest level within a window wider than a close-up's
    ring strokes (paper is what is brightest; a median would take the strokes
    of a seal filling the frame for paper).
    """
    h, w = gray.shape
    q = 4
    small = cv2.resize(gray, (max(1, w // q), max(1, h // q)), interpolation=cv2.INTER_AREA)
    k = max(3, int(0.08 * max(h, w) / q) | 1)
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    paper = cv2.resize(cv2.blur(paper, (k, k)), (w, h), interpolation=cv2.INTER_LINEAR)
    return gray.astype(np.int16) < np.minimum(200, paper.astype(np.int16) - 30)


#: Radius bands (pixels of the 600 px coarse page) searched one at a time by the Hough
#: transform on grey pages: seal rings (3-16% of the page side) and close-ups (16-55%).
#: A ring's centre collects one vote per ring pixel in whichever band holds its radius,
#: but a page of dense text collects votes along every radius searched, so one wide band
#: let body text pass the vote threshold everywhere (a work summary: 66 spurious circles
#: and 0.47 s) where narrow, overlapping bands find none of them (0.01 s).
_RING_BANDS = ((18, 40), (36, 66), (60, 96))
_CLOSEUP_BANDS = ((96, 160), (150, 240), (228, 330))


#: A grey ring this large, in radii over the page's longer side, is a close-up's (a seal on an
#: A4 page: about 0.07), and may have at most :data:`CLOSEUP_OUTSIDE` of ink just outside it: a
#: seal filling the frame has paper or the frame's edge round it, while a circle of that size
#: drawn through a grey page of body text crosses text inside, on and outside it (a thesis
#: defence record: radius 0.17, ring 0.81, outside 0.44; a sixth of the page was masked).
CLOSEUP_RADIUS = 0.14
CLOSEUP_OUTSIDE = 0.25
#: ... unless its ring is whole (a grey copy of a real photo of a seal on a document, its ring
#: 0.23 of the page side: ring 1.0, outside 0.43).
CLOSEUP_RING = 0.9


def _crosses_print(axes: tuple[float, float], ev: RingEvidence, side: int) -> bool:
    """Whether a grey ring of a close-up's size (:data:`CLOSEUP_RADIUS`), not whole, has print all round it.

    >>> page = RingEvidence(0.95, 0.81, 0.44, 0.89, 0.15, 0.17)  # through a page of body text
    >>> _crosses_print((138, 145), page, 877), _crosses_print((60, 62), page, 877)
    (True, False)
    >>> _crosses_print((300, 310), RingEvidence(0.95, 0.9, 0.05, 0.8, 0.2, 0.08), 877)  # a close-up
    False
    >>> _crosses_print((271, 283), RingEvidence(0.97, 1.0, 0.43, 0.89, 0.28, 0.06), 1215)  # a whole ring
    False
    """
    return (max(axes) * (ev.rho + ev.thickness / 2) >= CLOSEUP_RADIUS * side and ev.outside > CLOSEUP_OUTSIDE
            and ev.ring < CLOSEUP_RING)


def _seal_shaped(axes: tuple[float, float]) -> bool:
    """Whether an ellipse traced or fitted on grey ink is no longer than an oval seal (:data:`OVAL_MAX_ASPECT`).

    A ring traced round a Hough circle on a scanned transcript followed the rules of the table's
    narrow last column, and the ellipse fitted to it, 21 x 372 px, was masked as an unreadable
    seal over a column of grades (5.8% of the page).

    >>> _seal_shaped((60.0, 62.0)), _seal_shaped((45.0, 80.0)), _seal_shaped((21.0, 372.0)), _seal_shaped((0.0, 5.0))
    (True, True, False, False)
    """
    return min(axes) > 0 and max(axes) / min(axes) <= OVAL_MAX_ASPECT


#: A ring traced on grey ink with at least this much ink just outside it may be a double-ringed
#: seal's inner ring (:func:`_outer_ring`).
DOUBLE_RING_OUTSIDE = 0.5
#: How much larger than the inner ring a double-ringed seal's outer ring is looked for.
OUTER_RING_SCALES = (1.2, 1.4)


def _outer_ring(dark: np.ndarray, center: tuple[float, float], axes: tuple[float, float], angle: float,
                ev: RingEvidence) -> tuple[tuple[float, float], RingEvidence]:
    """The outer ring of a double-ringed seal whose inner ring was traced, or the ring as traced.

    A seal with an outer ring, its ring text, then an inner ring (武汉大学学生成绩专用章): the trace
    can follow the inner one, the ring text and the outer ring then lie just outside it. A grey
    copy of a held-out transcript, saved as JPEG: inner ring 1.0 with 0.73 outside, no seal; at
    1.2 times its size the outer ring, 1.0 with 0.13 outside. Shrunk to 1,280 px and re-saved at
    q75, the inner ring made a seal (0.68 outside) and only it was masked; at 1.4 times, 0.37
    outside. Of the ring as traced and the larger ones that make a seal (:func:`_is_ring_seal`),
    the one with the least ink just outside it is taken.
    """
    best = (ev.ring - ev.outside, axes, ev) if _is_ring_seal(ev, strict=True) else None
    for k in OUTER_RING_SCALES:
        big = (axes[0] * k, axes[1] * k)
        e = ring_evidence(dark, center, big, angle, min_inside=0.6)
        if _is_ring_seal(e, strict=True) and (best is None or e.ring - e.outside > best[0]):
            best = (e.ring - e.outside, big, e)
    return (axes, ev) if best is None else (best[1], best[2])


def _gray_candidates(small: np.ndarray) -> list[SealCandidate]:
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    dark = _dark_mask(gray)
    darkf = dark.astype(np.float32)  # once, for every ring traced and measured below
    side = max(gray.shape)
    proposals: list[tuple[tuple[float, float], tuple[float, float], float]] = []
    # Hough on a coarse copy is cheap (a few ms) and survives broken or faded rings.
    q = 600.0 / side
    coarse = cv2.resize(gray, (max(1, int(gray.shape[1] * q)), max(1, int(gray.shape[0] * q))),
                        interpolation=cv2.INTER_AREA)
    coarse = cv2.GaussianBlur(coarse, (5, 5), 1.5)
    for bands, min_dist, votes, keep in ((_RING_BANDS, 600 * 0.05, 30, 12),
                                         (_CLOSEUP_BANDS, 600 * 0.1, 40, 4)):  # close-ups fill the frame
        for lo, hi in bands:
            circles = cv2.HoughCircles(coarse, cv2.HOUGH_GRADIENT, dp=1, minDist=min_dist, param1=120,
                                       param2=votes, minRadius=lo, maxRadius=hi)
            if circles is None:
                continue
            for cx, cy, r in circles[0][:keep]:
                ell = _trace_ring(darkf, (float(cx) / q, float(cy) / q), float(r) / q)
                if ell is not None:
                    proposals.append(ell)
    out: list[SealCandidate] = []
    # enclosed holes: the inside of a closed ring or of a name seal's frame
    cnts, hier = cv2.findContours(dark.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is not None:
        lo, hi = (side * 0.02) ** 2, (side * 0.3) ** 2
        for c, hv in zip(cnts, hier[0], strict=False):
            if hv[3] < 0 or len(c) < 4:
                continue  # outer contours have no parent; we want holes
            x, y, w, h = cv2.boundingRect(c)
            if not lo <= w * h <= hi or max(w, h) / max(1, min(w, h)) > 1.9:
                continue
            area = cv2.contourArea(c)
            rect = _norm_rect(cv2.minAreaRect(c))
            rw, rh = rect[1]
            if area >= 0.4 * rw * rh and max(rw, rh) <= 0.16 * side:
                # A name seal's frame is thick (the characters inside may touch it);
                # table rules and boxed characters are thin.
                t = _frame_thickness(dark, rect)
                if t >= max(3, 0.05 * min(rw, rh)):
                    inner = (rect[0], (rw - 2, rh - 2), rect[2])
                    _, fill = _square_evidence(dark, inner)
                    ax = (rw / 2 + t, rh / 2 + t)
                    if 0.12 <= fill <= 0.7 and _square_ok(dark, rect[0], ax, rect[2]):
                        out.append(SealCandidate(rect[0], ax, rect[2], "square", "shape", 0.8,
                                                 _box(rect[0], ax, rect[2], "square")))
                        continue
            if area < 0.6 * w * h or len(c) < 5:
                continue
            (cx, cy), (ea, eb), eang = cv2.fitEllipse(c)
            proposals.append(((cx, cy), (ea / 2, eb / 2), eang))
    out += _thick_frames(dark, side, [c.bbox for c in out])
    for ctr, axes, ang in proposals:
        if not _seal_shaped(axes):
            continue
        ev = ring_evidence(darkf, ctr, axes, ang, min_inside=0.6)
        if ev.outside >= DOUBLE_RING_OUTSIDE:
            axes, ev = _outer_ring(darkf, ctr, axes, ang, ev)
        if not _is_ring_seal(ev, strict=True):
            continue
        if _crosses_print(axes, ev, side):
            log.debug("grey ring of a close-up's size at (%.0f, %.0f) with ink outside: %s", *ctr, ev)
            continue
        out.append(_ring_candidate(ctr, axes, ang, ev, "shape"))
    return out


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / max(1, ua)


def _dedupe(cands: list[SealCandidate]) -> list[SealCandidate]:
    keep: list[SealCandidate] = []
    for c in sorted(cands, key=lambda c: (c.source != "color", -c.score)):
        if all(_iou(c.bbox, k.bbox) < 0.3 for k in keep):
            keep.append(c)
    return keep


def is_grayish(small: np.ndarray) -> bool:
    """True when a page has almost no colour (a grayscale scan or a photocopy)."""
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    return float(((hsv[..., 1] > 60) & (hsv[..., 2] > 60)).mean()) < 0.002


def find_candidates(image: np.ndarray) -> list[SealCandidate]:
    """Propose seals on an upright page.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB

    Returns
    -------
    list of SealCandidate
        In page pixels, most confident first, overlapping proposals merged.

    """
    return _red(image, work_copy(image))


def find_all(image: np.ndarray) -> tuple[list[SealCandidate], list[SealCandidate]]:
    """:func:`find_candidates` and :func:`find_blue_candidates` of a page, on one working copy.

    A blue candidate lying on a red one (half of the smaller box) is the same stamp and is dropped.
    """
    small = work_copy(image)
    red = _red(image, small)
    return red, [c for c in _blue(image, small) if not any(_over_smaller(c.bbox, r.bbox) >= 0.5 for r in red)]


def _over_smaller(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection of two boxes over the smaller one."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy / max(1, min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])))


def _red(image: np.ndarray, small: np.ndarray) -> list[SealCandidate]:
    k = small.shape[1] / image.shape[1]
    cands = _color_candidates(small)
    cands += _stamp_candidates(small)
    if not cands and is_grayish(small):
        cands = _gray_candidates(small)
    return [_scaled(c, 1.0 / k) for c in _dedupe(cands)]


def work_copy(image: np.ndarray) -> np.ndarray:
    """The page at about :data:`WORK_SIDE` px (itself when already that small), its paper made grey.

    A phone photo under a cold light has bluish paper (blue 20 levels above red): thin red
    strokes, softened by JPEG's halved colour resolution, are then no redder than the paper
    and a seal's characters vanish from its ink, so the seal looked like an empty ring.
    """
    small = image
    # pyrDown halves with a proper low-pass and is several times cheaper than INTER_AREA
    while max(small.shape[:2]) > WORK_SIDE * 1.25:
        small = cv2.pyrDown(small)
    return neutral_paper(small)


#: Paper whose channels differ by fewer grey levels than this is left as it is.
_CAST_MIN = 10
#: Least brightness (its brightest channel) of a tinted paper measured inside a white margin.
_TINTED_PAPER_MIN = 200


def neutral_paper(image: np.ndarray) -> np.ndarray:
    """``image`` with each channel scaled so that the paper is grey (itself when it already is).

    The paper's colour is the median of the brightest tenth of a sample of pixels.

    >>> img = np.full((16, 16, 3), (200, 215, 235), np.uint8); img[1, 1] = (180, 60, 70)
    >>> out = neutral_paper(img); out[2, 2].tolist(), bool(out[1, 1, 0] > out[1, 1, 2])
    ([235, 235, 235], True)
    """
    lut = paper_table(image)
    return image if lut is None else grey_paper(image, lut)


def paper_table(image: np.ndarray) -> np.ndarray | None:
    """The (256, 1, 3) table of :func:`neutral_paper` for ``image``, or None when its paper is grey.

    Cream paper inside a scan's white margin is made grey too, and white paper stays as it is:

    >>> page = np.full((400, 300, 3), 255, np.uint8); page[60:340, 40:260] = (251, 248, 192)
    >>> grey_paper(page, paper_table(page))[200, 150].tolist(), paper_table(page[:50]) is None
    ([251, 251, 251], True)
    """
    sample = image[::8, ::8].reshape(-1, 3)
    v = sample.max(axis=1)
    bright = sample[v >= np.percentile(v, 90)]
    if len(bright) == 0:
        return None
    paper = np.median(bright, axis=0)
    if float(paper.max() - paper.min()) < _CAST_MIN:
        # the brightest tenth may be a scan's white margin round cream or yellow paper: then the
        # paper is what most of the page is (a held-out honour certificate's cream, 251/248/192,
        # where its seals' ink printed orange-red and was lost once shrunk and re-saved at q75)
        band = sample[(v >= np.percentile(v, 40)) & (v <= np.percentile(v, 80))]
        if len(band) == 0:
            return None
        tint = np.median(band, axis=0)
        if float(tint.max()) < _TINTED_PAPER_MIN:
            return None
        paper = tint
    if float(paper.max() - paper.min()) < _CAST_MIN or float(paper.min()) < 60:
        return None
    gain = float(paper.max()) / np.maximum(paper, 1.0)
    return np.clip(np.arange(256)[:, None] * gain[None, :], 0, 255).astype(np.uint8).reshape(256, 1, 3)


def grey_paper(image: np.ndarray, lut: np.ndarray | None) -> np.ndarray:
    """``image`` (or a part of the page) through a :func:`paper_table`; itself for None."""
    # one table per channel (cv2.LUT: 4 ms for an A4 page at 200 dpi, 29 ms indexing each channel)
    return image if lut is None else cv2.LUT(np.ascontiguousarray(image), lut)


#: Pixels (of a 1-in-16 sample of the working copy) of strongly blue ink a page needs
#: before blue seals are looked for: a blue seal's ring alone gives well over a hundred.
_BLUE_MIN_SAMPLE = 20
#: A blue candidate's ring must be closed almost all round (a true seal scores 1.0).
_BLUE_MIN_SCORE = 0.9


def as_red(image: np.ndarray) -> np.ndarray:
    """``image`` with its red and blue channels swapped: blue stamp ink becomes red."""
    return np.ascontiguousarray(image[..., ::-1])


def find_blue_candidates(image: np.ndarray) -> list[SealCandidate]:
    """Seals stamped in blue ink (old invoices' 发票专用章, some companies' and banks' seals).

    The red-ink search is run on the page with red and blue swapped, so every test it
    makes against red print (title rules, table rules, tints, pen loops) applies to blue
    print the same way. Read such a candidate from :func:`as_red` of the page. A page with
    no strongly blue ink (almost every scan) pays one look at a sparse sample.

    Only blue counts: purple and magenta (promotion graphics, which the swap would leave
    purple-red) are whitened first. Only whole round and oval rings are kept (score at
    least :data:`_BLUE_MIN_SCORE`): blue print on invoices includes dense square QR
    codes, and blue loops on ID cards (a collar, a background digit) close only partly.

    Examples
    --------
    >>> find_blue_candidates(np.full((300, 200, 3), 255, np.uint8))
    []

    """
    return _blue(image, work_copy(image))


def _blue(image: np.ndarray, small: np.ndarray) -> list[SealCandidate]:
    sample = small[::4, ::4].astype(np.int16)
    blue = (sample[..., 2] - np.maximum(sample[..., 0], sample[..., 1])) >= 30
    if int(blue.sum()) < _BLUE_MIN_SAMPLE:
        return []
    swapped = as_red(small)
    purple = small[..., 0].astype(np.int16) > small[..., 1].astype(np.int16) + 25
    swapped[purple] = 255
    k = small.shape[1] / image.shape[1]
    cands = [c for c in _color_candidates(swapped) + _stamp_candidates(swapped)
             if c.shape != "square" and c.score >= _BLUE_MIN_SCORE]
    return [_scaled(c, 1.0 / k) for c in _dedupe(cands)]
