"""Reading input documents into upright-agnostic RGB pages.

Public names: :func:`page_count`, :func:`load_page`, :class:`LoadedPage`,
:func:`pdf_repaired`, :data:`IMAGE_SUFFIXES`, :data:`SUPPORTED_SUFFIXES`. Pages are returned exactly as
stored (EXIF orientation is reported, not applied), because the upload platform
ignores EXIF: the orientation stage decides how to turn them upright.

This package does not run OCR and never writes files.
"""

from __future__ import annotations

from zcmask.documents._read import (
    IMAGE_SUFFIXES,
    SUPPORTED_SUFFIXES,
    LoadedPage,
    load_page,
    page_count,
    pdf_repaired,
)

__all__ = ["IMAGE_SUFFIXES", "SUPPORTED_SUFFIXES", "LoadedPage", "load_page", "page_count", "pdf_repaired"]
