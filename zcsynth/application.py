"""Complete, fictional applications for every notice, generated in code.

:func:`build_application` writes an application folder (``application.yaml``
plus small upright JPG attachments, about 1000 px wide) for one notice, clean
or with named defects seeded, and returns the text of every page as an OCR
engine would read it, so that tests can serve it from a fake engine instead of
running the real OCR. Attachments of notices with blind review are drawn
already masked (black boxes where the name, unit and signature were).
Used by the tests and by ``samples/make_application.py``. Every person and
unit here is fictional.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml

from zcmask.ocr import FakeOcrEngine
from zcmask.results import TextLine

FONT = "china-s"
DPI = 120  # an A4 page is 992 x 1403 px
_W, _H = 595, 842

#: Defects :func:`build_application` can seed, and the finding code each must raise.
DEFECTS: dict[str, str] = {
    "missing_id": "missing_material",
    "missing_summary": "missing_material",
    "missing_publicity": "missing_material",
    "missing_statement": "missing_material",
    "missing_recommendation": "missing_material",
    "missing_photo": "missing_material",
    "missing_diploma": "missing_material",
    "title_proof": "title_proof_incomplete",
    "title_proof_other_province": "title_proof_incomplete",
    "social_short": "social_insurance_short",
    "social_no_qr": "social_insurance_short",
    "social_missing": "social_insurance_short",
    "xuexin_missing": "education_unverified",
    "xuexin_no_qr": "education_unverified",
    "appraisal_year": "appraisal_missing",
    "appraisal_basic": "appraisal_delay",
    # 基本合格 while the current title is recent: the delay stops this year's application.
    "appraisal_recent": "appraisal_delay",
    "ce_year": "ce_missing",
    "ce_kind": "ce_missing",
    "ce_hours": "ce_hours_short",
    "publicity_short": "publicity_too_short",
    "statement_wording": "statement_mismatch",
    "statement_other_notice": "statement_mismatch",
    "unsigned": "statement_unsigned",
    "recommendation_wording": "recommendation_mismatch",
    "summary_names": "summary_names_applicant",
    "summary_long": "summary_too_long",
    "retired": "not_eligible",
    "civil_servant": "not_eligible",
    "too_early": "not_eligible",
    "late": "outside_window",
    "png": "attachment_issue",
    "unmasked": "attachment_issue",
}

STATEMENT_BZ = ("本人承诺以上填报内容和提交的材料真实有效，且网上填报与送审报表内容完全一致，如申请人提交弄虚作假确认材料的，"
                "一经查实，不予受理确认申报或取消已确认的资格，并从申报年度下一年度起3年内，不得申报专业技术资格。")
STATEMENT_SL = ("本人承诺：所提供的个人信息和证明材料真实准确，对因提供有关信息、证件不实或违反有关规定的，"
                "五年内不得申报相应职称评审并承担一切责任")
STATEMENT_ZG = "本人承诺所提交的全部申报材料真实、准确、完整，如有虚假，本人愿承担一切后果和责任。"
AUDIT_OPINION = "本单位已对提供的申报材料逐一审核，真实准确，同意推荐。"


@dataclass(frozen=True)
class Spec:
    """Everything that differs between the notices' sample applications."""

    notice: str
    name: str
    unit: str
    unit_alias: str
    employer_type: str
    specialty: str
    level: str
    route: str
    submitted: dt.date
    masked: bool
    appraisal_years: tuple[int, ...]
    public_years: tuple[int, ...]
    prof_years: tuple[int, ...]
    period: tuple[dt.date, dt.date]
    short_period: tuple[dt.date, dt.date]
    statement: str
    recommendation: str
    title_docs: tuple[str, ...]
    social_months: int = 0  # 0: no social-insurance proof needed
    social_qr: bool = True
    graduated: dt.date = dt.date(2012, 7, 1)
    degree: str = "本科"
    current_title: str | None = "助理工程师"
    title_obtained: dt.date = dt.date(2019, 12, 1)
    late: dt.date = dt.date(2030, 1, 1)
    too_early_graduation: dt.date | None = None
    summary_limit: int = 0
    series: str = "工程系列"


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


