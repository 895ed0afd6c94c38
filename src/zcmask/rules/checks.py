"""The check types notice rules are written in, one small function each.

A rule file names a check ``type`` and gives its parameters; the function of
that type turns the application, the notice and the sorted attachments into
findings. Adding a notice means writing a YAML file with these types; adding a
check type means adding one function here, registered with :func:`check_type`.

Check types: ``required_material``, ``k_of_n``, ``years_covered``,
``hours_per_year``, ``statement_text``, ``signature``, ``recommendation``,
``period_working_days``, ``max_chars``, ``no_identity``, ``social_insurance``,
``education_record``, ``eligibility``, ``appraisal_delay``, ``date_window``,
``attachment_check`` and ``info``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zcmask.exceptions import InvalidConfigError
from zcmask.messages import ISSUE_ZH
from zcmask.results import Issue, Severity
from zcmask.rules._collect import Attachment, PageFacts
from zcmask.rules._model import Application, Notice, Rule
from zcmask.rules._read import (
    TextDiff,
    appraisal_grade,
    ce_hours,
    ce_kind,
    compare_wording,
    document_year,
    find_period,
    fold,
    insured_months,
    strip_punct,
    word_count,
    working_days,
)

#: Finding codes of the contract; a rule may not invent others.
FINDING_CODES = frozenset({
    "missing_material", "title_proof_incomplete", "social_insurance_short", "education_unverified",
    "appraisal_missing", "appraisal_delay", "ce_missing", "ce_hours_short", "publicity_too_short",
    "statement_mismatch", "statement_unsigned", "recommendation_mismatch", "summary_names_applicant",
    "summary_too_long", "not_eligible", "outside_window", "attachment_issue", "exemption_info",
})


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer would act on: what, under which rule, how bad, and where."""

    code: str
    rule: str
    severity: Severity
    message: str
    files: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "rule": self.rule, "severity": self.severity,
                "message": self.message, "files": list(self.files)}


@dataclass(frozen=True)
class Context:
    """What every check sees: the facts, the notice, and the sorted attachments."""

    app: Application
    notice: Notice
    attachments: tuple[Attachment, ...]

    def of(self, *categories: str) -> list[Attachment]:
        return [a for a in self.attachments if a.category in categories]


CheckFn = Callable[[Rule, Context], list[Finding]]
CHECKS: dict[str, CheckFn] = {}


def check_type(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under the ``type`` name rule files use."""

    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return deco


def run_rule(rule: Rule, ctx: Context) -> list[Finding]:
    """Run one rule if it applies to the application; unknown types are a config error."""
    fn = CHECKS.get(rule.type)
    if fn is None:
        raise InvalidConfigError(f"通知 {ctx.notice.id} 的规则 {rule.id} 使用了未知的检查类型 {rule.type}；"
                                 f"可用类型：{', '.join(sorted(CHECKS))}。")
    if not rule.applies(ctx.app):
        return []
    return fn(rule, ctx)


# --------------------------------------------------------------------------- helpers


def _p(rule: Rule, key: str, default: Any = None) -> Any:
    return rule.params.get(key, default)


def _finding(rule: Rule, code: str, text: str, files: Iterable[str] = (),
             severity: Severity | None = None) -> Finding:
    code = _p(rule, "code", code) if code != "exemption_info" else code
    if code not in FINDING_CODES:
        raise InvalidConfigError(f"规则 {rule.id} 的 code {code} 不在约定的代码表中。")
    return Finding(code, rule.id, severity or rule.severity, f"【通知{rule.clause}】{text}", tuple(files))


def _years(rule: Rule, notice: Notice) -> list[int]:
    """A rule's years: ``years: [..]``, ``range: [a, b]`` or ``last: N`` (before the notice year)."""
    if (ys := _p(rule, "years")) is not None:
        return sorted(int(y) for y in ys)
    if (rg := _p(rule, "range")) is not None:
        return list(range(int(rg[0]), int(rg[1]) + 1))
    if (n := _p(rule, "last")) is not None:
        end = notice.year if _p(rule, "include_current", False) else notice.year - 1
        return list(range(end - int(n) + 1, end + 1))
    raise InvalidConfigError(f"规则 {rule.id} 须给出 years、range 或 last。")


def _span(years: Sequence[int]) -> str:
    ys = sorted(years)
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}—{ys[-1]} 年"
    return "、".join(str(y) for y in ys) + " 年"


def _page_year(att: Attachment, page: PageFacts, lo: int, hi: int) -> int | None:
    y = document_year(page.text, lo=lo, hi=hi)
    if y is None and len(att.pages) == 1:
        m = re.findall(r"20\d{2}", att.shown.rsplit("/", 1)[-1])
        ys = [int(v) for v in m if lo <= int(v) <= hi]
        y = ys[0] if ys else None
    return y


