"""Characters standing alone that the text detector did not see.

A name written down a page's margin with its characters far apart (丁 | 丁, 卜 | 凡) is a
column of lone characters, and the detector, which looks for lines, may see none of them: a
simple glyph by itself (丁, 卜, 人) scores too low to be a line. Nothing is read there, and the
name stays visible (locating benchmark, layout pages in the system fonts).

:func:`lone_glyph_lines` finds ink the page's lines do not cover, in pieces about one
character of the page's body text in size (from half to :data:`MAX_SIZE` of it, and not a thin
stroke alone: a dash or a rule's end), and reads each piece on its own. A piece read as one
Chinese character at least :data:`SURE` is a line of one character, which the page's matching
then sees with the lines read (a column of them chains as a name written downwards, a lone
character after a read start ends it). A page with more than :data:`MAX_PIECES` such pieces
(a photo's texture, a chart) is left alone: reading each would cost more than the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap
from zcmask.locate._variants import is_han, norm_char
from zcmask.ocr import OcrEngine
from zcmask.results import Char, TextLine

#: Largest piece, in character sizes (the page's median line height).
MAX_SIZE = 1.6
#: A piece's shorter side is at least this share of a character size (not a dash alone).
MIN_THICK = 0.3
#: Grey levels under the paper round it from which a pixel is ink.
INK = 60
#: Least score for a piece read as a character.
SURE = 0.8
#: Most pieces read on one page.
MAX_PIECES = 12


def lone_glyph_lines(lines: Sequence[TextLine], image: np.ndarray, engine: OcrEngine,
                     skip: Sequence[tuple[int, int, int, int]] = ()) -> list[TextLine]:
    """Lines of one character each, read from lone pieces of ink no line covers (see the module).

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines as read.
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page. Not modified.
    engine : OcrEngine
        Reads the pieces (``recognize_lines``).
    skip : sequence of (x0, y0, x1, y1)
        Areas whose ink is not looked at (seals, photos).

    Returns
    -------
    list of TextLine
        Source ``ocr``, one character each; empty on most pages.

    """
    pieces = lone_pieces(lines, image, skip)
    if not pieces or len(pieces) > MAX_PIECES:
        return []
    size = _char_size(lines)
    m = int(0.35 * size)
    h, w = image.shape[:2]
    crops = [_clean(image[max(0, b[1] - m):min(h, b[3] + m), max(0, b[0] - m):min(w, b[2] + m)]) for b in pieces]
    out: list[TextLine] = []
    for b, (text, score) in zip(pieces, engine.recognize_lines(crops), strict=True):
        text = text.strip()
        # a katakana drawn like a Chinese character is that character (卜 read ト at 0.83)
        if len(text) == 1 and is_han(norm_char(text)) and score >= SURE:
            out.append(TextLine(text, b, score, (Char(text, b, score),), "ocr"))
    return out


def lone_pieces(lines: Sequence[TextLine], image: np.ndarray,
                skip: Sequence[tuple[int, int, int, int]] = ()) -> list[tuple[int, int, int, int]]:
    """Boxes of the pieces of ink, about a character in size, that no line in ``lines`` covers.

    >>> page = np.full((400, 400, 3), 250, np.uint8)
    >>> page[100:140, 300:304] = 30; page[100:104, 285:320] = 30   # 丁, unread
    >>> page[250:252, 100:140] = 30                                 # a dash
    >>> line = TextLine("姓名", (40, 20, 120, 60), 1.0, ())
    >>> lone_pieces([line], page)
    [(280, 96, 324, 144)]
    """
    size = _char_size(lines)
    if size <= 0:
        return []
    f = max(1, int(size // 10))  # a character about ten pixels tall, or more
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    if f > 1:  # each pixel the darkest of its f x f: a thin stroke is kept
        gray = cv2.erode(gray, cv2.getStructuringElement(cv2.MORPH_RECT, (f, f)), anchor=(0, 0))
    small = np.ascontiguousarray(gray[::f, ::f])
    H, W = image.shape[:2]
    s = size / f
    k = 2 * int(0.8 * s) + 1
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    ink = (paper.astype(np.int16) - small.astype(np.int16) > INK).astype(np.uint8)
    # a table's rules, two characters long or more, off: a character in a cell is not joined to its sides
    r = max(3, int(2 * s))
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (r, 1)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, r)))
    ink[(across > 0) | (down > 0)] = 0
    # pieces are cut from all the ink, and those a line read overlaps left out after: a table's
    # rule cut short round a line's box would join a lone stroke into a box (一 in a cell read 曰)
    d = max(1, int(0.2 * s))
    grown = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * d + 1, 2 * d + 1)))
    n, _lab, stats, _c = cv2.connectedComponentsWithStats(grown, connectivity=8)
    out: list[tuple[int, int, int, int]] = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        x, y, bw, bh = x + d, y + d, bw - 2 * d, bh - 2 * d  # the grown margin off again
        if max(bw, bh) < 0.5 * s or max(bw, bh) > MAX_SIZE * s or min(bw, bh) < MIN_THICK * s:
            continue
        box = (max(0, (x - 1) * f), max(0, (y - 1) * f),  # a sampling step each side
               min(W, (x + bw + 1) * f), min(H, (y + bh + 1) * f))
        if not any(boxes_overlap(box, sk) for sk in skip) and not any(boxes_overlap(box, ln.bbox) for ln in lines):
            out.append(box)
    return out


def _clean(crop: np.ndarray) -> np.ndarray:
    """``crop`` in grey, everything lighter than half-way to ink made white.

    A guilloche's pale lines behind a character are read as strokes of it (丁 at 0.5, 1.0 after).
    """
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    paper = float(np.percentile(gray, 90))
    out = gray.copy()
    out[gray > paper - INK / 2] = 255
    return np.ascontiguousarray(np.repeat(out[..., None], 3, axis=2))


def _char_size(lines: Sequence[TextLine]) -> float:
    """The page's character size: the median of its lines' shorter sides (0 with no line)."""
    sides = [min(ln.bbox[3] - ln.bbox[1], ln.bbox[2] - ln.bbox[0]) for ln in lines
             if ln.source == "ocr" and len(ln.text) >= 2]
    return float(np.median(sides)) if sides else 0.0
