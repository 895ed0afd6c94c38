"""Decode images and PDF pages with guards against bombs, corruption and encryption."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from zcmask._pymupdf import load_pymupdf
from zcmask.exceptions import (
    EmptyFileError,
    EncryptedPdfError,
    ImageTooLargeError,
    InputFileError,
    UnsupportedFormatError,
)
from zcmask.results import Char, TextLine

log = logging.getLogger(__name__)

#: Apple's HEIC/HEIF photos, read through ``pi-heif`` (libheif's decoder only).
HEIF_SUFFIXES = frozenset({".heic", ".heif"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif"}) | HEIF_SUFFIXES
SUPPORTED_SUFFIXES = IMAGE_SUFFIXES | {".pdf"}

# EXIF orientation tag -> how far the stored pixels are turned clockwise from upright.
_EXIF_ROTATION = {1: 0, 3: 180, 6: 270, 8: 90}


@dataclass(frozen=True)
class LoadedPage:
    """One decoded page.

    Attributes
    ----------
    image : ndarray, shape (H, W, 3), uint8
        RGB pixels as stored in the file (EXIF not applied).
    dpi : int
        Resolution: the render dpi for PDF, the file's dpi (or 200) for images.
    format : str
        ``jpeg``, ``png``, ``tiff``, ``bmp``, ``webp`` or ``pdf``.
    exif_rotation : int
        Clockwise rotation implied by the EXIF tag (0 when absent).
    text_lines : tuple of TextLine
        The PDF text layer in pixel coordinates (empty for images).
    image_rects : tuple of (x0, y0, x1, y1)
        Areas of a PDF page covered by embedded images, in pixels.

    """

    image: np.ndarray
    dpi: int
    format: str
    exif_rotation: int = 0
    text_lines: tuple[TextLine, ...] = ()
    image_rects: tuple[tuple[float, float, float, float], ...] = ()


#: Formats applicants have and how to turn each into one zcmask reads (suffix -> advice).
CONVERT_ADVICE: dict[str, str] = {
    ".doc": "Word 文档请在 Word 或 WPS 中用“文件 → 另存为（或导出为）PDF”，再处理该 PDF",
    ".docx": "Word 文档请在 Word 或 WPS 中用“文件 → 另存为（或导出为）PDF”，再处理该 PDF",
    ".wps": "WPS 文档请在 WPS 中用“文件 → 输出为 PDF”，再处理该 PDF",
    ".ofd": "OFD 电子文件（电子发票、电子证照等）请用数科 OFD 阅读器或福昕阅读器“另存为 PDF”或“打印为 PDF”，再处理该 PDF",
    ".xps": "XPS 文件请用 Windows 自带的 XPS 查看器“打印”到“Microsoft Print to PDF”，再处理该 PDF",
    ".oxps": "XPS 文件请用 Windows 自带的 XPS 查看器“打印”到“Microsoft Print to PDF”，再处理该 PDF",
    ".caj": "知网 CAJ 文件请用 CAJViewer 打开后“打印”为 PDF，或从知网下载 PDF 版本",
    ".zip": "这是压缩包，请先解压到文件夹，再处理解压出的文件",
    ".rar": "这是压缩包，请先解压到文件夹，再处理解压出的文件",
    ".7z": "这是压缩包，请先解压到文件夹，再处理解压出的文件",
}


def unsupported_message(suffix: str) -> str:
    """The Chinese message for a file zcmask cannot read, with how to convert it.

    Examples
    --------
    >>> unsupported_message(".ofd").startswith("不支持 .ofd 格式：OFD 电子文件")
    True
    >>> unsupported_message("")
    '不支持 无扩展名 格式，请转换为 JPG（或 PNG/PDF）后再处理。'

    """
    advice = CONVERT_ADVICE.get(suffix.lower())
    if advice:
        tail = "（zcmask 会把 PDF 逐页转成 JPG）" if advice.endswith("PDF") else ""
        return f"不支持 {suffix} 格式：{advice}{tail}。"
    return f"不支持 {suffix or '无扩展名'} 格式，请转换为 JPG（或 PNG/PDF）后再处理。"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"找不到文件 {path}，请检查路径。")
    if path.stat().st_size == 0:
        raise EmptyFileError()
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormatError(unsupported_message(path.suffix))


def page_count(path: str | Path, max_pixels: int = 120_000_000) -> int:
    """Return how many pages ``path`` holds, raising a zcmask error if it cannot be read."""
    p = Path(path)
    _check_file(p)
    if p.suffix.lower() == ".pdf":
        doc = _open_pdf(p)
        try:
            return int(doc.page_count)
        finally:
            doc.close()
    im = _open_image(p, max_pixels)
    try:
        # Every frame of a multi-page TIFF or an animated GIF/WebP is a page:
        # dropping frames silently would lose attachments.
        return max(1, int(getattr(im, "n_frames", 1) or 1))
    except Exception as e:  # noqa: BLE001 - a frame table that cannot be read is a broken file
        raise InputFileError(f"图片 {p.name} 的页面（帧）无法读取，文件可能已损坏，请重新扫描或导出为 JPG。") from e
    finally:
        im.close()


def pdf_repaired(path: str | Path) -> bool:
    """True when MuPDF had to repair ``path`` to open it (truncated or damaged PDF).

    A repaired PDF opens, but pages or parts of pages may be gone; callers report
    it (``repaired_file``) rather than a clean success.
    """
    p = Path(path)
    if p.suffix.lower() != ".pdf":
        return False
    doc = _open_pdf(p)
    try:
        return bool(getattr(doc, "is_repaired", False))
    finally:
        doc.close()


def load_page(path: str | Path, index: int = 0, *, dpi: int = 200,
              max_pixels: int = 120_000_000) -> LoadedPage:
    """Decode page ``index`` (0-based) of an image or PDF file.

    Parameters
    ----------
    path : str or Path
        The input file. It is only ever opened for reading.
    index : int
        Page number, 0-based. Images have one page per frame (multi-page
        TIFF, animated GIF and WebP).
    dpi : int
        Render resolution for PDF pages.
    max_pixels : int
        Decompression-bomb guard: larger pages raise :class:`ImageTooLargeError`.

    Returns
    -------
    LoadedPage

    """
    p = Path(path)
    _check_file(p)
    if p.suffix.lower() == ".pdf":
        return _load_pdf_page(p, index, dpi, max_pixels)
    return _load_image(p, max_pixels, index)


def _heif_opener() -> None:
    """Teach PIL to open HEIC/HEIF (imported only for such files: 0.03 s).

    ``pi-heif`` decodes with libheif and applies the photo's rotation and mirroring
    (its EXIF orientation then reads 1), so the page comes out as the phone shows it.
    """
    try:
        from pi_heif import register_heif_opener
    except ImportError as e:  # pragma: no cover - a dependency, always installed
        raise UnsupportedFormatError("缺少 HEIC 解码组件（pi-heif），请重新安装 zcmask，或在“照片”App 中"
                                     "选“导出”为 JPEG 后再处理。") from e
    register_heif_opener()  # idempotent


def _open_image(p: Path, max_pixels: int) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = max_pixels
    if p.suffix.lower() in HEIF_SUFFIXES:
        _heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(p)
            if im.width * im.height > max_pixels:
                im.close()
                raise ImageTooLargeError()
            return im
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageTooLargeError() from e
    except UnidentifiedImageError as e:
        raise InputFileError(f"无法识别图片内容（{p.name} 可能已损坏，或扩展名与实际格式不符），请重新扫描或导出为 JPG。") from e
    except OSError as e:
        raise InputFileError(detail=str(e)) from e


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Normalise any PIL mode (1, L, P, LA, RGBA, CMYK, I;16, I, F) to RGB uint8."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        hi = float(a.max()) if a.size else 0.0
        if hi > 255:
            a = a * (255.0 / (65535.0 if hi <= 65535 else hi))
        g = np.clip(a, 0, 255).astype(np.uint8)
        return np.repeat(g[:, :, None], 3, axis=2)
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA"):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba).convert("RGB")
    elif mode != "RGB":
        im = im.convert("RGB")
    return np.ascontiguousarray(np.asarray(im, dtype=np.uint8))


def _load_image(p: Path, max_pixels: int, index: int = 0) -> LoadedPage:
    im = _open_image(p, max_pixels)
    try:
        frames = int(getattr(im, "n_frames", 1) or 1)
        if not 0 <= index < frames:
            raise InputFileError(f"图片 {p.name} 没有第 {index + 1} 页（帧）。")
        if index:
            try:
                im.seek(index)
            except (EOFError, OSError) as e:
                raise InputFileError(f"图片 {p.name} 第 {index + 1} 页（帧）无法读取，请重新扫描或导出为 JPG。") from e
        fmt = (im.format or p.suffix.lstrip(".")).lower()
        exif_rot = 0
        try:
            tag = im.getexif().get(0x0112, 1)
            exif_rot = _EXIF_ROTATION.get(int(tag), 0)
            if tag in (2, 4, 5, 7):
                # Mirrored orientations are rare scanner artefacts: apply them fully.
                im = ImageOps.exif_transpose(im)
        except Exception:  # noqa: BLE001 - a broken EXIF block must not lose the page
            log.debug("ignoring unreadable EXIF in %s", p)
        dpi_info = im.info.get("dpi")
        dpi = 200
        if dpi_info:
            try:
                d = round(float(dpi_info[0]))
                if 50 <= d <= 1200:
                    dpi = d
            except (TypeError, ValueError):
                pass
        try:
            im.load()
        except OSError as e:
            raise InputFileError(f"图片 {p.name} 数据不完整（可能下载或复制中断），请重新扫描或重新复制该文件。") from e
        rgb = _to_rgb(im)
    finally:
        im.close()
    return LoadedPage(image=rgb, dpi=dpi, format="jpeg" if fmt in ("jpeg", "jpg", "mpo") else fmt,
                      exif_rotation=exif_rot)


def _open_pdf(p: Path):  # type: ignore[no-untyped-def]
    pymupdf = load_pymupdf()

    try:
        doc = pymupdf.open(p, filetype="pdf")
    except Exception as e:  # noqa: BLE001 - MuPDF raises several private types
        raise InputFileError(f"PDF 文件 {p.name} 已损坏或不是有效的 PDF，请重新导出。") from e
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise EncryptedPdfError()
    if doc.page_count == 0:
        doc.close()
        raise InputFileError(f"PDF 文件 {p.name} 没有任何页面，请重新导出。")
    return doc


def _load_pdf_page(p: Path, index: int, dpi: int, max_pixels: int) -> LoadedPage:
    pymupdf = load_pymupdf()

    doc = _open_pdf(p)
    try:
        if not 0 <= index < doc.page_count:
            raise InputFileError(f"PDF 没有第 {index + 1} 页。")
        try:
            page = doc.load_page(index)
            scale = dpi / 72.0
            r = page.rect
            if r.width * scale * r.height * scale > max_pixels:
                raise ImageTooLargeError()
            pix = page.get_pixmap(dpi=dpi, alpha=False, colorspace=pymupdf.csRGB)
            img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3].copy()
            mat = page.rotation_matrix * pymupdf.Matrix(scale, scale)
            lines = _text_layer(page, mat)
            rects = []
            for info in page.get_image_info():
                b = pymupdf.Rect(info["bbox"]) * mat
                b.normalize()
                rects.append((b.x0, b.y0, b.x1, b.y1))
        except (ImageTooLargeError, InputFileError):
            raise
        except Exception as e:  # noqa: BLE001
            raise InputFileError(f"PDF 第 {index + 1} 页无法渲染（文件可能已损坏），请重新导出。") from e
    finally:
        doc.close()
    return LoadedPage(image=img, dpi=dpi, format="pdf", text_lines=tuple(lines), image_rects=tuple(rects))


def _text_layer(page, mat) -> list[TextLine]:  # type: ignore[no-untyped-def]
    """PyMuPDF character positions as :class:`TextLine` in pixel coordinates."""
    pymupdf = load_pymupdf()

    out: list[TextLine] = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            chars: list[Char] = []
            for span in line.get("spans", []):
                for ch in span.get("chars", []):
                    c = ch.get("c", "")
                    if not c or c.isspace():
                        continue
                    rb = pymupdf.Rect(ch["bbox"]) * mat
                    rb.normalize()
                    if rb.is_empty:
                        continue
                    chars.append(Char(c, (rb.x0, rb.y0, rb.x1, rb.y1), 1.0))
            if not chars:
                continue
            x0 = min(c.bbox[0] for c in chars)
            y0 = min(c.bbox[1] for c in chars)
            x1 = max(c.bbox[2] for c in chars)
            y1 = max(c.bbox[3] for c in chars)
            out.append(TextLine("".join(c.text for c in chars), (x0, y0, x1, y1), 1.0,
                                tuple(chars), source="text_layer"))
    return out
