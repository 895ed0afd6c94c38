"""Turn a phone photo of a page into something that looks like a flat scan.

:func:`flatten` runs four steps, each only when the page needs it:

``perspective``
    Find the sheet's quadrilateral against the desk, hand or background (edges
    first, then a bright-paper mask) and warp it to a flat rectangle. A4 proportions
    are kept when the sheet is close to them; the resolution is never raised and is
    capped at 300 dpi equivalent. The whole sheet is kept: nothing inside it is cut.
``dewarp``
    Straighten text lines that a curled sheet bent (book spread, rolled
    certificate): a smooth vertical displacement field fitted to the lines of
    ink, applied only when the lines are clearly curved
    (:mod:`zcmask.quality._dewarp`).
``light``
    Even out illumination: divide by a smooth paper-brightness map (text, thin
    lines and seal strokes are removed from it, large photos are filled from the
    paper around them), then whiten the paper. Colour is kept (a red seal stays
    red, a photo keeps its colours); nothing is binarised.
``deskew``
    Straighten text lines tilted by up to 10 degrees (projection profiles of the
    ink, along rows and along columns, so a page still lying on its side works).

A page that is already a scan, meaning no sheet edge inside the frame, even light
and straight lines, is returned as the very same array with no steps: nothing is
resampled. Each applied step is recorded as a :class:`~zcmask.results.FixStep`
with its parameters.

This module does not run OCR or decide orientation in 90-degree steps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from zcmask.quality._luma import luma
from zcmask.results import FixStep

if TYPE_CHECKING:
    from zcmask.documents._read import LoadedPage

log = logging.getLogger(__name__)

__all__ = ["Flattened", "even_light", "find_page", "flatten", "flatten_page", "light_unevenness",
           "rotate_small", "skew_angle", "warp_page"]

_A4 = 297.0 / 210.0
_WORK = 640          # long side of the working copy used to find the page
_MAX_DPI = 300.0     # a flattened A4 page is at most this many pixels per inch
_UNEVEN = 1.3        # paper brightness p95/p5 in the margins above this: the light needs evening out
_SKEW_MIN_PHOTO = 0.4
_SKEW_MIN_SCAN = 2.0  # a scan is only straightened when clearly crooked


@dataclass(frozen=True)
class Flattened:
    """The result of :func:`flatten`: the page, the steps applied, and its dpi."""

    image: np.ndarray
    steps: tuple[FixStep, ...]
    dpi: int


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return luma(image).clip(0, 255).astype(np.uint8)


def _resize_long(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = image.shape[:2]
    s = long_side / max(h, w)
    if s >= 1:
        return image, 1.0
    return cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA), s


def _order(pts: np.ndarray) -> np.ndarray:
    """Corners as TL, TR, BR, BL."""
    pts = pts.reshape(4, 2).astype(np.float32)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise on screen, starting at the left-most angle (TL side)
    i = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -i, axis=0)


def _quad_from_contour(cnt: np.ndarray) -> np.ndarray | None:
    import cv2

    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return _order(approx)
        if 5 <= len(approx) <= 7 and eps >= 0.02:
            # A sheet running off the photo: its outline follows the frame for a while.
            # Its four longest sides are the sheet's edges; their crossings are its corners,
            # some of them outside the photo.
            q = _quad_from_long_sides(approx.reshape(-1, 2).astype(np.float64))
            if q is not None:
                return q
        if len(approx) < 4:
            break
    return None


def _quad_from_long_sides(poly: np.ndarray) -> np.ndarray | None:
    n = len(poly)
    lengths = [float(np.linalg.norm(poly[(i + 1) % n] - poly[i])) for i in range(n)]
    keep = sorted(sorted(range(n), key=lambda i: -lengths[i])[:4])
    corners = []
    for k in range(4):
        i, j = keep[k], keep[(k + 1) % 4]
        p1, p2 = poly[i], poly[(i + 1) % n]
        p3, p4 = poly[j], poly[(j + 1) % n]
        d1, d2 = p2 - p1, p4 - p3
        den = d1[0] * d2[1] - d1[1] * d2[0]
        if abs(den) < 1e-6:
            return None
        t = ((p3[0] - p1[0]) * d2[1] - (p3[1] - p1[1]) * d2[0]) / den
        corners.append(p1 + t * d1)
    q = np.array(corners, np.float32)
    import cv2

    if not cv2.isContourConvex(q.reshape(-1, 1, 2)):
        return None
    return _order(q)


def _candidates(small: np.ndarray) -> list[np.ndarray]:
    import cv2

    gray = _gray(small)
    h, w = gray.shape
    out: list[np.ndarray] = []
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    # 1. Edges: the sheet's border against the desk.
    for lo, hi in ((20, 60), (40, 120)):
        edges = cv2.dilate(cv2.Canny(blur, lo, hi), np.ones((3, 3), np.uint8))
        cnts, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for c in sorted(cnts, key=cv2.contourArea, reverse=True)[:5]:
            if cv2.contourArea(cv2.convexHull(c)) < 0.15 * h * w:
                break
            q = _quad_from_contour(c)
            if q is not None:
                out.append(q)
    # 2. Paper: brighter and less coloured than the desk (per-channel spread as saturation).
    sat = small.max(axis=2).astype(np.int16) - small.min(axis=2).astype(np.int16)
    score = cv2.GaussianBlur((blur.astype(np.int16) - sat).clip(0, 255).astype(np.uint8), (9, 9), 0)
    _, mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k = max(3, (max(h, w) // 40) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask)
    if n > 1:
        i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        if stats[i, cv2.CC_STAT_AREA] >= 0.15 * h * w:
            cnts, _ = cv2.findContours((lab == i).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            q = _quad_from_contour(max(cnts, key=cv2.contourArea))
            if q is not None:
                out.append(q)
    return out


def _quad_score(small: np.ndarray, q: np.ndarray) -> float:
    """How much the quad looks like a sheet of paper on something else (0 = not at all)."""
    import cv2

    gray = _gray(small).astype(np.float32)
    h, w = gray.shape
    area = float(cv2.contourArea(q))
    if area < 0.15 * h * w or area > 0.985 * h * w:
        return 0.0
    # Angles near 90 degrees (a sheet seen from the front, give or take the tilt).
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-6))
        if abs(cos) > 0.5:  # outside 60..120 degrees
            return 0.0
    inside = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(inside, q.astype(np.int32), 1)
    paper = float(np.percentile(gray[inside.astype(bool)], 90))
    outside = gray[~inside.astype(bool)]
    # Paper-like pixels left outside mean we found a box on the page, not the page.
    paper_out = float(np.mean(np.abs(outside - paper) < 12)) if outside.size else 0.0
    if paper_out > 0.35:
        return 0.0
    sides = [_side_step(gray, q[i], q[(i + 1) % 4], q.mean(axis=0)) for i in range(4)]
    steps = [v for v in sides if v == v]  # NaN: a side along the photo's frame
    if len(steps) < 2 or min(steps) <= 0:
        return 0.0
    return float(np.mean(steps)) * (area / (h * w)) * (1.0 - paper_out)


def _side_step(gray: np.ndarray, a: np.ndarray, b: np.ndarray, centre: np.ndarray) -> float:
    """Median brightness step across one side of a quad, inside minus outside; 0 when it is not an edge.

    A true sheet edge is brighter just inside than just outside along nearly all of
    its length. A side that runs across the sheet (a wrong corner) is not, and
    warping to it would cut text off.
    """
    h, w = gray.shape
    off = max(3.0, 0.012 * max(h, w))
    t = np.linspace(0.1, 0.9, 40)[:, None]
    pts = a[None, :] * (1 - t) + b[None, :] * t
    d = b - a
    n = np.array([-d[1], d[0]], np.float32) / (np.linalg.norm(d) + 1e-6)
    if np.dot(centre - (a + b) / 2, n) < 0:
        n = -n
    pin, pout = pts + n * off, pts - n * off
    ok = ((pout[:, 0] >= 0) & (pout[:, 0] < w) & (pout[:, 1] >= 0) & (pout[:, 1] < h))
    if ok.sum() < 10:  # the side lies on the frame (the sheet runs off the photo)
        return float("nan")
    pin, pout = pin[ok], pout[ok]
    vin = gray[np.clip(pin[:, 1].astype(int), 0, h - 1), np.clip(pin[:, 0].astype(int), 0, w - 1)]
    vout = gray[np.clip(pout[:, 1].astype(int), 0, h - 1), np.clip(pout[:, 0].astype(int), 0, w - 1)]
    diff = vin - vout
    if float(np.mean(diff > 10)) < 0.5:
        return 0.0
    return float(np.median(diff))


def find_page(image: np.ndarray) -> np.ndarray | None:
    """Corners (TL, TR, BR, BL) of the sheet of paper in a photo, or None.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        A photo or a scan. Not modified.

    Returns
    -------
    ndarray, shape (4, 2), float32, or None
        Pixel corners in ``image``; None when no sheet edge is found inside the
        frame (a scan, or a photo filled by the page).

    Examples
    --------
    >>> find_page(np.full((300, 200, 3), 255, np.uint8)) is None
    True

    """
    small, s = _resize_long(image, _WORK)
    best, best_score = None, 0.0
    for q in _candidates(small):
        sc = _quad_score(small, q)
        if sc > best_score:
            best, best_score = q, sc
    if best is None:
        return None
    return (best / s).astype(np.float32)


def _page_size(q: np.ndarray) -> tuple[int, int, bool]:
    top, bottom = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])
    left, right = np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])
    w, h = max(top, bottom), max(left, right)
    ratio = h / max(w, 1.0)
    a4 = False
    for target in (_A4, 1 / _A4):
        if abs(ratio / target - 1) < 0.12:
            # Foreshortening shrinks one side; keep the longer measure and A4's proportions.
            if target > 1:
                w = max(w, h / target)
                h = w * target
            else:
                h = max(h, w * target)
                w = h / target
            a4 = True
            break
    return int(round(w)), int(round(h)), a4


def warp_page(image: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, int]:
    """Warp the quadrilateral ``corners`` (TL, TR, BR, BL) of ``image`` to a flat rectangle.

    Returns the page, (H', W', 3) uint8, and its dpi assuming the sheet is A4
    (or 200 when it is not A4-shaped). The output never has more pixels across
    the sheet than the photo had, and at most :data:`_MAX_DPI` for A4.
    """
    import cv2

    w, h, a4 = _page_size(corners)
    short_in = 210.0 / 25.4
    dpi = min(w, h) / short_in if a4 else 200.0
    if a4 and dpi > _MAX_DPI:
        k = _MAX_DPI / dpi
        w, h, dpi = round(w * k), round(h * k), _MAX_DPI
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    # Corners may lie outside the photo (the sheet ran off it): that part stays white.
    out = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=(255, 255, 255))
    return out, int(round(dpi))


def _paper_map(image: np.ndarray, long_side: int = 512, fill: bool = True) -> tuple[np.ndarray, float]:
    """Per-channel paper brightness at low resolution (Hs, Ws, 3) float32, and the work scale.

    ``fill`` replaces large dark areas (photos) by the paper around them; a quick
    measure of the margins (:func:`light_unevenness`) does without.
    """
    import cv2

    small, s = _resize_long(image, long_side)
    sm = small.astype(np.float32)
    # Text and thin lines are gone after a max filter a few strokes wide.
    k = max(3, (9 * long_side // 512) | 1)
    bg = cv2.dilate(sm, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if not fill:
        return np.maximum(cv2.GaussianBlur(bg, (0, 0), 6 * long_side / 512), 1.0), s
    big = cv2.dilate(sm, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (61, 61)))
    # Large dark things (photos, filled tables) are not paper: fill them from around.
    g_bg, g_big = bg.mean(axis=2), big.mean(axis=2)
    hole = (g_bg < 0.7 * g_big).astype(np.uint8)
    if hole.any():
        hole = cv2.dilate(hole, np.ones((5, 5), np.uint8))
        bg = np.dstack([cv2.inpaint(np.clip(bg[..., c], 0, 255).astype(np.uint8), hole, 7, cv2.INPAINT_TELEA)
                        for c in range(3)]).astype(np.float32)
    bg = cv2.GaussianBlur(bg, (0, 0), 6)
    return np.maximum(bg, 1.0), s


def light_unevenness(image: np.ndarray) -> tuple[float, float]:
    """How uneven the paper's light is (p95 / p5 of its brightness) and the median paper grey.

    >>> light_unevenness(np.full((100, 80, 3), 230, np.uint8))
    (1.0, 230.0)
    """
    bg, _ = _paper_map(image, 256, fill=False)
    g = bg.mean(axis=2)
    h, w = g.shape
    # The margins: paper on nearly every document, and a shadow or fall-off crosses them
    # too, while a large photo or a filled table in the middle does not fool them.
    ring = np.zeros((h, w), bool)
    a, b = max(1, h // 50), max(1, w // 50)
    c, d = max(a + 1, h // 8), max(b + 1, w // 8)
    ring[a:c, b:w - b] = ring[h - c:h - a, b:w - b] = True
    ring[a:h - a, b:d] = ring[a:h - a, w - d:w - b] = True
    vals = g[ring] if ring.any() else g.ravel()
    lo, hi = np.percentile(vals, [5, 95])
    return round(float(hi / max(lo, 1.0)), 3), round(float(np.median(vals)), 1)


def _whiten_edge_slivers(image: np.ndarray, band: float = 0.015) -> np.ndarray:
    """Paint white the bits of desk a warp leaves along the page's outer edge (a band of 1.5 %).

    The band lies inside the page's blank margin, so no text is lost; only pixels that
    are dark or strongly coloured there (desk, not paper) change.
    """
    h, w = image.shape[:2]
    b = max(3, int(round(band * min(h, w))))
    out = image.copy()
    for sl in ((slice(0, b), slice(None)), (slice(h - b, h), slice(None)),
               (slice(None), slice(0, b)), (slice(None), slice(w - b, w))):
        part = out[sl].astype(np.int16)
        desk = (part.mean(axis=2) < 140) | (part.max(axis=2) - part.min(axis=2) > 70)
        part[desk] = 255
        out[sl] = part.astype(np.uint8)
    return out


def _margins_are_paper(image: np.ndarray) -> bool:
    """True when the image's margins are paper (grey, not coloured or near black).

    Evening out the light of a photo whose sheet was not found would whiten the desk too.
    """
    small, _ = _resize_long(image, 256)
    h, w = small.shape[:2]
    m = max(2, min(h, w) // 12)
    ring = np.concatenate([small[:m].reshape(-1, 3), small[-m:].reshape(-1, 3),
                           small[:, :m].reshape(-1, 3), small[:, -m:].reshape(-1, 3)]).astype(np.int16)
    sat = ring.max(axis=1) - ring.min(axis=1)
    return bool(np.median(sat) < 35 and np.median(ring.mean(axis=1)) >= 90)


def even_light(image: np.ndarray, white: float = 0.9) -> np.ndarray:
    """Divide out the paper's lighting and whiten it; keep ink black and colours coloured.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The page. Not modified.
    white : float
        Share of the local paper brightness that becomes pure white.

    Returns
    -------
    ndarray, shape (H, W, 3), uint8

    Examples
    --------
    Light falling off from 200 to 120 across the sheet, with a dot of ink: the paper
    comes out white at both ends and the ink stays black.

    >>> im = np.repeat(np.linspace(200, 120, 64).astype(np.uint8)[None, :, None], 64, 0).repeat(3, 2)
    >>> im[30:34, 50:54] = 20
    >>> out = even_light(im)
    >>> int(out[5, 5].min()), int(out[5, 60].min()), int(out[31, 51].max())
    (255, 255, 0)

    """
    import cv2

    bg, _ = _paper_map(image)
    h, w = image.shape[:2]
    full = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio = image.astype(np.float32) / full
    g = ratio.mean(axis=2)
    black = float(min(0.35, np.percentile(g, 0.5)))
    out = (ratio - black) / max(white - black, 1e-3)
    return np.asarray(np.clip(out * 255.0, 0, 255) + 0.5, np.float32).astype(np.uint8)


def _profile_sharpness(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray, n: int) -> np.ndarray:
    out = np.empty(len(angles))
    for i, a in enumerate(np.deg2rad(angles)):
        proj = ys * np.cos(a) - xs * np.sin(a)
        hist = np.bincount((proj - proj.min()).astype(np.int64), minlength=n)
        out[i] = float(np.sum(hist.astype(np.float64) ** 2))
    return out


def skew_angle(image: np.ndarray, max_deg: float = 10.0) -> tuple[float, float]:
    """Tilt of the text lines in degrees (clockwise on screen positive) and a confidence in [0, 1].

    Lines are looked for both across (a page upright or upside down) and down
    (a page on its side); the sharper projection profile wins.

    Examples
    --------
    >>> skew_angle(np.full((100, 80, 3), 255, np.uint8))
    (0.0, 0.0)

    """
    import cv2

    small, _ = _resize_long(_gray(image), 1000)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    ys, xs = np.nonzero(ink)
    if len(ys) < 200:
        return 0.0, 0.0
    rng = np.random.default_rng(0)
    if len(ys) > 40000:
        pick = rng.choice(len(ys), 40000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)
    n = int(np.hypot(*small.shape)) + 2
    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.25)
    best = (0.0, 0.0, 0.0)  # (score gain, angle, confidence)
    for axis_ys, axis_xs in ((ys, xs), (xs, -ys)):
        sc = _profile_sharpness(axis_ys, axis_xs, coarse, n)
        a0 = float(coarse[int(np.argmax(sc))])
        fine = np.arange(a0 - 0.25, a0 + 0.2501, 0.05)
        fs = _profile_sharpness(axis_ys, axis_xs, fine, n)
        a = float(fine[int(np.argmax(fs))])
        gain = float(fs.max() / max(np.median(sc), 1.0))
        if gain > best[0]:
            best = (gain, a, float(np.clip((gain - 1.0) / 1.0, 0, 1)))
    return round(best[1], 2), round(best[2], 3)


def rotate_small(image: np.ndarray, angle: float, fill: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Rotate ``image`` counter-clockwise by ``angle`` degrees on an enlarged canvas (nothing is cut)."""
    import cv2

    h, w = image.shape[:2]
    a = np.deg2rad(angle)
    nw = int(np.ceil(abs(w * np.cos(a)) + abs(h * np.sin(a))))
    nh = int(np.ceil(abs(h * np.cos(a)) + abs(w * np.sin(a))))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[0, 2] += (nw - w) / 2
    m[1, 2] += (nh - h) / 2
    return cv2.warpAffine(image, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=fill)