SPECS: dict[str, Spec] = {
    "bz-dianli-2024": Spec(
        "bz-dianli-2024", "李明轩", "国网新疆电力有限公司巴州供电公司", "巴州供电公司", "国有企业", "电力", "中级",
        "评审", _d("2024-09-20"), True, (2021, 2022, 2023), (2020, 2021, 2022, 2023, 2024), (2022, 2023, 2024),
        (_d("2024-09-02"), _d("2024-09-06")), (_d("2024-09-13"), _d("2024-09-19")), STATEMENT_BZ,
        AUDIT_OPINION, ("职称证书", "任职资格文件"), social_months=12, late=_d("2024-10-18")),
    "bz-jianzhu-2023": Spec(
        "bz-jianzhu-2023", "赵海峰", "巴州安泰建筑工程有限公司", "安泰建筑", "民营企业", "建筑", "中级",
        "评审", _d("2023-08-25"), True, (2020, 2021, 2022), (2019, 2020, 2021, 2022, 2023), (2021, 2022, 2023),
        (_d("2023-08-14"), _d("2023-08-18")), (_d("2023-08-14"), _d("2023-08-16")), STATEMENT_BZ,
        AUDIT_OPINION, ("职称证书", "评审表"), social_months=8, late=_d("2023-09-18")),
    "xj-zhenggao-2024": Spec(
        "xj-zhenggao-2024", "陈志远", "新疆水利水电勘测设计研究院", "水电设计院", "事业单位", "水利", "正高级",
        "评审", _d("2024-09-10"), True, (2021, 2022, 2023), (2020, 2021, 2022, 2023, 2024),
        (2021, 2022, 2023, 2024), (_d("2024-08-26"), _d("2024-08-30")), (_d("2024-08-26"), _d("2024-08-28")),
        STATEMENT_ZG, "经审核，同意推荐{N}同志申报工程系列水利专业正高级职称。", ("职称证书",),
        current_title="高级工程师", title_obtained=_d("2017-12-01"), graduated=_d("2003-07-01"),
        late=_d("2024-10-15"), summary_limit=3000),
    "bz-shuili-2021": Spec(
        "bz-shuili-2021", "马晓东", "巴州水利管理处", "水管处", "事业单位", "水利", "中级", "评审",
        _d("2021-09-10"), False, (2018, 2019, 2020), (2020, 2021), (2021,),
        (_d("2021-08-30"), _d("2021-09-03")), (_d("2021-08-30"), _d("2021-09-01")), STATEMENT_SL,
        AUDIT_OPINION, ("职称证书",), title_obtained=_d("2016-12-01"), graduated=_d("2011-07-01"),
        late=_d("2021-09-22")),
    "yuli-chuding-2024": Spec(
        "yuli-chuding-2024", "周雨欣", "尉犁县城乡建设投资有限公司", "尉犁城投", "国有企业", "水利", "初级", "初定",
        _d("2024-10-12"), False, (2023,), (2023, 2024), (2023, 2024),
        (_d("2024-09-23"), _d("2024-09-27")), (_d("2024-09-23"), _d("2024-09-25")), STATEMENT_BZ,
        "经审核，同意推荐{N}同志申报工程系列水利专业初级职称。", (), social_months=12, social_qr=False,
        graduated=_d("2023-07-01"), current_title=None, late=_d("2024-10-25"),
        too_early_graduation=_d("2024-07-01")),
}


# --------------------------------------------------------------------------- pages


@dataclass
class Doc:
    """One attachment page: its rows of text (``{N}``/``{U}`` for the name and unit) and extras."""

    category: str
    filename: str
    rows: list[str] = field(default_factory=list)
    title: str = ""
    qr: str | None = None
    sign: str | None = None  # "ink", "blank", or None for no signature line
    photo: bool = False
    fmt: str = "jpg"
    size: float = 12.0


