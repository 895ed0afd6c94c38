"""A school's or company's name set as a calligraphic wordmark above a certificate's title.

University honours, diplomas and award certificates print the unit's name at the top in its
own calligraphy (浙江大学 in brown brush strokes over 荣誉证书; 青島大學 beside the logo over
优秀硕士学位论文证书). The text detector does not see such strokes as text, so nothing reads
them, and the unit's name stays visible on a page where every printed occurrence was masked
(a real set: 3 of 38 occurrences of the unit's name). Thesis covers and task books do the same
over 本科生毕业论文（设计） or 毕业设计任务书, often with the characters far apart (浙江大学 with a
character and a half between them).

On a page that names the unit in print, the ink in a band above the certificate's title (a short
line ending in 证书, 奖状, 聘书, 论文, 设计, 任务书 … once a bracketed end is left out, centred in the
upper half of the page) is looked at: a row of
solid ink centred over the title, of a title's height or so and several times wider than high,
that no line read with confidence explains, is masked as the unit's (``source="layout"``). A
round emblem, a photo, the page's border and an empty decorative frame are not such rows, and
nor is ink running on above the band or off the image (the desk above a photographed sheet). The
issuer's wordmark on a certificate from another body is masked too: over-masking a logo costs
little, a unit's name left visible costs the application.

A school's round emblem beside the title carries its name too, arched along the ring in its
calligraphy (黑河学院 above 学士学位证书; 浙江大学 under 荣誉证书), where the text detector sees
no line (a real set: 2 of 38 occurrences of the unit's name). On a page that names the unit, a
closed round mark centred on the title, one to four and a half title heights across and at most
that far above or below it, whose ink lies on and inside its circle, is masked whole as the
unit's (:func:`unread_emblems`). A red one is left to the seal search (a seal, the national
emblem), and a photo or a square logo is not round.

A letterhead or a transcript's corner may stack the school's logo right over its name, in any
shape (武汉大学's gate with WUHAN UNIVERSITY arched over it): that mark is masked whole too
(:func:`unread_stacked_logos`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import box_within, share_inside
from zcmask.results import BBox, Region, TextLine

#: How a certificate's title ends; a thesis cover's, or a task book's (本科生毕业论文（设计）, a
#: bracketed part left out).
TITLE_ENDS = ("证书", "奖状", "聘书", "通知书", "证明书", "论文", "设计", "任务书", "开题报告")
#: A bracketed end of a title, left out before its end is looked at.
_BRACKETED = re.compile(r"[（(][^（()）]{1,6}[)）]$")
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
#: Margin round a wordmark's box, in its heights.
PAD = 0.1
#: How far apart, in title heights, the characters of one wordmark may stand: a thesis cover's
#: brush-written 浙江大学 leaves one and a half heights between them.
JOIN = 1.8
#: Least share of a wordmark's box that is ink (a brush-written name: 0.14 to 0.17; an empty frame: 0.09).
MIN_FILL = 0.12
#: Lines read at least this sure explain the ink they cover.
SURE = 0.9
#: How far above or below the title an emblem is looked for, and its size, in title heights.
EMBLEM_REACH = 4.5
EMBLEM_SIZE = (1.2, 4.5)
#: An emblem's width over its height, and how far its centre may lie from the title's, in page widths.
EMBLEM_ASPECT = (0.8, 1.25)
EMBLEM_CENTRE = 0.1
#: Most share of an emblem's ink outside its circle (a square logo or a photo fills the corners),
#: least share of the ring's directions that have ink on the rim, least share of its box that is ink.
EMBLEM_OUTSIDE = 0.1
EMBLEM_RIM = 0.75
EMBLEM_FILL = 0.1
#: A heading line an emblem is looked for beside: in this upper share of the page, at least this
#: many times as tall as the page's median line; the emblem at most :data:`ROW_REACH` of its heights
#: from the line's end, its centre within :data:`ROW_ALIGN` of them of the line's.
ROW_TOP = 0.4
ROW_LARGE = 1.3
ROW_REACH = 4.0
ROW_ALIGN = 0.75
#: A row emblem's size, in heights of its line: a letterhead's logo is about as tall as the school's
#: name beside it (a held-out photo's 电子科技大学 wordmark: 1.1).
ROW_SIZE = (0.8, 4.5)
#: How far into the line's box its row is looked at too, in its heights: the emblem can touch the
#: line's first character.
ROW_INNER = 0.3


def _median_height(lines: Sequence[TextLine]) -> float:
    """The height of the page's median line (its upper median), 0 without lines."""
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in lines)
    return heights[len(heights) // 2] if heights else 0.0


def _with_emblem(out: list[Region], box: tuple[int, int, int, int]) -> list[Region]:
    """``out`` with a ``unit`` region over an emblem at ``box``: none where a found one holds it, those it holds dropped."""
    if any(box_within(box, r.bbox) for r in out):
        return out
    return [r for r in out if not box_within(r.bbox, box)] + [Region("unit", box, "", "layout", 0.5)]


def _title(lines: Sequence[TextLine], w: int, h: int) -> TextLine | None:
    """The topmost certificate title: short, ending in :data:`TITLE_ENDS`, centred, in the upper half, not small."""
    if not lines:
        return None
    median = _median_height(lines)
    for ln in sorted(lines, key=lambda ln: ln.bbox[1]):
        text = "".join(ln.text.split())
        x0, y0, x1, y1 = ln.bbox
        if (2 <= len(text) <= TITLE_CHARS and _BRACKETED.sub("", text).endswith(TITLE_ENDS) and y1 - y0 >= median
                and y0 < 0.5 * h and abs((x0 + x1) / 2 - w / 2) < CENTRE * w):
            return ln
    return None


def _unit_page_title(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region],
                     ) -> tuple[BBox, float] | None:
    """The box and height of the certificate's title (:func:`_title`) on a page where the unit was found."""
    if not any(r.kind == "unit" for r in found):
        return None
    title = _title(lines, image.shape[1], image.shape[0])
    return None if title is None else (title.bbox, title.bbox[3] - title.bbox[1])


