"""Find official seals (公章), read their ring text and decide which to mask.

STUB: finds nothing yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask.ocr import OcrEngine
from zcmask.options import Identity
from zcmask.results import Issue, Region, SealSeen, TextLine


def find_seals(image: np.ndarray, lines: Sequence[TextLine], identity: Identity | None, *,
               mode: str = "applicant", engine: OcrEngine | None = None,
               ) -> tuple[list[Region], list[SealSeen], list[Issue]]:
    """Locate seals on an upright page (H, W, 3) uint8 RGB.

    Returns the regions to mask (kind ``seal``), every seal seen (masked or kept,
    with its read text), and issues such as ``seal_unreadable``.
    """
    return [], [], []