def _waiver(rule: Rule, ctx: Context, years: Sequence[int]) -> tuple[set[int], list[Finding]]:
    """Years a 免试审批表 waives for this rule, and the info finding saying so."""
    cat = _p(rule, "waived_by")
    if not cat:
        return set(), []
    forms = ctx.of(cat)
    if not forms:
        return set(), []
    waives = _p(rule, "waives", "all")
    waived = set(years) if waives == "all" else {int(y) for y in waives} & set(years)
    if not waived:
        return set(), []
    info = Finding("exemption_info", rule.id, "info",
                   f"【通知{rule.clause}】已上传{cat}，免除 {_span(sorted(waived))}的继续教育证书要求（以审核部门认定为准）。",
                   tuple(a.shown for a in forms))
    return waived, [info]


def _kind_ok(page_kind: str | None, kind: str | None) -> bool:
    return kind is None or page_kind is None or page_kind == kind


# --------------------------------------------------------------------------- materials


@check_type("required_material")
def required_material(rule: Rule, ctx: Context) -> list[Finding]:
    """A category (or any of several) must have at least ``min_files`` attachments."""
    cats = _p(rule, "any_of") or [_p(rule, "category")]
    n = len(ctx.of(*cats))
    need = int(_p(rule, "min_files", 1))
    if n >= need:
        return []
    what = _p(rule, "what") or "或".join(cats)
    more = f"（至少 {need} 份，现有 {n} 份）" if need > 1 and n else ""
    return [_finding(rule, "missing_material", f"缺少{what}{more}，请补充上传。")]


@check_type("k_of_n")
def k_of_n(rule: Rule, ctx: Context) -> list[Finding]:
    """At least k of the listed categories; k depends on where the current title was obtained."""
    cats: list[str] = list(_p(rule, "categories"))
    region = ctx.app.current_title.region if ctx.app.current_title else "新疆"
    kk = _p(rule, "k")
    k = int(kk.get(region, len(cats))) if isinstance(kk, dict) else int(kk)
    have = [c for c in cats if ctx.of(c)]
    if len(have) >= k:
        return []
    lacking = [c for c in cats if c not in have]
    where = "在新疆取得" if region == "新疆" else "在其他省区市取得"
    return [_finding(rule, "title_proof_incomplete",
                     f"现专业技术任职资格{where}，须上传“{'”“'.join(cats)}”中的 {k} 项，现只有 {len(have)} 项"
                     f"（缺：{'、'.join(lacking)}），请补充。",
                     [a.shown for c in have for a in ctx.of(c)])]


@check_type("years_covered")
def years_covered(rule: Rule, ctx: Context) -> list[Finding]:
    """Each required year (of a ``kind``, for certificates) has a document of the category.

    A page counts for one year only, its own (the first ``20XX年度`` it shows): an
    appraisal form that mentions earlier years in its text still covers one year.
    A certificate that names no kind (公需/专业) counts for neither kind.
    """
    cat = _p(rule, "category")
    kind = _p(rule, "kind")
    years = _years(rule, ctx.notice)
    waived, out = _waiver(rule, ctx, years)
    seen: set[int] = set()
    unkinded: list[str] = []
    atts = ctx.of(cat)
    for a in atts:
        for pg in a.pages:
            y = _page_year(a, pg, min(years) - 10, max(years) + 1)
            if kind is not None:
                pk = ce_kind(pg.text) or _name_kind(a)
                if pk is None:
                    if y in years and a.shown not in unkinded:
                        unkinded.append(a.shown)
                    continue
                if pk != kind:
                    continue
            if y is not None:
                seen.add(y)
    missing = [y for y in years if y not in seen and y not in waived]
    if missing:
        what = _p(rule, "what") or cat
        label = f"{kind}科目" if kind else ""
        note = (f"（另有 {len(unkinded)} 份证书未写明是公需科目还是专业科目，未计入，请上传写明科目类别的证书）"
                if unkinded else "")
        out.append(_finding(rule, _p(rule, "code", "missing_material"),
                            f"缺少 {_span(missing)}的{label}{what}（须覆盖 {_span(years)}）{note}，请补充上传。",
                            [a.shown for a in atts]))
    return out


def _name_kind(att: Attachment) -> str | None:
    """A kind written in the file name (继续教育公需2021.jpg) when the page text names none."""
    name = att.shown.rsplit("/", 1)[-1]
    if "公需" in name or "公共" in name:
        return "公需"
    if "专业" in name:
        return "专业"
    return None