#: Most half-width of a wordmark's strokes, as a share of its height (the 90th percentile of the
#: ink's distance to paper): brush characters about 0.07; a template's blue polygons above an award's
#: title 0.18, taken for a wordmark and masked.
STROKE = 0.15


def _stroke(ink: np.ndarray) -> float:
    """Half-width of the broad strokes of ``ink`` (uint8 0/1), px: the 90th percentile of its distance to paper.

    >>> ink = np.zeros((40, 200), np.uint8); ink[10:30, 20:180:20] = 1  # thin strokes
    >>> round(_stroke(ink), 1)
    1.0
    >>> ink[5:35, 20:180] = 1  # a solid bar
    >>> _stroke(ink) > 10
    True
    """
    if not ink.any():
        return 0.0
    dt = cv2.distanceTransform(np.pad(ink, 1), cv2.DIST_L2, 3)
    return float(np.percentile(dt[dt > 0], 90))


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
    w = image.shape[1]
    title = _unit_page_title(lines, image, found)
    if title is None:
        return []
    (tx0, ty0, tx1, ty1), th = title
    by0, by1 = int(max(0.0, ty0 - BAND * th)), int(ty0 - 0.1 * th)
    if by1 - by0 < HEIGHT[0] * th:
        return []
    # solid ink: dark, or coloured and clearly darker than the paper (a pale emblem or a tint is neither)
    solid, _ = _band_ink(image[by0:by1], dark=80, sat=90, coloured=50)
    ink = np.asarray(cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), np.uint8)
    # characters of a row joined side to side (a wide brush hand leaves a character's width between
    # them, a thesis cover's up to one and a half), not to the border above
    kw, kh = max(3, int(JOIN * th)) | 1, max(3, int(0.12 * th)) | 1
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
        if _stroke(ink[y:y + bh, x:x + bw]) > STROKE * bh:
            continue  # solid shapes (a certificate template's blue graphic above its title), not strokes
        box = (x, y + by0, x + bw, y + bh + by0)
        if y <= 0 or box[0] <= 0 or box[2] >= w:
            continue  # runs on above the band or off the image: the desk behind a photographed sheet
        if _read_share(box, lines) >= 0.5:
            continue  # printed text read with confidence (a heading line), not a wordmark
        # the box of the opened ink leaves out a brush stroke's thin tips (a cover's 浙江大学 kept
        # specks at both ends): padded by a tenth of its height
        p = max(3, int(PAD * bh))
        out.append(Region("unit", (max(0, box[0] - p), max(0, box[1] - p), min(w, box[2] + p),
                                   min(image.shape[0], box[3] + p)), "", "layout", 0.5))
    return out


