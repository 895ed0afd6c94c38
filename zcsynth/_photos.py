"""ID-card photos and 一寸照 placed on pages, with the eye band as ground truth.

The portrait itself comes from the caller (the tests use scikit-image's public
domain ``astronaut``); this module never ships or downloads a photo. Variants
are drawn in code: size, grayscale, and glasses. Nothing here detects faces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from zcsynth._pages import SynthPage, Truth


@dataclass(frozen=True)
class Portrait:
    """A photo (H, W, 3) uint8 RGB and the box ``(x0, y0, x1, y1)`` across both eyes in it."""

    image: np.ndarray
    eyes: tuple[int, int, int, int]


def crop_portrait(p: Portrait, box: tuple[int, int, int, int]) -> Portrait:
    """Crop a portrait to ``box`` (x0, y0, x1, y1), moving the eye box with it."""
    x0, y0, x1, y1 = box
    e = p.eyes
    return Portrait(p.image[y0:y1, x0:x1].copy(), (e[0] - x0, e[1] - y0, e[2] - x0, e[3] - y0))


def resize_portrait(p: Portrait, width: int) -> Portrait:
    """Scale a portrait to ``width`` pixels wide."""
    import cv2

    k = width / p.image.shape[1]
    img = cv2.resize(p.image, (width, max(1, int(round(p.image.shape[0] * k)))),
                     interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
    e = p.eyes
    return Portrait(img, (int(e[0] * k), int(e[1] * k), int(math.ceil(e[2] * k)), int(math.ceil(e[3] * k))))


def gray_portrait(p: Portrait) -> Portrait:
    """Grayscale (three equal channels), as on a photocopied ID card."""
    g = (p.image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.uint8)
    return Portrait(np.repeat(g[..., None], 3, axis=2), p.eyes)


def with_glasses(p: Portrait, *, color: tuple[int, int, int] = (30, 30, 30), thick: float = 0.02,
                 ) -> Portrait:
    """Draw glasses over the eyes: two rounded-rectangle rims, a bridge and the temples."""
    import cv2

    img = p.image.copy()
    x0, y0, x1, y1 = p.eyes
    w, h = x1 - x0, y1 - y0
    t = max(1, int(round(w * thick)))
    cy = (y0 + y1) // 2
    rx, ry = int(w * 0.27), int(max(h * 0.9, w * 0.16))
    cl, cr = x0 + int(w * 0.22), x1 - int(w * 0.22)
    for cx in (cl, cr):
        box = np.array([[cx - rx, cy - ry], [cx + rx, cy - ry], [cx + rx, cy + ry], [cx - rx, cy + ry]])
        cv2.polylines(img, [box], True, color, t, cv2.LINE_AA)
    cv2.line(img, (cl + rx, cy - ry // 3), (cr - rx, cy - ry // 3), color, t, cv2.LINE_AA)
    cv2.line(img, (cl - rx, cy - ry // 2), (cl - rx - int(w * 0.12), cy - ry // 3), color, t, cv2.LINE_AA)
    cv2.line(img, (cr + rx, cy - ry // 2), (cr + rx + int(w * 0.12), cy - ry // 3), color, t, cv2.LINE_AA)
    return Portrait(img, p.eyes)


def photo_page(p: Portrait, *, page: SynthPage | None = None, at: tuple[int, int] | None = None,
               case: str = "photo") -> SynthPage:
    """Paste a portrait on a page (default: a blank A4 at 200 dpi), with an ``eyes`` truth."""
    from zcsynth._pages import text_page

    if page is None:
        page = text_page([("一 寸 照 片", None, ""), ("申报人照片（粘贴处）", None, "")], template="一寸照")
    img = page.image.copy()
    H, W = img.shape[:2]
    ph, pw = p.image.shape[:2]
    x, y = at if at is not None else (int(W * 0.55), int(H * 0.12))
    x, y = min(x, W - pw), min(y, H - ph)
    img[y:y + ph, x:x + pw] = p.image
    e = p.eyes
    truth = Truth("eyes", (x + e[0], y + e[1], x + e[2], y + e[3]), case)
    return SynthPage(img, page.dpi, [*page.truths, truth], page.lines, b"", page.template,
                     {**page.meta, "photo": (x, y, x + pw, y + ph)})


def id_card_page(p: Portrait, *, case: str = "id_card") -> SynthPage:
    """A photocopy-style ID card (居民身份证 front) on a page, portrait on the right."""
    import cv2

    from zcsynth._pages import text_page

    page = text_page([("居民身份证复印件", None, "")], template="身份证")
    img = page.image.copy()
    H, W = img.shape[:2]
    cw, ch = int(W * 0.52), int(W * 0.52 / 1.58)
    x0, y0 = int(W * 0.2), int(H * 0.12)
    cv2.rectangle(img, (x0, y0), (x0 + cw, y0 + ch), (235, 240, 245), -1)
    cv2.rectangle(img, (x0, y0), (x0 + cw, y0 + ch), (120, 120, 120), 2)
    for k, row in enumerate(("姓名", "性别  民族", "出生", "住址", "", "公民身份号码")):
        if row:
            y = y0 + int(ch * (0.14 + 0.14 * k))
            cv2.line(img, (x0 + int(cw * 0.22), y), (x0 + int(cw * 0.58), y), (90, 90, 90), 2)
    pw = int(cw * 0.3)
    q = resize_portrait(p, pw)
    if q.image.shape[0] > int(ch * 0.8):
        q = crop_portrait(q, (0, 0, pw, int(ch * 0.8)))
    page2 = SynthPage(img, page.dpi, page.truths, page.lines, b"", "身份证", {})
    return photo_page(q, page=page2, at=(x0 + int(cw * 0.64), y0 + int(ch * 0.1)), case=case)