@check_type("hours_per_year")
def hours_per_year(rule: Rule, ctx: Context) -> list[Finding]:
    """A year's certificates of a kind must add up to at least ``hours``."""
    cat, kind, need = _p(rule, "category"), _p(rule, "kind"), float(_p(rule, "hours"))
    years = _years(rule, ctx.notice)
    waived, _info = _waiver(rule, ctx, years)
    hours: dict[int, float] = {}
    files: dict[int, list[str]] = {}
    for a in ctx.of(cat):
        for pg in a.pages:
            if (ce_kind(pg.text) or _name_kind(a)) != kind:
                continue
            y = _page_year(a, pg, min(years) - 10, max(years) + 1)
            if y is None or y not in years or y in waived:
                continue
            hours[y] = hours.get(y, 0.0) + ce_hours(pg.text)
            files.setdefault(y, []).append(a.shown)
    out = []
    for y in sorted(hours):
        h = hours[y]
        if h <= 0:
            out.append(_finding(rule, "ce_hours_short", f"{y} 年{kind}科目证书上读不出学时，请确认证书清晰完整"
                                f"（须满 {need:g} 学时）。", files[y], "warning"))
        elif h < need:
            out.append(_finding(rule, "ce_hours_short", f"{y} 年{kind}科目证书合计 {h:g} 学时，"
                                f"不足 {need:g} 学时/年，请补充学习证明。", files[y]))
    return out


# --------------------------------------------------------------------------- wording


def _best_diff(texts: Sequence[str], docs: Sequence[Attachment]) -> tuple[TextDiff | None, Attachment | None]:
    best: tuple[TextDiff | None, Attachment | None] = (None, None)
    for a in docs:
        for t in texts:
            d = compare_wording(t, a.text)
            cur = best[0]
            if cur is None or (d.found, -d.differing, d.ratio) > (cur.found, -cur.differing, cur.ratio):
                best = (d, a)
    return best


def _wording_findings(rule: Rule, code: str, what: str, texts: Sequence[str],
                      docs: Sequence[Attachment]) -> list[Finding]:
    tol = int(_p(rule, "ocr_tolerance", 1))
    d, a = _best_diff(texts, docs)
    if d is None or a is None:
        return []
    files = [x.shown for x in docs]
    if not d.found:
        return [_finding(rule, code, f"未找到通知要求的{what}：“{texts[0]}”，请按原文填写。", files)]
    if d.differing == 0:
        return []
    parts = []
    for want, got in d.pairs[:8]:
        if want and got:
            parts.append(f"“{want}”写成了“{got}”")
        elif want:
            parts.append(f"缺少“{want}”")
        else:
            parts.append(f"多出“{got}”")
    detail = "；".join(parts)
    sev: Severity | None = "warning" if d.differing <= tol and d.ratio >= 0.95 else None
    hint = "（仅个别字符不同，可能为识别误差，请人工核对）" if sev == "warning" else "，请按通知原文逐字填写"
    return [_finding(rule, code, f"{what}与通知原文不一致：{detail}{hint}。原文：“{texts[0]}”", [a.shown], sev)]


@check_type("statement_text")
def statement_text(rule: Rule, ctx: Context) -> list[Finding]:
    """The 承诺书 (or another listed document) must carry the notice's 承诺语 word for word."""
    cats = _p(rule, "categories") or [_p(rule, "category", "承诺书")]
    docs = ctx.of(*cats)
    if not docs:
        if _p(rule, "required", False):
            return [_finding(rule, "statement_mismatch",
                             f"未找到载有承诺语的材料（{'、'.join(cats)}），请按通知原文填写承诺语并上传。")]
        return []
    return _wording_findings(rule, "statement_mismatch", _p(rule, "what", "承诺语"), _p(rule, "texts"), docs)


@check_type("recommendation")
def recommendation(rule: Rule, ctx: Context) -> list[Finding]:
    """推荐意见 must carry the required sentence (a ``patterns`` regex, or fuzzy ``texts``).

    With both, either is accepted; a document that has neither is reported with
    the pattern's ``example`` (the notice's own template sentence).
    """
    cats = _p(rule, "categories") or [_p(rule, "category", "推荐意见")]
    docs = ctx.of(*cats)
    if not docs:
        return []
    patterns = [re.compile(p) for p in _p(rule, "patterns", [])]
    texts = _p(rule, "texts") or []
    files = [a.shown for a in docs]
    if patterns:
        for a in docs:
            s = strip_punct(a.text).replace("×", "").replace("X", "")
            if any(p.search(s) for p in patterns):
                return []
        if texts:
            d, _a = _best_diff(texts, docs)
            if d is not None and d.found and d.differing <= int(_p(rule, "ocr_tolerance", 1)):
                return []
        alt = f"（或“{texts[0]}”）" if texts else ""
        return [_finding(rule, "recommendation_mismatch",
                         f"{_p(rule, 'what', '推荐意见')}缺少通知规定的表述“{_p(rule, 'example', '')}”{alt}，"
                         "请按通知模板填写并加盖公章后重新上传。", files)]
    return _wording_findings(rule, "recommendation_mismatch", _p(rule, "what", "推荐意见"), texts, docs)