def _wrap(text: str, n: int = 36) -> list[str]:
    return [text[i: i + n] for i in range(0, len(text), n)]


_FILLER = ("任现职以来，本人始终坚持学习专业理论，严格执行技术规范，认真完成各项生产任务。在工程建设和运行维护中，"
           "本人负责方案编制、现场技术指导和质量控制，组织开展技术攻关，解决了设备运行中的多项技术难题，"
           "参与编写技术标准和操作规程，指导青年技术人员开展工作，取得了较好的经济效益和社会效益。")


def summary_text(chars: int) -> list[str]:
    """Paragraph rows of about ``chars`` 字 of a work summary (no names)."""
    out: list[str] = []
    total = 0
    while total < chars:
        out += _wrap(_FILLER)
        total += len(_FILLER)
    return out


def _documents(s: Spec, defects: set[str]) -> list[Doc]:
    N, U = "{N}", "{U}"
    docs: list[Doc] = [
        Doc("身份证", "身份证正面", [f"姓名 {N}", "性别 男    民族 汉", "出生 1990年5月12日",
                                   "住址 新疆库尔勒市人民东路12号", "公民身份号码 652801199005120000"],
            title="居民身份证"),
        Doc("身份证", "身份证反面", ["中华人民共和国", "签发机关 库尔勒市公安局", "有效期限 2015.03.01-2035.03.01"],
            title="居民身份证"),
        Doc("一寸照", "一寸照", ["（近期免冠正面照片，白底或蓝底）"], title="近期一寸免冠照片", photo=True),
        Doc("学历证书", "毕业证书", [f"学生 {N}，性别男，于{s.graduated.year - 4}年9月至{s.graduated.year}年7月",
                                   "在新疆大学水利水电工程专业四年制本科学习，", "修完教学计划规定的全部课程，成绩合格，准予毕业。",
                                   "校长：王立新", f"证书编号：10755{s.graduated.year}05000123"], title="毕业证书"),
        Doc("学位证书", "学位证书", [f"{N}，男，{s.graduated.year}年7月毕业于新疆大学", "水利水电工程专业，",
                                   "经审核符合《中华人民共和国学位条例》的规定，授予工学学士学位。"], title="学士学位证书"),
        Doc("学信网备案表", "学信网备案表", [f"姓名 {N}   性别 男", "学校名称 新疆大学", "层次 本科   学历类别 普通高等教育",
                                        f"毕业日期 {s.graduated:%Y年%m月%d日}", "在线验证码 A1B2C3D4E5F6G7H8",
                                        f"更新日期 {s.submitted - dt.timedelta(days=20):%Y年%m月%d日}"],
            title="教育部学历证书电子注册备案表", qr="https://www.chsi.com.cn/xlcx/bg.do?vcode=A1B2C3D4E5F6G7H8"),
    ]
    if s.social_months:
        months = 3 if "social_short" in defects else s.social_months
        end = s.submitted.replace(day=1) - dt.timedelta(days=1)
        rows = [f"单位名称 {U}", f"姓名 {N}   险种 企业职工基本养老保险", "缴费年月      缴费基数     个人缴费    状态"]
        ym = []
        cur = end.replace(day=1)
        for _ in range(months):
            ym.append(cur)
            cur = (cur - dt.timedelta(days=1)).replace(day=1)
        rows += [f"{m:%Y年%m月}      5800.00      464.00     已到账" for m in reversed(ym)]
        rows.append(f"打印日期 {s.submitted - dt.timedelta(days=5):%Y年%m月%d日}")
        docs.append(Doc("社保缴费", "社保缴费证明", rows, title="社会保险个人缴费汇总单",
                        qr=None if ("social_no_qr" in defects or not s.social_qr)
                        else "https://si.12333.gov.cn/verify?code=SB20240915XJ0001", size=10.5))
    if s.current_title:
        t = s.current_title
        year_t = s.title_obtained.year
        title_docs = {
            "职称证书": Doc("职称证书", "职称证书", [f"姓名 {N}", f"工作单位 {U}", f"资格名称 {t}", "专业 工程",
                                              f"批准时间 {year_t}年12月", "评审委员会 新疆维吾尔自治区职称评审委员会"],
                          title="专业技术资格证书"),
            "任职资格文件": Doc("任职资格文件", "任职资格文件", [f"经评审委员会评审通过，{N}等23名同志具备{t}任职资格，",
                                                    f"资格取得时间为{year_t}年12月。", "特此通知。"],
                            title=f"关于{N}等同志取得{t}任职资格的通知"),
            "评审表": Doc("评审表", "任职资格评审表", [f"姓名 {N}", f"工作单位 {U}", f"申报资格 {t}",
                                                "评委会意见 通过"], title="专业技术职务任职资格评审表"),
        }
        keep = list(s.title_docs)
        if "title_proof" in defects:
            keep = keep[:-1] if len(keep) > 1 else []
        for k in keep:
            docs.append(title_docs[k])
    for yr in s.appraisal_years:
        if "appraisal_year" in defects and yr == s.appraisal_years[-1]:
            continue
        basic = "appraisal_basic" in defects or "appraisal_recent" in defects
        grade = "基本合格" if (basic and yr == s.appraisal_years[0]) else "合格"
        docs.append(Doc("年度考核表", f"年度考核表{yr}", [f"姓名 {N}   工作单位 {U}", f"考核年度 {yr}年度",
                                                   "个人总结 认真履行岗位职责，较好完成年度工作任务。",
                                                   f"考核等次：{grade}", "考核单位意见 同意"],
                        title=f"{yr}年度专业技术人员年度考核登记表"))
    for kind, years, hours in (("公需", s.public_years, 30), ("专业", s.prof_years, 60)):
        for yr in years:
            if "ce_year" in defects and kind == "公需" and yr == years[0]:
                continue
            if "ce_kind" in defects and kind == "专业" and yr == years[-1]:
                continue
            h = 20 if ("ce_hours" in defects and kind == "公需" and yr == years[-1]) else hours
            docs.append(Doc("继续教育证书", f"继续教育{kind}{yr}",
                            [f"{N}同志：", f"参加{yr}年度{kind}科目继续教育学习，", f"完成{h}学时，考试成绩合格，特发此证。",
                             "证书编号 ZJTX" + str(yr) + ("01" if kind == "公需" else "02") + "3456",
                             f"发证日期 {yr}年11月20日"], title="专业技术人员继续教育培训合格证书"))
    p0, p1 = s.short_period if "publicity_short" in defects else s.period
    name_line = f"现对{N}同志申报工程系列{s.specialty}专业{s.level}专业技术任职资格进行公示。"
    docs += [
        Doc("公示", "推荐单位公示", ["根据自治区职称评审工作的要求，", name_line,
                                "基本信息：男，汉族，中共党员，现任专业技术职务", "思想政治条件：政治立场坚定，遵纪守法。",
                                "业绩成果：近五年主持完成工程项目3项。",
                                f"公示时间从{_cn(p0)}起至{_cn(p1)}止（公示期不少于5个工作日）。",
                                "如有疑异，请电话或书面形式反映至人事办公室，监督电话：0996-2000000",
                                "签字：（单位负责人签字）", f"{U}（公章）", _cn(p0 - dt.timedelta(days=1))],
            title="推荐单位公示"),
        Doc("公示结果", "推荐单位公示结果",
            [f"{N}同志申报材料于{_cn(p0)}至{_cn(p1)}在本单位公示，", "公示无异议，未收到投诉、举报，",
             "申报材料真实、完整、有效，同意推荐。", f"{U}（公章）", _cn(p1 + dt.timedelta(days=1))],
            title="推荐单位公示结果"),
    ]
    rec = s.recommendation
    if "recommendation_wording" in defects:
        rec = "经研究，本单位同意上报该同志的申报材料。"
    docs.append(Doc("推荐意见", "推荐意见", [*_wrap(rec), f"{U}（公章）", _cn(s.submitted - dt.timedelta(days=2))],
                    title="单位推荐意见"))
    stmt = s.statement
    if "statement_wording" in defects:
        stmt = stmt.replace("3年内", "2年内").replace("五年内", "三年内").replace("真实", "基本真实", 1)
    if "statement_other_notice" in defects:
        stmt = STATEMENT_SL if s.statement != STATEMENT_SL else STATEMENT_BZ
    docs.append(Doc("承诺书", "个人承诺书", _wrap(stmt), title="个人承诺书",
                    sign="blank" if "unsigned" in defects else "ink"))
    chars = (s.summary_limit + 600) if "summary_long" in defects else 700
    rows = summary_text(chars)
    if "summary_names" in defects:
        rows.insert(1, f"我是{s.unit}的{s.name}，现将任现职以来的工作总结如下。")
    per = 44
    for i in range(0, len(rows), per):
        part = "" if len(rows) <= per else f"-{i // per + 1}"
        docs.append(Doc("工作总结", f"个人工作总结{part}", rows[i: i + per],
                        title="任现职以来个人工作总结" if i == 0 else "", size=11))
    docs.append(Doc("业绩材料", "业绩材料", ["项目名称：巴州某水利枢纽配套工程", "本人职责：技术负责人，负责设计审查和施工技术指导。",
                                        "项目于2022年10月通过竣工验收，运行良好。"], title="工程项目竣工验收证明"))
    # Removals.
    drop = {"missing_id": "身份证", "missing_summary": "工作总结", "missing_publicity": "公示",
            "missing_statement": "承诺书", "missing_recommendation": "推荐意见", "missing_photo": "一寸照",
            "missing_diploma": "学历证书", "social_missing": "社保缴费", "xuexin_missing": "学信网备案表"}
    gone = {drop[d] for d in defects if d in drop}
    docs = [d for d in docs if d.category not in gone]
    if "xuexin_no_qr" in defects:
        docs = [replace(d, qr=None) if d.category == "学信网备案表" else d for d in docs]
    if "png" in defects:
        docs = [replace(d, fmt="png") if d.category == "业绩材料" else d for d in docs]
    if "ce_waived" in defects:
        docs = [d for d in docs if d.category != "继续教育证书"]
        docs.append(Doc("免试审批表", "免试审批表", [f"姓名 {N}   性别 男", f"现工作单位 {U}", "免学理由 参加“访惠聚”驻村工作",
                                               "审核意见 同意免除当年继续教育学习"],
                        title="自治区“访惠聚”驻村等专业技术人员职称评审免除继续教育学习申请表"))
    return docs


