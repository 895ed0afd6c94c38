"""Labelled pages in layouts the locating pages never draw.

A red 红头 title, fill-in blanks on an underline, white print on a dark banner, a name
written down a narrow table column, a name in 方格 grid cells, print over a certificate's
guilloche, bold, blue-ink and light-grey names, brackets and quotes, very wide letter
spacing, a hollow (outlined) title, a shadowed title, a name written downwards with gaps at
the margin, and a surname and a given name in two fields. Each truth carries its own ink
mask (light glyphs on a banner, dark ones elsewhere), as the judge scores it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import replace

from zcsynth._pages import SynthPage, Truth, _finish, _Writer, pages_in_fonts

HAN = ["孙悦", "欧阳娜娜", "苏日娜", "钟离春", "邓超然", "石磊", "叶未央", "庞士元", "马骏", "古丽", "田甲申", "司马相如"]
UYGHUR = ["努尔兰·哈布德克里木", "阿力木江·买买提明", "帕提古丽·阿布力孜", "吐尔洪·吾布力卡斯木"]
UNITS = ["新疆生产建设兵团第二师铁门关市人民医院", "焉耆回族自治县水利局", "新疆交通建设集团股份有限公司",
         "博湖县市场监督管理局", "轮台县第一中学", "巴音郭楞蒙古自治州人民医院"]


def _label(w: _Writer, kind: str, case: str, s: str, box: tuple[float, float, float, float]) -> None:
    sc = w.scale
    w.truths.append(Truth(kind, (int(box[0] * sc), int(box[1] * sc), int(math.ceil(box[2] * sc)),
                                 int(math.ceil(box[3] * sc))), case, s))


def _page(rng: random.Random, dpi: int, fontfile: str | None) -> tuple[SynthPage, dict[str, object]]:
    import pymupdf

    name = rng.choice(UYGHUR if rng.random() < 0.3 else HAN)
    unit = rng.choice(UNITS)
    chars = name.replace("·", "")
    doc = pymupdf.open()
    pg = doc.new_page(width=595, height=842)
    w = _Writer(pg, dpi, fontfile)
    size = rng.choice([10.5, 12, 14])
    red = (0.85, 0.1, 0.1)
    y = 60.0
    # a red 红头 title and its rule
    ts = rng.choice([20, 24, 28])
    x0 = max(20.0, (595 - w.length(unit + "文件", ts)) / 2)
    w.text(w.text(x0, y + ts, unit, ts, "unit", "red_title", color=red), y + ts, "文件", ts, color=red)
    y += ts + 14
    pg.draw_line((40, y), (555, y), color=red, width=2)
    y += 30
    # fill-in blanks on an underline
    x = w.text(56, y, "兹证明", size) + 8
    x1 = w.text(x + 14, y, name, size, "name", "underline_blank")
    pg.draw_line((x, y + 2.5), (x1 + 14, y + 2.5), color=(0, 0, 0), width=0.7)
    w.text(x1 + 20, y, "同志于本单位工作。", size)
    y += size * 2.4
    x = w.text(56, y, "工作单位：", size)
    x1 = w.text(x + 10, y, unit, size, "unit", "underline_blank")
    pg.draw_line((x, y + 1.5), (x1 + 30, y + 1.5), color=(0, 0, 0), width=0.6)
    y += size * 2.6
    # white print on a dark banner
    bs = rng.choice([13, 16, 18])
    bw = w.length(unit, bs)
    pg.draw_rect(pymupdf.Rect(50, y - bs - 6, 50 + bw + 40, y + 8), color=None,
                 fill=rng.choice([(0.1, 0.15, 0.45), (0.65, 0.08, 0.08), (0.05, 0.35, 0.2)]))
    w.put(70, y, unit, bs, color=(1, 1, 1))
    _label(w, "unit", "inverse_banner", unit, (70, y - 0.9 * bs, 70 + bw, y + 0.15 * bs))
    y += bs * 2.6
    # 姓名 over the name written down a narrow column
    cs = size + 4
    top = y - cs
    pg.draw_rect(pymupdf.Rect(56, top, 64 + cs, top + 2 * cs + 6), color=(0, 0, 0), width=0.8)
    w.put(60, top + cs, "姓", size)
    w.put(60, top + 2 * cs, "名", size)
    t2 = top + 2 * cs + 6
    pg.draw_rect(pymupdf.Rect(56, t2, 64 + cs, t2 + len(chars) * cs + 8), color=(0, 0, 0), width=0.8)
    for i, ch in enumerate(chars):
        w.put(60 + (cs - size) / 2, t2 + (i + 1) * cs, ch, size)
    _label(w, "name", "vertical_cell", name, (60, t2 + cs - 0.9 * size, 60 + cs, t2 + len(chars) * cs + 0.15 * size))
    # 方格 grid cells
    gx, gy = 160.0, top + 10
    x = w.text(gx, gy + cs * 0.8, "申报人：", size)
    gs = size * 1.6
    for i, ch in enumerate(chars):
        pg.draw_rect(pymupdf.Rect(x + i * gs, gy, x + (i + 1) * gs, gy + gs), color=(0.2, 0.5, 0.2), width=0.7)
        w.put(x + i * gs + (gs - size) / 2, gy + gs / 2 + size * 0.38, ch, size)
    _label(w, "name", "grid_cells", name, (x + (gs - size) / 2, gy + gs / 2 - 0.52 * size,
                                           x + (len(chars) - 1) * gs + (gs + size) / 2, gy + gs / 2 + 0.53 * size))
    # blue ink, then bold
    hy = gy + gs + size * 2.2
    x = w.text(gx, hy, "负责人签字：", size)
    w.text(x + 6, hy, name, size * 1.2, "name", "blue_ink", color=(0.1, 0.2, 0.65))
    by = hy + size * 2.4
    x = w.text(gx, by, "获奖人：", size)
    bl = w.put(x + 4, by, name, size * 1.4, render_mode=2, border_width=0.06)  # bold: filled and outlined
    _label(w, "name", "bold", name, (x + 3, by - 0.95 * size * 1.4, x + 5 + bl, by + 0.2 * size * 1.4))
    y = max(t2 + len(chars) * cs + 30, by + 30)
    # a guilloche under the print
    for k in range(40):
        pts = [pymupdf.Point(40 + t * 5, y + 40 + 40 * math.sin(t * 0.09 + k * 0.4) * math.cos(t * 0.023 + k))
               for t in range(104)]
        pg.draw_polyline(pts, color=(0.75, 0.85, 0.95) if k % 2 else (0.95, 0.8, 0.85), width=0.5)
    x = w.text(w.text(70, y + 30, "兹授予", size + 2) + 4, y + 30, name, size + 6, "name", "guilloche")
    w.text(x + 4, y + 30, "同志", size + 2)
    w.text(w.text(70, y + 70, "颁发单位：", size), y + 70, unit, size, "unit", "guilloche")
    y += 130
    # brackets and quotes, then a date right after the name
    x = w.text(w.text(56, y, "申请人（", size), y, name, size, "name", "brackets")
    x = w.text(w.text(x, y, "）已于“", size), y, unit, size, "unit", "quotes")
    w.text(x, y, "”完成培训。", size)
    y += size * 2.4
    w.text(w.text(w.text(56, y, "签名：", size), y, name, size, "name", "then_date"), y, "2024年3月5日", size)
    y += size * 2.4
    # light grey, and very wide letter spacing
    w.text(w.text(56, y, "经办人：", size), y, name, size, "name", "light_grey", color=(0.55, 0.55, 0.55))
    x = w.text(300, y, "姓名", size)
    w.spaced(x + 10, y, chars, size, size * (3 if len(chars) <= 4 else 1.2), "name", "very_wide")
    y += size * 2.6
    # a hollow title, then a shadowed one
    hs = rng.choice([22, 28])
    hl = w.put(56, y + hs, unit, hs, render_mode=1, border_width=0.03)  # hollow: outlined only
    _label(w, "unit", "hollow", unit, (55, y + hs - 0.95 * hs, 57 + hl, y + hs + 0.2 * hs))
    y += hs * 2
    w.put(57.5, y + 1.5, unit, size + 4, color=(0.7, 0.7, 0.7))
    w.text(56, y, unit, size + 4, "unit", "shadowed")
    y += size * 2.8
    w.text(w.text(56, y, "单位负责人：", size), y, "王海", size, "other", "other_person")
    # the surname and the given name in two fields (a Han name only)
    if "·" not in name and y + size * 2.4 < 815:
        y += size * 2.4
        k = 2 if len(name) > 2 and name[:2] in ("欧阳", "司马", "上官", "钟离") else 1
        x = w.text(w.text(56, y, "姓：", size), y, name[:k], size, "name", "split_fields")
        w.text(w.text(x + size * 3, y, "名：", size), y, name[k:], size, "name", "split_fields")
    # written downwards with gaps, at the right margin
    vs = size + 2
    for i, ch in enumerate(chars):
        w.put(545, 300 + i * vs * 2.2, ch, vs)
    _label(w, "name", "vertical_spaced", name,
           (545, 300 - 0.9 * vs, 545 + vs * 1.02, 300 + (len(chars) - 1) * vs * 2.2 + 0.15 * vs))
    sp = _finish(doc, pg, w, dpi, "layouts")
    gray = sp.image.min(axis=2)
    truths = []
    for t in sp.truths:
        x0, y0, x1, y1 = t.bbox
        cut = gray[y0:y1, x0:x1]
        # white print on the banner; the guilloche's and the shadow's pale lines are not ink
        m = cut > 160 if t.case == "inverse_banner" else cut < (110 if t.case in ("guilloche", "shadowed") else 160)
        truths.append(replace(t, mask=m))
    sp.truths = truths
    return sp, {"name": name, "unit": unit, "alias": None}


def layout_pages(n: int = 12, *, seed: int = 0, dpi: int = 200,
                 fontfiles: Sequence[str | None] = (None,)) -> list[tuple[SynthPage, dict[str, object]]]:
    """``n`` labelled pages of the layouts in this module's docstring.

    Returns (page, facts) pairs as :func:`zcsynth.locating_pages` does; ``fontfiles``
    are used in turn (None: ``china-s``).
    """
    rng = random.Random(seed)
    return pages_in_fonts(rng, n, fontfiles, lambda r, _i, f: _page(r, dpi, f))
