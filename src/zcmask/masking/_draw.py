"""Solid black fills over located regions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask.results import Region

# Region kinds that are blacked out. Others (e.g. kept seals) are only reported.
MASK_KINDS = frozenset({"name", "unit", "seal", "eyes", "signature", "manual", "id_number"})


def mask_regions(image: np.ndarray, regions: Sequence[Region]) -> tuple[np.ndarray, list[Region]]:
    """Black out ``regions`` on a copy of ``image``.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
    regions : sequence of Region
        Boxes in pixels of ``image``; kinds outside :data:`MASK_KINDS` are skipped.

    Returns
    -------
    masked : ndarray, shape (H, W, 3), uint8
        A new array; ``image`` is unchanged.
    hidden : list of Region
        The regions that were drawn, clipped to the image.

    Examples
    --------
    >>> from zcmask.results import Region
    >>> img = np.full((10, 10, 3), 255, np.uint8)
    >>> out, hid = mask_regions(img, [Region("name", (2, 2, 5, 5))])
    >>> int(out[3, 3].max()), int(img[3, 3].min())
    (0, 255)

    """
    out = image.copy()
    h, w = out.shape[:2]
    hidden: list[Region] = []
    for r in regions:
        if r.kind not in MASK_KINDS:
            continue
        x0, y0, x1, y1 = (int(v) for v in r.bbox)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        out[y0:y1, x0:x1] = 0
        hidden.append(r if (x0, y0, x1, y1) == tuple(r.bbox) else
                      Region(r.kind, (x0, y0, x1, y1), r.text, r.source, r.score))
    return out, hidden