# --------------------------------------------------------------------------- rendering


def _qr_png(data: str, px: int) -> bytes:
    import cv2

    q = cv2.QRCodeEncoder.create().encode(data)
    q = np.pad(q, 4, constant_values=255)
    q = cv2.resize(q, (px, px), interpolation=cv2.INTER_NEAREST)
    ok, buf = cv2.imencode(".png", q)
    return buf.tobytes()


_RENDERED: dict[str, tuple[bytes, str, list[TextLine]]] = {}
_BY_KEY: dict[str, list[TextLine]] = {}
_ENGINE: FakeOcrEngine | None = None


def sample_ocr_engine() -> FakeOcrEngine:
    """A fake OCR engine that reads every page this module has generated in this process.

    It returns exactly the text drawn on the page (hidden spans excluded), so tests
    exercise the rules without the real OCR models. Unknown images read as blank.
    """
    global _ENGINE
    if _ENGINE is None:  # one instance, so that validation's page cache is reused across tests
        _ENGINE = FakeOcrEngine(lambda img: list(_BY_KEY.get(_key(img), [])))
    return _ENGINE


def _encode(doc: Doc, name: str, unit: str, masked: bool, reveal: bool) -> tuple[bytes, str, list[TextLine]]:
    """The file bytes of one page, its pixel key and its text lines (memoised: tests build many)."""
    import pymupdf
    from PIL import Image

    from zcmask.documents._read import _text_layer

    memo = repr((doc, name, unit, masked, reveal))
    if memo in _RENDERED:
        return _RENDERED[memo]
    pdf_bytes, img = _render(doc, name, unit, masked, reveal=reveal)
    with pymupdf.open(stream=pdf_bytes, filetype="pdf") as pdf:
        pg = pdf.load_page(0)
        lines = [TextLine(ln.text, ln.bbox, ln.score, ln.chars, "ocr")
                 for ln in _text_layer(pg, pymupdf.Matrix(DPI / 72, DPI / 72))]
    buf = io.BytesIO()
    if doc.fmt == "png":
        Image.fromarray(img).save(buf, format="PNG")
    else:
        Image.fromarray(img).save(buf, format="JPEG", quality=82, dpi=(DPI, DPI))
    data = buf.getvalue()
    # The key is taken from the decoded file, exactly as the pipeline will see it.
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    _RENDERED[memo] = (data, _key(decoded), lines)
    _BY_KEY[_key(decoded)] = lines
    return _RENDERED[memo]


