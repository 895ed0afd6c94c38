"""Detect how far a page's content is turned clockwise from upright.

STUB: a first version that trusts the EXIF tag and a text-line aspect vote.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask.ocr import OcrEngine
from zcmask.results import Orientation, TextLine


def detect_orientation(image: np.ndarray, *, engine: OcrEngine | None = None,
                       exif_rotation: int = 0,
                       text_lines: Sequence[TextLine] = ()) -> Orientation:
    """Return the content rotation of ``image`` (H, W, 3) uint8 RGB as stored.

    Parameters
    ----------
    image : ndarray
        The page as stored in the file.
    engine : OcrEngine, optional
        Used to confirm a candidate rotation with recognition confidence.
    exif_rotation : int
        Rotation implied by the file's EXIF tag, a strong prior.
    text_lines : sequence of TextLine
        A PDF text layer on the stored page, if any.
    """
    if exif_rotation:
        return Orientation(exif_rotation, 0.9, "exif")
    return Orientation(0, 0.5, "default")
