"""The two inputs of ``zcmask validate``: an application and a notice's rules.

:class:`Application` is ``APP_DIR/application.yaml`` (the applicant's facts);
:class:`Notice` is one rule file under ``zcmask/rules/notices/``. Both are
validated with pydantic, so a bad file becomes an :class:`InvalidConfigError`
(exit 6) with a zh-CN message, never a traceback. This module reads no
attachments and runs no checks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zcmask.exceptions import BadArgsError, InvalidConfigError
from zcmask.options import Identity, Unit

log = logging.getLogger(__name__)

#: The category names of the contract, in the order reports list them.
CATEGORIES: tuple[str, ...] = (
    "身份证", "一寸照", "社保缴费", "学历证书", "学位证书", "学信网备案表", "职称证书", "任职资格文件",
    "评审表", "年度考核表", "继续教育证书", "免试审批表", "公示", "公示结果", "推荐意见", "承诺书",
    "工作总结", "业绩材料", "获奖证书", "论文", "知识产权", "其他",
)

Level = Literal["初级", "中级", "副高级", "正高级"]
Route = Literal["评审", "初定", "授予"]
EmployerType = Literal["事业单位", "国有企业", "民营企业", "自由职业", "社会组织"]
Status = Literal["在职", "退休", "公务员", "参公"]
Degree = Literal["中专", "大专", "本科", "硕士", "博士"]
Grade = Literal["优秀", "合格", "基本合格", "不合格"]

# Other ways people write the same values; folded before validation.
_LEVEL_ALIASES = {"副高": "副高级", "正高": "正高级", "高级": "副高级", "初": "初级", "中": "中级",
                  "员级": "初级", "助理级": "初级"}
_ROUTE_ALIASES = {"初次确定": "初定", "初定初级": "初定", "初次认定": "初定", "认定": "初定",
                  "职称评审": "评审", "晋升": "评审", "考核认定": "初定"}
_STATUS_ALIASES = {"离休": "退休", "离退休": "退休", "参照公务员法管理": "参公", "参照公务员管理": "参公",
                   "参公人员": "参公", "公务员（含参公）": "公务员", "在编": "在职", "在岗": "在职", "在职在岗": "在职"}
_EMPLOYER_ALIASES = {"国企": "国有企业", "央企": "国有企业", "国有控股企业": "国有企业", "国有独资企业": "国有企业",
                     "国有控股": "国有企业", "中央企业": "国有企业", "民营": "民营企业", "私营企业": "民营企业",
                     "非公企业": "民营企业", "非公有制企业": "民营企业", "私企": "民营企业", "民企": "民营企业",
                     "事业": "事业单位", "机关事业单位": "事业单位", "自由职业者": "自由职业",
                     "社会团体": "社会组织", "民办非企业单位": "社会组织"}
_DEGREE_ALIASES = {"专科": "大专", "高职": "大专", "大学专科": "大专", "大学本科": "本科", "研究生": "硕士",
                   "中职": "中专", "中等专业学校": "中专", "技校": "中专", "硕士研究生": "硕士",
                   "博士研究生": "博士", "学士": "本科"}
_GRADE_ALIASES = {"称职": "合格", "基本称职": "基本合格", "不称职": "不合格", "良好": "合格", "优": "优秀",
                  "优秀等次": "优秀", "合格等次": "合格"}
_REGION_OTHER = ("外省", "区外", "其他省", "外地", "疆外", "内地")


def _clean(v: object) -> str:
    return str(v).strip().replace(" ", "").replace("\u3000", "")


def _fold_level(v: object) -> object:
    if v is None:
        return v
    s = _clean(v)
    for suffix in ("专业技术职务", "专业技术职称", "职称", "专业技术资格"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return _LEVEL_ALIASES.get(s, s)


def _fold_grade(v: object) -> object:
    if v is None:
        return v
    s = _clean(v)
    return _GRADE_ALIASES.get(s, s)


_YES = ("是", "有", "√", "✓", "y", "yes", "true", "1", "对", "参加", "属于")
_NO = ("否", "无", "没有", "×", "n", "no", "false", "0", "不是", "未参加", "不属于", "")


def _yes_no(v: object, *, default: bool) -> object:
    """是/否, 有/无, √ and the like as booleans; other values go on to pydantic unchanged."""
    if v is None:
        return default
    if isinstance(v, bool | int):
        return bool(v)
    s = _clean(v).lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    return v


def parse_date(v: object) -> object:
    """Dates as clerks type them: ``2012-07-01``, ``2012年7月``, ``2012.7``, ``2012/7/1``, ``201207``.

    A month without a day is the 1st. Anything unreadable is returned unchanged for
    pydantic to reject with the field's own message.
    """
    import re

    if v is None or isinstance(v, dt.date):
        return v.date() if isinstance(v, dt.datetime) else v
    s = _clean(v)
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*(?:[月.\-/]\s*(?:(\d{1,2})\s*日?)?)?", s)
    if not m:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            return v
    return v


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Education(_Frozen):
    """One completed course of education."""

    degree: Degree
    graduated: dt.date
    full_time: bool = True
    # False: no 学位 was awarded with this diploma (a 学位证书 is then not asked for).
    degree_awarded: bool | None = None

    @field_validator("degree", mode="before")
    @classmethod
    def _fold(cls, v: object) -> object:
        return _DEGREE_ALIASES.get(_clean(v), _clean(v)) if v is not None else v

    @field_validator("graduated", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return parse_date(v)

    @field_validator("full_time", mode="before")
    @classmethod
    def _ft(cls, v: object) -> object:
        return _yes_no(v, default=True)

    @field_validator("degree_awarded", mode="before")
    @classmethod
    def _awarded(cls, v: object) -> object:
        return None if v is None else _yes_no(v, default=True)


class CurrentTitle(_Frozen):
    """The title the applicant holds now, and where it was obtained."""

    name: str = ""
    obtained: dt.date | None = None
    region: Literal["新疆", "外省"] = "新疆"

    @field_validator("region", mode="before")
    @classmethod
    def _fold(cls, v: object) -> object:
        s = _clean(v or "新疆")
        if s.startswith("新疆") or s in ("区内", "本区", "疆内", "自治区"):
            return "新疆"
        return "外省" if s in _REGION_OTHER or s.endswith(("省", "市", "省区市")) or s == "外省" else s

    @field_validator("obtained", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return parse_date(v)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: object) -> object:
        return "" if v is None else _clean(v)


class Flags(_Frozen):
    """Circumstances the notices treat specially; each defaults to false."""

    fanghuiju: bool = False
    yuanjiang: bool = False
    nanjiang_graduate: bool = False
    county_or_below: bool = False
    organ_transfer: bool = False  # 机关调动（含分流、转移）到企事业单位

    @field_validator("*", mode="before")
    @classmethod
    def _yn(cls, v: object) -> object:
        return _yes_no(v, default=False)


class ApplicantFacts(_Frozen):
    """Who applies: the identity (masked for blind review) plus employer and status."""

    name: str
    aliases: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()
    employer_type: EmployerType = "事业单位"
    status: Status = "在职"
    # 工作地（县市，如“尉犁县”“且末县”）: the notices' location rules read it; empty = not stated.
    location: str = ""
    # 参加专业技术工作时间: years of professional work count from here when later than graduation.
    work_started: dt.date | None = None

    @field_validator("work_started", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return parse_date(v)

    @field_validator("location", mode="before")
    @classmethod
    def _loc(cls, v: object) -> object:
        return "" if v is None else _clean(v)

    @field_validator("units", mode="before")
    @classmethod
    def _units(cls, v: object) -> object:
        if isinstance(v, str):
            return [{"name": v}]
        if isinstance(v, list):
            return [{"name": u} if isinstance(u, str) else u for u in v]
        return v

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases(cls, v: object) -> object:
        return [v] if isinstance(v, str) else (v or [])

    @field_validator("employer_type", mode="before")
    @classmethod
    def _employer(cls, v: object) -> object:
        return _EMPLOYER_ALIASES.get(_clean(v), _clean(v)) if v is not None else "事业单位"

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: object) -> object:
        return _STATUS_ALIASES.get(_clean(v), _clean(v)) if v is not None else "在职"

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("申报人姓名不能为空")
        return v

    @property
    def identity(self) -> Identity:
        return Identity(name=self.name, aliases=self.aliases, units=self.units)


class ApplicationFacts(_Frozen):
    """What is applied for, and when it was submitted online."""

    series: str = ""
    specialty: str = ""
    level: Level
    route: Route = "评审"
    submitted: dt.date | None = None

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, v: object) -> object:
        return _fold_level(v)

    @field_validator("route", mode="before")
    @classmethod
    def _route(cls, v: object) -> object:
        return _ROUTE_ALIASES.get(_clean(v), _clean(v)) if v is not None else "评审"

    @field_validator("submitted", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return parse_date(v)

    @field_validator("series", "specialty", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else _clean(v)


class Application(_Frozen):
    """``application.yaml``: the applicant's facts and, optionally, attachment lists."""

    applicant: ApplicantFacts
    application: ApplicationFacts
    education: tuple[Education, ...] = ()
    current_title: CurrentTitle | None = None
    appraisals: dict[int, Grade] = Field(default_factory=dict)
    flags: Flags = Flags()
    # 任现职以来的获奖情况 (names of awards): when any is listed, the 获奖证书 must be uploaded.
    awards: tuple[str, ...] = ()
    attachments: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("awards", mode="before")
    @classmethod
    def _awards(cls, v: object) -> object:
        if v is None or v is False:
            return ()
        if isinstance(v, str):
            return () if _clean(v) in ("", "无", "否") else tuple(x for x in re.split(r"[;；、,，\n]", v) if x.strip())
        return v

    @field_validator("flags", mode="before")
    @classmethod
    def _flags(cls, v: object) -> object:
        return v or {}

    @field_validator("attachments", mode="before")
    @classmethod
    def _attachments(cls, v: object) -> object:
        if v is None:
            return {}
        if isinstance(v, dict):
            return {k: ([x] if isinstance(x, str) else (x or [])) for k, x in v.items()}
        return v

    @field_validator("attachments")
    @classmethod
    def _known(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        bad = [k for k in v if k not in CATEGORIES]
        if bad:
            raise ValueError(f"未知的附件类别 {'、'.join(bad)}；可用类别：{'、'.join(CATEGORIES)}")
        return v

    @field_validator("current_title", mode="before")
    @classmethod
    def _title(cls, v: object) -> object:
        # A template's section left blank (初定: no current title) is no title.
        if isinstance(v, dict) and not any(str(x).strip() for k, x in v.items() if k != "region" and x is not None):
            return None
        if isinstance(v, str) and _clean(v) in ("", "无"):
            return None
        return v

    @field_validator("education", mode="before")
    @classmethod
    def _edu(cls, v: object) -> object:
        return [v] if isinstance(v, dict) else (v or [])

    @field_validator("appraisals", mode="before")
    @classmethod
    def _appr(cls, v: object) -> object:
        if isinstance(v, dict):
            return {(int(re.sub(r"\D", "", str(k)) or 0) if not isinstance(k, int) else k): _fold_grade(g)
                    for k, g in v.items()}
        return v or {}

    @property
    def identity(self) -> Identity:
        return self.applicant.identity

    def highest_education(self, *, full_time_only: bool = False) -> Education | None:
        order = {d: i for i, d in enumerate(("中专", "大专", "本科", "硕士", "博士"))}
        eds = [e for e in self.education if e.full_time or not full_time_only]
        return max(eds, key=lambda e: (order[e.degree], e.graduated)) if eds else None

    def fact(self, key: str) -> object:
        """Look up a fact by the names rule conditions use (``level``, ``flags.fanghuiju``...)."""
        a, p = self.application, self.applicant
        simple: dict[str, object] = {
            "level": a.level, "route": a.route, "series": a.series, "specialty": a.specialty,
            "employer_type": p.employer_type, "status": p.status,
            "title_region": self.current_title.region if self.current_title else None,
            "has_current_title": self.current_title is not None,
            "location": p.location,
        }
        if key in simple:
            return simple[key]
        if key.startswith("flags."):
            return getattr(self.flags, key.split(".", 1)[1], False)
        raise InvalidConfigError(f"规则条件引用了未知的申报信息字段 {key}。")


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ()))
    return f"{where}: {err.get('msg', '')}"