@check_type("signature")
def signature(rule: Rule, ctx: Context) -> list[Finding]:
    """Each document of the category must be signed on its signature line."""
    out = []
    for a in ctx.of(_p(rule, "category", "承诺书")):
        states = [p.signature for p in a.pages]
        if any(s is True for s in states):
            continue
        if any(s is False for s in states):
            out.append(_finding(rule, "statement_unsigned", "签字处为空，请本人手写签名（并按手印）后重新扫描上传。",
                                [a.shown]))
        else:
            out.append(_finding(rule, "statement_unsigned", "未找到签字处或签名，请确认已本人签字并完整扫描。",
                                [a.shown], "warning"))
    return out


# --------------------------------------------------------------------------- content


@check_type("period_working_days")
def period_working_days(rule: Rule, ctx: Context) -> list[Finding]:
    """The 公示 period read from 公示 / 公示结果 lasts at least ``min_days`` working days."""
    need = int(_p(rule, "min_days", 5))
    docs = ctx.of(*_p(rule, "categories", ["公示", "公示结果"]))
    if not docs:
        return []
    out: list[Finding] = []
    read = False
    for a in docs:
        per = find_period(a.text, ctx.notice.year)
        if per is None:
            continue
        read = True
        days, exact = working_days(*per)
        if days < need:
            note = "" if exact else "（该年份节假日数据缺失，按周一至周五计算）"
            out.append(_finding(rule, "publicity_too_short",
                                f"公示期 {per[0]:%Y年%m月%d日} 至 {per[1]:%Y年%m月%d日} 仅 {days} 个工作日{note}，"
                                f"不足 {need} 个工作日（已扣除节假日、计入调休上班日），请重新公示。", [a.shown]))
    if not read:
        out.append(_finding(rule, "publicity_too_short", "无法从公示材料中读出公示起止日期，请确认公示时间"
                            f"（不少于 {need} 个工作日）清晰可见。", [a.shown for a in docs], "warning"))
    return out


@check_type("max_chars")
def max_chars(rule: Rule, ctx: Context) -> list[Finding]:
    """The documents of a category together hold at most ``max`` 字."""
    limit = int(_p(rule, "max"))
    docs = ctx.of(_p(rule, "category", "工作总结"))
    n = sum(word_count(a.text) for a in docs)
    if n <= limit:
        return []
    return [_finding(rule, "summary_too_long", f"{_p(rule, 'what', '工作总结')}约 {n} 字，超过 {limit} 字的上限，"
                     "请精简后重新上传。", [a.shown for a in docs])]


@check_type("no_identity")
def no_identity(rule: Rule, ctx: Context) -> list[Finding]:
    """No document of the category may show the applicant's name or unit."""
    from zcmask.locate import find_identity

    out = []
    ident = ctx.app.identity
    kinds = set(_p(rule, "kinds") or [k for k in ("name", "unit") if k in ctx.notice.mask_scope]
                or ["name", "unit"])
    if "unit" not in kinds:
        ident = ident.model_copy(update={"units": ()})
    what_zh = "、".join(x for k, x in (("name", "本人姓名"), ("unit", "工作单位")) if k in kinds)
    for a in ctx.of(_p(rule, "category", "工作总结")):
        seen: list[str] = []
        for pg in a.pages:
            for r in find_identity(pg.lines, ident, (10**6, 10**6), signatures=False):
                if r.kind in kinds and r.text not in seen:
                    seen.append(r.text)
        if seen:
            out.append(_finding(rule, "summary_names_applicant",
                                f"{_p(rule, 'what', '工作总结')}中出现{what_zh}（“{'”“'.join(seen)}”），"
                                "请删除或改用“本人”“我单位”等表述后重新上传。", [a.shown]))
    return out


@check_type("social_insurance")
def social_insurance(rule: Rule, ctx: Context) -> list[Finding]:
    """Social-insurance proof: present, at least ``min_months`` months, with a QR code if asked."""
    need = int(_p(rule, "min_months", 6))
    docs = ctx.of(_p(rule, "category", "社保缴费"))
    if not docs:
        return [_finding(rule, "social_insurance_short", f"企业申报人须上传近 {need} 个月以上的社会保险缴费证明"
                         "（“社会保险个人缴费汇总单”或“个人养老保险缴费对账单”），请补充。")]
    out = []
    files = [a.shown for a in docs]
    months = max(insured_months(a.text) for a in docs)
    if months == 0:
        out.append(_finding(rule, "social_insurance_short", "无法从社保缴费证明中读出缴费月份，请上传清晰完整、"
                            f"列明近 {need} 个月缴费记录的证明。", files, "warning"))
    elif months < need:
        out.append(_finding(rule, "social_insurance_short", f"社保缴费证明只显示 {months} 个月，不足 {need} 个月，"
                            f"请重新打印近 {need} 个月以上的缴费证明。", files))
    if _p(rule, "qr", False) and not any(p.qr for a in docs for p in a.pages):
        out.append(_finding(rule, "social_insurance_short", "社保缴费证明上未发现可验证的二维码，请从社保网厅"
                            "或 APP 重新打印带二维码的缴费证明。", files))
    return out


