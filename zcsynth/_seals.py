"""Official seals (公章) and red non-seal marks drawn in code, with ground truth.

Seals are drawn as an ink-coverage map (float 0..1) and stamped on a page by
multiplying, the way stamp ink lies over printed text. Shapes: round (with or
without a star), oval (财务专用章) and square personal name seals (名章);
colours: red, vermilion, faded pink, purple-red; optional fading and grayscale
(photocopy). Red things that are *not* seals (红头 header, red table lines, a
national-emblem-like badge, red pen annotations) are drawn too, so the locator
can be tested for false positives. Every unit and person here is fictional.

This module draws; it does not detect anything.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from zcsynth._pages import SynthPage, Truth

#: Ink colours (RGB) of the stamp-pad inks the locator must handle.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (215, 30, 35),
    "vermilion": (235, 80, 40),
    "pink": (240, 140, 160),
    "purple": (165, 40, 95),
    "orange": (235, 170, 110),  # a scanned 党委 seal in pale orange pad ink (hue about 28°)
    "blue": (40, 70, 175),  # old invoices' 发票专用章, some banks' and companies' seals
}


@dataclass(frozen=True)
class SealSpec:
    """What a seal looks like.

    ``shape`` is ``round``, ``oval`` or ``square``; ``size`` is the outer width
    in pixels (an oval is ``size`` wide and ``0.72 * size`` tall). ``fade`` in
    [0, 1] thins the ink; ``angle`` turns the whole stamp (degrees).
    """

    text: str
    shape: str = "round"
    size: int = 320
    color: str = "red"
    star: bool = True
    bottom: str = ""
    fade: float = 0.0
    angle: float = 0.0
    seed: int = 0


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    """The seals' typeface: PyMuPDF's ``china-s``, or the font file named by ``ZCSYNTH_SEAL_FONT``.

    A benchmark checks so that ring reading holds in another face (宋体, 楷体, a bold serif).
    """
    import os
    from pathlib import Path

    import pymupdf

    path = os.environ.get("ZCSYNTH_SEAL_FONT")
    if path:
        return Path(path).read_bytes()
    return bytes(pymupdf.Font("china-s").buffer)


@lru_cache(maxsize=64)
def _glyph(ch: str, px: int) -> np.ndarray:
    """One character as a (px, px) float coverage tile, centred."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(io.BytesIO(_font_bytes()), px)
    tile = Image.new("L", (px * 3, px * 3), 0)
    ImageDraw.Draw(tile).text((3 * px // 2, 3 * px // 2), ch, fill=255, font=font, anchor="mm")
    a = np.asarray(tile, np.float32) / 255.0
    ys, xs = np.nonzero(a)
    # centred on its ink: "mm" centres between a face's ascender and descender, which in some
    # faces (Noto Serif CJK) leaves a Chinese glyph a fifth of its size off centre and clipped
    cy, cx = ((int(ys.min() + ys.max()) + 1) // 2, (int(xs.min() + xs.max()) + 1) // 2) if len(ys) else (3 * px // 2,) * 2
    y0, x0 = max(0, cy - px // 2), max(0, cx - px // 2)
    return a[y0:y0 + px, x0:x0 + px].copy()


def _paste_rotated(canvas: np.ndarray, tile: np.ndarray, cx: float, cy: float, deg: float,
                   sx: float = 1.0, sy: float = 1.0) -> None:
    """Max-blend ``tile`` centred at (cx, cy), scaled by (sx, sy), turned ``deg`` clockwise."""
    import cv2

    th, tw = tile.shape
    m = np.asarray(cv2.getRotationMatrix2D((tw / 2, th / 2), -deg, 1.0), np.float64)
    m[0, :2] *= sx
    m[1, :2] *= sy
    # scaling about the tile centre, then move the centre to (cx, cy)
    m[0, 2] = cx - (m[0, 0] * tw / 2 + m[0, 1] * th / 2)
    m[1, 2] = cy - (m[1, 0] * tw / 2 + m[1, 1] * th / 2)
    warped = cv2.warpAffine(tile, m, (canvas.shape[1], canvas.shape[0]), flags=cv2.INTER_LINEAR)
    np.maximum(canvas, warped, out=canvas)


def _star(canvas: np.ndarray, cx: float, cy: float, r: float) -> None:
    import cv2

    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.4
        t = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + rr * math.cos(t), cy + rr * math.sin(t)))
    cv2.fillPoly(canvas, [np.round(np.array(pts) * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)


def seal_ink(spec: SealSpec) -> np.ndarray:
    """Draw a seal as ink coverage.

    Returns
    -------
    ndarray, shape (H, W), float32 in [0, 1]
        1 where the stamp leaves full ink. W is ``spec.size`` plus a small border.

    Examples
    --------
    >>> ink = seal_ink(SealSpec("巴州某某有限公司", size=200))
    >>> ink.shape[0] > 200 and float(ink.max()) > 0.9
    True

    """
    import cv2

    s = spec.size
    w = s + 8
    h = (int(s * 0.72) if spec.shape == "oval" else s) + 8
    ink = np.zeros((h, w), np.float32)
    cx, cy = w / 2, h / 2
    if spec.shape == "square":
        bt = max(3, int(s * 0.06))
        cv2.rectangle(ink, (4 + bt // 2, 4 + bt // 2), (w - 5 - bt // 2, h - 5 - bt // 2), 1.0, bt)
        chars = list(spec.text)
        if len(chars) == 2:
            chars += ["之", "印"]
        elif len(chars) == 3:
            chars.append("印")
        chars = chars[:4]
        inner = s - 2 * bt - 6
        cell = inner / 2
        px = max(8, int(cell * 0.95))
        # traditional order: right column top-down, then left column
        spots = [(1, 0), (1, 1), (0, 0), (0, 1)]
        for ch, (col, row) in zip(chars, spots, strict=False):
            x = 4 + bt + 3 + cell * (col + 0.5)
            y = 4 + bt + 3 + cell * (row + 0.5)
            _paste_rotated(ink, _glyph(ch, px), x, y, 0.0, 1.0, 1.0)
    else:
        a, b = (s / 2 - 4), (h - 8) / 2 - 0
        bt = max(3, int(s * 0.035))
        cv2.ellipse(ink, ((cx, cy), (2 * a - bt, 2 * b - bt), 0.0), 1.0, bt, cv2.LINE_AA)
        n = len(spec.text)
        px = max(8, int(s * (0.13 if spec.shape == "round" else 0.11)))
        span = min(270.0, 22.0 * n + 20) if spec.shape == "round" else min(240.0, 20.0 * n + 20)
        px = int(min(px, 0.95 * (min(a, b) - bt - px * 0.62) * math.radians(span) / max(1, n)))
        ra, rb = a - bt - px * 0.62, b - bt - px * 0.62
        for k, ch in enumerate(spec.text):
            # angle measured clockwise from straight up; text runs left to right over the top
            t = -span / 2 + span * (k + 0.5) / n
            tr = math.radians(t)
            x, y = cx + ra * math.sin(tr), cy - rb * math.cos(tr)
            # the glyph's up direction follows the ellipse normal
            nx, ny = math.sin(tr) / ra, -math.cos(tr) / rb
            deg = math.degrees(math.atan2(nx, -ny))
            _paste_rotated(ink, _glyph(ch, px), x, y, deg, 0.8 if spec.shape == "oval" else 0.85, 1.0)
        if spec.star and spec.shape == "round":
            _star(ink, cx, cy, s * 0.16)
        if spec.bottom:
            bpx = max(8, int(s * 0.085))
            m = len(spec.bottom)
            yb = cy + b * (0.52 if spec.shape == "round" else 0.45)
            if spec.shape == "oval" and not spec.star:
                yb = cy + b * 0.05
            for k, ch in enumerate(spec.bottom):
                x = cx + (k - (m - 1) / 2) * bpx * 0.95
                _paste_rotated(ink, _glyph(ch, bpx), x, yb, 0.0, 0.85, 1.0)
        if spec.star and spec.shape == "oval":
            _star(ink, cx, cy - b * 0.05, s * 0.07)
    rng = np.random.default_rng(spec.seed)
    # uneven pad pressure, plus speckle
    lo = rng.random((6, 6)).astype(np.float32)
    tex = cv2.resize(lo, (w, h), interpolation=cv2.INTER_CUBIC)
    tex = 0.75 + 0.25 * (tex - tex.min()) / max(1e-6, float(tex.max() - tex.min()))
    ink *= tex
    if spec.fade > 0:
        ink *= (1.0 - spec.fade * 0.55)
        drop = rng.random((h, w)) < spec.fade * 0.25
        ink[drop] *= 0.3
    if spec.angle:
        rot = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), -spec.angle, 1.0), np.float64)
        side = int(math.hypot(w, h)) + 2
        rot[0, 2] += (side - w) / 2
        rot[1, 2] += (side - h) / 2
        ink = np.asarray(cv2.warpAffine(ink, rot, (side, side), flags=cv2.INTER_LINEAR), np.float32)
    return np.clip(ink, 0.0, 1.0)


def stamp(image: np.ndarray, ink: np.ndarray, center: tuple[float, float],
          color: tuple[int, int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Stamp ``ink`` on a copy of ``image`` (H, W, 3) uint8 by multiplying; return it and the ink box."""
    out = image.astype(np.float32)
    h, w = ink.shape
    x0, y0 = int(round(center[0] - w / 2)), int(round(center[1] - h / 2))
    H, W = image.shape[:2]
    ix0, iy0, ix1, iy1 = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    sub = ink[iy0 - y0: iy1 - y0, ix0 - x0: ix1 - x0][..., None]
    col = np.asarray(color, np.float32) / 255.0
    out[iy0:iy1, ix0:ix1] *= 1.0 - sub * (1.0 - col)
    ys, xs = np.nonzero(sub[..., 0] > 0.15)
    box = (ix0 + int(xs.min()), iy0 + int(ys.min()), ix0 + int(xs.max()) + 1, iy0 + int(ys.max()) + 1)
    return np.clip(out, 0, 255).astype(np.uint8), box


def to_gray(image: np.ndarray, *, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A photocopy look: luminance copied to three channels, with optional grain."""
    g = image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    if noise:
        g += np.random.default_rng(seed).normal(0, noise, g.shape).astype(np.float32)
    g = np.clip(g, 0, 255).astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=2)


_BODY = (
    "兹证明我单位职工在本单位从事专业技术工作，表现良好，",
    "遵纪守法，无违反职业道德行为。本单位对其申报材料进行了审核，",
    "所提交材料真实有效。特此证明。",
    "年度考核结果：2021年合格，2022年优秀，2023年合格。",
    "单位负责人：张伟            经办人：刘芳",
)


def base_page(unit: str, *, dpi: int = 200) -> SynthPage:
    """A plain certificate-like page with a signature block (unit, date) where a seal goes."""
    import pymupdf

    from zcsynth._pages import _finish, _Writer

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    w = _Writer(page, dpi)
    w.text(240, 90, "单 位 证 明", 20)
    for i, row in enumerate(_BODY):
        w.text(60, 140 + 26 * i, row, 12)
    w.text(330, 300, unit, 12)
    w.text(360, 325, "2024年9月2日", 12)
    return _finish(doc, page, w, dpi, "单位证明")


def seal_page(spec: SealSpec, *, unit: str = "", gray: bool = False, center: tuple[float, float] | None = None,
              owner: str = "applicant", dpi: int = 200) -> SynthPage:
    """A page with one seal stamped over the signature block; the seal is a ``seal`` truth.

    ``owner`` is recorded in the truth's case (``applicant`` seals must be
    masked, ``authority`` seals stay visible by default).
    """
    page = base_page(unit or "巴州某某有限公司", dpi=dpi)
    H, W = page.image.shape[:2]
    ink = seal_ink(spec)
    color = COLORS[spec.color]
    if center is None:
        center = (W * 0.70, H * 0.35)
    img, box = stamp(page.image, ink, center, color)
    if gray:
        img = to_gray(img, noise=4.0, seed=spec.seed)
    case = f"{spec.shape}_{'gray' if gray else spec.color}{'_faded' if spec.fade else ''}"
    truth = Truth("seal" if owner != "authority" else "other", box, case, spec.text)
    return replace(page, image=img, truths=[*page.truths, truth],
                   meta={**page.meta, "owner": owner, "shape": spec.shape})


# --- red things that are not seals ---------------------------------------------------------

def _red_text(img: np.ndarray, x: int, y: int, s: str, px: int, color: tuple[int, int, int]) -> None:
    from PIL import Image, ImageDraw, ImageFont

    pil = Image.fromarray(img)
    font = ImageFont.truetype(io.BytesIO(_font_bytes()), px)
    ImageDraw.Draw(pil).text((x, y), s, fill=color, font=font)
    img[:] = np.asarray(pil)


def red_header_page(*, dpi: int = 200) -> SynthPage:
    """A 红头文件: a large red issuing-office title and a red rule under it."""
    import cv2

    page = base_page("巴州某某有限公司", dpi=dpi)
    img = page.image.copy()
    W = img.shape[1]
    img[: int(W * 0.2)] = 255
    _red_text(img, int(W * 0.12), int(W * 0.05), "巴州某某有限公司文件", int(W * 0.07), COLORS["red"])
    cv2.line(img, (int(W * 0.08), int(W * 0.16)), (int(W * 0.92), int(W * 0.16)), COLORS["red"], 6)
    _star(f := np.zeros(img.shape[:2], np.float32), W * 0.5, W * 0.16, W * 0.02)
    img[f > 0.5] = COLORS["red"]
    return replace(page, image=img, meta={"red": "header"})


def red_table_page(*, dpi: int = 200) -> SynthPage:
    """A form whose table rules are printed in red (square cells included)."""
    import cv2

    page = base_page("巴州某某有限公司", dpi=dpi)
    img = page.image.copy()
    H, W = img.shape[:2]
    x0, y0, cell = int(W * 0.1), int(H * 0.55), int(W * 0.1)
    for i in range(9):
        cv2.line(img, (x0 + i * cell, y0), (x0 + i * cell, y0 + 4 * cell), COLORS["red"], 3)
    for j in range(5):
        cv2.line(img, (x0, y0 + j * cell), (x0 + 8 * cell, y0 + j * cell), COLORS["red"], 3)
    for i in range(8):
        _red_text(img, x0 + i * cell + cell // 4, y0 + cell // 4, "项目内容填写处"[i % 7], cell // 2,
                  (20, 20, 20))
    return replace(page, image=img, meta={"red": "table"})


def emblem_page(*, dpi: int = 200) -> SynthPage:
    """A certificate with a round red-and-gold badge like a national emblem on top."""
    import cv2

    page = base_page("巴州某某有限公司", dpi=dpi)
    img = page.image.copy()
    H, W = img.shape[:2]
    img[: int(H * 0.03) + int(W * 0.2)] = 255
    cx, cy, r = W // 2, int(W * 0.12), int(W * 0.08)
    cv2.circle(img, (cx, cy), r, (200, 20, 25), -1, cv2.LINE_AA)
    gold = (235, 190, 40)
    cv2.circle(img, (cx, cy), r, gold, max(3, r // 12), cv2.LINE_AA)
    f = np.zeros(img.shape[:2], np.float32)
    _star(f, cx, cy - r * 0.35, r * 0.28)
    for k in range(4):
        t = math.radians(200 + k * 35)
        _star(f, cx + r * 0.62 * math.cos(t) * 1.0, cy - r * 0.1 + r * 0.5 * math.sin(t), r * 0.09)
    img[f > 0.5] = gold
    cv2.rectangle(img, (cx - r // 2, cy + r // 6), (cx + r // 2, cy + r // 2), gold, -1)
    return replace(page, image=img, meta={"red": "emblem"})


def annotation_page(*, seed: int = 0, dpi: int = 200) -> SynthPage:
    """Red pen marks: a word circled, ticks, an underline and a scribbled note."""
    import cv2

    page = base_page("巴州某某有限公司", dpi=dpi)
    img = page.image.copy()
    H, W = img.shape[:2]
    rng = np.random.default_rng(seed)
    pen = (220, 30, 40)
    # a loose loop around a word in the body text
    cv2.ellipse(img, (int(W * 0.3), int(H * 0.128)), (int(W * 0.09), int(W * 0.03)), 4, 10, 350, pen, 4,
                cv2.LINE_AA)
    # ticks
    for k in range(3):
        x, y = int(W * (0.8 + 0.04 * k)), int(H * (0.14 + 0.03 * k))
        cv2.polylines(img, [np.array([[x, y], [x + 12, y + 16], [x + 40, y - 24]])], False, pen, 4)
    cv2.line(img, (int(W * 0.1), int(H * 0.2)), (int(W * 0.6), int(H * 0.2) + 3), pen, 4)
    # scribbled handwriting: a random walk of short strokes
    x, y = W * 0.15, H * 0.62
    pts = []
    for _ in range(160):
        x += rng.uniform(2, 9)
        y += rng.normal(0, 6)
        y = min(max(y, H * 0.6), H * 0.66)
        pts.append((x, y))
    cv2.polylines(img, [np.array(pts, np.int32)], False, pen, 3, cv2.LINE_AA)
    _red_text(img, int(W * 0.2), int(H * 0.7), "已核对，同意上报", int(W * 0.035), pen)
    return replace(page, image=img, meta={"red": "annotation"})