def load_application(path: str | Path) -> Application:
    """Read and validate ``application.yaml``; any problem is an :class:`InvalidConfigError`.

    Chinese keys (``申报人``, ``姓名``...) and common wordings (``中级职称``,
    ``国有控股企业``, ``称职``) are accepted. Every problem of the file is listed
    at once, each with its line and column.
    """
    from zcmask.rules._input import error_messages, load_yaml_marked, mark_of, yaml_error_message

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise InvalidConfigError(f"找不到 {p}：申报目录中须有 application.yaml（可用 zcmask template application -o 申报目录 写出模板，"
                                 "或用 zcmask init --notice 通知编号 -o 申报目录/application.yaml 按通知生成）。") from e
    except UnicodeDecodeError as e:
        raise InvalidConfigError(f"{p} 不是 UTF-8 编码：请用记事本“另存为 UTF-8”后重试。") from e
    except OSError as e:
        raise InvalidConfigError(f"{p} 无法读取，请检查文件权限。") from e
    try:
        data, marks = load_yaml_marked(text)
    except yaml.YAMLError as e:
        raise InvalidConfigError(f"{p} {yaml_error_message(e)}") from e
    if not isinstance(data, dict):
        raise InvalidConfigError(f"{p} 的内容应为 申报人/申报信息 等字段组成的映射，请对照 zcmask init 生成的模板修改。")
    try:
        return Application.model_validate(data)
    except ValidationError as e:
        def where(path: tuple[Any, ...]) -> str:
            m = mark_of(marks, path)
            return f"第 {m[0]} 行第 {m[1]} 列：" if m else ""

        lines = error_messages(e, where)
        raise InvalidConfigError(f"{p} 有 {len(lines)} 处需要修改：\n  " + "\n  ".join(lines)) from e