_FALLBACK_SKIP = frozenset({"学历证书", "学位证书", "学信网备案表"})


@check_type("education_record")
def education_record(rule: Rule, ctx: Context) -> list[Finding]:
    """A 学信网 record beside the diploma, with its QR code when the notice asks for one.

    Where the notice allows a substitute when 学信网 has no record (``fallback``: a
    regex for the file name or text, e.g. ``学籍``), an attachment showing it
    replaces the record.
    """
    if not ctx.app.education and not ctx.of("学历证书"):
        return []
    docs = ctx.of(_p(rule, "category", "学信网备案表"))
    fb = _p(rule, "fallback")
    fb_what = _p(rule, "fallback_what", "")
    if not docs:
        if _p(rule, "fallback_categories") and ctx.of(*_p(rule, "fallback_categories")):
            return []
        if fb:
            rx = re.compile(fb)
            for a in ctx.attachments:
                if a.category in _FALLBACK_SKIP and a.category != "学信网备案表":
                    continue
                if rx.search(a.shown) or rx.search(fold(a.text)[:200]):
                    return []
        alt = f"；学信网查询不到的，请按通知上传{fb_what}" if fb_what else ""
        return [_finding(rule, "education_unverified", "缺少学信网《教育部学历证书电子注册备案表》（或在线验证报告），"
                         f"请在 www.chsi.com.cn 查询下载有效期内的备案表后上传{alt}。")]
    if _p(rule, "qr", False) and not any(p.qr for a in docs for p in a.pages):
        return [_finding(rule, "education_unverified", "学信网备案表上未发现二维码，请上传带二维码、在有效期内的完整备案表。",
                         [a.shown for a in docs])]
    return []


@check_type("id_card_sides")
def id_card_sides(rule: Rule, ctx: Context) -> list[Finding]:
    """身份证 正、反面: both sides must be uploaded (two pages, or both sides on one page)."""
    docs = ctx.of("身份证")
    if not docs:
        return []  # required_material reports the missing card
    text = fold("\n".join(a.text for a in docs))
    front = bool(re.search(r"公民身份号码|住址|出生|民族", text))
    back = bool(re.search(r"签发机关|有效期限|居民身份证|中华人民共和国", text))
    pages = sum(len(a.pages) for a in docs)
    if front and back:
        return []
    if not text.strip():
        if pages >= 2:
            return []
        return [_finding(rule, "missing_material", "身份证只有 1 页，且读不出文字，无法确认正、反面是否齐全；"
                         "请上传身份证正面和反面。", [a.shown for a in docs], "warning")]
    lacking = "反面（国徽面）" if front else ("正面（人像面）" if back else "正、反面")
    if not front and not back and pages >= 2:
        return []
    return [_finding(rule, "missing_material", f"身份证缺少{lacking}，通知要求上传身份证正、反面，请补充。",
                     [a.shown for a in docs])]


_DEGREE_RANK = {"中专": 0, "大专": 1, "本科": 2, "硕士": 3, "博士": 4}


@check_type("degree_certificate")
def degree_certificate(rule: Rule, ctx: Context) -> list[Finding]:
    """学位证书 where the notice lists it: asked of 本科 and above unless no degree was awarded."""
    eds = [e for e in ctx.app.education if _DEGREE_RANK[e.degree] >= 2 and e.degree_awarded is not False]
    if not eds or ctx.of("学位证书"):
        return []
    return [_finding(rule, "missing_material", f"学历为{eds[-1].degree}，通知要求上传学位证书，请补充"
                     "（未授予学位的，请在 application.yaml 的学历中写“是否授予学位: 否”）。")]


@check_type("awards")
def awards(rule: Rule, ctx: Context) -> list[Finding]:
    """获奖证书: when application.yaml lists awards, their certificates must be uploaded."""
    if not ctx.app.awards or ctx.of("获奖证书"):
        return []
    return [_finding(rule, "missing_material", f"填报了获奖情况（{'、'.join(ctx.app.awards)}），"
                     "但未上传获奖证书原件扫描件，请补充；没有获奖的，请删去“获奖情况”一项。")]