def _render(doc: Doc, name: str, unit: str, masked: bool, *, reveal: bool = False) -> tuple[bytes, np.ndarray]:
    """Draw one page; return the PDF bytes and the page pixels at :data:`DPI`."""
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page(width=_W, height=_H)
    hide = masked and not reveal
    if doc.title:
        size = 17 if len(doc.title) < 22 else 13
        w = pymupdf.get_text_length(doc.title, fontname=FONT, fontsize=size)
        page.insert_text(((_W - w) / 2, 80), doc.title, fontname=FONT, fontsize=size)
    y = 130.0
    for row in doc.rows:
        x = 60.0
        for part in re.split(r"(\{N\}|\{U\})", row):
            if not part:
                continue
            text = {"{N}": name, "{U}": unit}.get(part, part)
            w = pymupdf.get_text_length(text, fontname=FONT, fontsize=doc.size)
            if part in ("{N}", "{U}") and hide:
                page.draw_rect(pymupdf.Rect(x, y - doc.size, x + w, y + 0.3 * doc.size), color=(0, 0, 0), fill=(0, 0, 0))
            else:
                page.insert_text((x, y), text, fontname=FONT, fontsize=doc.size)
            x += w
        y += doc.size * 1.9
    if doc.sign is not None:
        y += 30
        x = 330.0
        page.insert_text((x, y), "签字：", fontname=FONT, fontsize=12)
        x += pymupdf.get_text_length("签字：", fontname=FONT, fontsize=12) + 6
        if doc.sign == "ink":
            w = pymupdf.get_text_length(name, fontname=FONT, fontsize=18)
            if hide:
                page.draw_rect(pymupdf.Rect(x - 4, y - 22, x + w + 8, y + 8), color=(0, 0, 0), fill=(0, 0, 0))
            else:
                page.insert_text((x, y + 2), name, fontname=FONT, fontsize=18, color=(0.05, 0.1, 0.45))
        page.insert_text((380, y + 40), "年    月    日", fontname=FONT, fontsize=12)
    if doc.photo:
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(_photo(hide)).save(buf, format="PNG")
        page.insert_image(pymupdf.Rect(200, 180, 395, 453), stream=buf.getvalue())
    if doc.qr:
        page.insert_image(pymupdf.Rect(440, 95, 540, 195), stream=_qr_png(doc.qr, 200))
    pix = page.get_pixmap(dpi=DPI, alpha=False, colorspace=pymupdf.csRGB)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3].copy()
    return pdf.tobytes(), img


