"""A school's or company's name set as a calligraphic wordmark above a certificate's title.

University honours, diplomas and award certificates print the unit's name at the top in its
own calligraphy (浙江大学 in brown brush strokes over 荣誉证书; 青島大學 beside the logo over
优秀硕士学位论文证书). The text detector does not see such strokes as text, so nothing reads
them, and the unit's name stays visible on a page where every printed occurrence was masked
(a real set: 3 of 38 occurrences of the unit's name).

On a page that names the unit in print, the ink in a band above the certificate's title (a short
line ending in 证书, 奖状, 聘书 … centred in the upper half of the page) is looked at: a row of
solid ink centred over the title, of a title's height or so and several times wider than high,
that no line read with confidence explains, is masked as the unit's (``source="layout"``). A
round emblem, a photo, the page's border and an empty decorative frame are not such rows, and
nor is ink running on above the band or off the image (the desk above a photographed sheet). The
issuer's wordmark on a certificate from another body is masked too: over-masking a logo costs
little, a unit's name left visible costs the application.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from zcmask.results import Region, TextLine

#: How a certificate's title ends.
TITLE_ENDS = ("证书", "奖状", "聘书", "通知书", "证明书")
#: Most characters of a title line.
TITLE_CHARS = 12
#: How far above the title the wordmark is looked for, in title heights.
BAND = 4.0
#: A wordmark's height, in title heights.
HEIGHT = (0.5, 2.5)
#: A wordmark is at least this many times as wide as high, and at most this share of the page wide.
MIN_ASPECT = 2.5
MAX_WIDTH = 0.6
#: How far a wordmark's centre may lie from the title's, in page widths.
CENTRE = 0.15
#: Least share of a wordmark's box that is ink (a brush-written name: 0.14 to 0.17; an empty frame: 0.09).
MIN_FILL = 0.12
#: Lines read at least this sure explain the ink they cover.
SURE = 0.9


def _title(lines: Sequence[TextLine], w: int, h: int) -> TextLine | None:
    """The topmost certificate title: short, ending in :data:`TITLE_ENDS`, centred, in the upper half, not small."""
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in lines)
    if not heights:
        return None
    median = heights[len(heights) // 2]
    for ln in sorted(lines, key=lambda ln: ln.bbox[1]):
        text = "".join(ln.text.split())
        x0, y0, x1, y1 = ln.bbox
        if (2 <= len(text) <= TITLE_CHARS and text.endswith(TITLE_ENDS) and y1 - y0 >= median
                and y0 < 0.5 * h and abs((x0 + x1) / 2 - w / 2) < CENTRE * w):
            return ln
    return None


def unread_wordmarks(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region]) -> list[Region]:
    """``unit`` regions over calligraphic wordmarks above a certificate's title (see the module).

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines.
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    found : sequence of Region
        What was found of the applicant; nothing is looked for unless the unit is among it.

    Examples
    --------
    >>> unread_wordmarks([], np.full((100, 80, 3), 255, np.uint8), [])
    []

    """
    if not any(r.kind == "unit" for r in found):
        return []
    h, w = image.shape[:2]
    title = _title(lines, w, h)
    if title is None:
        return []
    tx0, ty0, tx1, ty1 = title.bbox
    th = ty1 - ty0
    by0, by1 = int(max(0.0, ty0 - BAND * th)), int(ty0 - 0.1 * th)
    if by1 - by0 < HEIGHT[0] * th:
        return []
    band = image[by0:by1]
    gray = cv2.cvtColor(band, cv2.COLOR_RGB2GRAY).astype(np.int16)
    sat = cv2.cvtColor(band, cv2.COLOR_RGB2HSV)[..., 1]
    paper = float(np.percentile(gray, 90))
    # solid ink: dark, or coloured and clearly darker than the paper (a pale emblem or a tint is neither)
    solid = ((gray < paper - 80) | ((sat >= 90) & (gray < paper - 50))).astype(np.uint8)
    ink = np.asarray(cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), np.uint8)
    # characters of a row joined side to side (a wide brush hand leaves a character's width between
    # them), not to the border above
    kw, kh = max(3, int(0.9 * th)) | 1, max(3, int(0.12 * th)) | 1
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(ink, np.ones((kh, kw), np.uint8)),
                                                           connectivity=8)
    out: list[Region] = []
    for i in range(1, n):
        gx, gy, gw, gh = (int(v) for v in stats[i][:4])
        if gw < MIN_ASPECT * HEIGHT[0] * th:
            continue
        # the row's own ink, without the joining margins
        x, y, bw, bh = cv2.boundingRect(((labels[gy:gy + gh, gx:gx + gw] == i) & (ink[gy:gy + gh, gx:gx + gw] > 0))
                                        .astype(np.uint8))
        x, y = x + gx, y + gy
        if (abs(x + bw / 2 - (tx0 + tx1) / 2) > CENTRE * w or bw < MIN_ASPECT * bh or bw > MAX_WIDTH * w
                or not HEIGHT[0] * th <= bh <= HEIGHT[1] * th):
            continue
        if float(ink[y:y + bh, x:x + bw].mean()) < MIN_FILL:
            continue
        box = (x, y + by0, x + bw, y + bh + by0)
        if y <= 0 or box[0] <= 0 or box[2] >= w:
            continue  # runs on above the band or off the image: the desk behind a photographed sheet
        if _read_share(box, lines) >= 0.5:
            continue  # printed text read with confidence (a heading line), not a wordmark
        out.append(Region("unit", box, "", "layout", 0.5))
    return out


def _read_share(box: tuple[int, int, int, int], lines: Sequence[TextLine]) -> float:
    """Share of ``box`` under lines read with :data:`SURE` confidence (overlaps summed, at most 1)."""
    x0, y0, x1, y1 = box
    area = max(1, (x1 - x0) * (y1 - y0))
    covered = 0.0
    for ln in lines:
        if ln.score < SURE or len(ln.text.strip()) < 2:
            continue
        a0, b0, a1, b1 = ln.bbox
        covered += max(0.0, min(a1, x1) - max(a0, x0)) * max(0.0, min(b1, y1) - max(b0, y0))
    return min(1.0, covered / area)