def unread_emblems(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region]) -> list[Region]:
    """``unit`` regions over round emblems just above or below a certificate's title (see the module).

    Parameters are those of :func:`unread_wordmarks`.

    Examples
    --------
    A page that names the unit but has no certificate's title is not looked at:

    >>> unread_emblems([], np.full((100, 80, 3), 255, np.uint8), [Region("unit", (0, 0, 9, 9), "X", "ocr", 1.0)])
    []

    """
    h, w = image.shape[:2]
    title = _unit_page_title(lines, image, found)
    if title is None:
        return []
    (tx0, ty0, tx1, ty1), th = title
    out: list[Region] = []
    for by0, by1 in ((int(max(0.0, ty0 - EMBLEM_REACH * th)), int(ty0 - 0.1 * th)),
                     (int(ty1 + 0.1 * th), int(min(h, ty1 + EMBLEM_REACH * th)))):
        if by1 - by0 < EMBLEM_SIZE[0] * th:
            continue
        for box in _round_marks(image, (0, by0, w, by1), th, lines):
            if abs((box[0] + box[2]) / 2 - (tx0 + tx1) / 2) <= EMBLEM_CENTRE * w:
                out = _with_emblem(out, box)
    return out


def unread_row_emblems(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region]) -> list[Region]:
    """``unit`` regions over round emblems beside a large line that names the unit, in its row.

    A transcript's or a letterhead's heading sets the school's emblem at the start or the end of
    the line that names it (东南大学学生历年成绩报告单 with the emblem to its left, SOUTHEAST
    UNIVERSITY arched round its rim): no certificate's title, and no line the detector sees in the
    emblem. Beside a line in the upper part of the page, at least :data:`ROW_LARGE` times as tall as
    the page's median line, in which the unit was found, a closed round mark that is not red,
    :data:`ROW_SIZE` line heights across, its centre within :data:`ROW_ALIGN` line heights of the
    line's and at most :data:`ROW_REACH` line heights from its end, is masked whole as the unit's.

    Parameters are those of :func:`unread_wordmarks`.

    Examples
    --------
    >>> unread_row_emblems([], np.full((100, 80, 3), 255, np.uint8), [Region("unit", (0, 0, 9, 9), "X", "ocr", 1.0)])
    []

    """
    h, w = image.shape[:2]
    units = [r for r in found if r.kind == "unit" and r.bbox[1] < ROW_TOP * h]
    if not units or not lines:
        return []
    median = _median_height(lines)
    out: list[Region] = []
    for r in units:
        cx, cy = (r.bbox[0] + r.bbox[2]) / 2, (r.bbox[1] + r.bbox[3]) / 2
        line = next((ln.bbox for ln in lines if ln.bbox[0] <= cx <= ln.bbox[2] and ln.bbox[1] <= cy <= ln.bbox[3]),
                    r.bbox)
        x0, y0, x1, y1 = line
        th = y1 - y0
        if th < ROW_LARGE * median:
            continue
        ly = (y0 + y1) / 2
        by0, by1 = int(max(0.0, ly - ROW_SIZE[1] / 2 * th)), int(min(h, ly + ROW_SIZE[1] / 2 * th))
        inner = ROW_INNER * th
        for bx0, bx1 in ((int(max(0.0, x0 - ROW_REACH * th)), int(x0 + inner)),
                         (int(x1 - inner), int(min(w, x1 + ROW_REACH * th)))):
            if bx1 - bx0 < ROW_SIZE[0] * th:
                continue
            for box in _round_marks(image, (bx0, by0, bx1, by1), th, lines, size=ROW_SIZE):
                if abs((box[1] + box[3]) / 2 - ly) <= ROW_ALIGN * th:
                    out = _with_emblem(out, box)
    return out


