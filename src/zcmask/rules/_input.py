"""Turning what people write into :class:`~zcmask.rules._model.Application` facts.

An HR clerk fills ``application.yaml`` with Chinese keys (``申报人``, ``姓名``,
``单位性质``...) or a spreadsheet roster with Chinese column headers; both end as
the same English-keyed mapping here. Every problem in a file is collected and
reported at once, in Chinese, with its line and column (YAML) or row and column
(roster): no pydantic or YAML library text reaches the user.

This module reads no attachments and judges no rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import yaml
from pydantic import ValidationError

Path_ = tuple[Any, ...]

#: Chinese (and other) names of the sections of ``application.yaml``.
SECTION_KEYS: dict[str, str] = {
    "申报人": "applicant", "个人信息": "applicant", "基本信息": "applicant", "申报人信息": "applicant",
    "申报": "application", "申报信息": "application", "申报职称": "application", "拟申报": "application",
    "学历": "education", "学历学位": "education", "学历情况": "education", "教育经历": "education",
    "现任职称": "current_title", "现职称": "current_title", "现任专业技术职务": "current_title",
    "年度考核": "appraisals", "考核": "appraisals", "考核情况": "appraisals", "年度考核结果": "appraisals",
    "情形": "flags", "特殊情形": "flags", "政策倾斜": "flags", "标记": "flags",
    "附件": "attachments", "附件列表": "attachments",
    "获奖": "awards", "获奖情况": "awards", "获奖证书": "awards",
}

#: Keys inside each section.
FIELD_KEYS: dict[str, dict[str, str]] = {
    "applicant": {"姓名": "name", "名字": "name", "别名": "aliases", "曾用名": "aliases", "其他写法": "aliases",
                  "单位": "units", "工作单位": "units", "单位名称": "units",
                  "单位性质": "employer_type", "单位类型": "employer_type",
                  "人员身份": "status", "身份": "status", "人员状态": "status", "在职状态": "status",
                  "工作地": "location", "工作地点": "location", "所在县市": "location", "县市": "location",
                  "参加工作时间": "work_started", "从事专业技术工作时间": "work_started"},
    "application": {"系列": "series", "专业": "specialty", "级别": "level", "申报级别": "level",
                    "层级": "level", "方式": "route", "申报方式": "route", "类型": "route",
                    "提交日期": "submitted", "网上提交日期": "submitted", "申报日期": "submitted"},
    "education": {"学历": "degree", "层次": "degree", "学历层次": "degree", "毕业时间": "graduated",
                  "毕业日期": "graduated", "全日制": "full_time", "是否全日制": "full_time",
                  "是否授予学位": "degree_awarded", "有学位": "degree_awarded"},
    "current_title": {"名称": "name", "职称名称": "name", "职称": "name", "取得时间": "obtained",
                      "获得时间": "obtained", "获现任时间": "obtained", "取得地": "region", "取得地区": "region",
                      "地区": "region"},
    "units": {"名称": "name", "全称": "name", "简称": "aliases", "别名": "aliases"},
    "flags": {"访惠聚": "fanghuiju", "驻村": "fanghuiju", "援疆": "yuanjiang", "是否援疆": "yuanjiang",
              "南疆毕业生": "nanjiang_graduate", "到南疆工作的高校毕业生": "nanjiang_graduate",
              "县及县以下基层": "county_or_below", "基层": "county_or_below", "县以下基层": "county_or_below",
              "机关调动": "organ_transfer"},
}

#: Chinese labels of the fields, for messages.
LABELS: dict[str, str] = {
    "applicant": "申报人", "application": "申报信息", "education": "学历", "current_title": "现任职称",
    "appraisals": "年度考核", "flags": "情形", "attachments": "附件", "awards": "获奖情况",
    "name": "姓名", "aliases": "其他写法", "units": "工作单位", "employer_type": "单位性质", "status": "人员身份",
    "location": "工作地", "work_started": "参加工作时间", "series": "系列", "specialty": "专业",
    "level": "级别", "route": "申报方式", "submitted": "网上提交日期", "degree": "学历层次",
    "graduated": "毕业时间", "full_time": "是否全日制", "degree_awarded": "是否授予学位", "obtained": "取得时间",
    "region": "取得地", "fanghuiju": "访惠聚", "yuanjiang": "援疆", "nanjiang_graduate": "南疆毕业生",
    "county_or_below": "县及县以下基层", "organ_transfer": "机关调动",
}

_CHOICES: dict[str, str] = {
    "employer_type": "事业单位、国有企业、民营企业、自由职业、社会组织",
    "status": "在职、退休、公务员、参公",
    "level": "初级、中级、副高级、正高级",
    "route": "评审、初定、授予",
    "degree": "中专、大专、本科、硕士、博士",
    "region": "新疆、外省",
    "appraisals": "优秀、合格、基本合格、不合格",
}


def _section_of(path: Path_) -> str:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return ""
    last = names[-1]
    return last


def _key(k: Any, path: Path_) -> Any:
    if not isinstance(k, str):
        return k
    k2 = k.strip()
    if not path:
        return SECTION_KEYS.get(k2, k2)
    sect = _section_of(path)
    if sect in ("appraisals", "attachments"):
        return k2
    table = FIELD_KEYS.get(sect, {})
    return table.get(k2, k2)


def load_yaml_marked(text: str) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse YAML text; return the data (keys translated) and each value's ``(line, column)``.

    Raises ``yaml.YAMLError`` for a syntax error (see :func:`yaml_error_message`).
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        marks: dict[Path_, tuple[int, int]] = {}
        data = _construct(loader, node, (), marks) if node is not None else None
    finally:
        loader.dispose()
    return data, marks


def _construct(loader: yaml.SafeLoader, node: yaml.Node, path: Path_,
               marks: dict[Path_, tuple[int, int]]) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for kn, vn in node.value:
            k = _key(loader.construct_object(kn, deep=True), path)
            sub = (*path, k)
            out[k] = _construct(loader, vn, sub, marks)
            # The key's own position is the more useful one for a field.
            marks[sub] = (kn.start_mark.line + 1, kn.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, v, (*path, i), marks) for i, v in enumerate(node.value)]
    if node.tag.endswith(":float") and re.fullmatch(r"\s*\d{4}\.\d{1,2}\s*", str(node.value)):
        return node.value  # 2012.10 is October 2012, not the number 2012.1
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # e.g. 2024-13-45 looks like a date but is none: keep the text
        return node.value


def yaml_error_message(e: yaml.YAMLError) -> str:
    """A Chinese sentence for a YAML syntax error, with its line and column."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else "某处"
    problem = str(getattr(e, "problem", "") or "")
    hint = "请检查缩进是否对齐、冒号后是否有空格、引号和括号是否成对"
    if "tab" in problem.lower():
        hint = "请把制表符（Tab）换成空格"
    elif "mapping values" in problem:
        hint = "冒号使用有误：请在“键: 值”的冒号后加一个空格，值里含冒号时请用引号括起来"
    elif "could not find expected ':'" in problem:
        hint = "这一行缺少“键: 值”中的冒号"
    return f"{where}：YAML 格式错误，{hint}。"


