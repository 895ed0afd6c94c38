"""Drawing masks on page images (and true redaction of PDFs).

Public names: :func:`mask_regions`, :func:`redact_pdf`. Masks are drawn on a copy;
the input array is never changed.
"""

from __future__ import annotations

from zcmask.masking._draw import MASK_KINDS, mask_regions
from zcmask.masking._pdf import redact_pdf

__all__ = ["MASK_KINDS", "mask_regions", "redact_pdf"]
