"""Straighten the curved text lines of a curled page (book spread, rolled certificate).

The lines of text are found from the ink alone: dark, uncoloured strokes
(adaptive threshold; a red seal is left out), joined along the line by a
horizontal closing, then cut into connected components that are long, thin and
about one character high. Each line gives centre points, one per character width.

A smooth vertical displacement field is fitted to all lines at once::

    y_seen = Y_line + d(x, y),   d(x, y) = sum_{j=1..4} sum_{k=0..2} c_jk P_j(x) Q_k(y)

where ``Y_line`` is each line's straightened height (one unknown per line) and
``P_j``, ``Q_k`` are polynomials in the normalised page coordinates (clamped to
the text area, so the margins are not extrapolated into). It is linear in the
unknowns: one least-squares solve, repeated once without the lines that do not
fit (an arched seal legend, a signature). The page is then remapped with
``cv2.remap`` so that row ``y`` of the output reads row ``y + d(x, y)`` of the
input. Above and below the text the field fades out towards the page's edges
(paper is added where a margin is too narrow for a gentle fade), so the map stays
monotonic and no text is ever cut.

The step applies only when the lines are clearly curved: the median bow of the
long lines, weighted by their length (largest distance between a line's cubic fit
and its straight fit), is at least 0.2 text heights (0.32 with only two or three
lines) and at least 2 pixels at the working scale, the fit removes at least half
of it, and the field moves no part of the page further than the lines moved. A flat scan or a photo whose lines are
straight after the perspective step is returned as the same array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dewarped", "dewarp", "line_straightness", "text_lines"]

_WORK = 1100          # long side of the working copy
_MIN_LINES = 2        # fewer long lines than this: nothing to fit
_FEW_LINES = 4        # fewer than this (a certificate, a short letter): a clearer bow is needed
_BOW_MIN_TEXT = 0.2   # median bow of the lines, in text heights, for the step to apply
_BOW_MIN_PX = 2.0     # and in working pixels


@dataclass(frozen=True)
class TextLine:
    """Centre points of one text line at the working scale, and its height."""

    xs: np.ndarray
    ys: np.ndarray
    height: float


@dataclass(frozen=True)
class Dewarped:
    """Result of :func:`dewarp`: the page (the same array when nothing was done) and what was measured."""

    image: np.ndarray
    applied: bool
    lines: int
    bow_before: float  # median bow of the lines, in pixels of the input page
    bow_after: float
    max_shift: float   # largest vertical displacement, pixels of the input page


def _ink(gray: np.ndarray, image: np.ndarray) -> np.ndarray:
    import cv2

    ink = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12)
    if image.ndim == 3:
        a = image.astype(np.int16)
        ink[(a.max(axis=2) - a.min(axis=2)) > 60] = 0  # seal ink and photos are not text lines
    return ink


def text_lines(image: np.ndarray) -> tuple[list[TextLine], float]:
    """The long text lines of a page at the working scale, and that scale (working px per input px).

    Examples
    --------
    >>> text_lines(np.full((200, 150, 3), 255, np.uint8))[0]
    []

    """
    import cv2

    h, w = image.shape[:2]
    s = min(1.0, _WORK / max(h, w))
    small = cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA) \
        if s < 1 else image
    gray = small if small.ndim == 2 else cv2.cvtColor(small[..., :3], cv2.COLOR_RGB2GRAY)
    ink = _ink(gray, small)
    # Text height: the median height of character-sized blobs.
    n, _, st, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hs = st[1:, cv2.CC_STAT_HEIGHT]
    ws = st[1:, cv2.CC_STAT_WIDTH]
    keep = (hs >= 4) & (hs <= 60) & (ws <= 80)
    if keep.sum() < 20:
        return [], s
    th = float(np.median(hs[keep]))
    # Join the characters of a line (Chinese text has no spaces; a gap of a character or so).
    kx = max(3, int(round(1.6 * th)))
    ky = max(1, int(round(0.15 * th)))
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 1)))
    joined = cv2.morphologyEx(joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, ky)))
    n, lab, st, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    lines: list[TextLine] = []
    step = max(2, int(round(th)))
    for i in range(1, n):
        x0, y0, cw, ch = st[i, :4]
        # A curved or tilted line has a tall box but stays one line thick in every column.
        if cw < 8 * th or ch < 0.5 * th or ch > 2.6 * th + 0.3 * cw:
            continue
        mine = lab[y0:y0 + ch, x0:x0 + cw] == i
        thick = mine.sum(axis=0)
        if np.median(thick[thick > 0]) > 1.8 * th:
            continue
        sub = mine & (ink[y0:y0 + ch, x0:x0 + cw] > 0)
        cols = sub.sum(axis=0)
        rows = np.arange(ch, dtype=np.float64)[:, None]
        xs, ys = [], []
        for c in range(0, cw - step + 1, step):
            m = cols[c:c + step].sum()
            if m < 3:
                continue
            blk = sub[:, c:c + step]
            ys.append(y0 + float((blk * rows).sum() / m))
            xs.append(x0 + c + step / 2)
        if len(xs) >= 6:
            lines.append(TextLine(np.array(xs), np.array(ys), th))
    return lines, s


def _bow(ln: TextLine) -> float:
    """Largest distance between the line's cubic fit and its straight fit (working px)."""
    x = (ln.xs - ln.xs.mean()) / max(np.ptp(ln.xs), 1.0)
    lin = np.polyval(np.polyfit(x, ln.ys, 1), x)
    cub = np.polyval(np.polyfit(x, ln.ys, 3 if len(x) >= 8 else 2), x)
    return float(np.abs(cub - lin).max())


