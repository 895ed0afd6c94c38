"""Find the lines of text on a page from its ink alone, and how much of the body text OCR read.

Legibility must judge the body text, not the easiest line: a large title can be
read on a page whose body is a grey smear. OCR only reports what it could read,
so the lines that should have been read come from the ink: strokes darker than
the local paper (above the page's own noise) joined along the line. Lines are
grouped by height into size classes; the class with the most line length is the
body text. Its stroke contrast (paper minus stroke grey, measured on the strokes
only, not the page's darkest pixel) and the share of it read with confidence are
what :func:`zcmask.quality.legibility.assess_legibility` uses.

This module does not OCR and does not decide anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zcmask.results import TextLine

__all__ = ["BodyText", "InkLine", "body_text", "ink_lines"]

_WORK = 1100          # long side of the working copy (A4 at about 95 dpi)
_CONFIDENT = 0.6      # mean character score of a line read with confidence
_SMALL_PX = 12.0      # ink lines thinner than this (page px) may be borders and underlines, not text
_MARGIN = 0.08        # outer share of the page where thin lines are borders and sheet edges
_PALE_SHARE = 0.3     # a thin line's stroke under this share of the read text's contrast is a pale graphic


@dataclass(frozen=True)
class InkLine:
    """A line of ink: box in page pixels, height in pixels, and its stroke contrast in grey levels."""

    bbox: tuple[int, int, int, int]
    height: float
    stroke: float


@dataclass(frozen=True)
class BodyText:
    """The body text of a page: its lines, their height, stroke contrast and the share read."""

    lines: int
    height: float        # median line height of the body class, page pixels
    stroke: float        # median stroke contrast of the body class, grey levels
    read: float          # share of the body lines' length covered by confident OCR lines
    all_lines: int       # ink lines of every size
    rules: int           # ruled lines and table borders (ink, but not text)
    classes: tuple[tuple[float, int, float, int], ...]  # (height, lines, read share, length) per size class


def ink_lines(gray: np.ndarray) -> tuple[list[InkLine], float, int]:
    """Lines of text found from the ink of a page, the page's noise level, and its ruled lines.

    Parameters
    ----------
    gray : ndarray, shape (H, W), float32 or uint8
        The page in grey levels. Not modified.

    Returns
    -------
    (list of InkLine, float, int)
        The lines, the noise (grey levels, one standard deviation after a light blur),
        and how many ruled lines (long, thin, solid) were seen.

    Examples
    --------
    >>> ink_lines(np.full((200, 150), 230, np.uint8))[0]
    []

    """
    import cv2

    h, w = gray.shape
    s = min(1.0, _WORK / max(h, w))
    g = np.clip(gray, 0, 255).astype(np.uint8)
    if s < 1:
        g = cv2.resize(g, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    gf = cv2.GaussianBlur(g.astype(np.float32), (0, 0), 0.7)
    k = min(31, (min(g.shape) // 2) * 2 - 1)
    if k < 5:
        return [], 0.0, 0
    paper = cv2.medianBlur(np.clip(gf, 0, 255).astype(np.uint8), k).astype(np.float32)
    d = paper - gf
    noise = max(0.3, -float(np.percentile(d, 1.0)) / 2.33)
    ink = (d > max(1.5, 3.0 * noise)).astype(np.uint8)
    kw = max(5, round(max(g.shape) / 110))
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, kw), np.uint8))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(joined)
    out: list[InkLine] = []
    rules = 0
    big = max(g.shape) / 15
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        fill = area / max(1, bw * bh)
        if max(bw, bh) >= 60 and min(bw, bh) <= 4 and fill > 0.6:
            rules += 1
        if bh < 4 or bh > big or bw < 3 * bh or fill < 0.3:
            continue
        if fill > 0.85 and bh < 8:  # a ruled line or a table border, not text
            continue
        crop_ink = ink[y:y + bh, x:x + bw].astype(bool) & (lab[y:y + bh, x:x + bw] == i)
        if crop_ink.sum() < 10:
            continue
        stroke = float(np.percentile(d[y:y + bh, x:x + bw][crop_ink], 75))
        box = (int(x / s), int(y / s), int(np.ceil((x + bw) / s)), int(np.ceil((y + bh) / s)))
        out.append(InkLine(box, bh / s, stroke))
    return out, noise, rules


def _not_text(line: InkLine, read: Sequence[tuple[float, float, float, float]], w: int, h: int,
              text_contrast: float = 0.0) -> bool:
    """Whether a thin ink line is no line of text: a border or edge at the page's margin, an underline, a pale graphic.

    Only lines thinner than :data:`_SMALL_PX` are judged: they are what would make a page
    look printed too small. On real photos and scans such lines are a certificate's patterned
    border, the edge of the sheet or of a stack of sheets (in the outer :data:`_MARGIN` of the
    page, above, below or to a side), and the rule under a form's filled-in field (just under a line read with
    confidence, along most of the shorter of the two). Small print inside the page is still text.
    So is small print fainter than the text read, but not a tenth as dark: the strokes of a pale
    red emblem or watermark behind a certificate's text, a pale guilloche frame, whose stroke is
    under :data:`_PALE_SHARE` of ``text_contrast`` (the read lines' paper minus ink; 0: not known).
    """
    x0, y0, x1, y1 = line.bbox
    if line.height >= _SMALL_PX:
        return False
    if line.stroke < _PALE_SHARE * text_contrast:
        return True
    cy = (y0 + y1) / 2
    if cy < _MARGIN * h or cy > (1 - _MARGIN) * h or x1 < _MARGIN * w or x0 > (1 - _MARGIN) * w:
        return True
    for bx0, by0, bx1, by1 in read:
        rh = by1 - by0
        if by1 - 0.35 * rh <= y0 <= by1 + 0.5 * rh and min(x1, bx1) - max(x0, bx0) >= 0.5 * min(x1 - x0, bx1 - bx0):
            return True
    return False


def _covered(line: InkLine, read: Sequence[tuple[float, float, float, float]]) -> float:
    """Share of an ink line's length that confident OCR lines overlap."""
    x0, y0, x1, y1 = line.bbox
    spans = []
    for bx0, by0, bx1, by1 in read:
        if min(y1, by1) - max(y0, by0) >= 0.4 * min(y1 - y0, by1 - by0):
            a, b = max(x0, bx0), min(x1, bx1)
            if b > a:
                spans.append((a, b))
    if not spans:
        return 0.0
    spans.sort()
    total, cur0, cur1 = 0.0, spans[0][0], spans[0][1]
    for a, b in spans[1:]:
        if a > cur1:
            total += cur1 - cur0
            cur0, cur1 = a, b
        else:
            cur1 = max(cur1, b)
    total += cur1 - cur0
    return total / max(1, x1 - x0)


def body_text(gray: np.ndarray, lines: Sequence[TextLine], text_contrast: float = 0.0) -> BodyText:
    """Describe the page's body text and how much of it the OCR ``lines`` read with confidence.

    ``text_contrast`` is the lines' own paper minus ink (grey levels; 0 when not known): thin
    ink lines far paler than that are graphics, not small print (:func:`_not_text`).

    Examples
    --------
    >>> body_text(np.full((200, 150), 255, np.uint8), []).lines
    0

    """
    found, _, rules = ink_lines(gray)
    read = [ln.bbox for ln in lines if len(ln.chars) >= 2
            and float(np.mean([c.score for c in ln.chars])) >= _CONFIDENT]
    h, w = gray.shape[:2]
    found = [il for il in found if not _not_text(il, read, w, h, text_contrast)]
    if not found:
        return BodyText(0, 0.0, 0.0, 1.0, 0, rules, ())
    cover = [_covered(il, read) for il in found]
    # Size classes: heights within a factor of about 1.4 share a class.
    cls = np.round(np.log(np.array([il.height for il in found])) / np.log(1.4)).astype(int)
    classes = []
    best, best_len = -1, -1.0
    for c in sorted(set(cls.tolist())):
        idx = [i for i in range(len(found)) if cls[i] == c]
        length = sum(found[i].bbox[2] - found[i].bbox[0] for i in idx)
        share = sum(cover[i] * (found[i].bbox[2] - found[i].bbox[0]) for i in idx) / max(length, 1)
        classes.append((float(np.median([found[i].height for i in idx])), len(idx), round(float(share), 3),
                        int(length)))
        if length > best_len:
            best, best_len = c, length
    idx = [i for i in range(len(found)) if cls[i] == best]
    length = sum(found[i].bbox[2] - found[i].bbox[0] for i in idx)
    share = sum(cover[i] * (found[i].bbox[2] - found[i].bbox[0]) for i in idx) / max(length, 1)
    return BodyText(len(idx), float(np.median([found[i].height for i in idx])),
                    float(np.median([found[i].stroke for i in idx])), float(share), len(found), rules,
                    tuple(classes))