# --------------------------------------------------------------------------- notices


class Window(_Frozen):
    """The online submission window of a notice."""

    start: dt.date
    end: dt.date
    clause: str
    # Dates before this are inside the window as printed but the text is ambiguous.
    doubtful_before: dt.date | None = None


class Rule(BaseModel):
    """One rule of a notice: its id (citing the clause), its check type, and parameters.

    ``when`` limits the rule to applications whose facts match: each key is a
    fact (``level``, ``route``, ``employer_type``, ``status``, ``title_region``,
    ``flags.X``) and each value a list of allowed values; a key ending in ``_not``
    lists excluded values.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    type: str
    clause: str
    title: str = ""
    severity: Literal["error", "warning", "info"] = "error"
    when: dict[str, Any] = Field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def applies(self, app: Application) -> bool:
        for key, allowed in self.when.items():
            neg = key.endswith("_not")
            base = key[:-4] if neg else key
            contains = base.endswith("_contains")
            fact = app.fact(base[: -len("_contains")] if contains else base)
            values = allowed if isinstance(allowed, list) else [allowed]
            hit = any(str(v) in str(fact or "") for v in values) if contains else fact in values
            if hit == neg:
                return False
        return True


class Notice(BaseModel):
    """A notice's rules, read from ``rules/notices/<id>.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    year: int
    seed: str = ""
    issued: dt.date | None = None
    blind_review: bool
    blind_clause: str = ""
    window: Window
    # What the notice asks to mask (name, unit, seal, eyes); empty: no blind review.
    mask_scope: tuple[Literal["name", "unit", "seal", "eyes"], ...] = ()
    rules: tuple[Rule, ...]

    @model_validator(mode="before")
    @classmethod
    def _default_scope(cls, data: object) -> object:
        # A rule file that predates mask_scope: a blind review masks all four kinds.
        if isinstance(data, dict) and "mask_scope" not in data and data.get("blind_review"):
            return {**data, "mask_scope": ["name", "unit", "seal", "eyes"]}
        return data

    @model_validator(mode="after")
    def _unique_ids(self) -> Notice:
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"规则 id 重复：{r.id}")
            seen.add(r.id)
        return self


def notices_dir() -> Path:
    return Path(str(resources.files("zcmask.rules") / "notices"))


def notice_ids() -> list[str]:
    """The ids of every bundled notice, sorted."""
    return sorted(p.stem for p in notices_dir().glob("*.yaml"))


def load_notice(notice: str | Path) -> Notice:
    """Load a bundled notice by id, or a rule file by path.

    An unknown id is a usage error (exit 2); a malformed file is an
    :class:`InvalidConfigError` (exit 6).
    """
    p = Path(notice)
    if p.suffix not in (".yaml", ".yml") or not p.exists():
        p = notices_dir() / f"{notice}.yaml"
        if not p.exists():
            raise BadArgsError(f"未知的通知编号 {notice}；可用编号：{', '.join(notice_ids())}。")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        return Notice.model_validate(data)
    except (OSError, yaml.YAMLError) as e:
        raise InvalidConfigError(f"通知规则文件 {p} 无法解析：{e}") from e
    except ValidationError as e:
        raise InvalidConfigError(f"通知规则文件 {p} 内容有误：{_first_error(e)}") from e


def as_mapping(v: object) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}
