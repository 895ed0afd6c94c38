"""Labelled pages covering every locating case, plus scan distortions and the judge's score.

``locating_pages`` draws names and units in every case the locating issue lists
(spaced, split across lines, dotted transliterations, traditional forms, aliases,
large fonts, table cells, signatures, unit short forms and pieces) next to other
people's names that must stay visible. ``distort`` adds skew, blur and noise while
carrying each instance's ink mask along. ``score_page`` applies the judge's rule:
an instance is masked when >= 95% of its ink lies inside reported regions and is
black in the output.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from zcsynth._pages import SynthPage, Truth, _finish, _Writer, pages_in_fonts

HAN_NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静怡", "杨帆", "赵丽娟", "黄志强", "周晓梅", "吴昊天",
             "马海燕", "郭子涵", "何明", "罗玉兰", "高峰", "林雨萱", "欧阳文博", "司马云"]
UYGHUR_NAMES = ["艾尔肯·吐尔逊", "热依拉·艾买提", "买买提·艾力", "阿依古丽·阿不都拉", "古丽米拉·托合提",
                "努尔兰·哈力木", "巴图·孟和", "迪丽娜尔·吾斯曼"]
UNITS = ["国网新疆电力有限公司巴州供电公司", "巴音郭楞蒙古自治州水利水电勘测设计有限责任公司",
         "新疆维吾尔自治区建筑科学研究院", "库尔勒市城市建设投资集团有限公司", "尉犁县人民医院",
         "新疆天山示范工程咨询有限公司", "和静县农业技术推广中心", "巴州第二建筑工程有限责任公司"]
OTHERS = ["张建华", "李国强", "孙丽", "赵明远", "钱学文"]
DOTS = ["·", "•", "．", "・", ""]
T2S_NAMES = {"王建国": "王建國", "陈静怡": "陳靜怡", "黄志强": "黃志強", "罗玉兰": "羅玉蘭", "赵丽娟": "趙麗娟"}


@dataclass(frozen=True)
class PageScore:
    """Judge's outcome for one page."""

    hits: tuple[tuple[Truth, bool, float], ...]  # (truth, masked?, covered share)
    overmask: float  # share of page area masked away from any true instance
    others_hidden: int  # must-stay-visible instances that were masked


def _short_unit(unit: str) -> str:
    u = unit.replace("巴音郭楞蒙古自治州", "巴州").replace("新疆维吾尔自治区", "新疆")
    for suf in ("有限责任公司", "有限公司", "集团"):
        if u.endswith(suf) and len(u) - len(suf) >= 4:
            return u[: -len(suf)]
    return u