@check_type("text_present")
def text_present(rule: Rule, ctx: Context) -> list[Finding]:
    """Some attachment (of ``categories``, or any) shows text matching each of ``patterns``."""
    cats = _p(rule, "categories")
    docs = ctx.of(*cats) if cats else list(ctx.attachments)
    what = _p(rule, "what", "")
    if cats and not docs and not _p(rule, "required", True):
        return []
    rxs = [re.compile(p) for p in _p(rule, "patterns", [])]
    texts = [fold(a.text) + "\n" + a.shown for a in docs]
    missing = [lab for rx, lab in zip(rxs, _p(rule, "labels", [r.pattern for r in rxs]), strict=False)
               if not any(rx.search(t) for t in texts)]
    if not missing:
        return []
    if cats and docs and sum(len(a.text) for a in docs) < 30:
        return [_finding(rule, _p(rule, "code", "missing_material"), f"读不出{what}的文字，无法确认是否包含"
                         f"{'、'.join(missing)}，请确认扫描件清晰完整。", [a.shown for a in docs], "warning")]
    return [_finding(rule, _p(rule, "code", "missing_material"),
                     f"未找到{what}（缺：{'、'.join(missing)}），请补充上传。", [a.shown for a in docs])]


# --------------------------------------------------------------------------- facts


def _years_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


#: Specialties the state assesses by examination (以考代评): never 初定 or 评审.
EXAM_SPECIALTIES = ("会计", "审计", "统计", "经济", "卫生", "医师", "护理", "护士", "药学", "药师", "技师（卫生）",
                    "计算机技术与软件", "社会工作", "出版", "税务", "银行", "证券", "保险", "拍卖", "翻译专业资格")


def _strip_suffix(s: str) -> str:
    for suf in ("专业", "系列"):
        if s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
    return s


def _same(a: str, b: str) -> bool:
    a, b = _strip_suffix(fold(a)), _strip_suffix(fold(b))
    return bool(a) and bool(b) and (a in b or b in a)


@check_type("eligibility")
def eligibility(rule: Rule, ctx: Context) -> list[Finding]:
    """Scope (level, route, series...), excluded status, location, and years since graduation."""
    app = ctx.app
    a = app.application
    out = []
    excluded = _p(rule, "excluded_status", [])
    if app.applicant.status in excluded:
        out.append(_finding(rule, "not_eligible", f"申报人身份为“{app.applicant.status}”，不在本通知申报范围内"
                            f"（{'、'.join(excluded)}人员不得申报）。"))
    scope = _p(rule, "scope")
    if scope:
        # A blank series/specialty is the notice's own when every scope entry names the same one
        # (电力 2024 is 电力 only); where the notice covers several (正高 2024), blank cannot pass.
        fixed: dict[str, str] = {}
        for k in ("series", "specialty"):
            vals = {tuple(cond.get(k, ())) for cond in scope}
            if len(vals) == 1 and len(v := next(iter(vals))) == 1:
                fixed[k] = str(v[0])
        needs = {k.removesuffix("_not") for cond in scope for k in cond} & {"series", "specialty"}
        blank = [z for k, z in (("series", "系列"), ("specialty", "专业"))
                 if k in needs and k not in fixed and not app.fact(k)]
        ok = any(all(_match(app, k, v, fixed) for k, v in cond.items()) for cond in scope)
        if blank and not ok:
            out.append(_finding(rule, "not_eligible", f"application.yaml 未填写申报的{'、'.join(blank)}，"
                                f"无法确认是否在本通知范围内：{_p(rule, 'scope_text', '')}请补充。"))
        elif not ok:
            out.append(_finding(rule, "not_eligible", f"申报的 {a.series}{a.specialty} {a.level}（{a.route}）"
                                f"不在本通知的申报范围内：{_p(rule, 'scope_text', '')}"))
    table = _p(rule, "table")
    if table:
        out += _table_scope(rule, app, table)
    if _p(rule, "exam_excluded", False):
        hit = next((x for x in EXAM_SPECIALTIES if x in f"{a.series}{a.specialty}"), None)
        if hit:
            out.append(_finding(rule, "not_eligible", f"“{a.series}{a.specialty}”属国家以考代评的专业，"
                                "不能初次确定，请参加全国统一考试取得资格。"))
    places = _p(rule, "locations")
    loc = app.applicant.location
    if places and loc and not any(p in loc for p in places):
        unless = _p(rule, "locations_unless")
        if not (unless and app.fact(unless)):
            out.append(_finding(rule, "not_eligible", f"工作地为“{loc}”，不在本通知范围内"
                                f"（{_p(rule, 'locations_text', '、'.join(places))}）。"))
    grad = _p(rule, "graduation_years")
    if grad:
        out += _graduation(rule, app, grad, ctx.notice)
    return out