def _wmedian(values: np.ndarray, weights: np.ndarray) -> float:
    """Median of ``values`` weighted by ``weights`` (a long line counts more than a short one)."""
    o = np.argsort(values)
    c = np.cumsum(weights[o])
    return float(values[o][int(np.searchsorted(c, 0.5 * c[-1]))])


def line_straightness(image: np.ndarray) -> tuple[float, int]:
    """Median bow of the page's long text lines in pixels of ``image`` (0: straight), and how many lines.

    Lines are taken along rows or, for a page on its side, along columns.

    >>> line_straightness(np.full((200, 150, 3), 255, np.uint8))
    (0.0, 0)
    """
    lines, s = text_lines(image)
    side, _ = text_lines(np.ascontiguousarray(image.swapaxes(0, 1)))
    if sum(len(ln.xs) for ln in side) > 1.5 * sum(len(ln.xs) for ln in lines):
        lines = side  # a page on its side: its lines run down the photo
    if not lines:
        return 0.0, 0
    bows = np.array([_bow(ln) for ln in lines])
    return round(_wmedian(bows, np.array([len(ln.xs) for ln in lines], float)) / s, 2), len(lines)


def _basis(x: np.ndarray, y: np.ndarray, ky: int = 2) -> np.ndarray:
    # P_j(x) = x^j, j = 1..4; Q_k(y) = y^k, k = 0..ky; x, y already normalised to [-1, 1].
    return np.stack([x ** j * y ** k for j in (1, 2, 3, 4) for k in range(ky + 1)], axis=-1)


def dewarp(image: np.ndarray) -> Dewarped:
    """Straighten curved text lines; return ``image`` itself when they are straight.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        An upright page, after the perspective step. Not modified.

    Returns
    -------
    Dewarped

    Examples
    --------
    >>> page = np.full((300, 200, 3), 255, np.uint8)
    >>> dewarp(page).image is page
    True

    """
    lines, s = text_lines(image)
    # A page still on its side (the 90-degree turn comes later): its lines run down the photo.
    side = np.ascontiguousarray(image.swapaxes(0, 1))
    lines_side, _ = text_lines(side)
    across, down = sum(len(ln.xs) for ln in lines), sum(len(ln.xs) for ln in lines_side)
    if len(lines) < _FEW_LINES and across < down <= 1.5 * across:
        # Two or three "lines" across (a table's rules?) and more down: which way the text runs
        # is not clear, so nothing is bent on a guess. (Chinese text set on a grid also forms
        # short columns; a page of many lines across is not ambiguous.)
        return Dewarped(image, False, len(lines), 0.0, 0.0, 0.0)
    if down > 1.5 * across:
        r = _dewarp_rows(side, lines_side, s)
        if not r.applied:
            return Dewarped(image, False, r.lines, r.bow_before, r.bow_after, 0.0)
        return Dewarped(np.ascontiguousarray(r.image.swapaxes(0, 1)), True, r.lines, r.bow_before, r.bow_after,
                        r.max_shift)
    return _dewarp_rows(image, lines, s)


