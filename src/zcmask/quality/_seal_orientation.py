"""Which way up a seal close-up is: the star's apex and the gap of the ring text.

A phone close-up or crop of one round seal has no text lines for the page
classifier or OCR to go by: the ring text runs round in every direction. Two
marks of a Chinese round seal do tell up from down:

- the five-pointed **star** in the middle has one point straight up, so its
  area centroid lies below the middle of its bounding box;
- the **ring text** runs over the top and the sides and leaves a gap at the
  bottom (empty, or a thin serial number).

:func:`seal_closeup_rotation` answers only for a page that is one round seal
(a closed thin ring filling most of the frame, in stamp colour) whose star
and ring gap agree, or whose star alone is clear; otherwise ``None`` and the
usual evidence decides.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["seal_closeup_rotation"]

_SIDE = 320          # work size, pixels
_MIN_INK = 0.03      # stamp-coloured share of the frame for a close-up
_MIN_FILL = 0.55     # the ring's diameter against the frame's shorter side
_RING_COVER = 0.8    # share of angles at which the outer ring is inked
_STAR_SHIFT = (0.025, 0.09)  # centroid shift against star size of a clean star (about 0.05)
_STAR_ALONE = 0.04  # the shift with which the star decides without the ring gap
_SNAP = math.radians(25)


def _ink(small: np.ndarray) -> np.ndarray:
    from zcmask.locate._seal_find import ink_mask

    return np.asarray(ink_mask(small), bool)


def _ring(ink: np.ndarray) -> tuple[float, float, float] | None:
    """Centre and radius of one round ring that fills the frame, or None."""
    h, w = ink.shape
    k = max(3, int(round(max(h, w) * 0.02)) | 1)
    joined = cv2.dilate(ink.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if n < 2:
        return None
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    ys, xs = np.nonzero((labels == i) & ink)
    if len(xs) < 200:
        return None
    (cx, cy), r = cv2.minEnclosingCircle(np.stack([xs, ys], 1).astype(np.float32))
    if 2 * r < _MIN_FILL * min(h, w) or 2 * r < 0.45 * max(h, w):
        return None
    # a closed thin ring: ink near the radius at most angles
    ang = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    hit = 0
    for a in ang:
        rr = np.linspace(0.82 * r, 1.0 * r, 8)
        px = np.clip((cx + rr * np.cos(a)).astype(int), 0, w - 1)
        py = np.clip((cy + rr * np.sin(a)).astype(int), 0, h - 1)
        inside = (cx + rr * np.cos(a) >= 0) & (cx + rr * np.cos(a) < w) & (cy + rr * np.sin(a) >= 0) \
            & (cy + rr * np.sin(a) < h)
        hit += bool(np.any(ink[py, px] & inside))
    if hit / len(ang) < _RING_COVER:
        return None
    return float(cx), float(cy), float(r)


def _snap(vx: float, vy: float) -> int | None:
    """The rotation whose 'up' points along (vx, vy) in image axes, within 25 degrees."""
    a = math.atan2(vy, vx)
    for rot, t in ((0, -math.pi / 2), (90, 0.0), (180, math.pi / 2), (270, math.pi)):
        d = abs((a - t + math.pi) % (2 * math.pi) - math.pi)
        if d <= _SNAP:
            return rot
    return None


def _star_up(ink: np.ndarray, cx: float, cy: float, r: float) -> tuple[int | None, float, float]:
    """Rotation told by the star's apex and how clearly (shift against size)."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w]
    core = ink & ((xx - cx) ** 2 + (yy - cy) ** 2 <= (0.38 * r) ** 2)
    n, labels, stats, cents = cv2.connectedComponentsWithStats(core.astype(np.uint8), connectivity=8)
    if n < 2:
        return None, 0.0, 0.0
    best, best_d = 0, 1e9
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if area < 0.004 * math.pi * r * r or not (0.6 <= bw / max(1, bh) <= 1.6):
            continue
        d = math.hypot(cents[i][0] - cx, cents[i][1] - cy)
        if d < best_d:
            best, best_d = i, d
    if not best or best_d > 0.2 * r:
        return None, 0.0, 0.0
    x, y, bw, bh, _ = stats[best]
    size = max(bw, bh)
    if size < 0.18 * r:
        return None, 0.0, 0.0
    dx = cents[best][0] - (x + (bw - 1) / 2)
    dy = cents[best][1] - (y + (bh - 1) / 2)
    shift = math.hypot(dx, dy) / size
    apex = math.atan2(-dy, -dx)  # the apex lies opposite the centroid's shift
    if not _STAR_SHIFT[0] <= shift <= _STAR_SHIFT[1]:
        return None, shift, apex  # too round to tell, or not a clean star (print over it)
    return _snap(-dx, -dy), shift, apex