#: A logo stacked over (or under) the unit's name: looked for this many of the name's heights above
#: and below it, its size in those heights and in the name's widths, its centre within
#: :data:`STACK_ALIGN` of the name's widths of the name's, and at most :data:`STACK_GAP` of its
#: heights from it.
STACK_REACH = 5.0
STACK_HEIGHT = (1.0, 5.0)
STACK_WIDTH = (0.6, 3.0)
STACK_ALIGN = 0.35
STACK_GAP = 0.8
#: How far apart, in the name's heights, the pieces of one logo may stand (an arched name's letters, its drawing).
STACK_JOIN = 0.35
#: The band is joined into marks on a copy where the name is about this many pixels high.
STACK_SIDE = 16.0
#: Margin round a stacked logo's ink, in the name's heights.
STACK_PAD = 0.2
#: Share of a stacked logo's box that is ink: a drawing and its lettering (武汉大学's gate: 0.29),
#: not a lone rule, nor a solid banner with the name printed white on it (0.9 and more).
STACK_FILL = (0.1, 0.6)


def unread_stacked_logos(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region]) -> list[Region]:
    """``unit`` regions over a logo set right above or under the unit's name, at the top of the page.

    A school's letterhead or a transcript's corner stacks its logo over its name (武汉大学's gate
    with WUHAN UNIVERSITY arched over it, the brush-written 武汉大学 under it: two held-out
    transcripts, the arched name read by nothing). Over or under a unit found in the upper part
    of the page (:data:`ROW_TOP`), a mark of any shape that is not red (a seal is the seal
    search's), bounded on all sides (a table's rules run on beyond the band), centred on the
    name and of its width or so (:data:`STACK_WIDTH`), at most :data:`STACK_GAP` of the name's
    heights from it, mostly not under lines read with confidence, and holding no match of the
    name or unit (a banner with the unit's name printed white on it was read), is masked whole
    as the unit's.

    Parameters are those of :func:`unread_wordmarks`.

    Examples
    --------
    >>> unread_stacked_logos([], np.full((100, 80, 3), 255, np.uint8), [Region("unit", (0, 0, 9, 9), "X", "ocr", 1.0)])
    []

    """
    h, w = image.shape[:2]
    out: list[Region] = []
    # each place once (a unit matched twice, by its name and by an alias)
    for x0, y0, x1, y1 in dict.fromkeys(r.bbox for r in found if r.kind == "unit" and r.bbox[1] < ROW_TOP * h):
        uh, uw = y1 - y0, x1 - x0
        if uh < 4 or uw < uh:
            continue
        cx = (x0 + x1) / 2
        bx0, bx1 = int(max(0.0, cx - STACK_WIDTH[1] * uw / 2 - uh)), int(min(w, cx + STACK_WIDTH[1] * uw / 2 + uh))
        for by0, by1, above in ((int(max(0.0, y0 - STACK_REACH * uh)), int(y0), True),
                                (int(y1), int(min(h, y1 + STACK_REACH * uh)), False)):
            if by1 - by0 < STACK_HEIGHT[0] * uh or bx1 - bx0 < uw:
                continue
            for box in _stacked_marks(image, (bx0, by0, bx1, by1), uh, lines, above=above):
                gap = by1 - box[3] if above else box[1] - by0
                if (gap <= STACK_GAP * uh and abs((box[0] + box[2]) / 2 - cx) <= STACK_ALIGN * uw
                        and STACK_WIDTH[0] * uw <= box[2] - box[0] <= STACK_WIDTH[1] * uw
                        and not any(share_inside(f.bbox, box) >= 0.5 for f in found)):
                    out = _with_emblem(out, box)
    return out


