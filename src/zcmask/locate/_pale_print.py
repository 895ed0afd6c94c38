"""The unit's name printed large and pale across the page: a watermark.

An honour certificate prints its school's name in pale red brush strokes behind the body text
(重庆大学, 250 px tall on a 2,000 px scan); a check report prints its unit's name in hollow grey
letters at 45° across its results (国防科技大学). The text detector, working on the page as it
is, sees neither: the pale strokes run under black print, and nothing reads them (held-out real
sets: 2 of 423 occurrences of the unit's name).

On a page that names the unit, the page is looked at once more with its dark print left out
(:func:`pale_image`): shrunk to :data:`SIDE` px, each pixel as dark as it is lighter-than-paper
or coloured away from the paper, black print and the pixels beside it made white. Where that
holds enough pale ink (:data:`MIN_SHARE`), text is detected on it at :data:`DET_SIDE` px, a
scale at which body text is too small to be found. Lines of detected text at least
:data:`LARGE` times as tall as the page's own lines (and :data:`MIN_HEIGHT` of the page),
outside the seals and not read already, are read, at most :data:`MAX_LINES` of them. Each
costs one small reading; most pages have no pale ink or no large line in it.

What is read is matched like the page's lines, and a unit's Chinese name of four or more
characters with one edit in four is enough here: a brush-written 重庆大学 is read 重度大學, and
a first character under black print is not read at all (then the region reaches one
character's step past each end). A slanted line is masked character by character (a box each), not as its
upright hull: the hull of a 45° watermark covers half the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap, centre_within
from zcmask.locate._text import _approx_find, _padded, find_identity, unit_patterns
from zcmask.locate._variants import norm_char
from zcmask.options import Identity
from zcmask.results import BBox, Char, Region, TextLine

#: Longest side, in px, of the shrunk page the pale ink is measured on and read from.
SIDE = 640
#: Longest side, in px, text is detected at on that page: body text is too small to be found.
DET_SIDE = 320
#: Grey levels under the paper from which a pixel is dark print, left out with its neighbours.
DARK = 90
#: A pixel is pale ink when it is this much darker than its neighbourhood's paper, or coloured
#: this far (Lab a/b distance, times :data:`CHROMA_WEIGHT`) from the paper's colour.
PALE = 8
CHROMA_WEIGHT = 2.5
#: Least share of the shrunk page that is pale ink for anything to be detected.
MIN_SHARE = 0.004
#: A line read is at least this many times as tall as the page's median line, and at least this
#: share of the page's shorter side.
LARGE = 2.5
MIN_HEIGHT = 0.03
#: Most lines read on one page.
MAX_LINES = 4
#: A page line read at least this surely over a detected line has read it already (a coloured
#: title); a watermark under body text is read by the page's detector as a jumble (`` 大大学``, 0.55).
SURE = 0.9
#: A line slanted more than this many degrees is masked a character at a time.
SLANT = 10.0


def pale_image(image: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The page's pale ink as dark print on white, shrunk; with the scale and the pale share.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB

    Returns
    -------
    (ndarray, float, float)
        The (h, w) uint8 picture of pale ink, its scale from the page, and the share of its
        pixels that are pale ink.

    >>> page = np.full((400, 400, 3), 240, np.uint8)
    >>> page[100:300, 150:170] = (240, 200, 200)  # a pale red stroke
    >>> page[50:60, 20:380] = 0  # a line of black print
    >>> pic, k, share = pale_image(page)
    >>> int(pic[200, 160]) < 128, int(pic[55, 200]) == 255, share > 0.01
    (True, True, True)

    """
    H, W = image.shape[:2]
    k = min(1.0, SIDE / max(H, W))
    size = (max(1, round(W * k)), max(1, round(H * k)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if k < 1 else image
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    light, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    # the paper around each pixel: the lightest nearby, smoothed (uneven light on a photo)
    paper = cv2.blur(cv2.dilate(light, np.ones((15, 15), np.uint8)), (15, 15))
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    counts = np.cumsum(cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel())
    paper_grey = int(np.searchsorted(counts, 0.9 * counts[-1]))  # the page's 90th percentile, from its histogram
    dark_px = cv2.threshold(grey, paper_grey - DARK - 1, 255, cv2.THRESH_BINARY_INV)[1]  # under paper - DARK
    if k < 1:  # any dark pixel darkens its shrunk one: thin strokes are not averaged away
        dark_px = cv2.resize(dark_px, size, interpolation=cv2.INTER_AREA)
    dark = cv2.dilate(dark_px, np.ones((3, 3), np.uint8)) > 0
    chroma = np.hypot(a - float(np.median(a)), b - float(np.median(b)))
    strength = np.maximum(paper - light, CHROMA_WEIGHT * chroma) - PALE
    strength[dark] = 0
    strength = np.clip(strength, 0, None)
    inked = strength > 0
    share = float(inked.mean())
    # the median pale pixel is black: a grey hollow letter beside a red bar still stands out
    top = max(10.0, float(np.median(strength[inked]))) if share else 10.0
    return np.clip(255 - strength * (255 / top), 0, 255).astype(np.uint8), k, share


def pale_print_lines(image: np.ndarray, lines: Sequence[TextLine], found: Sequence[Region],
                     seal_boxes: Sequence[tuple[int, int, int, int]], engine) -> list[TextLine]:  # type: ignore[no-untyped-def]
    """Large lines of pale print on a page that names the unit, read, in page pixels.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    lines : sequence of TextLine
        The page's lines (their heights set what is large; what they cover was read already).
    found : sequence of Region
        What the name matcher found: nothing is looked for on a page without the unit.
    seal_boxes : sequence of (x0, y0, x1, y1)
        Seals found on the page: their ring text is no watermark.
    engine : OcrEngine
        Detects and reads the pale print.

    """
    if not any(r.kind == "unit" for r in found):
        return []
    H, W = image.shape[:2]
    pic, k, share = pale_image(image)
    if share < MIN_SHARE:
        return []
    rgb = np.ascontiguousarray(np.repeat(pic[..., None], 3, axis=2))
    quads = engine.detect(rgb, DET_SIDE)
    heights = [ln.bbox[3] - ln.bbox[1] for ln in lines if ln.source == "ocr"]
    least = max(LARGE * float(np.median(heights)) if heights else 0.0, MIN_HEIGHT * min(H, W))
    cands: list[tuple[float, np.ndarray, BBox]] = []
    for q in quads:
        q = np.asarray(q, np.float32).reshape(4, 2) / k  # page pixels
        tall = float(min(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])))
        long = float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])))
        hull = (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
        if min(tall, long) < least or any(centre_within(hull, s) for s in seal_boxes):
            continue
        if any(_read_already(hull, ln, min(tall, long)) for ln in lines):
            continue
        cands.append((min(tall, long), q, hull))
    out: list[TextLine] = []
    for _size, q, hull in sorted(cands, key=lambda c: -c[0])[:MAX_LINES]:
        crop = _upright_crop(pic, q * k)
        if crop is None:
            continue
        ((text, score),) = engine.recognize_lines([np.ascontiguousarray(np.repeat(crop[..., None], 3, axis=2))])
        vis = [c for c in text if not c.isspace()]
        if vis:
            out.append(TextLine(text, hull, score, _chars_along(vis, _inked_part(q, crop), score), "ocr"))
    return out


def _inked_part(q: np.ndarray, crop: np.ndarray) -> np.ndarray:
    """The part of quad ``q`` that holds the pale ink of its level ``crop``.

    The detector's quads reach well past the print on every side (by about a third of their
    thickness), and a slanted line's characters are masked one upright box each: cut to the
    ink of the line's own band of rows, each box is about as large as its glyph.
    """
    if _column(q):  # read turned: left as found
        return q
    h, w = crop.shape[:2]
    ink = crop < 160
    rows = np.flatnonzero(ink.mean(axis=1) > 0.01)
    cols = np.flatnonzero(ink.mean(axis=0) > 0.01)
    if len(rows) < 2 or len(cols) < 2:
        return q
    # the line's own band: the longest run of inked rows (an emblem's foot above it, a small
    # English line under it are cut off by the rows of paper between)
    rows = max(np.split(rows, np.flatnonzero(np.diff(rows) > 2) + 1), key=len)
    u0, u1 = max(0.0, (cols[0] - 1) / w), min(1.0, (cols[-1] + 2) / w)
    v0, v1 = max(0.0, (rows[0] - 1) / h), min(1.0, (rows[-1] + 2) / h)

    def at(u: float, v: float) -> np.ndarray:
        return (1 - v) * (q[0] + u * (q[1] - q[0])) + v * (q[3] + u * (q[2] - q[3]))

    return np.array([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)], np.float32)


