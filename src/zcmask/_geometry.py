"""Rotations between stored pages and upright output, for pixels and boxes; boxes and lines moved.

``rotation`` is how far the stored content is turned clockwise from upright;
turning it upright means rotating counter-clockwise by the same angle.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask.results import BBox, Char, TextLine


def upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """Turn ``image`` (H, W[, C]) counter-clockwise by ``rotation`` degrees.

    >>> upright(np.zeros((2, 3, 3), np.uint8), 90).shape
    (3, 2, 3)
    """
    k = (rotation // 90) % 4
    if k == 0:
        return image
    return _rot90(image, k)


def _rot90(image: np.ndarray, k: int) -> np.ndarray:
    """``np.rot90(image, k)`` as a contiguous copy; OpenCV's rotation for uint8 pages (8x faster, same bytes)."""
    k %= 4
    if image.dtype == np.uint8 and (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (1, 3, 4))):
        import cv2

        code = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}[k]
        out = cv2.rotate(image, code)
        return out.reshape(out.shape[:2] + image.shape[2:])  # OpenCV drops a single channel axis
    return np.ascontiguousarray(np.rot90(image, k))


def rotate_to_stored(image: np.ndarray, rotation: int) -> np.ndarray:
    """Inverse of :func:`upright`: turn clockwise by ``rotation``."""
    k = (rotation // 90) % 4
    if k == 0:
        return image
    return _rot90(image, -k)


def box_upright(b: BBox, rotation: int, w: int, h: int) -> BBox:
    """Map a box on the stored page (size ``w`` x ``h``) to the upright page."""
    x0, y0, x1, y1 = b
    r = rotation % 360
    if r == 0:
        return b
    if r == 90:
        return (y0, w - x1, y1, w - x0)
    if r == 180:
        return (w - x1, h - y1, w - x0, h - y0)
    return (h - y1, x0, h - y0, x1)  # 270


def lines_upright(lines: tuple[TextLine, ...] | list[TextLine], rotation: int, w: int,
                  h: int) -> list[TextLine]:
    """Map text lines (and their characters) from the stored page to the upright page."""
    if rotation % 360 == 0:
        return list(lines)
    out = []
    for ln in lines:
        chars = tuple(Char(c.text, box_upright(c.bbox, rotation, w, h), c.score) for c in ln.chars)
        out.append(TextLine(ln.text, box_upright(ln.bbox, rotation, w, h), ln.score, chars, ln.source))
    return out


def boxes_overlap(a: BBox | tuple[float, ...], b: BBox | tuple[float, ...]) -> bool:
    """True when boxes ``(x0, y0, x1, y1)`` share some area (touching edges do not count)."""
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def box_within(a: BBox | tuple[float, ...], b: BBox | tuple[float, ...]) -> bool:
    """Whether box ``a`` lies wholly within box ``b`` (edges may touch).

    >>> box_within((2, 2, 5, 5), (0, 0, 5, 5)), box_within((2, 2, 6, 5), (0, 0, 5, 5))
    (True, False)
    """
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def share_inside(inner: Sequence[float], outer: Sequence[float]) -> float:
    """The share of box ``inner``'s area (at least 1 px) that lies inside box ``outer``.

    >>> share_inside((0, 0, 10, 10), (5, 0, 20, 20)), share_inside((0, 0, 10, 10), (20, 0, 30, 10))
    (0.5, 0.0)
    """
    ix = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    iy = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    return float(ix * iy / max(1.0, (inner[2] - inner[0]) * (inner[3] - inner[1])))


def centre_within(a: BBox | tuple[float, ...], b: BBox | tuple[float, ...]) -> bool:
    """Whether the centre of box ``a`` lies in box ``b`` (its left and top edges in, right and bottom out).

    >>> centre_within((0, 0, 4, 4), (1, 1, 5, 5)), centre_within((0, 0, 10, 10), (1, 1, 5, 5))
    (True, False)
    """
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx < b[2] and b[1] <= cy < b[3]


def shift_line(ln: TextLine, dx: float, dy: float, scale: float = 1.0) -> TextLine:
    """``ln`` and its characters scaled by ``scale``, then moved by ``(dx, dy)``: from a crop's pixels to the page's.

    >>> from zcmask.results import Char
    >>> ln = TextLine("王", (10, 20, 30, 40), 1.0, (Char("王", (10, 20, 30, 40), 1.0),))
    >>> shift_line(ln, 5, 5).bbox, shift_line(ln, 5, 5, scale=0.5).chars[0].bbox
    ((15, 25, 35, 45), (10.0, 15.0, 20.0, 25.0))
    """

    def mv(b: BBox) -> BBox:
        if scale != 1.0:
            b = (b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale)
        return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)

    return TextLine(ln.text, mv(ln.bbox), ln.score, tuple(Char(c.text, mv(c.bbox), c.score) for c in ln.chars),
                    ln.source)