def _holds_a_line(box: tuple[int, int, int, int], lines: Sequence[TextLine]) -> bool:
    """Whether a quarter or more of a line read (two characters or more, however sure) lies in ``box``.

    A logo holds no line of print; the line of body text under a unit's name (an offer letter's
    出此录用意向书…, joined to the 下： under it) does, however much of the box it fills.
    """
    return any(len(ln.text.strip()) >= 2 and share_inside(ln.bbox, box) >= 0.25 for ln in lines)


def _stacked_marks(image: np.ndarray, band: tuple[int, int, int, int], uh: float,
                   lines: Sequence[TextLine], *, above: bool) -> list[tuple[int, int, int, int]]:
    """Boxes (page pixels) of the bounded marks inside ``band`` that may be a logo over a name ``uh`` high.

    The band's ink (as an emblem's, :func:`_band_ink`) is joined :data:`STACK_JOIN` of ``uh``
    apart (the letters of an arched name, the drawing under them); a mark touching the band's
    edges (but the one along the name, which a logo may touch: the band is ``above`` the name or
    under it), not :data:`STACK_HEIGHT` high, too sparse or too solid (:data:`STACK_FILL`), red,
    or mostly under lines read with confidence (or holding a quarter of any line read) is none.
    """
    bx0, by0, bx1, by1 = band
    ink, hsv = _band_ink(image[by0:by1, bx0:bx1], dark=60, sat=60, coloured=30, step=3)
    # joined on a copy about STACK_SIDE px a name's height (a cell of it inked where any pixel is)
    q = min(1.0, STACK_SIDE / uh)
    small = ink if q >= 1.0 else (cv2.resize(ink, (max(1, round(ink.shape[1] * q)), max(1, round(ink.shape[0] * q))),
                                             interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    k = max(3, int(np.ceil(STACK_JOIN * uh * q))) | 1
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(small, np.ones((k, k), np.uint8)), connectivity=8)
    sh, sw = small.shape[:2]
    out = []
    for i in range(1, n):
        sx, sy, sbw, sbh = (int(v) for v in stats[i][:4])
        if (sy <= 0 and above) or (sy + sbh >= sh and not above) or sx <= 0 or sx + sbw >= sw:
            continue  # runs on beyond the band: a table's rules, a border, the desk
        # its box at full size, fitted to its ink
        x0, y0 = int(sx / q), int(sy / q)
        part = ink[y0:int(np.ceil((sy + sbh) / q)), x0:int(np.ceil((sx + sbw) / q))]
        if not part.any():
            continue
        ys, xs = np.nonzero(part)
        x, y, bw, bh = x0 + int(xs.min()), y0 + int(ys.min()), int(xs.max() - xs.min()) + 1, int(ys.max() - ys.min()) + 1
        if not STACK_HEIGHT[0] * uh <= bh <= STACK_HEIGHT[1] * uh:
            continue
        own = ink[y:y + bh, x:x + bw] > 0
        if not STACK_FILL[0] <= float(own.mean()) <= STACK_FILL[1]:
            continue
        if _red(own, hsv[y:y + bh, x:x + bw]):
            continue  # a seal, left to the seal search
        box = (x + bx0, y + by0, x + bw + bx0, y + bh + by0)
        if _read_share(box, lines) < 0.5 and not _holds_a_line(box, lines):
            p = max(2, int(STACK_PAD * uh))  # its strokes' soft edges
            out.append((max(0, box[0] - p), max(0, box[1] - p), min(image.shape[1], box[2] + p),
                        min(image.shape[0], box[3] + p)))
    return out


def _round_marks(image: np.ndarray, band: tuple[int, int, int, int], th: float, lines: Sequence[TextLine], *,
                 size: tuple[float, float] = EMBLEM_SIZE) -> list[tuple[int, int, int, int]]:
    """Boxes (page pixels) of the closed round marks inside ``band``, ``size`` of ``th`` across.

    A mark that runs on beyond the band (a border, a frame, the desk) is none; nor is one that is
    not round, a red one (:func:`_round_mark`), or one mostly under lines read with confidence.
    """
    bx0, by0, bx1, by1 = band
    ink, hsv = _band_ink(image[by0:by1, bx0:bx1], dark=60, sat=60, coloured=30)  # an emblem's print may be lighter
    k = max(3, int(0.06 * th)) | 1  # a rim broken by print or scan noise closed
    n, _, stats, _ = cv2.connectedComponentsWithStats(
        cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)), connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i][:4])
        if not size[0] * th <= bh <= size[1] * th or not EMBLEM_ASPECT[0] <= bw / bh <= EMBLEM_ASPECT[1]:
            continue
        if y <= 0 or y + bh >= by1 - by0 or x <= 0 or x + bw >= bx1 - bx0:
            continue  # runs on beyond the band: a border, a frame, the desk
        box = (x + bx0, y + by0, x + bw + bx0, y + bh + by0)
        if _round_mark(ink[y:y + bh, x:x + bw] > 0, hsv[y:y + bh, x:x + bw]) and _read_share(box, lines) < 0.5:
            out.append(box)
    return out


