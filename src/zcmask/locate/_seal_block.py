"""The signature block a unit seal is stamped on belongs to the unit.

A certificate or 聘书 ends with the unit's name above the date, often written
as a calligraphic signature, and the unit's seal stamped over both. OCR may
return nothing for the calligraphy, or three characters with the first one
wrong: too little to match the unit's name. Where a seal was read as the
applicant's unit, the text lines it sits on are the unit's signature block
and are masked as ``unit`` (source ``layout``), except the date and labels
such as （盖章）.

This module only reads text lines and seal boxes; finding and reading seals is
:mod:`zcmask.locate.seals`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zcmask.locate._variants import norm_text
from zcmask.options import Identity
from zcmask.results import Region, SealSeen, TextLine

# Words that may sit under a seal without being the unit's name.
_LABELS = ("单位盖章", "盖章", "公章", "印章", "特此证明", "特此通知", "此证", "签章", "签字", "日期")
_DATE_CHARS = set("0123456789〇零一二三四五六七八九十年月日号-./")


def _is_date(text: str) -> bool:
    if not text or not re.search("[年月日]|\\d{4}[-./]\\d", text):
        return False
    return sum(c in _DATE_CHARS for c in text) >= 0.7 * len(text)


def seal_block_regions(lines: Sequence[TextLine], seals: Sequence[SealSeen], identity: Identity,
                       size: tuple[int, int]) -> list[Region]:
    """Regions of kind ``unit`` for the lines under a seal of the applicant's unit.

    Parameters
    ----------
    lines : sequence of TextLine
        The page's text, upright page pixels.
    seals : sequence of SealSeen
        Seals found on the page; only masked round or oval seals read as the
        applicant's (``owner == "applicant"``) count.
    identity : Identity
        The applicant (a name seal, square, is not a unit's).
    size : (width, height)
        Page size, for clipping.

    Returns
    -------
    list of Region
        One per line: kind ``unit``, source ``layout``, score 0.5.

    """
    w, h = size
    names = {norm_text(n) for n in (identity.name, *identity.aliases)}
    out: list[Region] = []
    for s in seals:
        if s.owner != "applicant" or s.shape == "square" or not s.masked:
            continue
        if norm_text(s.text) in names:
            continue
        sx0, sy0, sx1, sy1 = s.bbox
        sw, sh = max(1, sx1 - sx0), max(1, sy1 - sy0)
        for ln in lines:
            x0, y0, x1, y1 = ln.bbox
            cy = (y0 + y1) / 2
            if not (sy0 - 0.15 * sh <= cy <= sy1 - 0.1 * sh):
                continue
            if min(x1, sx1) - max(x0, sx0) <= 0.25 * min(x1 - x0, sw):
                continue
            # body text a seal overlaps is wider than the block: not the signature
            if x1 - x0 > 1.8 * sw:
                continue
            text = norm_text(ln.text)
            rest = text
            for lab in _LABELS:
                rest = rest.replace(lab, "")
            rest = rest.strip("()（）:：")
            if len(rest) < 2 or _is_date(rest):
                continue
            pad = 0.15 * max(1.0, y1 - y0)
            box = (int(max(0, x0 - pad)), int(max(0, y0 - pad)), int(min(w, x1 + pad)),
                   int(min(h, y1 + pad)))
            if box[2] > box[0] and box[3] > box[1]:
                out.append(Region("unit", box, ln.text, "layout", 0.5))
    return out
