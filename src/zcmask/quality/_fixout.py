"""Write the upload-ready copy of a page for ``check --fix``, and describe what was done.

A page that needed nothing (an upright JPG that is already a flat scan) is copied
byte for byte, so a good scan is never re-encoded. Everything else is written as
an upright JPG through an atomic temp file. This module decides nothing about the
pixels; :mod:`zcmask.quality._flatten` does.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zcmask._io import encode_jpeg, write_bytes_atomic, write_jpeg_atomic
from zcmask.results import FixStep, PageFix

if TYPE_CHECKING:
    from zcmask.pipeline import PageAnalysis, PageContext

__all__ = ["page_fix", "thumbnail_uri", "write_fixed"]


def thumbnail_uri(image: np.ndarray, long_side: int = 240) -> str:
    """A small JPEG preview of ``image`` (H, W, 3) uint8 as a ``data:`` URI for the HTML report."""
    import cv2

    h, w = image.shape[:2]
    s = min(1.0, long_side / max(h, w))
    if s < 1:
        image = cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return "data:image/jpeg;base64," + base64.b64encode(encode_jpeg(np.ascontiguousarray(image), 72, 90)).decode()


def page_fix(an: PageAnalysis, output: str | None, written: np.ndarray | None = None) -> PageFix:
    """The :class:`PageFix` of an analysed page: flattening steps, then the 90-degree turn."""
    steps = list(an.fix or ())
    if an.orientation.rotation:
        steps.append(FixStep("rotate", (("rotation", an.orientation.rotation),)))
    if an.orientation.mirrored:
        steps.append(FixStep("mirror", ()))
    before = thumbnail_uri(an.before) if an.before is not None and steps else ""
    after = thumbnail_uri(an.image if written is None else written) if steps else ""
    return PageFix(tuple(steps), output, before, after)


def write_fixed(ctx: PageContext, an: PageAnalysis) -> PageFix:
    """Write the fixed page to ``ctx.fix_path``; copy the input unchanged when nothing is needed."""
    if ctx.fix_path is None:
        return page_fix(an, None)
    fix = page_fix(an, ctx.fix_path)
    src = Path(ctx.input_path)
    untouched = (not fix.steps and not an.exif_rotation and an.format == "jpeg"
                 and src.suffix.lower() in (".jpg", ".jpeg") and ctx.page_index == 0)
    if untouched:
        write_bytes_atomic(ctx.fix_path, src.read_bytes())
    else:
        write_jpeg_atomic(ctx.fix_path, an.image, an.dpi, ctx.options.jpeg_quality)
    return fix
