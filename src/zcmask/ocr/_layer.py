r"""What a PDF's text layer does not say: text drawn as outlines, and characters it cannot name.

A born-digital PDF page is read from its text layer, without OCR, except for the
images on it. Two kinds of text escape that:

- text drawn as **vector outlines** (a certificate laid out in a design program and
  exported with its fonts converted to curves, a name typeset as paths): it shows on
  the page but is in no text layer and in no image;
- characters the layer cannot name: a font without a Unicode map gives ``\x00``,
  U+FFFD or private-use code points instead of the characters printed.

:func:`unreadable` tells the second kind apart; :func:`unread_ink` finds the ink of
the page that no readable character and no read image accounts for, as boxes to be
read by OCR. A page whose layer covers its print costs a downscale and a few mask
operations (about 6 ms at 200 dpi); only pages with unread ink are read again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask.locate._variants import is_han, norm_char
from zcmask.results import BBox, TextLine

#: Work scale of the ink map (200 dpi A4 → about 410 × 585 px: 4 pt print is still 3 px tall).
_SCALE = 0.25
#: Ink: the darkest channel below this at the work scale (black, red, blue print, light fonts
#: thinned by the downscale; not a pale watermark).
_INK = 200
#: Text-like pieces of unread ink at the work scale: height range (px), and at most this many
#: boxes are read one by one (more are read as one box around them all).
_MIN_H, _MAX_H = 3, 48
_MAX_BOXES = 8


#: Code point ranges a text layer of a Chinese attachment is made of: ASCII, Latin, Greek,
#: Cyrillic and Arabic letters (Uyghur, Kazakh), Mongolian script (Todo and Xibe included: the
#: bilingual headers of 巴音郭楞蒙古自治州), punctuation, symbols, numbers in circles, box drawing,
#: CJK punctuation, kana (the ・ of names), CJK ideographs and their compatibility and fullwidth
#: forms. A character outside all of them is a glyph number passed off as a character.
_EXPECTED = ((0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x4FF), (0x600, 0x6FF), (0x1800, 0x18AF), (0x2000, 0x27BF),
             (0x3000, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFB50, 0xFDFF),
             (0xFE10, 0xFE1F), (0xFE30, 0xFEFF), (0xFF00, 0xFFEF), (0x20000, 0x2FFFF))


def _gb2312(c: str) -> bool:
    try:
        norm_char(c).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def unreadable(text: str) -> bool:
    r"""Whether a text layer line holds characters that stand for no character printed.

    A font without a Unicode map gives ``\x00``, U+FFFD, private-use code points, or
    its glyph numbers as if they were characters: letters of scripts no attachment is
    written in, or (for a large CJK font) ideographs picked at random, most of them rare.
    A line of four or more ideographs of which under half (folded to simplified) are
    among GB 2312's 6,763 common characters is taken for the latter.

    >>> unreadable("申报人阿力木江\x00买买提明"), unreadable("申报人王建国（签字）"), unreadable("\ue001\ue002")
    (True, False, True)
    >>> unreadable("ⶱᬣܸ"), unreadable("艾尔肯・吐尔逊 ①"), unreadable("國網新疆電力"), unreadable("龘靐齉爩鱻")
    (True, False, False, True)
    >>> unreadable("ᠪᠠᠶᠢᠨᠭᠣᠣᠯ 巴音郭楞"), unreadable("بايىنغولىن")  # Mongolian, Uyghur
    (False, False)
    """
    han = common = 0
    for c in text:
        o = ord(c)
        if not any(lo <= o <= hi for lo, hi in _EXPECTED):
            return True
        if is_han(c):
            han += 1
            common += _gb2312(c)
    return han >= 4 and common < 0.5 * han


def unread_ink(image: np.ndarray, covered: Sequence[BBox]) -> list[BBox]:
    """Boxes (page pixels) of text-like ink on ``image`` outside every ``covered`` box.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The rendered, upright page.
    covered : sequence of (x0, y0, x1, y1)
        What is accounted for: the readable text layer's characters and the images read by OCR.

    Returns
    -------
    list of (x0, y0, x1, y1)
        Rows of unread, text-like ink (table rules and specks left out), grown by a
        margin; at most ``_MAX_BOXES``, else one box around all of them.

    Examples
    --------
    >>> page = np.full((800, 600, 3), 255, np.uint8)
    >>> page[100:130, 100:400:12] = 0  # strokes of a row of glyphs
    >>> [tuple(int(v) for v in b) for b in unread_ink(page, [])]
    [(88, 88, 404, 140)]
    >>> unread_ink(page, [(96, 96, 404, 134)])
    []

    """
    import cv2

    h, w = image.shape[:2]
    if h < 16 or w < 16:
        return []
    # the darkest channel (coloured print is ink too); np.minimum, not .min(axis=2): 3 ms, not 75
    darkest = np.minimum(np.minimum(image[..., 0], image[..., 1]), image[..., 2]) if image.ndim == 3 else image
    small = cv2.resize(darkest,
                       (max(1, round(w * _SCALE)), max(1, round(h * _SCALE))), interpolation=cv2.INTER_AREA)
    ink = _uncovered_ink(small < _INK, covered)
    if ink is None:
        return []
    # Glyphs of a row joined.
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, 5), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes: list[tuple[int, int, int, int]] = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if not _MIN_H <= bh <= _MAX_H or bw < 3 or area < 8:
            continue
        if area > 0.92 * bw * bh and bw > 12 * bh:  # a thick rule or a filled bar
            continue
        if area < 0.08 * bw * bh:  # a frame's outline
            continue
        boxes.append((x, y, x + bw, y + bh))
    if not boxes:
        return []
    boxes = _rows(boxes)
    if len(boxes) > _MAX_BOXES:
        boxes = [(min(b[0] for b in boxes), min(b[1] for b in boxes),
                  max(b[2] for b in boxes), max(b[3] for b in boxes))]
    out: list[BBox] = []
    for x0, y0, x1, y1 in boxes:
        m = max(3, (y1 - y0) // 2)  # half a row of margin: the detector needs to see the row's ends
        out.append((max(0, (x0 - m) / _SCALE), max(0, (y0 - m) / _SCALE),
                    min(w, (x1 + m) / _SCALE), min(h, (y1 + m) / _SCALE)))
    return out


def _uncovered_ink(ink: np.ndarray, covered: Sequence[BBox]) -> np.ndarray | None:
    """``ink`` (work scale, bool) as uint8, less the ``covered`` boxes and printed rules (None if empty).

    ``covered`` is in page pixels. Table rules and frames go: runs longer than any glyph's stroke (100 px across, 60 px down
    at 200 dpi). A big title's long strokes go too, but not the rest of its glyphs.
    """
    out = ink.astype(np.uint8)
    if not out.any():
        return None
    _blank(out, covered, _SCALE)
    if not out.any():
        return None
    return _without_rules(out, 15)


def _blank(ink: np.ndarray, covered: Sequence[BBox], scale: float) -> None:
    """Clear the ``covered`` boxes (page pixels, a pixel of margin) from ``ink`` at ``scale``, in place."""
    sh, sw = ink.shape
    for x0, y0, x1, y1 in covered:
        a0, b0 = max(0, int(x0 * scale) - 1), max(0, int(y0 * scale) - 1)
        a1, b1 = min(sw, int(np.ceil(x1 * scale)) + 1), min(sh, int(np.ceil(y1 * scale)) + 1)
        if a1 > a0 and b1 > b0:
            ink[b0:b1, a0:a1] = 0


def _without_rules(ink: np.ndarray, down: int) -> np.ndarray:
    """``ink`` (uint8 0/1) less runs 25 px across or ``down`` px down: rules and frames, not glyph strokes."""
    import cv2

    across = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 25), np.uint8)), np.uint8)
    vertical = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((down, 1), np.uint8)), np.uint8)
    return ink & (1 - (across | vertical))


#: Missed rows: print at least this dark in every channel at the work scale (black or grey print;
#: stamp red and blue are not), 4 to 30 px tall there (16 to 120 px at 200 dpi).
MISSED_INK = 110
_MISSED_H = (4, 30)


def missed_rows(image: np.ndarray, covered: Sequence[BBox]) -> list[BBox]:
    """Boxes (page pixels) of rows of dark print outside every ``covered`` box.

    What OCR's detection passed over (a certificate's holder line on a hatched background):
    dark in every channel, rules left out, a row at least three times as wide as tall.
    Worked out at the work scale (about 10 ms a page); :func:`unread_ink` asks less of the
    ink (any colour, lighter) for a text layer's gaps.

    >>> page = np.full((800, 600, 3), 255, np.uint8)
    >>> for x in range(100, 400, 9):
    ...     page[100:140, x:x + 4] = 0  # strokes of a row of glyphs
    >>> [tuple(int(v) for v in b) for b in missed_rows(page, [])]
    [(100, 100, 400, 140)]
    >>> missed_rows(page, [(90, 90, 410, 150)])
    []
    """
    import cv2

    h, w = image.shape[:2]
    if h * _SCALE < 8 or w * _SCALE < 8:
        return []
    brightest = np.maximum(np.maximum(image[..., 0], image[..., 1]), image[..., 2])
    small = cv2.resize(brightest, (max(1, round(w * _SCALE)), max(1, round(h * _SCALE))),
                       interpolation=cv2.INTER_AREA)
    ink = _uncovered_ink(small < MISSED_INK, covered)
    if ink is None:
        return []
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 7), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out: list[BBox] = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if _MISSED_H[0] <= bh <= _MISSED_H[1] and bw >= 3 * bh and area >= 0.15 * bw * bh:
            out.append((x / _SCALE, y / _SCALE, (x + bw) / _SCALE, (y + bh) / _SCALE))
    return out


#: Fine print: the work scale of its ink map, the grey level below which a pixel of the page is
#: ink (small print's thin strokes are grey once antialiased: 60-67 on a 150 dpi table), and the
#: least height of a row of it at the work scale (3 px: print 6 px tall on the page).
FINE_SCALE = 0.5
FINE_INK = 150
FINE_MIN_H = 3
#: Share of a row's pixels inked beyond which a row of fine print is a rule (print has gaps).
FINE_RULE_FILL = 0.9


def fine_rows(image: np.ndarray, covered: Sequence[BBox], max_h: float) -> list[BBox]:
    """Boxes (page pixels) of rows of small print outside every ``covered`` box.

    What detection at a shrunk page's scale passes over: a table of 10 px print on a
    1,754 px page is 6 px tall at 1,024 px, and the detector finds a quarter of its cells.
    Rows of ink darker than :data:`FINE_INK` in every channel (black or grey print; stamp
    colours are not), at least :data:`FINE_MIN_H` and at most ``max_h`` page pixels
    tall at the work scale's resolution, three times as wide as tall; table rules left out.

    >>> page = np.full((800, 600, 3), 255, np.uint8)
    >>> for x in range(100, 300, 5):
    ...     page[200:210, x:x + 2] = 0  # strokes of a row of small glyphs
    >>> [tuple(int(v) for v in b) for b in fine_rows(page, [], 16)]
    [(100, 200, 298, 210)]
    >>> fine_rows(page, [(90, 190, 310, 220)], 16), fine_rows(page, [], 8)
    ([], [])
    """
    import cv2

    h, w = image.shape[:2]
    sw, sh = round(w * FINE_SCALE), round(h * FINE_SCALE)
    if sw < 8 or sh < 8:
        return []
    brightest = np.maximum(np.maximum(image[..., 0], image[..., 1]), image[..., 2]) if image.ndim == 3 else image
    full = (brightest < FINE_INK).view(np.uint8) * np.uint8(255)
    whole = (cv2.resize(full, (sw, sh), interpolation=cv2.INTER_AREA) > 64).view(np.uint8)
    _blank(whole, covered, FINE_SCALE)
    if not whole.any():
        return []
    out = _without_rules(whole, 11)  # table rules and frames: runs longer than a small glyph's stroke
    joined = cv2.morphologyEx(out, cv2.MORPH_CLOSE, np.ones((3, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    top = max_h * FINE_SCALE
    rows: list[BBox] = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if not (FINE_MIN_H <= bh <= top and bw >= 3 * bh and area >= 0.25 * bw * bh):
            continue
        # a textured border rule broken into pieces: a row of the page's ink runs across the
        # piece (only the piece's own rows: a table's rule under its box is not the row's)
        own = (labels[y:y + bh, x:x + bw] == i).any(axis=1)
        if float(whole[y:y + bh, x:x + bw][own].mean(axis=1).max()) > FINE_RULE_FILL:
            continue
        rows.append((x / FINE_SCALE, y / FINE_SCALE, (x + bw) / FINE_SCALE, (y + bh) / FINE_SCALE))
    return rows


def _rows(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Pieces of one row (overlapping by half their height, gaps under two heights) as one box."""
    out: list[list[int]] = []
    for x0, y0, x1, y1 in sorted(boxes):
        for b in out:
            hh = min(y1 - y0, b[3] - b[1])
            if min(y1, b[3]) - max(y0, b[1]) > 0.5 * hh and x0 - b[2] < 2 * max(y1 - y0, b[3] - b[1]):
                b[:] = [min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)]
                break
        else:
            out.append([x0, y0, x1, y1])
    return [(b[0], b[1], b[2], b[3]) for b in out]


def new_lines(read: Sequence[TextLine], covered: Sequence[BBox]) -> list[TextLine]:
    """The lines of ``read`` that are not mostly inside ``covered`` boxes (not read already).

    >>> from zcmask.results import Char
    >>> ln = TextLine("王建国", (0, 0, 30, 10), 1.0, (Char("王", (0, 0, 10, 10), 1.0),))
    >>> len(new_lines([ln], [])), len(new_lines([ln], [(0, 0, 30, 10)]))
    (1, 0)
    """
    out = []
    for ln in read:
        x0, y0, x1, y1 = ln.bbox
        area = max(1.0, (x1 - x0) * (y1 - y0))
        inside = sum(max(0.0, min(x1, c[2]) - max(x0, c[0])) * max(0.0, min(y1, c[3]) - max(y0, c[1]))
                     for c in covered)
        if inside < 0.5 * area:
            out.append(ln)
    return out