def _photo(masked: bool) -> np.ndarray:
    """A 600 x 840 px ID-photo stand-in: a grey silhouette on blue (eyes barred when masked)."""
    h, w = 840, 600
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (60, 120, 200)
    yy, xx = np.mgrid[0:h, 0:w]
    head = ((xx - 300) / 150) ** 2 + ((yy - 330) / 190) ** 2 <= 1
    body = ((xx - 300) / 280) ** 2 + ((yy - 900) / 330) ** 2 <= 1
    img[head | body] = (200, 170, 150)
    if masked:
        img[280:340, 150:450] = 0
    return img


def _key(img: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(img).tobytes()).hexdigest()


@dataclass
class BuiltApplication:
    """An application folder on disk and what OCR reads on each of its pages."""

    path: Path
    notice: str
    spec: Spec
    defects: tuple[str, ...]
    ocr: dict[str, list[TextLine]] = field(default_factory=dict)

    def lines_for(self, image: np.ndarray) -> list[TextLine]:
        return list(self.ocr.get(_key(image), []))


def application_yaml(s: Spec, defects: Iterable[str] = (), attachments: dict[str, list[str]] | None = None
                     ) -> dict[str, object]:
    """The ``application.yaml`` mapping of a sample applicant."""
    defects = set(defects)
    status = "退休" if "retired" in defects else ("公务员" if "civil_servant" in defects else "在职")
    grad = s.too_early_graduation if ("too_early" in defects and s.too_early_graduation) else s.graduated
    data: dict[str, object] = {
        "applicant": {"name": s.name, "aliases": [], "units": [{"name": s.unit, "aliases": [s.unit_alias]}],
                      "employer_type": s.employer_type, "status": status},
        "application": {"series": s.series, "specialty": s.specialty, "level": s.level, "route": s.route,
                        "submitted": s.late if "late" in defects else s.submitted},
        "education": [{"degree": s.degree, "graduated": grad, "full_time": True}],
    }
    if s.current_title:
        region = "外省" if "title_proof_other_province" in defects else "新疆"
        obtained = s.title_obtained
        if "appraisal_recent" in defects:
            obtained = obtained.replace(year=s.appraisal_years[0])
        data["current_title"] = {"name": s.current_title, "obtained": obtained, "region": region}
    appr = {y: "合格" for y in s.appraisal_years}
    if "appraisal_basic" in defects or "appraisal_recent" in defects:
        appr[s.appraisal_years[0]] = "基本合格"
    data["appraisals"] = appr
    data["flags"] = {"fanghuiju": "ce_waived" in defects, "yuanjiang": False, "nanjiang_graduate": False,
                     "county_or_below": False}
    if attachments:
        data["attachments"] = attachments
    return data


