"""Labelled applicant folders for the benchmark, generated in code.

One *applicant folder* is the twelve pages a 职称 application holds (公示, 公示结果,
承诺书, two 年度考核表, 继续教育证书, 职称证书 with photo, 身份证, 社保缴费单,
two pages of 工作总结 and a 单位推荐意见 with seals). Names and units appear in
every locating case (running text, fields, spaced, split across lines, Uyghur
names with middle-dot variants, table cells, large fonts, signatures, partial
and short unit forms). Pages then get seals, photos, scan noise, ±1.5° skew and
some 90/180/270 rotations, and are written as 200 dpi JPGs.

Every true instance carries a pixel mask in the coordinates of the written
page, so the scorer can apply the held-out rule exactly. Everybody here is
fictional. This module draws; it does not run either tool.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FONT = "china-s"
DPI = 200
DOTS = ("·", "•", "．", "・", "")


@dataclass(frozen=True)
class Applicant:
    """A fictional applicant: what both tools are told to mask."""

    key: str
    name: str
    units: tuple[str, ...]  # full name first, then the aliases the user gives
    auto_short: str  # a short form zcmask should derive itself (not given to either tool)
    other_name: str = "张伟"

    @property
    def unit(self) -> str:
        return self.units[0]


APPLICANTS: tuple[Applicant, ...] = (
    Applicant("a1", "王建国", ("国网新疆电力有限公司巴州供电公司", "巴州供电公司"), "国网新疆电力巴州供电公司"),
    Applicant("a2", "艾尔肯·吐尔逊", ("巴音郭楞蒙古自治州水利水电勘测设计院", "州水利设计院"), "巴州水利水电勘测设计院"),
    Applicant("a3", "李晓燕", ("新疆维吾尔自治区建筑设计研究院有限公司", "新疆建筑设计院"), "新疆建筑设计研究院"),
    Applicant("a4", "古丽娜尔·艾买提", ("尉犁县水利管理站", "尉犁水管站"), "尉犁县水利管理站"),
)

OTHERS = ("刘芳", "陈志强", "马丽", "赵永刚", "周海燕")
OTHER_UNITS = ("和静县自来水公司", "库尔勒市第二中学", "轮台县交通运输局", "若羌县人民医院")


@dataclass
class Instance:
    """One true instance; ``mask`` is a crop at (``x0``, ``y0``) of the written page."""

    kind: str  # name | unit | seal | eyes | other (must stay visible)
    case: str
    text: str
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # clean-page pixels
    x0: int = 0
    y0: int = 0
    mask: np.ndarray | None = None
    parts: list[tuple[int, int, int, int]] = field(default_factory=list)  # written-page boxes of each part

    def bbox(self) -> tuple[int, int, int, int]:
        assert self.mask is not None
        h, w = self.mask.shape
        return (self.x0, self.y0, self.x0 + w, self.y0 + h)

    def full_mask(self, shape: tuple[int, int]) -> np.ndarray:
        """The instance mask on a page of ``shape`` (H, W)."""
        m = np.zeros(shape, bool)
        assert self.mask is not None
        h, w = self.mask.shape
        m[self.y0:self.y0 + h, self.x0:self.x0 + w] = self.mask
        return m


@dataclass
class BenchPage:
    """A written benchmark page and its truth."""

    applicant: Applicant
    template: str
    stem: str
    image: np.ndarray
    instances: list[Instance]
    rotation: int = 0  # content turned clockwise by this much
    skew: float = 0.0
    path: Path | None = None


class _Writer:
    """Draws on a page and, for marked spans, also on a truth-only page."""

    def __init__(self, page, truth_page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.tpage = truth_page
        self.sc = DPI / 72.0
        self.insts: list[Instance] = []
        self.overlays: list[tuple[str, dict[str, object]]] = []

    def text(self, x: float, y: float, s: str, size: float = 11, inst: Instance | None = None,
             *, shear: float = 0.0, color: tuple[float, float, float] = (0, 0, 0)) -> float:
        import pymupdf

        kw: dict[str, object] = {"fontname": FONT, "fontsize": size, "color": color}
        if shear:
            kw["morph"] = (pymupdf.Point(x, y), pymupdf.Matrix(1, 0, -shear, 1, 0, 0))
        self.page.insert_text((x, y), s, **kw)
        w = pymupdf.get_text_length(s, fontname=FONT, fontsize=size)
        if inst is not None:
            self.tpage.insert_text((x, y), s, **{**kw, "color": (0, 0, 0)})
            sh = abs(shear) * size
            inst.boxes.append(((x - sh) * self.sc, (y - 0.95 * size) * self.sc,
                               (x + w + sh) * self.sc, (y + 0.2 * size) * self.sc))
        return x + w

    def mark(self, kind: str, case: str, text: str) -> Instance:
        inst = Instance(kind, case, text)
        self.insts.append(inst)
        return inst

    def field_text(self, x: float, y: float, s: str, size: float, kind: str, case: str,
                   **kw: float) -> float:
        return self.text(x, y, s, size, self.mark(kind, case, s), **kw)  # type: ignore[arg-type]

    def spaced(self, x: float, y: float, s: str, size: float, gap: float, kind: str, case: str) -> float:
        import pymupdf

        inst = self.mark(kind, case, s)
        for ch in s:
            self.text(x, y, ch, size, inst)
            x += pymupdf.get_text_length(ch, fontname=FONT, fontsize=size) + gap
        return x

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.8) -> None:
        import pymupdf

        self.page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=(0, 0, 0), width=width)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.8) -> None:
        import pymupdf

        self.page.draw_line(pymupdf.Point(x0, y0), pymupdf.Point(x1, y1), color=(0, 0, 0), width=width)

    def seal(self, text: str, cx: float, cy: float, *, owner: str = "applicant", shape: str = "round",
             color: str = "red", size_pt: float = 120, case: str = "") -> None:
        """Queue a seal stamped at (cx, cy) pt; ``owner`` ``authority`` seals must stay visible."""
        self.overlays.append(("seal", {"text": text, "cx": cx * self.sc, "cy": cy * self.sc,
                                       "owner": owner, "shape": shape, "color": color,
                                       "size": int(size_pt * self.sc),
                                       "case": case or f"seal_{shape}_{owner}"}))

    def photo(self, x: float, y: float, w: float, case: str) -> None:
        """Queue an ID photo (a real portrait) with its top-left at (x, y) pt and width ``w`` pt."""
        self.overlays.append(("photo", {"x": x * self.sc, "y": y * self.sc, "w": w * self.sc, "case": case}))


# --- templates ------------------------------------------------------------------------------

def _dotted(name: str, variant: str) -> str:
    return name.replace("·", variant)


def _gongshi(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(250, 80, "公  示", 22)
    x = w.text(60, 130, "经单位推荐，", 12)
    x = w.field_text(x, 130, a.name, 12, "name", "running_text")
    w.text(x, 130, "同志申报工程系列中级职称，现将其", 12)
    w.text(60, 152, "基本情况予以公示，公示期为5个工作日。", 12)
    x = w.text(60, 190, "工作单位：", 12)
    w.field_text(x, 190, a.unit, 12, "unit", "field")
    x = w.text(60, 215, "姓    名：", 12)
    w.spaced(x, 215, a.name, 12, 9, "name", "spaced")
    w.text(60, 240, "申报专业：电力工程技术      申报级别：中级", 12)
    x = w.text(60, 275, "如有异议，请与单位人事部门联系。联系人：", 12)
    w.field_text(x, 275, a.other_name, 12, "other", "other_person")
    w.text(60, 297, "联系电话：0996-2021234", 12)
    w.field_text(330, 380, a.unit, 12, "unit", "signature_block")
    w.text(380, 404, "2024年9月2日", 12)
    w.seal(a.unit, 420, 385, case="seal_round_unit")


def _gongshi_jieguo(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(140, 80, "2024年度专业技术职务任职资格评审结果公示", 15)
    w.text(60, 115, "经评审委员会评议，下列同志具备相应专业技术职务任职资格，现予公示。", 10.5)
    cols = [50, 85, 165, 345, 455, 545]
    heads = ["序号", "姓名", "工作单位", "专业", "资格"]
    y0, rh = 130, 44
    rows = 5
    for r in range(rows + 1):
        w.line(cols[0], y0 + r * rh, cols[-1], y0 + r * rh)
    for c in cols:
        w.line(c, y0, c, y0 + rows * rh)
    for i, h in enumerate(heads):
        w.text(cols[i] + 4, y0 + 27, h, 11)
    me = int(rng.integers(1, rows))
    for r in range(1, rows):
        yy = y0 + r * rh
        w.text(cols[0] + 8, yy + 27, str(r), 11)
        if r == me:
            if "·" in a.name:
                _split_name(w, a, cols[1] + 3, yy + 18, 10.5, 13)
            else:
                w.field_text(cols[1] + 3, yy + 27, a.name, 10.5, "name", "table_cell")
            _split_unit(w, a.unit, cols[2] + 3, yy + 18, 10.5, 16, 15)
        else:
            w.field_text(cols[1] + 3, yy + 27, OTHERS[r % len(OTHERS)], 10.5, "other", "other_person")
            w.text(cols[2] + 3, yy + 27, OTHER_UNITS[r % len(OTHER_UNITS)], 10.5)
        w.text(cols[3] + 3, yy + 27, "水利水电工程", 10.5)
        w.text(cols[4] + 3, yy + 27, "工程师", 10.5)
    w.text(330, 420, "巴音郭楞蒙古自治州人力资源和社会保障局", 11)
    w.text(390, 442, "2024年12月20日", 11)
    w.seal("巴音郭楞蒙古自治州人力资源和社会保障局", 440, 420, owner="authority", case="seal_authority")


def _split_name(w: _Writer, a: Applicant, x: float, y: float, size: float, lh: float) -> float:
    """A Uyghur name broken after its middle dot, in a narrow cell (艾尔肯· | 吐尔逊)."""
    i = a.name.index("·") + 1
    inst = w.mark("name", "uyghur_split", a.name)
    w.text(x, y, a.name[:i], size, inst)
    return w.text(x, y + lh, a.name[i:], size, inst)


def _split_unit(w: _Writer, unit: str, x: float, y: float, size: float, per_line: int, lh: float) -> None:
    inst = w.mark("unit", "split_lines", unit)
    for k in range(0, len(unit), per_line):
        w.text(x, y + (k // per_line) * lh, unit[k:k + per_line], size, inst)


def _chengnuo(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(250, 90, "承 诺 书", 20)
    x = w.text(60, 140, "本人", 12)
    x = w.field_text(x, 140, a.name, 12, "name", "running_text")
    w.text(x, 140, "郑重承诺：所提交的申报材料真实有效，", 12)
    w.text(60, 162, "如有弄虚作假，自愿承担相应责任，并接受取消申报资格的处理。", 12)
    w.text(60, 184, "本人已认真阅读申报文件，符合申报条件。", 12)
    x = w.text(320, 280, "承诺人：", 12)
    w.field_text(x + 6, 283, a.name, 19, "name", "signature", shear=0.25)
    w.text(350, 310, "2024年9月10日", 12)


def _kaohe(year: int, split: bool):  # type: ignore[no-untyped-def]
    def draw(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
        w.text(170, 80, f"事业单位工作人员年度考核登记表（{year}年度）", 14)
        L, R = 60, 540
        ys = [100, 140, 180, 260, 420, 520, 600, 680, 780]
        for y in ys:
            w.line(L, y, R, y)
        w.line(L, 100, L, 780)
        w.line(R, 100, R, 780)
        for x in (120, 260, 320, 400):
            w.line(x, 100, x, 140)
        w.line(120, 140, 120, 780)
        w.text(L + 6, 640, "主管", 11)
        w.text(L + 6, 656, "部门", 11)
        w.text(124, 645, "同意单位考核意见。", 11)
        w.text(L + 6, 735, "备注", 11)
        w.text(124, 735, "本表一式两份，一份存入本人档案。", 11)
        w.text(L + 6, 125, "姓名", 11)
        if split and "·" in a.name:
            _split_name(w, a, 124, 116, 11, 15)
        elif split:
            inst = w.mark("name", "split_lines", a.name)
            w.text(230, 125, "（签名）", 9)
            w.text(124 + 0 * 11, 118, a.name[:2], 11, inst)
            w.text(124, 134, a.name[2:], 11, inst)
        else:
            w.field_text(124, 125, a.name, 11, "name", "table_cell")
        w.text(266, 125, "性别", 11)
        w.text(326, 125, "男" if a.key in ("a1", "a2") else "女", 11)
        w.text(404, 125, "民族", 11)
        w.text(L + 6, 165, "单位", 11)
        w.field_text(124, 165, a.unit, 11, "unit", "table_cell")
        w.text(L + 6, 220, "职务", 11)
        w.text(124, 220, "专业技术岗位  工程师", 11)
        w.text(L + 6, 300, "个人", 11)
        w.text(L + 6, 316, "总结", 11)
        body = ["本年度认真履行岗位职责，完成了各项工作任务，", "积极参加继续教育，业务水平不断提高。"]
        for i, s in enumerate(body):
            w.text(124, 290 + 20 * i, s, 11)
        x = w.text(330, 400, "述职人：", 11)
        w.field_text(x + 4, 402, a.name, 16, "name", "signature", shear=0.2)
        w.text(L + 6, 470, "单位", 11)
        w.text(L + 6, 486, "意见", 11)
        w.text(124, 460, f"考核等次：{'优秀' if year % 2 else '合格'}", 12)
        x = w.text(124, 500, "单位负责人：", 11)
        w.field_text(x, 500, a.other_name, 11, "other", "other_person")
        w.seal(a.unit, 430, 480, case="seal_round_unit", color=str(rng.choice(["red", "vermilion", "purple"])))
        w.text(400, 510, f"{year + 1}年1月15日", 11)
    return draw


def _jixu(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(170, 120, "继续教育培训证书", 26)
    x = w.text(90, 200, "学员", 14)
    x = w.field_text(x + 8, 200, a.name, 14, "name", "running_text")
    w.text(x, 200, "同志于2023年参加专业技术人员继续", 14)
    w.text(90, 226, "教育公需科目培训，完成90学时，考核合格。", 14)
    x = w.text(90, 270, "工作单位：", 14)
    w.field_text(x, 270, a.unit, 14, "unit", "field")
    w.text(330, 360, "巴州专业技术人员继续教育基地", 12)
    w.text(370, 384, "2023年11月30日", 12)
    w.seal("巴州专业技术人员继续教育基地", 420, 360, owner="authority", case="seal_authority")


def _zhicheng(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(160, 100, "专业技术资格证书", 28)
    w.rect(80, 140, 190, 290)
    w.photo(85, 145, 100, "id_photo")
    x = w.text(220, 170, "姓    名", 14)
    w.field_text(x + 12, 172, a.name, 24 if len(a.name) <= 4 else 18, "name", "large_font")
    w.text(220, 210, "性    别  男" if a.key in ("a1", "a2") else "性    别  女", 14)
    x = w.text(220, 250, "工作单位", 14)
    if len(a.unit) > 14:
        _split_unit(w, a.unit, x + 12, 250, 14, 14, 20)
    else:
        w.field_text(x + 12, 250, a.unit, 14, "unit", "field")
    w.text(220, 300, "资格名称  工程师", 14)
    w.text(220, 330, "批准时间  2024年12月", 14)
    w.text(330, 420, "新疆维吾尔自治区人力资源和社会保障厅", 11)
    w.seal("新疆维吾尔自治区人力资源和社会保障厅", 420, 415, owner="authority", case="seal_authority")


def _shenfenzheng(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(200, 70, "居民身份证复印件", 16)
    w.rect(110, 100, 440, 310, 1.2)
    x = w.text(130, 140, "姓名", 11, color=(0.3, 0.3, 0.5))
    variant = a.name if "·" not in a.name else _dotted(a.name, str(rng.choice(DOTS[1:4])))
    w.field_text(x + 12, 141, variant, 15, "name", "dot_variant" if "·" in a.name else "field")
    w.text(130, 175, "性别  男     民族  汉" if a.key == "a1" else "性别  女     民族  维吾尔", 11)
    w.text(130, 205, "出生  1988 年 5 月 12 日", 11)
    w.text(130, 235, "住址  新疆库尔勒市人民东路", 11)
    w.text(160, 255, "12号院3栋2单元", 11)
    w.text(130, 290, "公民身份号码  652801198805120000", 11)
    w.photo(335, 120, 85, "id_card")
    w.rect(110, 360, 440, 570, 1.2)
    w.text(190, 420, "中华人民共和国", 18)
    w.text(200, 460, "居民身份证", 20)
    w.text(140, 520, "签发机关  库尔勒市公安局", 11)
    w.text(140, 545, "有效期限  2016.03.01-2036.03.01", 11)


def _shebao(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(150, 80, "社会保险个人参保缴费证明", 18)
    x = w.text(60, 120, "姓名：", 11)
    w.field_text(x, 120, a.name, 11, "name", "field")
    w.text(300, 120, "社会保障号码：652801********0000", 11)
    x = w.text(60, 142, "单位名称：", 11)
    w.field_text(x, 142, a.unit, 11, "unit", "field")
    cols = [60, 150, 240, 330, 420, 530]
    for i, h in enumerate(["缴费年月", "养老保险", "医疗保险", "失业保险", "缴费单位"]):
        w.text(cols[i] + 4, 175, h, 10.5)
    n = 25  # two years of months
    for r in range(n + 1):
        y = 160 + 22 * r
        w.line(cols[0], y, cols[-1], y, 0.5)
    for c in cols:
        w.line(c, 160, c, 160 + 22 * n, 0.5)
    me = int(rng.integers(2, n))
    for r in range(1, n):
        y = 175 + 22 * r
        w.text(cols[0] + 4, y, f"{2022 + (r - 1) // 12}-{(r - 1) % 12 + 1:02d}", 10)
        for k in range(1, 4):
            w.text(cols[k] + 4, y, "已缴", 10)
        if r == me:
            w.field_text(cols[4] + 3, y, a.units[1][:9], 9, "unit", "table_cell_alias")
    w.text(300, 740, "巴音郭楞蒙古自治州社会保险管理局", 11)
    w.seal("巴州社会保险管理局业务专用章", 400, 735, owner="authority", case="seal_authority")


def _zongjie(page_no: int):  # type: ignore[no-untyped-def]
    def draw(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
        y = 80.0
        if page_no == 1:
            w.text(210, y, "专业技术工作总结", 18)
            y += 40
            x = w.text(240, y, "述职人：", 12)
            w.field_text(x, y, a.name, 12, "name", "field")
            y += 34
            x = w.text(60, y, "本人自参加工作以来，一直在", 12)
            x = w.field_text(x, y, a.unit, 12, "unit", "running_text")
            y += 22
            w.text(60, y, "从事专业技术工作，主要负责工程设计与项目管理。", 12)
            y += 22
            x = w.text(60, y, "在", 12)
            x = w.field_text(x, y, a.units[1], 12, "unit", "alias")
            w.text(x, y, "工作期间，完成多项重点工程任务。", 12)
            y += 22
            x = w.text(60, y, "单位简称", 12)
            x = w.field_text(x + 4, y, a.auto_short, 12, "unit", "short_auto")
            w.text(x, y, "，以下简称本单位。", 12)
            y += 22
        else:
            w.text(60, y, "二、主要业绩", 14)
            y += 30
            # the unit broken at the end of one line and continued on the next
            pre = "二〇二二年，本人牵头完成了"
            x = w.text(60, y, pre, 12)
            import pymupdf

            room = int((530 - x) / pymupdf.get_text_length("字", fontname=FONT, fontsize=12))
            k = max(3, min(room, len(a.unit) - 3))
            inst = w.mark("unit", "split_lines", a.unit)
            w.text(x, y, a.unit[:k], 12, inst)
            y += 22
            x = w.text(60, y, a.unit[k:], 12, inst)
            w.text(x, y, "新建工程的技术方案编制。", 12)
            y += 22
            x = w.text(60, y, "项目组成员：", 12)
            w.spaced(x, y, a.name, 12, 24, "name", "wide_spaced")
            y += 22
            part = a.unit[-7:] if len(a.unit) >= 10 else a.unit
            x = w.text(60, y, "该成果获", 12)
            x = w.field_text(x, y, part, 12, "unit", "partial")
            w.text(x, y, "年度科技进步二等奖。", 12)
            y += 22
            if "·" in a.name:
                x = w.text(60, y, "执笔：", 12)
                w.field_text(x, y, a.name.replace("·", ""), 12, "name", "dot_missing")
            else:
                x = w.text(60, y, "执笔：", 12)
                w.field_text(x, y, a.name, 12, "name", "field")
            y += 22
        body = ("在工作中坚持理论联系实际，注重新技术、新工艺的推广应用，",
                "参与编制技术标准两项，发表论文三篇，培养青年技术骨干多名。",
                "针对现场存在的设备老化问题，组织开展技术攻关，提出改造方案，",
                "经实施后运行可靠性明显提高，年节约运维费用约二十万元。",
                "积极参加专业技术人员继续教育，按时完成公需科目和专业科目学习。",
                "今后将继续努力，不断提高专业技术水平。")
        k = 0
        while y < 790:  # a full page of running text, like a real summary
            w.text(60, y, body[k % len(body)], 12)
            y += 22
            k += 1
        w.text(285, 815, f"第 {page_no} 页", 9)
    return draw


def _tuijian(w: _Writer, a: Applicant, rng: np.random.Generator) -> None:
    w.text(230, 90, "单位推荐意见", 20)
    x = w.text(60, 140, "兹推荐我单位", 12)
    x = w.field_text(x, 140, a.name, 12, "name", "running_text")
    w.text(x, 140, "同志申报工程师任职资格。该同志政治立场坚定，", 12)
    w.text(60, 162, "业务能力强，经公示无异议，同意推荐。", 12)
    x = w.text(60, 200, "推荐单位（盖章）：", 12)
    w.field_text(x, 200, a.unit, 12, "unit", "field")
    x = w.text(60, 240, "单位负责人：", 12)
    w.field_text(x, 240, a.other_name, 12, "other", "other_person")
    w.seal(a.unit, 400, 300, case="seal_round_unit", color="pink")
    w.seal(a.name.replace("·", "")[:4], 200, 320, shape="square", size_pt=55, case="seal_name")
    w.seal(a.unit, 420, 420, shape="oval", case="seal_oval_unit", size_pt=130)
    w.text(380, 320, "2024年9月5日", 12)


TEMPLATES: dict[str, object] = {
    "01_公示": _gongshi,
    "02_公示结果": _gongshi_jieguo,
    "03_承诺书": _chengnuo,
    "04_年度考核表2022": _kaohe(2022, False),
    "05_年度考核表2023": _kaohe(2023, True),
    "06_继续教育证书": _jixu,
    "07_职称证书": _zhicheng,
    "08_身份证": _shenfenzheng,
    "09_社保缴费单": _shebao,
    "10_工作总结1": _zongjie(1),
    "11_工作总结2": _zongjie(2),
    "12_推荐意见": _tuijian,
}


# --- overlays and degradations ---------------------------------------------------------------

# skimage's astronaut portrait (public domain): face and the band across both eyes, in its 512 px frame.
_ASTRO_EYES = (184, 84, 263, 119)


def _stamp_seal(img: np.ndarray, spec: dict[str, object], seed: int) -> tuple[np.ndarray, Instance | None]:
    try:
        from zcsynth._seals import COLORS, SealSpec, seal_ink, stamp
    except ImportError:  # the seal generator is optional
        return img, None
    shape = str(spec["shape"])
    text = str(spec["text"])
    ink = seal_ink(SealSpec(text, shape=shape, size=int(spec["size"]),  # type: ignore[call-overload]
                            color=str(spec["color"]), star=shape == "round",
                            angle=float(np.random.default_rng(seed).uniform(-15, 15)), seed=seed))
    out, box = stamp(img, ink, (float(spec["cx"]), float(spec["cy"])), COLORS[str(spec["color"])])  # type: ignore[arg-type]
    h, w = ink.shape
    x0 = int(round(float(spec["cx"]) - w / 2))  # type: ignore[arg-type]
    y0 = int(round(float(spec["cy"]) - h / 2))  # type: ignore[arg-type]
    m = np.zeros(img.shape[:2], bool)
    H, W = m.shape
    ix0, iy0, ix1, iy1 = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    m[iy0:iy1, ix0:ix1] = ink[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0] > 0.15
    kind = "seal" if spec["owner"] != "authority" else "other"
    inst = Instance(kind, str(spec["case"]), text, [tuple(float(v) for v in box)])  # type: ignore[list-item]
    inst.mask = m  # full-frame for now
    return out, inst


def _paste_photo(img: np.ndarray, spec: dict[str, object], seed: int = 0) -> tuple[np.ndarray, Instance | None]:
    try:
        from skimage import data
    except ImportError:  # scikit-image (test extra) brings the only portrait we may use
        return img, None
    import cv2

    crop = (90, 20, 360, 440)  # portrait crop of the 512 px astronaut, (420, 270)
    w = int(float(spec["w"]))  # type: ignore[arg-type]
    try:  # the shared photo generator, when present: also grayscale copies and glasses
        from zcsynth._photos import (
            Portrait,
            crop_portrait,
            gray_portrait,
            resize_portrait,
            with_glasses,
        )

        por = resize_portrait(crop_portrait(Portrait(data.astronaut(), _ASTRO_EYES), crop), w)
        if spec["case"] == "id_card":
            por = gray_portrait(por)
        elif seed % 2:
            por = with_glasses(por)
        photo, eyes = por.image, por.eyes
    except ImportError:
        face = data.astronaut()[crop[1]:crop[3], crop[0]:crop[2]]
        h = int(round(w * face.shape[0] / face.shape[1]))
        photo = cv2.resize(face, (w, h), interpolation=cv2.INTER_AREA)
        k = w / face.shape[1]
        e = _ASTRO_EYES
        eyes = (int((e[0] - crop[0]) * k), int((e[1] - crop[1]) * k),
                int(np.ceil((e[2] - crop[0]) * k)), int(np.ceil((e[3] - crop[1]) * k)))
    h = photo.shape[0]
    x, y = int(float(spec["x"])), int(float(spec["y"]))  # type: ignore[arg-type]
    out = img.copy()
    out[y:y + h, x:x + w] = photo
    box = (x + eyes[0], y + eyes[1], x + eyes[2], y + eyes[3])
    inst = Instance("eyes", str(spec["case"]), "", [tuple(float(v) for v in box)])  # type: ignore[list-item]
    m = np.zeros(img.shape[:2], bool)
    m[box[1]:box[3], box[0]:box[2]] = True
    inst.mask = m
    return out, inst


def _box_to_page(b: tuple[float, float, float, float], M: np.ndarray, k: int, W: int, H: int,
                 ) -> tuple[int, int, int, int]:
    """The axis-aligned box of clean-page box ``b`` after the skew ``M`` and ``k`` clockwise quarter turns."""
    pts = np.array([[b[0], b[1]], [b[2], b[1]], [b[0], b[3]], [b[2], b[3]]], np.float64)
    pts = pts @ M[:, :2].T + M[:, 2]
    x, y = pts[:, 0], pts[:, 1]
    if k == 1:
        x, y = H - y, x
    elif k == 2:
        x, y = W - x, H - y
    elif k == 3:
        x, y = y, W - x
    return (int(np.floor(x.min())), int(np.floor(y.min())), int(np.ceil(x.max())), int(np.ceil(y.max())))


def _crop(inst: Instance, full: np.ndarray) -> None:
    ys, xs = np.nonzero(full)
    if len(ys) == 0:
        inst.mask = None
        return
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    inst.x0, inst.y0, inst.mask = int(x0), int(y0), full[y0:y1, x0:x1].copy()


def build_page(a: Applicant, template: str, *, seed: int, skew: float, rotation: int,
               noise: float = 6.0) -> BenchPage:
    """Draw, stamp, degrade and turn one page; instances get masks on the final page."""
    import cv2
    import pymupdf

    rng = np.random.default_rng(seed)
    doc, tdoc = pymupdf.open(), pymupdf.open()
    page = doc.new_page(width=595, height=842)
    tpage = tdoc.new_page(width=595, height=842)
    w = _Writer(page, tpage)
    TEMPLATES[template](w, a, rng)  # type: ignore[operator]

    def pix(p):  # type: ignore[no-untyped-def]
        px = p.get_pixmap(dpi=DPI, alpha=False, colorspace=pymupdf.csRGB)
        return np.frombuffer(px.samples, np.uint8).reshape(px.h, px.w, px.n)[:, :, :3].copy()

    img, timg = pix(page), pix(tpage)
    ink = timg.min(axis=2) < 150
    H, W = ink.shape
    fulls: list[tuple[Instance, np.ndarray]] = []
    for inst in w.insts:
        m = np.zeros((H, W), bool)
        for b in inst.boxes:
            x0, y0 = max(0, int(b[0]) - 2), max(0, int(b[1]) - 2)
            x1, y1 = min(W, int(np.ceil(b[2])) + 2), min(H, int(np.ceil(b[3])) + 2)
            m[y0:y1, x0:x1] = ink[y0:y1, x0:x1]
        fulls.append((inst, m))
    for k, (kind, spec) in enumerate(w.overlays):
        if kind == "seal":
            img, inst = _stamp_seal(img, spec, seed * 31 + k)
        else:
            img, inst = _paste_photo(img, spec, seed)
        if inst is not None and inst.mask is not None:
            fulls.append((inst, inst.mask))
    # scan: skew about the centre, slight blur, grain, uneven paper tone
    M = cv2.getRotationMatrix2D((W / 2, H / 2), skew, 1.0)
    img = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (3, 3), 0.6)
    f = img.astype(np.float32) * rng.uniform(0.9, 1.0) + rng.uniform(0, 12)
    f += rng.normal(0, noise, (H, W, 1)).astype(np.float32)
    img = np.clip(f, 0, 255).astype(np.uint8)
    k = (rotation // 90) % 4
    img = np.ascontiguousarray(np.rot90(img, -k))
    insts: list[Instance] = []
    for inst, m in fulls:
        mm = cv2.warpAffine(m.astype(np.uint8), M, (W, H), flags=cv2.INTER_NEAREST) > 0
        mm = np.rot90(mm, -k)
        _crop(inst, mm)
        if inst.mask is not None:
            inst.parts = [_box_to_page(b, M, k, W, H) for b in inst.boxes]
            insts.append(inst)
    stem = f"{a.key}_{template}"
    return BenchPage(a, template, stem, img, insts, rotation, skew)


def applicant_folder(a: Applicant, root: Path, *, seed: int = 0, rotate: bool = True) -> list[BenchPage]:
    """Write the twelve pages of ``a`` as 200 dpi JPGs under ``root/a.key`` and return them."""
    from PIL import Image

    d = root / a.key
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1000 + seed)
    names = list(TEMPLATES)
    turned = set(rng.choice(len(names), size=2, replace=False).tolist()) if rotate else set()
    pages = []
    for i, t in enumerate(names):
        rot = int(rng.choice([90, 180, 270])) if i in turned else 0
        skew = float(rng.uniform(-1.5, 1.5))
        p = build_page(a, t, seed=seed * 100 + i, skew=skew, rotation=rot)
        p.path = d / f"{p.stem}.jpg"
        buf = io.BytesIO()
        Image.fromarray(p.image).save(buf, "JPEG", quality=85, dpi=(DPI, DPI))
        p.path.write_bytes(buf.getvalue())
        pages.append(p)
    truth = [{"file": p.path.name, "template": p.template, "rotation": p.rotation, "skew": round(p.skew, 2),
              "instances": [{"kind": s.kind, "case": s.case, "text": s.text, "bbox": list(s.bbox())}
                            for s in p.instances]} for p in pages]
    (root / f"{a.key}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return pages
