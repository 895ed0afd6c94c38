"""Curl a clean page the way a book spread or a rolled certificate bends before it is photographed."""

from __future__ import annotations

import numpy as np

__all__ = ["curl_page"]


def curl_page(page: np.ndarray, *, amount: float = 0.025, kind: str = "arc", seed: int = 0) -> np.ndarray:
    """Bend the text lines of ``page`` vertically, as a curled sheet seen from above does.

    Parameters
    ----------
    page : ndarray, shape (H, W, 3), uint8
        The clean, upright page. Not modified.
    amount : float
        Largest vertical displacement as a share of the page height.
    kind : {"arc", "wave", "spine"}
        ``arc``: one bow across the page (a rolled certificate), ``wave``: a
        sinusoid of one and a half periods (a sheet that lay folded), ``spine``: a
        page rising towards its left edge (one page of a book spread, cylindrical).
    seed : int
        Varies the bow slightly from top to bottom.

    Returns
    -------
    ndarray, shape (H + 2 * pad, W, 3), uint8
        The curled page on a canvas tall enough that nothing is cut; the added
        rows are paper white.

    Examples
    --------
    >>> curl_page(np.full((100, 70, 3), 255, np.uint8)).shape
    (110, 70, 3)

    """
    import cv2

    rng = np.random.default_rng(seed)
    h, w = page.shape[:2]
    a = amount * h
    pad = int(np.ceil(a)) + 2
    xx, yy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h + 2 * pad, dtype=np.float32))
    u = xx / max(w - 1, 1)
    v = np.clip((yy - pad) / max(h - 1, 1), 0, 1)
    if kind == "arc":
        shape = np.sin(np.pi * u)
    elif kind == "wave":
        shape = np.sin(3 * np.pi * u)
    elif kind == "spine":
        shape = (1 - u) ** 2 * 2 - 1  # a cylinder's rise near the spine, measured from its middle
    else:
        raise ValueError(kind)
    # The bow is stronger towards one end of the page (the paper is held at the other).
    k0, k1 = rng.uniform(0.6, 1.0), rng.uniform(1.0, 1.3)
    d = a * shape * (k0 + (k1 - k0) * v) / 1.3
    map_y = (yy - pad - d).astype(np.float32)
    return cv2.remap(page, xx, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                     borderValue=(255, 255, 255))
