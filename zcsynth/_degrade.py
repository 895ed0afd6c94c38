"""Benchmark material for the quality checks: varied page layouts and controlled degradations.

:func:`layout_page` draws a page in one of several layouts that are hard for a
page-orientation classifier (text only at the top, a blank centre, a table,
a landscape certificate, two columns, small print, scanned look).
:func:`degrade` applies one named degradation at a strength in [0, 1], and
:func:`turn` turns a page clockwise the way the contract's example does.

Everything is deterministic for a given seed. This module draws pixels only; it
does not run OCR and does not label legibility (the benchmark does that from
OCR character error rates).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from zcsynth._pages import FONT, SynthPage, _finish, _Writer

__all__ = ["DEGRADATIONS", "LAYOUTS", "degrade", "layout_page", "turn"]

_SENTENCES = (
    "经单位推荐，该同志申报工程系列电力专业中级职称，现予以公示。",
    "本人承诺所提交的申报材料真实有效，如有弄虚作假，自愿承担相应责任。",
    "该同志自参加工作以来，认真履行岗位职责，工作业绩突出。",
    "公示期为5个工作日，如有异议请与单位人事部门联系。",
    "负责变电站运行维护管理，组织完成设备检修及技术改造项目。",
    "年度考核结果为合格，继续教育学时达到规定要求。",
    "主持编制输电线路施工方案，解决现场关键技术难题。",
    "参与水利工程建设项目的质量检测与验收工作。",
    "专业技术资格评审委员会评审通过，具备工程师资格。",
    "以上情况属实，特此证明。",
    "申报人须对所填内容和提交材料的真实性负责。",
    "社会保险缴费记录连续完整，缴费单位与工作单位一致。",
    "学历证书及学信网电子注册备案表已核验无误。",
    "近五年发表专业论文两篇，获得实用新型专利一项。",
    "The applicant completed 90 hours of continuing education in 2023.",
    "联系电话：0996-2021234  地址：库尔勒市人民东路12号",
)
_TITLES = ("公  示", "承 诺 书", "专业技术资格证书", "年度考核登记表", "继续教育证书", "工作总结",
           "推荐意见", "任职资格文件", "证  明")

LAYOUTS = ("dense", "top_only", "bottom_only", "sparse", "table", "landscape", "two_column",
           "small_print", "scanned", "photo", "numbers", "single_line")


def _para(w: _Writer, rng: np.random.Generator, x: float, y: float, width: float, size: float,
          n_lines: int) -> float:
    """Write ``n_lines`` lines of running text wrapped at ``width`` pt; returns the next y."""
    import pymupdf

    for _ in range(n_lines):
        s = str(rng.choice(_SENTENCES))
        while pymupdf.get_text_length(s, fontname=FONT, fontsize=size) > width and len(s) > 4:
            s = s[:-1]
        w.text(x, y, s, size)
        y += size * 1.8
    return y


def layout_page(layout: str, seed: int = 0, *, dpi: int = 200) -> SynthPage:
    """Draw one page of ``layout`` (see :data:`LAYOUTS`) with seeded random text.

    Parameters
    ----------
    layout : str
        One of :data:`LAYOUTS`.
    seed : int
        Seed for the text and positions.
    dpi : int
        Render resolution.

    Returns
    -------
    SynthPage
        ``image`` is (H, W, 3) uint8 RGB, upright.

    """
    import pymupdf

    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    rng = np.random.default_rng(seed)
    doc = pymupdf.open()
    landscape = layout == "landscape"
    pw, ph = (842, 595) if landscape else (595, 842)
    page = doc.new_page(width=pw, height=ph)
    w = _Writer(page, dpi)
    title = str(rng.choice(_TITLES))
    size = float(rng.choice([10.5, 12.0, 14.0]))
    if layout == "dense":
        w.text(pw / 2 - 60, 80, title, 20)
        _para(w, rng, 60, 130, pw - 120, size, int((ph - 200) / (size * 1.8)))
    elif layout == "top_only":
        w.text(pw / 2 - 60, 70, title, 18)
        _para(w, rng, 60, 110, pw - 120, size, int(rng.integers(3, 7)))
    elif layout == "bottom_only":
        y = _para(w, rng, 60, ph - 230, pw - 120, size, 5)
        w.text(pw - 220, y + 20, "2024年9月2日", size)
    elif layout == "sparse":
        w.text(pw / 2 - 60, 90, title, 22)
        w.text(80, 150, str(rng.choice(_SENTENCES))[:20], size)
        w.text(330, ph - 120, "签名：__________", size)
        w.text(350, ph - 95, "2023年12月1日", size)
    elif layout == "table":
        w.text(pw / 2 - 70, 70, title, 18)
        x0, y0, cw, rh = 60.0, 110.0, (pw - 120) / 4, 34.0
        rows = int(rng.integers(8, 16))
        for r in range(rows + 1):
            page.draw_line((x0, y0 + r * rh), (x0 + 4 * cw, y0 + r * rh), width=0.8)
        for c in range(5):
            page.draw_line((x0 + c * cw, y0), (x0 + c * cw, y0 + rows * rh), width=0.8)
        heads = ("年度", "考核结果", "学时", "备注")
        for r in range(rows):
            for c in range(4):
                s = heads[c] if r == 0 else str(rng.choice(("2021", "合格", "优秀", "90", "已核验", "电力")))
                w.text(x0 + c * cw + 8, y0 + r * rh + 22, s, 11)
    elif layout == "landscape":
        w.text(pw / 2 - 140, 120, title, 30)
        for i in range(4):
            w.text(160, 220 + i * 50, str(rng.choice(_SENTENCES))[:24], 16)
        page.draw_rect((40, 40, pw - 40, ph - 40), width=3, color=(0.6, 0.1, 0.1))
    elif layout == "two_column":
        w.text(pw / 2 - 60, 70, title, 18)
        colw = (pw - 150) / 2
        n = int((ph - 170) / (size * 1.8))
        _para(w, rng, 60, 120, colw, size, n)
        _para(w, rng, 90 + colw, 120, colw, size, n // 2)
    elif layout == "small_print":
        w.text(pw / 2 - 60, 70, title, 16)
        _para(w, rng, 50, 100, pw - 100, 8.0, int(rng.integers(10, 30)))
    elif layout == "scanned":
        w.text(pw / 2 - 60, 80, title, 20)
        _para(w, rng, 60, 130, pw - 120, size, int(rng.integers(6, 20)))
    elif layout == "photo":
        w.text(pw / 2 - 60, 70, title, 18)
        w.text(60, ph - 150, str(rng.choice(_SENTENCES))[:26], size)
        w.text(60, ph - 120, str(rng.choice(_SENTENCES))[:26], size)
    elif layout == "numbers":
        for r in range(int(rng.integers(10, 25))):
            nums = "  ".join(str(int(v)) for v in rng.integers(10, 99999, size=5))
            w.text(70, 90 + r * 24, nums, 11)
    elif layout == "single_line":
        w.text(60, 80, str(rng.choice(_SENTENCES)), size)
    sp = _finish(doc, page, w, dpi, f"layout:{layout}")
    if layout == "photo":
        sp.image = _paste_photo(sp.image, rng)
    if layout == "scanned":
        sp.image = _scan_look(sp.image, rng)
    sp.meta["layout"] = layout
    sp.meta["seed"] = seed
    return sp


def _paste_photo(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A smooth, textured block in the middle of the page, like a pasted photograph."""
    h, w = img.shape[:2]
    y0, y1, x0, x1 = int(0.18 * h), int(0.68 * h), int(0.15 * w), int(0.85 * w)
    small = rng.integers(40, 220, size=(12, 10, 3)).astype(np.uint8)
    block = np.asarray(Image.fromarray(small).resize((x1 - x0, y1 - y0), Image.Resampling.BICUBIC))
    out = img.copy()
    out[y0:y1, x0:x1] = block
    return out


