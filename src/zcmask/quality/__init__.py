"""Page quality: orientation (0/90/180/270) and legibility.

Public names: :func:`detect_orientation`, :func:`assess_legibility`.
"""

from __future__ import annotations

from zcmask.quality.legibility import assess_legibility
from zcmask.quality.orientation import detect_orientation

__all__ = ["assess_legibility", "detect_orientation"]
