"""Phone photographs of a page, simulated: perspective, background, uneven light.

A rendered page is laid on a desk (wood, dark or light grey), seen at an angle,
lit unevenly (a gradient across the sheet and the soft shadow of a hand or
phone), warm-tinted, slightly soft, noisy and JPEG-compressed. The page corners
in the photo are returned as ground truth. This module does not correct
anything; :mod:`zcmask.quality._flatten` does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

__all__ = ["BACKGROUNDS", "PhonePhoto", "phone_photo"]

BACKGROUNDS = ("wood", "dark", "grey")


@dataclass(frozen=True)
class PhonePhoto:
    """A simulated photo (H, W, 3) uint8 RGB and the page corners in it (TL, TR, BR, BL), pixels."""

    image: np.ndarray
    corners: np.ndarray  # (4, 2) float32


def _background(h: int, w: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    import cv2

    if kind == "wood":
        base = np.array([150, 105, 70], np.float32) * rng.uniform(0.8, 1.1)
        stripes = cv2.resize(rng.normal(0, 1, (h // 8, 6)).astype(np.float32), (w, h))
        grain = 1.0 + 0.12 * stripes[..., None]
    elif kind == "dark":
        base = np.array([60, 62, 68], np.float32) * rng.uniform(0.7, 1.2)
        grain = 1.0 + 0.05 * cv2.resize(rng.normal(0, 1, (h // 16, w // 16)).astype(np.float32), (w, h))[..., None]
    else:  # a light grey desk: the hard case, low paper-to-desk contrast
        base = np.array([165, 165, 160], np.float32) * rng.uniform(0.9, 1.05)
        grain = 1.0 + 0.04 * cv2.resize(rng.normal(0, 1, (h // 16, w // 16)).astype(np.float32), (w, h))[..., None]
    return np.clip(base[None, None, :] * grain, 0, 255)


def phone_photo(page: np.ndarray, *, seed: int = 0, background: str = "wood", tilt: float = 0.08,
                fill: float = 0.78, shadow: float = 0.45, gradient: float = 0.3, size: int = 2000,
                jpeg_quality: int = 88) -> PhonePhoto:
    """Photograph ``page`` the way an applicant would with a phone.

    Parameters
    ----------
    page : ndarray, shape (H, W, 3), uint8
        The clean, upright page. Not modified.
    seed : int
        Seeds the corner jitter, lighting and noise.
    background : {"wood", "dark", "grey"}
        The desk under the sheet.
    tilt : float
        Corner jitter as a share of the page size (perspective strength).
    fill : float
        Share of the photo's height the page spans.
    shadow : float
        Depth of a soft shadow over part of the sheet (0: none, 0.5: half as bright).
    gradient : float
        Light fall-off across the sheet (0: even).
    size : int
        Long side of the photo in pixels (portrait 3:4).
    jpeg_quality : int
        Phone JPEG quality.

    Returns
    -------
    PhonePhoto

    Examples
    --------
    >>> p = phone_photo(np.full((200, 140, 3), 255, np.uint8), size=400)
    >>> p.image.shape, p.corners.shape
    ((400, 300, 3), (4, 2))

    """
    import cv2

    rng = np.random.default_rng(seed)
    H, W = size, int(size * 3 / 4)
    ph, pw = page.shape[:2]
    k = fill * H / ph
    cw, ch = pw * k, ph * k
    cx, cy = W / 2 + rng.uniform(-0.04, 0.04) * W, H / 2 + rng.uniform(-0.03, 0.03) * H
    base = np.array([[cx - cw / 2, cy - ch / 2], [cx + cw / 2, cy - ch / 2],
                     [cx + cw / 2, cy + ch / 2], [cx - cw / 2, cy + ch / 2]], np.float32)
    jitter = rng.uniform(-tilt, tilt, (4, 2)).astype(np.float32) * np.array([cw, ch], np.float32)
    corners = base + jitter
    # A small in-plane turn as well, as a hand-held phone rarely lines up with the sheet.
    ang = np.deg2rad(rng.uniform(-4, 4))
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]], np.float32)
    corners = ((corners - [cx, cy]) @ rot.T + [cx, cy]).astype(np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    m = cv2.getPerspectiveTransform(src, corners)
    sheet = cv2.warpPerspective(page, m, (W, H), flags=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (W, H)) > 127
    bg = _background(H, W, background, rng)
    img = np.where(inside[..., None], sheet.astype(np.float32), bg)
    # Light: a linear fall-off in a random direction, then a soft shadow from one side.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    d = rng.uniform(0, 2 * np.pi)
    t = ((xx - W / 2) * np.cos(d) + (yy - H / 2) * np.sin(d)) / (0.5 * np.hypot(W, H))
    light = 1.0 - gradient * (t + 1) / 2
    if shadow > 0:
        e = rng.uniform(0, 2 * np.pi)
        s = ((xx - W / 2) * np.cos(e) + (yy - H / 2) * np.sin(e)) / (0.5 * np.hypot(W, H))
        edge = rng.uniform(0.2, 0.55)
        light *= 1.0 - shadow / (1.0 + np.exp(-(s - edge) / 0.04))
    tint = np.array([1.0, 0.96, 0.86], np.float32) * rng.uniform(0.85, 0.95)
    img = img * light[..., None] * tint
    img = cv2.GaussianBlur(img, (0, 0), 0.7)
    img += rng.normal(0, 2.5, img.shape[:2])[..., None]
    out = np.clip(img, 0, 255).astype(np.uint8)
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=jpeg_quality)
    photo = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()
    return PhonePhoto(photo, corners)
