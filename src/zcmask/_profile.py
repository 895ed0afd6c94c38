"""The one strict schema of an applicant profile, and YAML loading that a bomb cannot stall.

:func:`check_profile` is what ``profile.yaml``, ``application.yaml``'s
``applicant:`` section, the web form and the Python API all go through (through
:meth:`zcmask.options.Identity.from_mapping`). It refuses, with a zh-CN message
that says how to fix it, anything that would silently mask nothing: a name
written as a list (``name: [热依拉·艾买提]`` would otherwise become the literal
text ``['热依拉·艾买提']``), a number, a nested mapping, a unit without a name,
a misspelt key (``unit:`` for ``units:``).

:func:`load_yaml` is ``yaml.safe_load`` with a size limit and a limit on
aliases, so a "billion laughs" file is refused instead of expanding when the
result is walked. This module does not build the :class:`Identity`; it only
checks and normalises the mapping.
"""

from __future__ import annotations

from typing import Any

import yaml

from zcmask.exceptions import InvalidConfigError

#: Largest profile or application YAML accepted, in bytes.
MAX_YAML_BYTES = 1 << 20
#: Most aliases (``*ref``) one YAML document may use.
MAX_YAML_ALIASES = 64
#: Longest name or alias, and longest unit name, in characters.
MAX_NAME_CHARS = 64
MAX_UNIT_CHARS = 200

_KNOWN_KEYS = frozenset({"name", "aliases", "units"})
#: Keys that look like a slip for one of ours: refused, because the value would be ignored.
_SLIPS = {"unit": "units", "alias": "aliases", "names": "name", "姓名": "name", "单位": "units",
          "曾用名": "aliases", "别名": "aliases", "work_unit": "units", "company": "units",
          "employer": "units", "organization": "units", "organisation": "units"}


class _LimitedLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses a document with too many aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._zc_aliases = getattr(self, "_zc_aliases", 0) + 1
            if self._zc_aliases > MAX_YAML_ALIASES:
                raise InvalidConfigError(f"YAML 文件使用了过多的引用（*别名，超过 {MAX_YAML_ALIASES} 个），"
                                         "已拒绝读取。请直接写出各项内容。")
        return super().compose_node(parent, index)


def load_yaml(text: str | bytes, where: str = "YAML 文件") -> Any:
    """Parse one YAML document safely: size-limited, alias-limited, no Python tags.

    Raises
    ------
    InvalidConfigError
        For a document over :data:`MAX_YAML_BYTES`, with too many aliases, or
        that does not parse.

    Examples
    --------
    >>> load_yaml("name: 王建国")
    {'name': '王建国'}

    """
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_YAML_BYTES:
        raise InvalidConfigError(f"{where} 过大（{size / (1 << 20):.1f} MB，上限 1 MB），请检查是否选错了文件。")
    try:
        return yaml.load(text, Loader=_LimitedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise InvalidConfigError(f"{where} 无法解析（须为 UTF-8 编码的 YAML）：{e}") from e


def _text(value: Any, what: str, example: str, limit: int) -> str:
    if isinstance(value, list):
        hint = f"，例如 {what.split('（')[0]}: {value[0]}" if len(value) == 1 and isinstance(value[0], str) else ""
        raise InvalidConfigError(f"{what} 应为一段文字，不能写成列表 {value!r}{hint}。"
                                 "其他写法（曾用名、简称）请写在 aliases 中。")
    if not isinstance(value, str):
        raise InvalidConfigError(f"{what} 应为一段文字（如 {example}），现在是 {type(value).__name__} 类型的 {value!r}。"
                                 "若是数字或日期，请加引号。")
    v = value.strip()
    if v.startswith("[") and v.endswith("]") or v.startswith("{") and v.endswith("}"):
        raise InvalidConfigError(f"{what} “{v}”看起来是列表或字典的写法，请只写文字本身（如 {example}）。")
    if len(v) > limit:
        raise InvalidConfigError(f"{what} 过长（{len(v)} 个字，上限 {limit}），请检查是否把多项内容写在了一起。")
    return v


def _texts(value: Any, what: str, example: str, limit: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidConfigError(f"{what} 应为列表，如 [{example}]。")
    return [t for t in (_text(v, f"{what} 中的一项", example, limit) for v in value) if t]


def check_profile(data: Any, where: str = "") -> dict[str, Any]:
    """Check an applicant mapping strictly; return ``{name, aliases, units: [{name, aliases}]}``.

    Accepted: ``name`` (text), ``aliases`` (text or list of text), ``units``
    (text, or a list of texts or ``{name, aliases}`` mappings). Other keys are
    ignored, except ones that look like a slip for these (``unit``, ``姓名`` ...).

    Raises
    ------
    InvalidConfigError
        With a zh-CN message naming the field and how to write it.

    Examples
    --------
    >>> check_profile({"name": "王建国", "units": ["巴州供电公司"]})["units"]
    [{'name': '巴州供电公司', 'aliases': []}]
    >>> check_profile({"name": ["热依拉·艾买提"]})
    Traceback (most recent call last):
    ...
    zcmask.exceptions.InvalidConfigError: name（申报人姓名） 应为一段文字，不能写成列表 ['热依拉·艾买提']，例如 name: 热依拉·艾买提。其他写法（曾用名、简称）请写在 aliases 中。

    """
    if not isinstance(data, dict):
        raise InvalidConfigError(f"{where or '身份信息'}应为“键: 值”的形式（name、aliases、units），请对照 README 示例修改。")
    try:
        for key in data:
            if key in _SLIPS and _SLIPS[key] not in data:
                raise InvalidConfigError(f"不认识的项 {key}:，是不是想写 {_SLIPS[key]}:？请改正后重试。")
        if data.get("name") in (None, ""):
            raise InvalidConfigError("缺少 name（申报人姓名），请补充后重试。")
        name = _text(data["name"], "name（申报人姓名）", "王建国", MAX_NAME_CHARS)
        if not name:
            raise InvalidConfigError("name（申报人姓名）不能为空，请补充后重试。")
        aliases = _texts(data.get("aliases"), "aliases（其他写法）", "王建國", MAX_NAME_CHARS)
        raw_units = data.get("units")
        if isinstance(raw_units, (str, dict)):
            raw_units = [raw_units]
        if raw_units is not None and not isinstance(raw_units, list):
            raise InvalidConfigError("units（工作单位）应为列表，请对照 README 示例修改。")
        units = []
        for u in raw_units or []:
            if isinstance(u, dict):
                if u.get("name") in (None, ""):
                    raise InvalidConfigError("units 中有一项缺少 name（单位名称），请补充。")
                unit_name = _text(u["name"], "units 中的 name（单位名称）", "巴州供电公司", MAX_UNIT_CHARS)
                unit_aliases = _texts(u.get("aliases"), "units 中的 aliases（单位简称）", "巴州供电公司",
                                      MAX_UNIT_CHARS)
            else:
                unit_name = _text(u, "units 中的一项（单位名称）", "巴州供电公司", MAX_UNIT_CHARS)
                unit_aliases = []
            if unit_name:
                units.append({"name": unit_name, "aliases": unit_aliases})
    except InvalidConfigError as e:
        if where:
            raise InvalidConfigError(f"{where}：{e.message}") from None
        raise
    return {"name": name, "aliases": aliases, "units": units}
