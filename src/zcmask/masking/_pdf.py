"""True redaction of PDF pages: text, vector and image pixels under each box are removed.

This module only deletes content under boxes it is given; it does not locate anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from zcmask._io import atomic_path
from zcmask.exceptions import OutputFileError
from zcmask.results import IntBBox


def _to_pdf_rect(page, box: IntBBox, rotation: int, dpi: int):  # type: ignore[no-untyped-def]
    """Map an upright-output pixel box back to PDF user space."""
    import pymupdf

    from zcmask._geometry import box_upright

    scale = dpi / 72.0
    mat = page.rotation_matrix * pymupdf.Matrix(scale, scale)
    rendered = pymupdf.Rect(page.rect) * mat
    rw, rh = rendered.width, rendered.height
    # Invert box_upright: rotating the upright page back by -rotation.
    inv = (360 - rotation) % 360
    ow, oh = (rh, rw) if rotation in (90, 270) else (rw, rh)
    b = box_upright(tuple(float(v) for v in box), inv, int(round(ow)), int(round(oh)))  # type: ignore[arg-type]
    r = pymupdf.Rect(b) * ~mat
    r.normalize()
    return r


def redact_pdf(src: str | Path, dest: str | Path,
               boxes: Mapping[int, tuple[int, int, Sequence[IntBBox]]]) -> int:
    """Write a redacted copy of ``src`` to ``dest``.

    Parameters
    ----------
    boxes : mapping page index (0-based) -> (rotation, dpi, boxes in output pixels)

    Returns
    -------
    int
        Number of characters still found under the boxes after redaction (0 when clean).

    """
    import pymupdf

    doc = pymupdf.open(src)
    leftover = 0
    try:
        rects_by_page = {}
        for pno, (rotation, dpi, bxs) in boxes.items():
            page = doc.load_page(pno)
            rects = [_to_pdf_rect(page, b, rotation, dpi) for b in bxs]
            for r in rects:
                page.add_redact_annot(r, fill=(0, 0, 0))
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,  # type: ignore[attr-defined]
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED)  # type: ignore[attr-defined]
            rects_by_page[pno] = rects
        for pno, rects in rects_by_page.items():
            page = doc.load_page(pno)
            for r in rects:
                leftover += len(page.get_textbox(r).strip())
        try:
            with atomic_path(dest) as tmp:
                doc.save(tmp, garbage=4, deflate=True, clean=True)
        except OSError as e:
            raise OutputFileError(f"写入 {dest} 失败：{e}") from e
    finally:
        doc.close()
    return leftover