def _scan_look(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Grey paper, a slight skew and sensor noise, like a flatbed scan."""
    im = Image.fromarray(img).rotate(float(rng.uniform(-1.5, 1.5)), resample=Image.Resampling.BILINEAR,
                                     fillcolor=(255, 255, 255))
    a: np.ndarray = np.asarray(im).astype(np.float32)
    paper = float(rng.uniform(215, 240))
    a = a * (paper / 255.0) + rng.normal(0, 4, a.shape[:2])[:, :, None]
    return np.clip(a, 0, 255).astype(np.uint8)


def turn(image: np.ndarray, rotation: int) -> np.ndarray:
    """Turn an upright page (H, W, 3) clockwise by ``rotation`` degrees (0/90/180/270).

    Same pixels as ``PIL.Image.rotate(-rotation, expand=True)``.

    >>> turn(np.zeros((4, 2, 3), np.uint8), 90).shape
    (2, 4, 3)
    """
    k = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, -k)) if k else image.copy()


DEGRADATIONS = ("blur", "downscale", "dark", "washed", "motion", "jpeg", "low_contrast")


def degrade(image: np.ndarray, kind: str, strength: float) -> np.ndarray:
    """Apply degradation ``kind`` at ``strength`` in [0, 1] (1 = far past reading).

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        A clean page. Not modified.
    kind : str
        ``blur`` (Gaussian, sigma up to 8 px at 200 dpi), ``downscale`` (to 100 %..8 % of
        the pixel size, kept small), ``dark`` (towards near-black), ``washed`` (towards
        white), ``motion`` (a line kernel up to 60 px), ``jpeg`` (quality 60..2),
        ``low_contrast`` (ink and paper pulled towards mid-grey).
    strength : float
        0 leaves the page (almost) as is.

    Returns
    -------
    ndarray, (H', W', 3) uint8
        A new array; ``downscale`` changes the size.

    Examples
    --------
    >>> out = degrade(np.full((50, 40, 3), 255, np.uint8), "dark", 1.0)
    >>> int(out.max()) < 30
    True

    """
    s = float(np.clip(strength, 0.0, 1.0))
    a = image.astype(np.float32)
    if kind == "blur":
        im = Image.fromarray(image).filter(ImageFilter.GaussianBlur(0.3 + 7.7 * s))
        return np.asarray(im).copy()
    if kind == "downscale":
        f = 1.0 - 0.92 * s
        h, w = image.shape[:2]
        im = Image.fromarray(image).resize((max(8, round(w * f)), max(8, round(h * f))), Image.Resampling.BILINEAR)
        return np.asarray(im).copy()
    if kind == "dark":
        gain = 1.0 - 0.93 * s
        return np.clip(a * gain, 0, 255).astype(np.uint8)
    if kind == "washed":
        # Paper stays white, ink is lifted towards it.
        lift = 0.95 * s
        return np.clip(a + (255.0 - a) * lift, 0, 255).astype(np.uint8)
    if kind == "low_contrast":
        k = 1.0 - 0.94 * s
        return np.clip(128.0 + (a - 128.0) * k, 0, 255).astype(np.uint8)
    if kind == "motion":
        import cv2

        n = max(1, int(round(1 + 59 * s)))
        line = np.zeros((n, n), np.float32)
        line[n // 2, :] = 1.0 / n
        m = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), 20, 1.0)
        turned = np.asarray(cv2.warpAffine(line, m, (n, n)), np.float32)
        ker = turned / max(float(turned.sum()), 1e-6)
        return np.clip(cv2.filter2D(a, -1, ker, borderType=cv2.BORDER_REPLICATE), 0, 255).astype(np.uint8)
    if kind == "jpeg":
        q = int(round(60 - 58 * s))
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, "JPEG", quality=max(1, q))
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()
    raise ValueError(f"unknown degradation {kind!r}")
