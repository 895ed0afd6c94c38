"""The 花名册 (roster): many applicants' facts in one xlsx or CSV, as HR offices keep them.

A roster is shaped like the notices' 附件 申报人员花名册: one row per applicant,
Chinese column headers (姓名, 现任专业技术职务, 获现任专业技术职务时间, 拟晋升专业技术职务,
工作单位, 初定/授予/评审 ...), dates as clerks type them (2012年7月, 2012.7,
2012-07-01). :func:`read_roster` turns each row into the same
:class:`~zcmask.rules._model.Application` an ``application.yaml`` gives, and
reports every problem of the whole file at once, by row and column.
:func:`write_template` writes a blank roster (xlsx with drop-downs) or
``application.yaml`` for one notice.

The 身份证号码 column is accepted so a clerk can paste the 花名册 as it is, but it
is never read into the facts or any report.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zcmask.exceptions import BadArgsError, InvalidConfigError
from zcmask.rules._input import error_messages
from zcmask.rules._model import Application, Notice

#: Column headers (spaces and brackets removed) → field path; the first match wins.
HEADERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("姓名", "申报人", "申报人姓名"), ("applicant", "name")),
    (("曾用名", "别名", "其他写法"), ("applicant", "aliases")),
    (("单位简称", "简称"), ("applicant", "unit_alias")),
    (("工作单位", "单位", "单位名称", "现工作单位"), ("applicant", "units")),
    (("单位性质", "单位类型"), ("applicant", "employer_type")),
    (("人员身份", "身份", "人员状态"), ("applicant", "status")),
    (("工作地", "工作地点", "所在县市", "县市"), ("applicant", "location")),
    (("参加工作时间", "从事专业技术工作时间"), ("applicant", "work_started")),
    (("获现任专业技术职务时间", "获现任时间", "现任职称取得时间", "取得时间", "获得现任时间"),
     ("current_title", "obtained")),
    (("现职称取得地", "取得地", "现任职称取得地"), ("current_title", "region")),
    (("现任专业技术职务", "现任职称", "现职称", "现任专业技术职务任职资格"), ("current_title", "name")),
    (("拟晋升专业技术职务", "拟晋升", "拟申报专业技术职务", "拟申报职称", "申报职称"), ("application", "target")),
    (("系列", "申报系列"), ("application", "series")),
    (("专业", "申报专业"), ("application", "specialty")),
    (("级别", "申报级别", "层级"), ("application", "level")),
    (("初定授予评审", "申报方式", "方式", "申报类型"), ("application", "route")),
    (("网上提交日期", "提交日期", "申报日期"), ("application", "submitted")),
    (("学历", "最高学历", "学历层次"), ("education", "degree")),
    (("毕业时间", "毕业日期"), ("education", "graduated")),
    (("是否全日制", "全日制"), ("education", "full_time")),
    (("是否授予学位", "学位"), ("education", "degree_awarded")),
    (("访惠聚", "访惠聚驻村"), ("flags", "fanghuiju")),
    (("援疆", "是否援疆"), ("flags", "yuanjiang")),
    (("南疆毕业生", "到南疆工作的高校毕业生"), ("flags", "nanjiang_graduate")),
    (("县及县以下基层", "基层", "县以下基层"), ("flags", "county_or_below")),
    (("机关调动",), ("flags", "organ_transfer")),
    (("获奖情况", "获奖"), ("awards",)),
    (("材料文件夹", "文件夹", "材料目录", "目录"), ("folder",)),
    (("备注",), ("remark",)),
)
#: Headers read and dropped (the 花名册 has them; nothing here needs them).
IGNORED = ("序号", "性别", "族别", "民族", "政治面貌", "身份证号码", "身份证号", "是否通过", "联系电话", "电话")
_APPRAISAL = re.compile(r"^(20\d{2})年?度?(?:年度)?考核(?:结果|等次)?$")

_LEVEL_OF_TITLE = (
    (re.compile(r"正高"), "正高级"),
    (re.compile(r"^(?:高级|副高|副教授|副研究员|副主任)"), "副高级"),
    (re.compile(r"^(?:助理|技术员|员级|助教|研究实习员|三级|四级|二级实习|三级实习)"), "初级"),
    (re.compile(r"(?:师|员|中级)$"), "中级"),
)


def _norm_header(h: object) -> str:
    s = re.sub(r"[\s（）()\[\]【】/、:：*＊]", "", str(h or ""))
    return s


def _field_of(header: str) -> tuple[str, ...] | None:
    if not header:
        return None
    if header in IGNORED:
        return ("_ignored",)
    if (m := _APPRAISAL.match(header)) is not None:
        return ("appraisals", m.group(1))
    for names, path in HEADERS:
        if header in names:
            return path
    return None


def level_of_title(title: str) -> str | None:
    """The level of a title name: 工程师 → 中级, 助理工程师 → 初级, 正高级经济师 → 正高级."""
    from zcmask.rules._model import _fold_level

    t = str(_fold_level(re.sub(r"[（(].*?[)）]", "", title.strip())))
    if t in ("初级", "中级", "副高级", "正高级"):
        return t
    for rx, level in _LEVEL_OF_TITLE:
        if rx.search(t):
            return level
    return None


@dataclass(frozen=True)
class RosterRow:
    """One applicant of a roster: the row number, the folder named for them, and their facts."""

    row: int
    name: str
    folder: str
    application: Application


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _cells(path: Path) -> list[list[Any]]:
    """All rows of the first sheet (or the one named 花名册) of an xlsx, or of a CSV."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types for a broken file
            raise InvalidConfigError(f"花名册 {path} 无法打开（须为 Excel .xlsx 文件）：请用 Excel 或 WPS 另存为 .xlsx 后重试。") from e
        try:
            ws = next((wb[n] for n in wb.sheetnames if "花名册" in n), wb.worksheets[0])
            return [list(r) for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidConfigError(f"花名册 {path} 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。")
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",\t;，")
        return [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    if suffix == ".xls":
        raise BadArgsError(f"{path} 是旧版 .xls 文件：请在 Excel/WPS 中另存为 .xlsx 或 CSV 后重试。")
    raise BadArgsError(f"花名册 {path} 须为 .xlsx 或 .csv 文件。")


def notice_defaults(notice: Notice | None) -> dict[str, str]:
    """Facts a notice fixes for everyone it accepts (尉犁: 初定 初级; 电力: 电力专业)."""
    if notice is None:
        return {}
    out: dict[str, str] = {}
    for r in notice.rules:
        scope = r.params.get("scope") if r.type == "eligibility" else None
        if not scope:
            continue
        for key in ("series", "specialty", "level", "route"):
            vals = {tuple(c.get(key, ())) for c in scope}
            if len(vals) == 1 and len(v := next(iter(vals))) == 1:
                out[key] = str(v[0])
    return out


def read_roster(path: str | Path, notice: Notice | None = None) -> list[RosterRow]:
    """Read a roster; every problem of the file is one :class:`InvalidConfigError`, listed by row and column."""
    p = Path(path)
    if not p.is_file():
        raise BadArgsError(f"找不到花名册 {p}，请检查路径。")
    rows = _cells(p)
    head_i = next((i for i, r in enumerate(rows[:15]) if any(_norm_header(c) in ("姓名", "申报人姓名") for c in r)), None)
    if head_i is None:
        raise InvalidConfigError(f"花名册 {p} 的前 15 行中没有“姓名”列：请保留表头行（姓名、现任专业技术职务、"
                                 "获现任专业技术职务时间、拟晋升专业技术职务、工作单位……），可用 zcmask init 生成模板。")
    headers = [_norm_header(c) for c in rows[head_i]]
    fields = [_field_of(h) for h in headers]
    problems: list[str] = []
    unknown = [f"{_col_letter(i)} 列“{h}”" for i, (h, f) in enumerate(zip(headers, fields, strict=True)) if h and f is None]
    defaults = notice_defaults(notice)
    out: list[RosterRow] = []
    for ri in range(head_i + 1, len(rows)):
        cells = rows[ri]
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        rownum = ri + 1
        data, cols, folder = _row_data(cells, fields, headers, defaults)
        if "remark" in data:
            data.pop("remark")
        try:
            app = Application.model_validate(data)
        except ValidationError as e:
            def where(path: tuple[Any, ...], rownum: int = rownum, cols: dict[tuple[str, ...], int] = cols) -> str:
                key = tuple(str(x) for x in path if not isinstance(x, int))
                while key and key not in cols:
                    key = key[:-1]
                c = cols.get(key)
                return f"第 {rownum} 行" + (f" {_col_letter(c)} 列（{headers[c]}）" if c is not None else "") + "："

            problems += error_messages(e, where)
            continue
        out.append(RosterRow(rownum, app.applicant.name, folder or app.applicant.name, app))
    if problems:
        more = f"\n另有未识别的列（已忽略）：{'、'.join(unknown)}" if unknown else ""
        raise InvalidConfigError(f"花名册 {p} 有 {len(problems)} 处需要修改：\n  " + "\n  ".join(problems) + more)
    if not out:
        raise InvalidConfigError(f"花名册 {p} 的表头下没有申报人，请每行填写一名申报人。")
    return out


def _row_data(cells: Sequence[Any], fields: Sequence[tuple[str, ...] | None], headers: Sequence[str],
              defaults: dict[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], int], str]:
    data: dict[str, Any] = {"applicant": {}, "application": {}, "flags": {}}
    edu: dict[str, Any] = {}
    title: dict[str, Any] = {}
    appraisals: dict[str, Any] = {}
    cols: dict[tuple[str, ...], int] = {}
    folder = ""
    unit_alias = ""
    for i, f in enumerate(fields):
        if f is None or f == ("_ignored",) or i >= len(cells):
            continue
        v = cells[i]
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, dt.datetime):
            v = v.date()
        v = v.strip() if isinstance(v, str) else v
        sect = f[0]
        cols[f] = i
        if sect == "folder":
            folder = str(v)
        elif sect == "remark":
            data["remark"] = v
        elif sect == "awards":
            data["awards"] = str(v)
        elif sect == "education":
            edu[f[1]] = v
            cols[("education", f[1])] = i
        elif sect == "current_title":
            title[f[1]] = v
        elif sect == "appraisals":
            appraisals[f[1]] = v
            cols[("appraisals",)] = i
        elif f == ("applicant", "units"):
            data["applicant"]["units"] = str(v)
        elif f == ("applicant", "unit_alias"):
            unit_alias = str(v)
        elif f == ("application", "target"):
            data["application"]["_target"] = str(v)
            cols[("application", "level")] = i
        else:
            data[sect][f[1]] = v
    app = data["application"]
    target = app.pop("_target", "")
    if target and "level" not in app and (lv := level_of_title(target)):
        app["level"] = lv
    if target and "specialty" not in app and (m := re.search(r"[（(](.+?)[)）]", target)):
        app["specialty"] = m.group(1)
    remark = str(data.get("remark", ""))
    if "route" not in app:
        hit = [r for r in ("初定", "授予", "评审") if r in remark]
        if len(hit) == 1:
            app["route"] = hit[0]
    for k, v in defaults.items():
        app.setdefault(k, v)
    units = data["applicant"].get("units")
    if units:
        data["applicant"]["units"] = [{"name": units, "aliases": [unit_alias] if unit_alias else []}]
    if edu:
        data["education"] = [edu]
    if title and title.get("name") not in ("无", "", None):
        data["current_title"] = title
    if appraisals:
        data["appraisals"] = appraisals
    if not data["flags"]:
        data.pop("flags")
    return data, cols, folder