def _dewarp_rows(image: np.ndarray, lines: list[TextLine], s: float) -> Dewarped:
    """:func:`dewarp` for a page whose lines run across (``lines`` found on it at scale ``s``)."""
    import cv2

    none = Dewarped(image, False, len(lines), 0.0, 0.0, 0.0)
    if len(lines) < _MIN_LINES:
        return none
    th = float(np.median([ln.height for ln in lines]))
    bows = np.array([_bow(ln) for ln in lines])
    length = np.array([len(ln.xs) for ln in lines], float)
    bow = _wmedian(bows, length)
    need = _BOW_MIN_TEXT * (1.0 if len(lines) >= _FEW_LINES else 1.6)
    if bow < max(_BOW_MIN_PX, need * th):
        return Dewarped(image, False, len(lines), round(bow / s, 2), round(bow / s, 2), 0.0)
    # The text area, where the field is fitted; outside it the field is held constant.
    allx = np.concatenate([ln.xs for ln in lines])
    ally = np.concatenate([ln.ys for ln in lines])
    x0, x1 = float(allx.min()), float(allx.max())
    y0, y1 = float(ally.min()), float(ally.max())
    cx, rx = (x0 + x1) / 2, max((x1 - x0) / 2, 1.0)
    cy, ry = (y0 + y1) / 2, max((y1 - y0) / 2, 1.0)
    use = np.ones(len(lines), bool)
    # Few lines cannot tell a bend that changes down the page: then the same bend everywhere.
    ky = 2 if len(lines) >= 10 else 1 if len(lines) >= 6 else 0
    for _ in range(2):
        idx = np.flatnonzero(use)
        rows, rhs = [], []
        for k, i in enumerate(idx):
            ln = lines[i]
            b = _basis((ln.xs - cx) / rx, (ln.ys - cy) / ry, ky)
            onehot = np.zeros((len(ln.xs), len(idx)))
            onehot[:, k] = 1.0
            rows.append(np.hstack([onehot, b]))
            rhs.append(ln.ys)
        a_mat, y_vec = np.vstack(rows), np.concatenate(rhs)
        sol, *_ = np.linalg.lstsq(a_mat, y_vec, rcond=None)
        coef = sol[len(idx):]
        res = np.abs(a_mat @ sol - y_vec)
        # Per line: the mean residual; drop lines that do not follow the page's curl.
        per, o = [], 0
        for i in idx:
            m = len(lines[i].xs)
            per.append(float(res[o:o + m].mean()))
            o += m
        per_a = np.array(per)
        bad = per_a > max(3 * np.median(per_a), 0.25 * th)
        if not bad.any() or (~bad).sum() < _MIN_LINES:
            break
        use[idx[bad]] = False
    # The bow left after the field is removed, on the lines that were fitted.
    after = []
    for i in np.flatnonzero(use):
        ln = lines[i]
        dy = _basis((ln.xs - cx) / rx, (ln.ys - cy) / ry, ky) @ coef
        after.append(_bow(TextLine(ln.xs, ln.ys - dy, ln.height)))
    bow_after = _wmedian(np.array(after), length[use])
    if bow_after > 0.5 * bow:
        return Dewarped(image, False, len(lines), round(bow / s, 2), round(bow_after / s, 2), 0.0)
    # The field, exactly, as a separable product: d(x, y) = P(x) . C . Q(y), in input pixels.
    h, w = image.shape[:2]
    cmat = coef.reshape(4, ky + 1) / s
    px = np.stack([np.clip((np.arange(w) * s - cx) / rx, -1, 1) ** j for j in (1, 2, 3, 4)], axis=1)

    def field(rows: np.ndarray) -> np.ndarray:  # rows in input pixels -> (len(rows), w)
        qy = np.stack([np.clip((rows * s - cy) / ry, -1, 1) ** k for k in range(ky + 1)], axis=1)
        return np.asarray(qy @ cmat.T @ px.T, np.float32)

    # The field must not move the page more than its lines were seen to move (no wild extrapolation).
    seen = max(float(np.ptp(_basis((ln.xs - cx) / rx, (ln.ys - cy) / ry, ky) @ coef))
               for ln in (lines[i] for i in np.flatnonzero(use)))
    top, bottom = max(0.0, (y0 - th) / s), min(h - 1.0, (y1 + th) / s)
    d_top, d_bot = np.abs(field(np.array([top]))).max(), np.abs(field(np.array([bottom]))).max()
    shift = float(max(d_top, d_bot, np.abs(field(np.linspace(top, bottom, 9))).max()))
    if shift * s > 1.25 * seen + 2 * th:
        return Dewarped(image, False, len(lines), round(bow / s, 2), round(bow_after / s, 2), round(shift, 1))
    # Above and below the text the field fades to nothing at the page's edges, so the edges stay
    # where they were and no row is lost. The fade is at most half as steep as the rows: the map
    # stays monotonic. Where the margin is too narrow for that, paper is added.
    pad_t = int(max(0, np.ceil(2 * d_top - top)))
    pad_b = int(max(0, np.ceil(2 * d_bot - (h - 1 - bottom))))
    hout = h + pad_t + pad_b
    yi = np.arange(hout, dtype=np.float64) - pad_t  # the output row's nominal input row
    wgt = np.ones(hout)
    above, below = yi < top, yi > bottom
    wgt[above] = (yi[above] + pad_t) / max(top + pad_t, 1.0)
    wgt[below] = (h - 1 + pad_b - yi[below]) / max(h - 1 + pad_b - bottom, 1.0)
    d = field(np.clip(yi, top, bottom)) * wgt[:, None].astype(np.float32)
    map_y = (yi[:, None].astype(np.float32) + d).astype(np.float32)
    map_x = np.broadcast_to(np.arange(w, dtype=np.float32)[None, :], (hout, w)).copy()
    fill: tuple[int, ...] | int = 255
    if image.ndim == 3:
        fill = tuple(int(v) for v in np.percentile(image[:: max(1, h // 200), :: max(1, w // 200)].reshape(-1, 3),
                                                   90, axis=0))
    out = cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return Dewarped(out, True, int(use.sum()), round(bow / s, 2), round(bow_after / s, 2), round(shift, 1))