def build_application(dest: str | Path, notice: str, defects: Sequence[str] = (), *,
                      layout: str = "folder", spec: Spec | None = None) -> BuiltApplication:
    """Write a complete sample application for ``notice`` under ``dest``.

    Parameters
    ----------
    dest : path
        Folder to create (must not hold another application).
    notice : str
        A notice id of :data:`SPECS`.
    defects : sequence of str
        Names from :data:`DEFECTS` (plus ``ce_waived``) to seed.
    layout : {"folder", "listed", "flat"}
        Attachments in sub-folders named by category, listed under ``attachments:``
        in ``application.yaml``, or all in the top folder (sorted by their text).

    """
    from zcmask._io import write_bytes_atomic

    s = spec or SPECS[notice]
    bad = set(defects) - set(DEFECTS) - {"ce_waived"}
    if bad:
        raise ValueError(f"unknown defects: {sorted(bad)}")
    root = Path(dest)
    root.mkdir(parents=True, exist_ok=True)
    built = BuiltApplication(root, notice, s, tuple(defects))
    listed: dict[str, list[str]] = {}
    for doc in _documents(s, set(defects)):
        rel = Path(doc.category) / f"{doc.filename}.{doc.fmt}" if layout == "folder" else Path(f"{doc.filename}.{doc.fmt}")
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        reveal = "unmasked" in defects and doc.category == "身份证"
        reveal = reveal or ("summary_names" in defects and doc.category == "工作总结")
        data, key, lines = _encode(doc, s.name, s.unit, s.masked, reveal)
        write_bytes_atomic(target, data)
        built.ocr[key] = lines
        listed.setdefault(doc.category, []).append(rel.as_posix())
    meta = application_yaml(s, defects, listed if layout == "listed" else None)
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    (root / "application.yaml").write_text(text, encoding="utf-8")
    return built
