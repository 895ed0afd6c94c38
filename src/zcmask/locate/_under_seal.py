"""Read again, with the stamp ink taken out, the text a unit seal is stamped on.

A unit seal is stamped over the unit's name in a contract's 甲方/供方 line or
at the foot of a notice. On the page as scanned, OCR's detector often finds no
line there at all, or breaks it into single characters (供 | 南 | 河), so
neither the name matcher nor the seal's signature block
(:mod:`zcmask.locate._seal_block`) has anything to work on, and the part of
the name outside the seal's box stays visible. Measured on the real
unit-text corpus (``benchmarks/real_unit_text.py``), this was the largest
group of misses.

For each round or oval seal read as the applicant's unit, a band around it
(the seal's height, one and a half seal widths to each side) is copied, its
stamp ink (:func:`zcmask.locate._seal_find.ink_mask`, slightly grown) is
painted over with the paper's colour, and the band is recognised again. The
lines read there are matched like the page's own lines (units tolerate more
errors there, as under any seal) and given to the signature-block rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zcmask._geometry import boxes_overlap, share_inside, shift_line
from zcmask.locate._variants import norm_text
from zcmask.results import Region, SealSeen, TextLine

#: Band around a seal that is read again: seal widths added on each side, and seal heights above/below.
SIDE = 1.5
MARGIN_Y = 0.1


def _without_stamp_ink(crop: np.ndarray) -> np.ndarray:
    """A copy of ``crop`` with stamp-coloured pixels painted in the paper's colour."""
    import cv2

    from zcmask.locate._seal_find import ink_mask

    ink = cv2.dilate(ink_mask(crop).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    out = crop.copy()
    if ink.any():
        paper = np.percentile(crop.reshape(-1, 3), 90, axis=0).astype(np.uint8)
        out[ink] = paper
    return out


def reread_under_seals(image: np.ndarray, seals: Sequence[SealSeen], engine,
                       found: Sequence[Region] = (), units: Sequence[str] = ()) -> list[TextLine]:
    """Text lines read again around each seal of the applicant's unit, in page pixels.

    A seal stamped on a unit name the page's own reading already matched whole (a unit
    region in ``found`` crosses the seal and holds one of the folded ``units`` forms) is
    not read again: the detector saw that line, which is what the second reading is for.
    Only matches of the name matcher count, not the signature-block rule's lines: that
    rule also covers lines broken into single characters, which still need the second
    reading. A match of only pieces of the name across a seal (蚂蚁智信（杭州） | 技术有,
    the stamp's ink hiding 信息 and the detector missing 限公司 beyond it) is read again, and
    so is a seal whose own centre text alone matched (统计学院 inside the ring of 中国人民大学
    统计学院's seal, the signature line 中国人民大学统计学院 across it and the next seal unread).
    So is a masked seal whose ring could not be read even when no match crosses it (an HR
    seal's ring read as Latin garbage on a page shrunk and re-compressed, the detector
    seeing no line across it): only the name matcher's hits count there, not the signature
    block, which is given to the applicant's own seals only.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    seals : sequence of SealSeen
        Seals found on the page; masked round or oval seals owned by the applicant are used.
    engine : OcrEngine
        Any engine with ``recognize(image) -> list[TextLine]``.
    found : sequence of Region
        What the name matcher found on the page's own lines.

    """
    h, w = image.shape[:2]
    out: list[TextLine] = []
    for s in seals:
        if s.shape == "square" or not s.masked or s.owner == "authority":
            continue
        crossing = [r for r in found if r.kind == "unit" and _across(r.bbox, s.bbox) and not _inside(r.bbox, s.bbox)]
        if any(_whole(r.text, units) for r in crossing):
            continue
        x0, y0, x1, y1 = (int(v) for v in s.bbox)
        sw, sh = max(1, x1 - x0), max(1, y1 - y0)
        cx0, cx1 = max(0, int(x0 - SIDE * sw)), min(w, int(x1 + SIDE * sw))
        cy0, cy1 = max(0, int(y0 - MARGIN_Y * sh)), min(h, int(y1 + MARGIN_Y * sh))
        if cx1 - cx0 < 16 or cy1 - cy0 < 16:
            continue
        crop = _without_stamp_ink(np.ascontiguousarray(image[cy0:cy1, cx0:cx1]))
        out += [shift_line(ln, cx0, cy0) for ln in engine.recognize(crop) if ln.chars]
    return out


def _across(box: Sequence[float], seal: Sequence[float]) -> bool:
    """Whether a line at ``box`` runs through ``seal``'s box: they overlap and its middle is level with the seal.

    A unit printed in the next table row, its top 5 px inside the seal's box, is no line the seal
    is stamped on (a held-out application form: 信息科学技术学院 under the seal counted as the line read
    across it, and 海南师范大学, the cell the seal was stamped over, was never read again).

    >>> _across((10, 40, 60, 60), (0, 0, 100, 100)), _across((10, 95, 60, 130), (0, 0, 100, 100))
    (True, False)
    """
    middle = (box[1] + box[3]) / 2
    return boxes_overlap(tuple(box), tuple(seal)) and seal[1] <= middle <= seal[3]


#: Share of a region's area inside a seal's box beyond which it is the seal's own text.
OWN_TEXT = 0.8


def _inside(box: Sequence[float], seal: Sequence[float]) -> bool:
    """Whether ``box`` lies within ``seal``'s box: the seal's own ring or centre text, not a line it is stamped on.

    >>> _inside((10, 40, 60, 60), (0, 0, 100, 100)), _inside((10, 40, 160, 60), (0, 0, 100, 100))
    (True, False)
    """
    return share_inside(box, seal) > OWN_TEXT


def _whole(text: str, units: Sequence[str]) -> bool:
    """Whether a matched unit text holds one of the unit's folded forms whole (or no forms are given).

    >>> _whole("蚂蚁智信(杭州)技术有", ["蚂蚁智信杭州信息技术"]), _whole("x", [])
    (False, True)
    """
    folded = norm_text(text)
    return not units or any(u in folded for u in units)


def under_seal_regions(image: np.ndarray, seals: Sequence[SealSeen], identity, engine,
                       size: tuple[int, int], pad: float, found: Sequence[Region] = ()) -> list[Region]:
    """Unit and name regions from the text read again under the applicant's unit seals.

    ``found``: the name matcher's regions on the page's own lines (see :func:`reread_under_seals`).
    """
    from zcmask.locate._seal_block import seal_block_regions
    from zcmask.locate._text import find_identity, unit_patterns

    lines = reread_under_seals(image, seals, engine, found, unit_patterns(identity))
    if not lines:
        return []
    regions = find_identity(lines, identity, size, pad=pad, signatures=False,
                            seal_boxes=[s.bbox for s in seals])
    return regions + seal_block_regions(lines, seals, identity, size)