# --------------------------------------------------------------------------- templates

_CHOICES: dict[str, list[str]] = {
    "性别": ["男", "女"],
    "单位性质": ["事业单位", "国有企业", "民营企业", "自由职业", "社会组织"],
    "人员身份": ["在职", "退休", "公务员", "参公"],
    "现职称取得地": ["新疆", "外省"],
    "级别": ["初级", "中级", "副高级", "正高级"],
    "初定/授予/评审": ["初定", "授予", "评审"],
    "学历": ["中专", "大专", "本科", "硕士", "博士"],
    "是否全日制": ["是", "否"],
}
_YES_NO = ("访惠聚", "援疆", "南疆毕业生", "县及县以下基层", "机关调动")
_GRADES = ["优秀", "合格", "基本合格", "不合格"]


def template_columns(notice: Notice) -> list[str]:
    """The roster columns for ``notice``: the 花名册's own, then the facts the rules read."""
    years = _appraisal_years(notice)
    return ["序号", "姓名", "性别", "族别", "政治面貌", "身份证号码", "现任专业技术职务", "获现任专业技术职务时间",
            "现职称取得地", "拟晋升专业技术职务", "工作单位", "单位简称", "单位性质", "人员身份", "工作地",
            "系列", "专业", "级别", "初定/授予/评审", "网上提交日期", "学历", "毕业时间", "是否全日制",
            "参加工作时间", *[f"{y}年度考核" for y in years], *_YES_NO, "获奖情况", "材料文件夹", "备注"]