def _table_scope(rule: Rule, app: Application, table: Sequence[Sequence[str]]) -> list[Finding]:
    a = app.application
    if not a.specialty:
        return [_finding(rule, "not_eligible", "application.yaml 未填写申报的专业，无法核对是否在通知的专业范围内，"
                         "请补充（如“水利专业”“中小学教师”）。")]
    rows = [r for r in table if _same(a.specialty, r[1]) and (not a.series or _same(a.series, r[0]))]
    if rows:
        return []
    return [_finding(rule, "not_eligible", f"“{a.series}{a.specialty}”不在本通知的专业范围（{len(table)} 个专业）内，"
                     f"请对照通知“{_p(rule, 'table_clause', '专业范围')}”核对系列和专业名称。")]


def _graduation(rule: Rule, app: Application, grad: dict[str, Any], notice: Notice) -> list[Finding]:
    """Years of professional work since graduation, for the degrees the notice lists."""
    as_of = dt.date.fromisoformat(str(_p(rule, "as_of", f"{notice.year}-12-31")))
    full_time_only = bool(_p(rule, "full_time_only", False))
    ed = app.highest_education(full_time_only=full_time_only)
    if ed is None:
        if full_time_only and app.education:
            return [_finding(rule, "not_eligible", "所填学历均为非全日制；本通知只受理全日制普通院校毕业生"
                             f"（{_p(rule, 'scope_degrees_text', '')}），非全日制学历不能按本通知初定。")]
        return [_finding(rule, "not_eligible", "未填写学历及毕业时间，无法确认是否满足年限，"
                         "请在 application.yaml 的“学历”中补充。")]
    if ed.degree not in grad:
        # The notice states no years for this degree: nothing to hold against the applicant.
        return []
    need = float(grad[ed.degree])
    early = _p(rule, "early")
    if early and app.fact(early["flag"]):
        need = max(0.0, need - float(early["years"]))
    start = ed.graduated
    since = "毕业"
    ws = app.applicant.work_started
    if ws is not None and ws > start:
        start, since = ws, "参加专业技术工作"
    have = _years_between(start, as_of)
    if have + 1e-9 >= need:
        return []
    return [_finding(rule, "not_eligible", f"{ed.degree}毕业于 {ed.graduated:%Y年%m月}，自{since}"
                     f"（{start:%Y年%m月}）至 {as_of:%Y年%m月%d日} 从事专业技术工作约 {have:.1f} 年，"
                     f"未满 {need:g} 年，本年度尚不能申报。")]


def _match(app: Application, key: str, allowed: Any, fixed: dict[str, str] | None = None) -> bool:
    values = allowed if isinstance(allowed, list) else [allowed]
    neg = key.endswith("_not")
    key = key.removesuffix("_not")
    fact = app.fact(key) or (fixed or {}).get(key, "")
    if key in ("series", "specialty", "location"):
        hit = bool(fact) and any(_same(str(v), str(fact)) for v in values)
    else:
        hit = fact in values
    return hit != neg


@check_type("appraisal_delay")
def appraisal_delay(rule: Rule, ctx: Context) -> list[Finding]:
    """Each 基本合格 delays the application 1 year and each 不合格 2 years (only where a notice says so).

    Only appraisals of years in the current title count. Whether the delay stops this
    year's application is computed from ``current_title.obtained`` and ``min_years``
    (years in the current title the 评审条件 require at this level): an error only when
    the years, delay included, are not reached; a warning when they are, or when the
    date the current title was obtained is not given.
    """
    years = _years(rule, ctx.notice)
    delays = {"基本合格": 1, "不合格": 2} | dict(_p(rule, "delays", {}))
    ct = ctx.app.current_title
    obtained = ct.obtained if ct else None
    first = obtained.year if obtained else min(years)
    grades: dict[int, tuple[str, str]] = {}
    for y, g in ctx.app.appraisals.items():
        if y in years and y >= first and g in delays:
            grades[y] = (g, "application.yaml")
    for a in ctx.of(_p(rule, "category", "年度考核表")):
        for pg in a.pages:
            grade = appraisal_grade(pg.text)
            year = _page_year(a, pg, min(years) - 10, max(years) + 1)
            if grade is not None and grade in delays and year is not None and year in years and year >= first:
                grades[year] = (grade, a.shown)
    if not grades:
        return []
    total = sum(delays[g] for g, _ in grades.values())
    detail = "、".join(f"{y} 年{g}" for y, (g, _) in sorted(grades.items()))
    files = sorted({src for _, src in grades.values() if src != "application.yaml"})
    head = f"任现职期间年度考核出现 {detail}，按通知顺延 {total} 年申报（基本合格顺延 1 年、不合格顺延 2 年）"
    mins = _p(rule, "min_years", {})
    need0 = mins.get(ctx.app.application.level) if isinstance(mins, dict) else None
    if obtained is None:
        return [_finding(rule, "appraisal_delay", f"{head}。未填写现任职称取得时间（application.yaml 中“现任职称 → 取得时间”），"
                         "无法核算顺延后是否满足任职年限，请补充后重新校验。", files, "warning")]
    as_of = dt.date(ctx.notice.year, 12, 31)
    have = _years_between(obtained, as_of)
    if need0 is None:
        return [_finding(rule, "appraisal_delay", f"{head}。现任职称取得于 {obtained:%Y年%m月}，至 {as_of:%Y年%m月%d日}"
                         f"任职约 {have:.1f} 年，请对照评审条件确认顺延后是否满足年限。", files, "warning")]
    need = float(need0) + total
    if have + 1e-9 < need:
        return [_finding(rule, "appraisal_delay", f"{head}。现任职称取得于 {obtained:%Y年%m月}，至 {as_of:%Y年%m月%d日}"
                         f"任职约 {have:.1f} 年，不足顺延后所需的 {need:g} 年（评审条件 {need0:g} 年 + 顺延 {total} 年），"
                         "本年度不能申报。", files)]
    return [_finding(rule, "appraisal_delay", f"{head}。现任职称取得于 {obtained:%Y年%m月}，任职约 {have:.1f} 年，"
                     f"顺延后所需的 {need:g} 年已满足，仍可申报。", files, "warning")]