def label(path: Iterable[Any]) -> str:
    """A Chinese name for a field path (``education.0.graduated`` → ``学历第1项的毕业时间``)."""
    parts: list[str] = []
    for p in path:
        if isinstance(p, int):
            parts.append(f"第{p + 1}项")
        else:
            parts.append(LABELS.get(str(p), str(p)))
    return "的".join(parts).replace("的第", "第")


def error_messages(e: ValidationError, where: Callable[[Path_], str]) -> list[str]:
    """One Chinese line per problem in ``e``; ``where(path)`` says where it is (line/column, row/column)."""
    out: list[str] = []
    for err in e.errors():
        path = _clean_loc(tuple(err.get("loc", ())))
        field = path[-1] if path else ""
        inp = err.get("input")
        typ = str(err.get("type", ""))
        name = label(path) or "内容"
        if typ == "missing" or (inp is None and typ != "value_error") or (inp == "" and typ.startswith("literal")):
            msg = f"“{name}”未填写，请补充"
        elif typ in ("literal_error", "enum"):
            choices = _CHOICES.get(str(field)) or _CHOICES.get(str(path[0]) if path else "", "")
            msg = f"“{name}”的值“{inp}”无效，可选：{choices}"
        elif typ.startswith(("date", "datetime")):
            msg = f"“{name}”的日期“{inp}”无法识别，请写成 2012-07-01、2012年7月 或 2012.7"
        elif typ.startswith("bool"):
            msg = f"“{name}”应填“是”或“否”，现为“{inp}”"
        elif typ.startswith(("int", "float")):
            msg = f"“{name}”应为数字，现为“{inp}”"
        elif typ in ("dict_type", "model_type", "model_attributes_type"):
            msg = f"“{name}”应为若干“键: 值”组成的一组信息，现为“{inp}”"
        elif typ in ("list_type", "tuple_type"):
            msg = f"“{name}”应为列表（每项一行，以“- ”开头），现为“{inp}”"
        elif typ in ("string_type",):
            msg = f"“{name}”应为文字，现为“{inp}”"
        elif typ == "value_error":
            text = str(err.get("ctx", {}).get("error", "")) or str(err.get("msg", ""))
            msg = f"“{name}”：{text}"
        else:
            msg = f"“{name}”的值“{inp}”无效"
        out.append(f"{where(path)}{msg}")
    return out


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    """Drop pydantic's internal loc parts (validator names, ``[key]`` markers)."""
    out: list[Any] = []
    for x in loc:
        s = str(x)
        if isinstance(x, str) and ("[" in s or "(" in s):
            continue
        out.append(x)
    return tuple(out)


def mark_of(marks: Mapping[Path_, tuple[int, int]], path: Path_) -> tuple[int, int] | None:
    """The position of ``path``, else of its nearest parent that has one."""
    p = tuple(path)
    while True:
        if p in marks:
            return marks[p]
        if not p:
            return None
        p = p[:-1]
