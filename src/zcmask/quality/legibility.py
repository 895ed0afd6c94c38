"""Decide whether a page is legible (清晰) and why not.

STUB: first version, always legible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask.results import Issue, Legibility, TextLine


def assess_legibility(image: np.ndarray, lines: Sequence[TextLine], dpi: int) -> tuple[Legibility, list[Issue]]:
    """Score the legibility of an upright page (H, W, 3) uint8 RGB with its OCR lines."""
    return Legibility(True, 1.0), []