def _appraisal_years(notice: Notice) -> list[int]:
    for r in notice.rules:
        if r.type == "years_covered" and r.params.get("category") == "年度考核表":
            from zcmask.rules.checks import _years

            return _years(r, notice)
    return [notice.year - 1]


def write_template(notice: Notice, dest: str | Path, *, force: bool = False) -> Path:
    """Write a blank roster (``.xlsx`` with drop-downs, or ``.csv``) or ``application.yaml`` for ``notice``."""
    from zcmask._io import write_bytes_atomic

    p = Path(dest)
    if p.exists() and not force:
        raise BadArgsError(f"{p} 已存在：请换一个文件名，或加 --force 覆盖。")
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data = application_template(notice).encode("utf-8")
    elif suffix == ".csv":
        buf = io.StringIO()
        csv.writer(buf).writerow(template_columns(notice))
        data = buf.getvalue().encode("utf-8-sig")
    elif suffix == ".xlsx":
        data = _xlsx_template(notice)
    else:
        raise BadArgsError(f"模板文件须以 .xlsx、.csv 或 .yaml 结尾（现为 {p.name}）。")
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True)
    write_bytes_atomic(p, data)
    return p


def application_template(notice: Notice) -> str:
    """The bundled ``application.yaml`` template with the notice's fixed facts filled in."""
    text = (resources.files("zcmask.rules") / "templates" / "application.yaml").read_text(encoding="utf-8")
    d = notice_defaults(notice)
    return (text.replace("{notice_id}", notice.id).replace("{notice_title}", notice.title)
            .replace("{series}", d.get("series", "")).replace("{specialty}", d.get("specialty", ""))
            .replace("{level}", d.get("level", "")).replace("{route}", d.get("route", "评审"))
            .replace("{year}", str(notice.year))
            .replace("{appraisals}", ", ".join(f"{y}: 合格" for y in _appraisal_years(notice))))


