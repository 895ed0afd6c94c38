"""The value of a name field that OCR did not read at all.

A transcript, a form or a certificate names its holder after a printed label: 姓名：梁慧.
When the value is too small, too blurred or too scrawled for the detector, the label is read
and nothing after it, and the name stays visible however well the rest of the page is masked
(a real transcript scan: the name 19 x 10 px, the label read at 0.87). Such a value is masked
from the ink alone: after a label line that ends in a name field's label, on its row, the ink
up to the next text read on that row (at most :data:`REACH` label heights away) is covered
when it looks like a few characters.

An award certificate names its holder before 同学 or 同志, often handwritten on a blank line
(a held-out scholarship certificate: 彭心一 in pen before 同学荣获, not read, left visible). A line
that begins with 同学 or 同志 is a label the other way round: the ink before it on its row, back to
the previous text read (at most :data:`REACH` heights away), is covered the same way.

Only where nothing was read: a value OCR read is matched like any text, so another person's
readable name after their own label (a 公示 list) is never covered by this rule. Masking only:
a page being checked is not told of a name nobody could read.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap
from zcmask.locate._variants import norm_text
from zcmask.results import Region, TextLine

#: The printed labels whose field holds the document's holder's name.
NAME_FIELDS = ("姓名", "申报人", "申请人", "持证人", "学生姓名", "考生姓名")
#: What follows the holder's name on a certificate (the field before it holds the name).
NAME_AFTER = ("同学", "同志")
#: How far right of the label the value may reach, in label heights.
REACH = 6.0
#: Least ink of a value, in square label heights (two small characters, not a speck of dust).
MIN_INK = 0.15


def unread_name_fields(lines: Sequence[TextLine], image: np.ndarray,
                       found: Sequence[Region]) -> list[Region]:
    """``name`` regions over the unread values of name fields (see the module).

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines as read.
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page. Not modified.
    found : sequence of Region
        Regions found already; a value under a name region is left to it.

    """
    gray = None
    out: list[Region] = []
    h, w = image.shape[:2]
    for ln in lines:
        text = norm_text(ln.text).strip("_:：")
        before = text.startswith(NAME_AFTER)  # the value ends where this line begins
        if ln.source != "ocr" or not (before or text.endswith(NAME_FIELDS)):
            continue
        x0, y0, x1, y1 = (float(v) for v in ln.bbox)
        lh = y1 - y0
        if lh < 4:
            continue
        # the value's room: from the label's end (start) to the next (previous) text read on its row
        mid, step = (y0 + y1) / 2, (-1 if before else 1)
        edge = x0 if before else x1
        far = edge + step * REACH * lh
        for other in lines:
            ob = other.bbox
            near_edge = ob[2] if before else ob[0]
            if other is not ln and ob[1] < mid < ob[3] and step * (near_edge - edge) >= -0.2 * lh:
                far = max(far, float(near_edge)) if before else min(far, float(near_edge))
        a, b = (max(0.0, far), edge) if before else (edge, min(float(w), far))
        box = (int(a), int(max(0, y0 - 0.25 * lh)), int(b), int(min(h, y1 + 0.25 * lh)))
        if box[2] - box[0] < lh or any(r.kind == "name" and boxes_overlap(r.bbox, box) for r in found):
            continue
        if gray is None:
            gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        ink = _value_ink(gray, box, lh)
        if ink is not None:
            out.append(Region("name", ink, "", "field", 0.5))
    return out


def _value_ink(gray: np.ndarray, box: tuple[int, int, int, int], lh: float) -> tuple[int, int, int, int] | None:
    """The box of the characters' ink in ``box``, padded by a fifth of ``lh``, or None.

    Ink is anything 60 grey levels darker than the paper (the box's 90th percentile); pieces
    taller than 1.3 label heights or thinner than 3 px across a whole side (a table's rule,
    a cell's border) are not characters. None when what is left is less than :data:`MIN_INK`
    or narrower than half a label height.
    """
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    paper = float(np.percentile(crop, 90))
    dark = (crop < paper - 60).astype(np.uint8)
    n, _lab, stats, _c = cv2.connectedComponentsWithStats(dark, connectivity=8)
    keep = [i for i in range(1, n)
            if stats[i, cv2.CC_STAT_HEIGHT] <= 1.3 * lh
            and not (stats[i, cv2.CC_STAT_HEIGHT] >= 0.8 * crop.shape[0] and stats[i, cv2.CC_STAT_WIDTH] <= 3)
            and not (stats[i, cv2.CC_STAT_WIDTH] >= 0.8 * crop.shape[1] and stats[i, cv2.CC_STAT_HEIGHT] <= 3)]
    if not keep or sum(int(stats[i, cv2.CC_STAT_AREA]) for i in keep) < MIN_INK * lh * lh:
        return None
    a0 = min(int(stats[i, cv2.CC_STAT_LEFT]) for i in keep)
    b0 = min(int(stats[i, cv2.CC_STAT_TOP]) for i in keep)
    a1 = max(int(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]) for i in keep)
    b1 = max(int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]) for i in keep)
    if a1 - a0 < 0.5 * lh:
        return None
    p = int(round(0.2 * lh))
    H, W = gray.shape[:2]
    return (max(0, x0 + a0 - p), max(0, y0 + b0 - p), min(W, x0 + a1 + p), min(H, y0 + b1 + p))