def _read_already(hull: BBox, line: TextLine, size: float) -> bool:
    """Whether a page line of about this size, read surely, covers most of the detected line (a coloured title)."""
    box = line.bbox
    if line.score < SURE or box[3] - box[1] < 0.6 * size or not boxes_overlap(hull, box):
        return False
    ix = max(0.0, min(hull[2], box[2]) - max(hull[0], box[0]))
    iy = max(0.0, min(hull[3], box[3]) - max(hull[1], box[1]))
    return ix * iy >= 0.5 * (hull[2] - hull[0]) * (hull[3] - hull[1])


def _upright_crop(pic: np.ndarray, q: np.ndarray) -> np.ndarray | None:
    """The line inside quad ``q`` (top-left, top-right, bottom-right, bottom-left) cut out level."""
    w = int(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])))
    h = int(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])))
    if w < 4 or h < 4:
        return None
    m = cv2.getPerspectiveTransform(q.astype(np.float32), np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32))
    crop = cv2.warpPerspective(pic, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return np.rot90(crop) if _column(q) else crop  # read as the recogniser reads columns


def _column(q: np.ndarray) -> bool:
    """Whether quad ``q`` is a column: at least 1.5 times as tall as wide (RapidOCR's rule)."""
    return bool(np.linalg.norm(q[3] - q[0]) > 1.5 * np.linalg.norm(q[1] - q[0]))


def _chars_along(vis: Sequence[str], q: np.ndarray, score: float) -> tuple[Char, ...]:
    """One box per character, the line's quad cut into equal steps along its length."""
    if _column(q):
        q = q[[1, 2, 3, 0]]  # a column turned as it was read: its first character at the top
    n = len(vis)
    out = []
    for i, ch in enumerate(vis):
        t0, t1 = i / n, (i + 1) / n
        pts = np.array([q[0] + (q[1] - q[0]) * t0, q[0] + (q[1] - q[0]) * t1,
                        q[3] + (q[2] - q[3]) * t1, q[3] + (q[2] - q[3]) * t0])
        out.append(Char(ch, (float(pts[:, 0].min()), float(pts[:, 1].min()),
                             float(pts[:, 0].max()), float(pts[:, 1].max())), score))
    return tuple(out)


def pale_print_regions(pale: Sequence[TextLine], identity: Identity, size: tuple[int, int], *, pad: float,
                       seal_boxes: Sequence[tuple[int, int, int, int]] = ()) -> list[Region]:
    """The name and unit in lines of pale print, slanted lines masked a character at a time.

    A unit's name of four or more characters read with one edit in four is matched here as
    well: such print is large, and only read on a page that names the unit already.
    """
    out: list[Region] = []
    for ln in pale:
        regions = find_identity([ln], identity, size, pad=pad, signatures=False, seal_boxes=seal_boxes)
        text = "".join(norm_char(c.text) for c in ln.chars)
        for pat in unit_patterns(identity):
            hit = _approx_find(pat, text, len(pat) // 4) if len(pat) >= 4 else None
            if hit is not None:
                chars = _grown(ln.chars, *hit, len(pat) - (hit[1] - hit[0]))
                regions.append(_over(chars, "unit", pat, ln.score, pad, size))
        for r in regions:
            if r.kind not in ("name", "unit"):
                continue
            chars = [c for c in ln.chars if centre_within(c.bbox, r.bbox)]
            if _slant(ln) > SLANT and chars:
                out += [_over([c], r.kind, r.text, r.score, pad, size) for c in chars]
            else:
                out.append(Region(r.kind, r.bbox, r.text, "watermark", r.score))
    unique: dict[tuple[str, BBox], Region] = {}  # a unit matched exactly is matched by the tolerant rule too
    for r in out:
        unique.setdefault((r.kind, r.bbox), r)
    return list(unique.values())


def _grown(chars: Sequence[Char], a: int, b: int, missing: int) -> list[Char]:
    """``chars[a:b]`` and, when the reading left ``missing`` characters out, that many steps past each end.

    Black print over a watermark's first character hides enough of it that it is not read
    (昆仑理工大学 read 仑理工大学): where it stood is one character's step along the line.
    """
    seq = list(chars[a:b])
    if missing <= 0 or not seq:
        return seq
    dx, dy = _step(chars) if len(chars) > 1 else (chars[0].bbox[2] - chars[0].bbox[0], 0.0)

    def moved(c: Char, k: int) -> Char:
        x0, y0, x1, y1 = c.bbox
        return Char(c.text, (x0 + k * dx, y0 + k * dy, x1 + k * dx, y1 + k * dy), c.score)

    return ([moved(seq[0], -k) for k in range(missing, 0, -1)] + seq
            + [moved(seq[-1], k) for k in range(1, missing + 1)])


def _step(chars: Sequence[Char]) -> tuple[float, float]:
    """The mean step from one character's centre to the next, along the line (two or more characters)."""
    a, b = chars[0].bbox, chars[-1].bbox
    n = 2 * (len(chars) - 1)
    return (b[0] + b[2] - a[0] - a[2]) / n, (b[1] + b[3] - a[1] - a[3]) / n


def _slant(ln: TextLine) -> float:
    """Degrees from level of the line through its first and last characters' centres."""
    if len(ln.chars) < 2:
        return 0.0
    dx, dy = _step(ln.chars)
    return float(abs(np.degrees(np.arctan2(dy, dx))))


def _over(chars: Sequence[Char], kind: str, text: str, score: float, pad: float, size: tuple[int, int]) -> Region:
    """A region over ``chars``, grown by ``pad`` of their height, clipped to the page."""
    p = pad * float(np.median([c.bbox[3] - c.bbox[1] for c in chars]))
    box = _padded(min(c.bbox[0] for c in chars), min(c.bbox[1] for c in chars),
                  max(c.bbox[2] for c in chars), max(c.bbox[3] for c in chars), p, size)
    return Region(kind, box, text, "watermark", score)