def flatten(image: np.ndarray, dpi: int = 200, *, light: bool = True, deskew: bool = True,
            dewarp: bool = True) -> Flattened:
    """Make a photo of a page look like a flat scan; leave a scan alone.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The decoded page, in any 90-degree orientation. Not modified.
    dpi : int
        The page's nominal dpi, kept when the sheet is not warped.
    light, deskew, dewarp : bool
        Allow those steps (the perspective step is always tried).

    Returns
    -------
    Flattened
        When no step applies, ``image`` is the very input array and ``steps`` is empty.

    Examples
    --------
    >>> page = np.full((300, 200, 3), 240, np.uint8)
    >>> f = flatten(page)
    >>> f.image is page, f.steps
    (True, ())

    """
    steps: list[FixStep] = []
    out = image
    corners = find_page(image)
    if corners is not None:
        out, dpi = warp_page(image, corners)
        steps.append(FixStep("perspective", (
            ("corners", [[round(float(x)), round(float(y))] for x, y in corners]),
            ("width", out.shape[1]), ("height", out.shape[0]), ("dpi", dpi))))
    if dewarp:
        from zcmask.quality._dewarp import dewarp as _dewarp

        dw = _dewarp(out)
        if dw.applied:
            out = dw.image
            steps.append(FixStep("dewarp", (
                ("lines", dw.lines), ("bow_before", dw.bow_before), ("bow_after", dw.bow_after),
                ("max_shift", dw.max_shift), ("width", out.shape[1]), ("height", out.shape[0]))))
    photo = corners is not None
    if light:
        uneven, paper = light_unevenness(out)
        if photo or (uneven >= _UNEVEN and _margins_are_paper(out)):
            out = even_light(out)
            steps.append(FixStep("light", (("unevenness", uneven), ("paper", paper))))
            if photo:
                out = _whiten_edge_slivers(out)
    if deskew:
        angle, conf = skew_angle(out)
        need = _SKEW_MIN_PHOTO if steps else _SKEW_MIN_SCAN
        # After a perspective warp the sheet's edges are straight: only a little skew is left
        # (text printed crooked). An angle at the end of the search range is not a line fit.
        most = 3.0 if corners is not None else 9.5
        if need <= abs(angle) <= most and conf >= 0.3:
            fill = (255, 255, 255) if steps else tuple(int(v) for v in np.percentile(
                out.reshape(-1, out.shape[-1]), 90, axis=0))
            out = rotate_small(out, angle, fill)  # type: ignore[arg-type]
            steps.append(FixStep("deskew", (("angle", angle), ("confidence", conf))))
    return Flattened(out, tuple(steps), dpi)


def flatten_page(page: LoadedPage) -> tuple[LoadedPage, tuple[FixStep, ...], np.ndarray]:
    """:func:`flatten` a decoded page; also return a small preview of the page as it was read.

    A page that needs nothing comes back as the same object.
    """
    from dataclasses import replace

    before, _ = _resize_long(page.image, 360)
    before = np.ascontiguousarray(before)
    fl = flatten(page.image, page.dpi)
    if not fl.steps:
        return page, (), before
    # Boxes of embedded images no longer match the warped page; the page is all pixels now.
    return replace(page, image=fl.image, dpi=fl.dpi, image_rects=()), fl.steps, before