def _xlsx_template(notice: Notice) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    cols = template_columns(notice)
    ws.append(cols)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, _h in enumerate(cols, start=1):
        c = ws.cell(row=1, column=i)
        c.font, c.fill, c.alignment = bold, fill, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[_col_letter(i - 1)].width = max(8, min(24, 2.2 * len(cols[i - 1]) + 2))
    ws.freeze_panes = "C2"
    last = 500
    for i, h in enumerate(cols):
        choices = _CHOICES.get(h) or (["是", "否"] if h in _YES_NO else None)
        if choices is None and h.endswith("年度考核"):
            choices = _GRADES
        if choices is None:
            continue
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="请从下拉列表选择", error="可选：" + "、".join(choices))
        ws.add_data_validation(dv)
        dv.add(f"{_col_letter(i)}2:{_col_letter(i)}{last}")
    for i, h in enumerate(cols):
        if "时间" in h or "日期" in h:
            for r in range(2, 60):
                ws.cell(row=r, column=i + 1).number_format = "@"  # keep 2012.10 as typed
    info = wb.create_sheet("填写说明")
    d = notice_defaults(notice)
    rows = [
        ["通知", f"{notice.title}（{notice.id}）"],
        ["网上申报时间", f"{notice.window.start:%Y年%m月%d日}—{notice.window.end:%Y年%m月%d日}"],
        ["每行", "一名申报人；附件放在与“材料文件夹”（未填时为姓名）同名的文件夹中"],
        ["日期写法", "2012-07-01、2012年7月、2012.7 均可"],
        ["拟晋升专业技术职务", "如“工程师”“助理工程师”，级别未填时据此判断"],
        ["初定/授予/评审", "也可写在“备注”中（花名册原样）"],
        ["身份证号码", "可照花名册填写；校验时不读取、不写入报告"],
        *([["本通知默认", "、".join(f"{k}={v}" for k, v in d.items())]] if d else []),
    ]
    for line in rows:
        info.append(line)
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