def _page(rng: random.Random, dpi: int, idx: int,
          fontfile: str | None = None) -> tuple[SynthPage, dict[str, object]]:
    import pymupdf

    uy = idx % 3 == 0
    name = rng.choice(UYGHUR_NAMES if uy else HAN_NAMES)
    unit = rng.choice(UNITS)
    alias = None
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    w = _Writer(page, dpi, fontfile)
    size = rng.choice([10.5, 11, 12, 14])
    y = 70.0
    lh = size * 2.1

    def line(parts: Sequence[tuple[str, str | None, str]], x: float = 56, sz: float | None = None) -> None:
        nonlocal y
        s = sz or size
        if s > size:
            y += s - size
        for text, kind, case in parts:
            x = w.text(x, y, text, s, kind, case)
        y += max(lh, s * 1.8)

    title = rng.choice(["公  示", "承 诺 书", "年度考核登记表", "推荐意见", "工作总结", "继续教育证明"])
    line([(title, None, "")], x=230, sz=20)
    other = rng.choice(OTHERS)
    # running text
    line([("经单位研究，", None, ""), (name, "name", "running_text"), ("同志符合申报条件。", None, "")])
    # spaced name, normal or wide
    gap = rng.choice([3.0, 8.0, 18.0])
    x = w.text(56, y, "姓    名：", size)
    w.spaced(x + 6, y, name.replace("·", "") if not uy else name, size, gap, "name",
             "spaced_wide" if gap > 10 else "spaced")
    y += lh
    # unit field
    line([("工作单位：", None, ""), (unit, "unit", "unit_field")])
    # split across lines (name)
    pre = "本人郑重承诺，以上材料均由申报人"
    cut = rng.randint(1, len(name.replace("·", "")) - 1) if not uy else name.index("·") + 1
    nm = name
    x = w.text(56, y, pre, size)
    w.text(x, y, nm[:cut], size, "name", "split_line")
    y += lh
    x = w.text(56, y, nm[cut:], size, "name", "split_line")
    w.text(x, y, "本人提供，真实有效。", size)
    y += lh
    # dotted variant for transliterations, or traditional for Han names
    if uy:
        dot = rng.choice(DOTS)
        line([("申报人", None, ""), (name.replace("·", dot), "name", f"dot_variant{'_none' if not dot else ''}"),
              ("在本单位工作满五年。", None, "")])
    elif name in T2S_NAMES:
        line([("證書持有人：", None, ""), (T2S_NAMES[name], "name", "traditional")])
    else:
        alias = name[0] + "小" + name[-1]
        line([("曾用名：", None, ""), (alias, "name", "alias")])
    # unit in running text, short form
    line([("该同志在", None, ""), (_short_unit(unit), "unit", "unit_short"), ("从事技术工作。", None, "")])
    # table cell
    y += 6
    x0 = 56
    page.draw_rect(pymupdf.Rect(x0, y - size - 4, x0 + 480, y + 8), color=(0, 0, 0), width=0.8)
    page.draw_line((x0 + 80, y - size - 4), (x0 + 80, y + 8), color=(0, 0, 0), width=0.8)
    page.draw_line((x0 + 220, y - size - 4), (x0 + 220, y + 8), color=(0, 0, 0), width=0.8)
    w.text(x0 + 8, y, "姓名", size)
    w.text(x0 + 90, y, name, size, "name", "table_cell")
    w.text(x0 + 228, y, "单位负责人：", size)
    w.text(x0 + 228 + size * 6, y, other, size, "other", "other_person")
    y += lh + 6
    # unit split across lines
    k = rng.randint(min(4, len(unit) // 2), max(min(4, len(unit) // 2), len(unit) - 4))
    x = w.text(56, y, "推荐单位：", size)
    w.text(x, y, unit[:k], size, "unit", "unit_split_line")
    y += lh
    w.text(56, y, unit[k:], size, "unit", "unit_split_line")
    y += lh
    # partial unit (a run of >= 6 characters)
    a = rng.randint(0, max(0, len(unit) - 7))
    b = min(len(unit), a + rng.randint(6, 9))
    line([("原件存于", None, ""), (unit[a:b], "unit", "unit_partial"), ("档案室。", None, "")])
    # large certificate font
    big = rng.choice([22, 26, 32])
    line([("持证人 ", None, ""), (name, "name", "large_font")], sz=big)
    # signature in a slanted, larger "handwritten" style
    y += 20
    x = w.text(300, y, rng.choice(["承诺人：", "申报人签字：", "述职人："]), size)
    sig = name if rng.random() < 0.8 else name.replace("·", "")
    _slanted(page, w, x + 6, y + 2, sig, size * 1.5, "name", "signature")
    y += lh * 1.5
    x = w.text(300, y, unit, size, "unit", "unit_signature_block")
    w.text(x, y, "（盖章）", size)
    sp = _finish(doc, page, w, dpi, "locating")
    return sp, {"name": name, "unit": unit, "alias": alias}


def _slanted(page, w: _Writer, x: float, y: float, s: str, size: float, kind: str, case: str) -> None:  # type: ignore[no-untyped-def]
    """Write ``s`` sheared like quick handwriting, and label its box."""
    import pymupdf

    m = pymupdf.Matrix(1, 0, -0.25, 1, 0, 0)
    length = w.put(x, y, s, size, morph=(pymupdf.Point(x, y), m), color=(0.05, 0.05, 0.35))
    sc = w.scale
    box = (x - 0.05 * size, y - 0.95 * size, x + length + 0.3 * size, y + 0.2 * size)
    w.truths.append(Truth(kind, (int(box[0] * sc), int(box[1] * sc), int(np.ceil(box[2] * sc)),
                                 int(np.ceil(box[3] * sc))), case, s))


def _with_ink_masks(sp: SynthPage) -> SynthPage:
    gray = sp.image.min(axis=2)
    truths = []
    for t in sp.truths:
        x0, y0, x1, y1 = t.bbox
        ink = gray[y0:y1, x0:x1] < 160
        truths.append(replace(t, mask=ink))
    sp.truths = truths
    return sp


def locating_pages(n: int = 24, *, seed: int = 0, dpi: int = 200,
                   fontfiles: Sequence[str | None] = (None,)) -> list[tuple[SynthPage, dict[str, object]]]:
    """``n`` labelled pages with every locating case; returns (page, facts) pairs.

    ``facts`` holds the ``name``, ``unit`` and ``alias`` the page was drawn for.
    Each truth carries its ink mask. ``fontfiles`` are used in turn (None is the
    built-in ``china-s``), so a benchmark can add system fonts (楷体, 宋体 ...).
    """
    rng = random.Random(seed)
    return [(_with_ink_masks(sp), facts) for sp, facts in
            pages_in_fonts(rng, n, fontfiles, lambda r, i, f: _page(r, dpi, i, f))]


def distort(sp: SynthPage, *, skew: float = 0.0, blur: float = 0.0, noise: float = 0.0,
            seed: int = 0) -> SynthPage:
    """Skew (degrees, counter-clockwise), blur (sigma px) and add noise, carrying truths along.

    Truth boxes become the bounding boxes of their warped ink; masks are warped too.
    The text layer is dropped: a distorted page is a scan.
    """
    import cv2

    h, w = sp.image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    img = cv2.warpAffine(sp.image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    if blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    if noise > 0:
        rs = np.random.default_rng(seed)
        img = np.clip(img.astype(np.float32) + rs.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    truths = []
    for t in sp.truths:
        full = np.zeros((h, w), np.uint8)
        x0, y0, x1, y1 = t.bbox
        if t.mask is not None:
            full[y0:y1, x0:x1] = t.mask.astype(np.uint8)
        else:
            full[y0:y1, x0:x1] = 1
        wm = cv2.warpAffine(full, m, (w, h), flags=cv2.INTER_NEAREST) > 0
        ys, xs = np.nonzero(wm)
        if len(xs) == 0:
            continue
        bx = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        truths.append(replace(t, bbox=bx, mask=wm[bx[1]:bx[3], bx[0]:bx[2]]))
    return SynthPage(img, sp.dpi, truths, [], b"", sp.template, dict(sp.meta))


def score_page(truths: Sequence[Truth], output: np.ndarray, regions: Sequence[tuple[int, int, int, int]],
               *, black: int = 60, need: float = 0.95) -> PageScore:
    """Score an output page the way the held-out judge does.

    Parameters
    ----------
    truths : sequence of Truth
        Instances with boxes (and ink masks) in output pixels. ``kind == "other"``
        marks text that must stay visible.
    output : ndarray, shape (H, W, 3), uint8
        The masked output page.
    regions : sequence of (x0, y0, x1, y1)
        Regions the tool reported.

    """
    h, w = output.shape[:2]
    inside = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in regions:
        inside[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = True
    is_black = output.max(axis=2) < black
    covered = inside & is_black
    truth_area = np.zeros((h, w), bool)
    hits = []
    others_hidden = 0
    for t in truths:
        x0, y0, x1, y1 = t.bbox
        m = t.mask if t.mask is not None and t.mask.any() else np.ones((y1 - y0, x1 - x0), bool)
        m = m[: max(0, min(y1, h) - y0), : max(0, min(x1, w) - x0)]
        cov = covered[y0:y0 + m.shape[0], x0:x0 + m.shape[1]][m]
        share = float(cov.mean()) if cov.size else 0.0
        if t.kind == "other":
            if share > 0.5:
                others_hidden += 1
            continue
        truth_area[y0:y1, x0:x1] = True
        hits.append((t, share >= need, share))
    over = float((inside & is_black & ~truth_area).sum()) / float(h * w)
    return PageScore(tuple(hits), over, others_hidden)
