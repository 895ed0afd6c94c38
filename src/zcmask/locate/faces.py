"""Find faces in ID photos and return the band across the eyes.

STUB: finds nothing yet.
"""

from __future__ import annotations

import numpy as np

from zcmask.results import Region


def find_eyes(image: np.ndarray) -> list[Region]:
    """Return ``eyes`` regions for every face on an upright page (H, W, 3) uint8 RGB."""
    return []