def _star_tip(ink: np.ndarray, cx: float, cy: float, r: float) -> int | None:
    """Rotation told by the star's five tips: only the apex points along an axis of the page.

    With the apex up the tips lie at -90, -18, 54, 126 and 198 degrees: the apex
    is on an axis, two tips are 18 degrees off one, two 36 degrees off. Turned
    by a multiple of 90 degrees the pattern stays, so the tip nearest an axis is
    the apex; a stamp tilted by up to about 8 degrees still tells.
    """
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w]
    core = ink & ((xx - cx) ** 2 + (yy - cy) ** 2 <= (0.38 * r) ** 2)
    n, labels, stats, cents = cv2.connectedComponentsWithStats(core.astype(np.uint8), connectivity=8)
    best, best_d = 0, 1e9
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < 0.004 * math.pi * r * r:
            continue
        d = math.hypot(cents[i][0] - cx, cents[i][1] - cy)
        if d < best_d:
            best, best_d = i, d
    if not best or best_d > 0.2 * r:
        return None
    blob = (labels == best).astype(np.uint8)
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    pts = max(contours, key=len)[:, 0, :].astype(np.float64)
    m = cv2.moments(blob)
    if m["m00"] <= 0:
        return None
    sx, sy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    ang = np.arctan2(pts[:, 1] - sy, pts[:, 0] - sx)
    rad = np.hypot(pts[:, 0] - sx, pts[:, 1] - sy)
    if rad.max() < 0.09 * r:
        return None
    bins = 72
    prof = np.zeros(bins)
    idx = ((ang + np.pi) / (2 * np.pi) * bins).astype(int) % bins
    np.maximum.at(prof, idx, rad)
    prof = np.maximum(prof, np.roll(prof, 1) * 0)  # keep empty bins at zero
    peaks = [k for k in range(bins) if prof[k] >= prof[k - 1] and prof[k] > prof[(k + 1) % bins]
             and prof[k] >= 0.75 * prof.max()]
    # merge neighbouring peaks, keep the five longest tips
    tips = sorted(peaks, key=lambda k: -prof[k])
    chosen: list[int] = []
    for k in tips:
        if all(min(abs(k - c), bins - abs(k - c)) >= 6 for c in chosen):
            chosen.append(k)
    if not 4 <= len(chosen) <= 6:
        return None
    off = []
    for k in chosen:
        a = math.degrees(-np.pi + (k + 0.5) * 2 * np.pi / bins)
        off.append((abs((a + 45) % 90 - 45), a))
    off.sort()
    if off[0][0] > 10 or off[1][0] < off[0][0] + 6:
        return None
    a = math.radians(off[0][1])
    return _snap(math.cos(a), math.sin(a))


def _gap_up(ink: np.ndarray, cx: float, cy: float, r: float) -> tuple[int | None, float]:
    """Rotation told by the widest gap of the ring text (the gap is at the bottom)."""
    h, w = ink.shape
    ys, xs = np.nonzero(ink)
    rho = np.hypot(xs - cx, ys - cy)
    band = (rho >= 0.5 * r) & (rho <= 0.8 * r)
    if band.sum() < 100:
        return None, 1.0
    th = np.arctan2(ys[band] - cy, xs[band] - cx)
    hist, _ = np.histogram(th, bins=72, range=(-np.pi, np.pi))
    win = 9
    smooth = np.convolve(np.concatenate([hist[-win:], hist, hist[:win]]), np.ones(win) / win, "same")[win:-win]
    # a gap where the ring leaves the frame (a clipped close-up) says nothing
    centres = -np.pi + (np.arange(72) + 0.5) * (2 * np.pi / 72)
    ox, oy = cx + 0.95 * r * np.cos(centres), cy + 0.95 * r * np.sin(centres)
    on_page = (ox >= 0) & (ox < w) & (oy >= 0) & (oy < h)
    whole = np.convolve(np.concatenate([~on_page[-win:], ~on_page, ~on_page[:win]]).astype(float),
                        np.ones(win), "same")[win:-win] == 0
    if not whole.any():
        return None, 1.0
    k = int(np.argmin(np.where(whole, smooth, np.inf)))
    depth = float(smooth[k]) / max(1e-9, float(np.median(smooth)))
    if depth > 0.35:
        return None, depth
    a = -np.pi + (k + 0.5) * (2 * np.pi / 72)
    return _snap(-math.cos(a), -math.sin(a)), depth  # 'up' is opposite the gap


def seal_closeup_rotation(image: np.ndarray) -> int | None:
    """How far a one-seal close-up is turned clockwise (0, 90, 180, 270), or None when not sure.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The page as stored.

    Examples
    --------
    >>> import numpy as np
    >>> seal_closeup_rotation(np.full((200, 300, 3), 255, np.uint8)) is None
    True

    """
    h, w = image.shape[:2]
    k = _SIDE / max(h, w)
    small = cv2.resize(image, (max(1, int(w * k)), max(1, int(h * k))), interpolation=cv2.INTER_AREA) \
        if k < 1 else image
    ink = _ink(small)
    if ink.mean() < _MIN_INK:
        hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
        if float((hsv[..., 1] > 60).mean()) > 0.01:
            return None
        # a grey copy of a close-up: the seal is the dark ink
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        _, dark = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        ink = dark > 0
        if not _MIN_INK <= ink.mean() <= 0.35:
            return None
    ring = _ring(ink)
    if ring is None:
        return None
    star, shift, apex = _star_up(ink, *ring)
    gap, depth = _gap_up(ink, *ring)
    tip = _star_tip(ink, *ring)
    if tip is not None:
        return tip if gap in (None, tip) and star in (None, tip) else None
    if star is not None and gap is not None:
        return star if star == gap else None
    if star is not None and gap is None and shift >= _STAR_ALONE:
        return star
    if star is None and gap is not None and depth <= 0.03 and _STAR_SHIFT[0] <= shift <= _STAR_SHIFT[1]:
        # an empty bottom, and a star turned a little as stamped: its apex points roughly away from the gap
        up = {0: -math.pi / 2, 90: 0.0, 180: math.pi / 2, 270: math.pi}[gap]
        if abs((apex - up + math.pi) % (2 * math.pi) - math.pi) <= math.radians(60):
            return gap
    return None