@check_type("date_window")
def date_window(rule: Rule, ctx: Context) -> list[Finding]:
    """The online submission date falls inside the notice's window."""
    w = ctx.notice.window
    d = ctx.app.application.submitted
    if d is None:
        return [_finding(rule, "outside_window", "application.yaml 未填写网上提交日期（“申报信息 → 提交日期”），"
                         f"无法核对是否在 {w.start:%Y年%m月%d日}—{w.end:%Y年%m月%d日} 的申报时间内。", (), "warning")]
    if not w.start <= d <= w.end:
        return [_finding(rule, "outside_window", f"网上提交日期 {d:%Y年%m月%d日} 不在申报时间 "
                         f"{w.start:%Y年%m月%d日}—{w.end:%Y年%m月%d日} 内，逾期不予受理。")]
    if w.doubtful_before and d < w.doubtful_before:
        return [_finding(rule, "outside_window", f"通知原文的开始日期有歧义，提交日期 {d:%Y年%m月%d日} 早于 "
                         f"{w.doubtful_before:%m月%d日}，请向受理部门确认。", (), "warning")]
    return []


_PHOTO_CATEGORIES = frozenset({"一寸照"})
# A standard 一寸照 is about 295 x 413 px: small and textless by nature.
_TEXT_QUALITY = frozenset({"blurry", "illegible", "low_contrast", "low_resolution", "empty_page", "too_small"})




def _mask_kind(code: str) -> str:
    kind = code.removeprefix("unmasked_")
    return "name" if kind == "signature" else kind


@check_type("attachment_check")
def attachment_check(rule: Rule, ctx: Context) -> list[Finding]:
    """Every attachment passes ``zcmask check``: JPG, upright, legible (and masked where required)."""
    out = []
    pdf_ok = set(_p(rule, "pdf_ok", []))
    scope = set(ctx.notice.mask_scope)
    for a in ctx.attachments:
        issues = list(a.issues) + [i for p in a.pages for i in p.issues]
        # Only what the notice asks to mask is a reason for return.
        issues = [i for i in issues if not i.code.startswith("unmasked_") or _mask_kind(i.code) in scope]
        if a.category in pdf_ok and a.path.suffix.lower() == ".pdf":
            issues = [i for i in issues if i.code != "not_jpg"]
        if a.category in _PHOTO_CATEGORIES:
            # Text-based sharpness measures mean little on a photo: report, but do not reject.
            issues = [Issue(i.code, "warning", i.message, i.bbox) if i.code in _TEXT_QUALITY else i
                      for i in issues]
        if not issues:
            continue
        errors = [i for i in issues if i.severity == "error"]
        worst = errors or [i for i in issues if i.severity == "warning"]
        if not worst:
            continue
        codes = [f"{ISSUE_ZH.get(c, c)}（{c}）" for c in dict.fromkeys(i.code for i in worst)]
        pages = sorted({p.index for p in a.pages for i in p.issues if i in worst})
        where = f"第 {'、'.join(str(p) for p in pages)} 页" if pages and len(a.pages) > 1 else ""
        out.append(_finding(rule, "attachment_issue",
                            f"附件{where}未通过上传前检查（{'、'.join(codes)}）：{worst[0].message}",
                            [a.shown], "error" if errors else "warning"))
    return out


@check_type("info")
def info(rule: Rule, ctx: Context) -> list[Finding]:
    """An informational note (答辩 exemption, fee ...); never an error."""
    return [Finding("exemption_info", rule.id, "info", f"【通知{rule.clause}】{_p(rule, 'message')}")]