def _band_ink(band: np.ndarray, *, dark: int, sat: int, coloured: int, step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Ink of an RGB band (uint8 0/1) and the band in HSV.

    Ink is ``dark`` grey levels under the paper (the band's 90th percentile, told from every
    ``step``-th pixel each way), or saturated to ``sat`` and ``coloured`` levels under it.
    """
    gray = cv2.cvtColor(band, cv2.COLOR_RGB2GRAY).astype(np.int16)
    hsv = cv2.cvtColor(band, cv2.COLOR_RGB2HSV)
    paper = float(np.percentile(gray[::step, ::step], 90))
    ink = (gray < paper - dark) | ((hsv[..., 1] >= sat) & (gray < paper - coloured))
    return ink.astype(np.uint8), hsv


def _round_mark(ink: np.ndarray, hsv: np.ndarray) -> bool:
    """Whether the ink of a box is a round mark that is not red: on and inside the box's ellipse."""
    bh, bw = ink.shape
    total = int(ink.sum())
    if total < EMBLEM_FILL * ink.size:
        return False
    yy, xx = np.mgrid[0:bh, 0:bw]
    ny, nx = (yy + 0.5 - bh / 2) / (bh / 2), (xx + 0.5 - bw / 2) / (bw / 2)
    r = np.hypot(nx, ny)
    if float(ink[r > 1.08].sum()) > EMBLEM_OUTSIDE * total:
        return False
    rim = ink & (r > 0.85) & (r < 1.05)
    directions = (((np.arctan2(ny[rim], nx[rim]) + np.pi) / (2 * np.pi) * 64).astype(int) % 64)
    if np.unique(directions).size < EMBLEM_RIM * 64:
        return False
    return not _red(ink, hsv)


def _red(ink: np.ndarray, hsv: np.ndarray) -> bool:
    """Whether the ink (bool mask) of an HSV box is mostly red: over 0.3 of it coloured, most of that red."""
    hue, sat = hsv[..., 0][ink], hsv[..., 1][ink]
    coloured = sat >= 60
    return bool(coloured.sum() > 0.3 * ink.sum() and float(((hue[coloured] < 10) | (hue[coloured] > 160)).mean()) > 0.5)


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
