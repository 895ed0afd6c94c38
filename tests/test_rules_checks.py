"""Each check type on its own, on in-memory attachments (no images, no OCR)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from zcmask.exceptions import InvalidConfigError
from zcmask.results import Char, Issue, TextLine
from zcmask.rules import CHECKS, Application, load_notice
from zcmask.rules._collect import Attachment, PageFacts
from zcmask.rules._model import Notice, Rule, Window
from zcmask.rules.checks import Context, run_rule

NOTICE = Notice(id="test-2024", title="测试通知", year=2024, blind_review=True,
                window=Window(start=dt.date(2024, 9, 13), end=dt.date(2024, 10, 15), clause="三(一)"),
                rules=())


def app(**over: Any) -> Application:
    data: dict[str, Any] = {
        "applicant": {"name": "李明轩", "units": [{"name": "巴州供电公司"}], "employer_type": "国有企业"},
        "application": {"specialty": "电力", "level": "中级", "route": "评审", "submitted": "2024-09-20"},
        "education": [{"degree": "本科", "graduated": "2012-07-01"}],
        "current_title": {"name": "助理工程师", "obtained": "2019-12-01", "region": "新疆"},
    }
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(data.get(k), dict):
            data[k] = {**data[k], **v}
        else:
            data[k] = v
    return Application.model_validate(data)


def lines_of(text: str) -> tuple[TextLine, ...]:
    out = []
    for i, row in enumerate(text.splitlines()):
        chars = tuple(Char(c, (20.0 * k, 30.0 * i, 20.0 * k + 18, 30.0 * i + 20)) for k, c in enumerate(row) if not c.isspace())
        if chars:
            out.append(TextLine(row, (0, 30.0 * i, 20.0 * len(row), 30.0 * i + 20), 1.0, chars))
    return tuple(out)


def att(category: str, *texts: str, qr: bool = False, signature: bool | None = None,
        issues: tuple[Issue, ...] = (), name: str = "") -> Attachment:
    pages = tuple(PageFacts(i + 1, t, lines_of(t), issues, qr=qr, signature=signature)
                  for i, t in enumerate(texts or ("",)))
    shown = name or f"{category}/{abs(hash(texts)) % 10_000}.jpg"
    return Attachment(Path(shown), shown, category, "folder", pages)


def run(rule: dict[str, Any], *atts: Attachment, application: Application | None = None) -> list:
    r = Rule.model_validate({"id": "X 测试", "clause": "五(一)9", **rule})
    return run_rule(r, Context(application or app(), NOTICE, tuple(atts)))


def codes(findings) -> list[str]:
    return [(f.code, f.severity) for f in findings]


# ---------------------------------------------------------------- required_material, k_of_n


def test_required_material_missing_category_is_an_error_citing_the_clause():
    out = run({"type": "required_material", "category": "身份证", "what": "身份证（正、反面）"})
    assert codes(out) == [("missing_material", "error")]
    assert out[0].rule == "X 测试" and "五(一)9" in out[0].message and "身份证" in out[0].message


def test_required_material_present_passes():
    assert run({"type": "required_material", "category": "身份证"}, att("身份证", "居民身份证")) == []


def test_rule_conditions_limit_a_rule_to_matching_applications():
    rule = {"type": "required_material", "category": "社保缴费", "when": {"employer_type": ["国有企业"]}}
    assert run(rule) != []
    assert run(rule, application=app(applicant={"employer_type": "事业单位"})) == []
    neg = {"type": "required_material", "category": "社保缴费", "when": {"route_not": ["初定"]}}
    assert run(neg, application=app(application={"route": "初定"})) == []


@pytest.mark.parametrize(("region", "have", "errors"), [
    ("新疆", ["职称证书", "任职资格文件"], 0),
    ("新疆", ["职称证书"], 1),
    ("外省", ["职称证书", "任职资格文件"], 1),
    ("外省", ["职称证书", "任职资格文件", "评审表"], 0),
])
def test_k_of_n_depends_on_where_the_title_was_obtained(region, have, errors):
    rule = {"type": "k_of_n", "categories": ["任职资格文件", "职称证书", "评审表"], "k": {"新疆": 2, "外省": 3}}
    out = run(rule, *[att(c, c) for c in have], application=app(current_title={"region": region}))
    assert len(out) == errors
    assert all(f.code == "title_proof_incomplete" for f in out)


# ---------------------------------------------------------------- years_covered, hours_per_year


def ce(year: int, kind: str, hours: int) -> Attachment:
    return att("继续教育证书", f"继续教育培训合格证书\n参加{year}年度{kind}科目学习，完成{hours}学时。\n发证日期 {year}年11月1日")


def test_years_covered_names_the_missing_year_and_kind():
    rule = {"type": "years_covered", "category": "继续教育证书", "kind": "专业", "code": "ce_missing",
            "range": [2022, 2024]}
    out = run(rule, ce(2022, "专业", 60), ce(2023, "公需", 30), ce(2024, "专业", 60))
    assert codes(out) == [("ce_missing", "error")]
    assert "2023" in out[0].message and "专业" in out[0].message


def test_years_covered_last_n_years_before_the_notice_year():
    rule = {"type": "years_covered", "category": "年度考核表", "code": "appraisal_missing", "last": 3}
    forms = [att("年度考核表", f"{y}年度专业技术人员年度考核登记表\n考核等次：合格") for y in (2021, 2023)]
    out = run(rule, *forms)
    assert codes(out) == [("appraisal_missing", "error")] and "2022" in out[0].message


def test_waiver_form_replaces_the_certificates_and_says_so():
    rule = {"type": "years_covered", "category": "继续教育证书", "kind": "公需", "code": "ce_missing",
            "range": [2020, 2024], "waived_by": "免试审批表"}
    out = run(rule, att("免试审批表", "免除继续教育学习申请表"))
    assert codes(out) == [("exemption_info", "info")]


def test_waiver_of_the_current_year_only_leaves_earlier_years_required():
    rule = {"type": "years_covered", "category": "继续教育证书", "kind": "公需", "code": "ce_missing",
            "years": [2020, 2021], "waived_by": "免试审批表", "waives": [2021]}
    out = run(rule, att("免试审批表", "免除继续教育学习申请表"))
    assert ("ce_missing", "error") in codes(out) and "2020" in out[-1].message and "2021 年的" not in out[-1].message


def test_hours_per_year_adds_up_certificates_of_one_year():
    rule = {"type": "hours_per_year", "category": "继续教育证书", "kind": "公需", "hours": 30,
            "range": [2023, 2024]}
    assert run(rule, ce(2023, "公需", 15), ce(2023, "公需", 15), ce(2024, "公需", 30)) == []
    out = run(rule, ce(2023, "公需", 20), ce(2024, "公需", 30))
    assert codes(out) == [("ce_hours_short", "error")] and "20" in out[0].message


def test_hours_that_cannot_be_read_are_only_a_warning():
    rule = {"type": "hours_per_year", "category": "继续教育证书", "kind": "专业", "hours": 60, "years": [2024]}
    out = run(rule, att("继续教育证书", "2024年度专业科目合格证书"))
    assert codes(out) == [("ce_hours_short", "warning")]


# ---------------------------------------------------------------- statement, signature, recommendation

STATEMENT = "本人承诺以上填报内容和提交的材料真实有效，且网上填报与送审报表内容完全一致。"


def test_statement_text_exact_wording_passes():
    rule = {"type": "statement_text", "categories": ["承诺书"], "texts": [STATEMENT]}
    assert run(rule, att("承诺书", "个人承诺书\n" + STATEMENT[:20] + "\n" + STATEMENT[20:] + "\n签字：")) == []


def test_statement_text_reports_differing_characters():
    rule = {"type": "statement_text", "categories": ["承诺书"], "texts": [STATEMENT]}
    out = run(rule, att("承诺书", STATEMENT.replace("真实有效", "基本属实")))
    assert codes(out) == [("statement_mismatch", "error")]
    assert "写成了" in out[0].message and "真" in out[0].message and "基本" in out[0].message


def test_statement_text_one_character_off_is_a_warning_for_ocr_noise():
    rule = {"type": "statement_text", "categories": ["承诺书"], "texts": [STATEMENT]}
    out = run(rule, att("承诺书", STATEMENT.replace("报表", "报衰")))
    assert codes(out) == [("statement_mismatch", "warning")]


def test_statement_text_accepts_any_listed_variant():
    rule = {"type": "statement_text", "categories": ["承诺书"], "texts": ["甲乙丙丁戊己庚辛", STATEMENT]}
    assert run(rule, att("承诺书", STATEMENT)) == []


def test_required_statement_missing_everywhere_is_a_mismatch():
    rule = {"type": "statement_text", "categories": ["承诺书", "评审表"], "texts": [STATEMENT], "required": True}
    assert codes(run(rule)) == [("statement_mismatch", "error")]
    assert codes(run(rule, att("评审表", "评委会意见 通过"))) == [("statement_mismatch", "error")]


@pytest.mark.parametrize(("state", "expected"), [
    (True, []), (False, [("statement_unsigned", "error")]), (None, [("statement_unsigned", "warning")])])
def test_signature_states(state, expected):
    assert codes(run({"type": "signature", "category": "承诺书"}, att("承诺书", STATEMENT, signature=state))) == expected


def test_recommendation_pattern_with_masked_name():
    rule = {"type": "recommendation", "categories": ["推荐意见"], "patterns": ["同意推荐.{0,12}同志申报.{1,40}职称"]}
    assert run(rule, att("推荐意见", "经审核，同意推荐同志申报工程系列电力专业正高级职称。")) == []
    out = run(rule, att("推荐意见", "经研究，同意上报。"))
    assert codes(out) == [("recommendation_mismatch", "error")]


def test_recommendation_sentence_compared_fuzzily():
    rule = {"type": "recommendation", "categories": ["推荐意见"], "texts": ["本单位已对提供的申报材料逐一审核，真实准确，同意推荐"]}
    assert run(rule, att("推荐意见", "审核意见：本单位已对提供的申报材料逐一审核,真实准确,同意推荐。")) == []
    assert codes(run(rule, att("推荐意见", "本单位已对申报材料进行了审核，同意上报"))) == [("recommendation_mismatch", "error")]


# ---------------------------------------------------------------- content rules


def test_period_working_days_counts_the_chinese_calendar():
    rule = {"type": "period_working_days", "categories": ["公示", "公示结果"], "min_days": 5}
    ok = att("公示", "公示时间从2024年9月2日起至2024年9月6日止")
    short = att("公示", "公示时间从2024年9月13日起至2024年9月19日止")  # 中秋: only 4 working days
    assert run(rule, ok) == []
    out = run(rule, short)
    assert codes(out) == [("publicity_too_short", "error")] and "4 个工作日" in out[0].message


def test_period_that_cannot_be_read_is_a_warning():
    rule = {"type": "period_working_days", "categories": ["公示"], "min_days": 5}
    assert codes(run(rule, att("公示", "推荐单位公示"))) == [("publicity_too_short", "warning")]


def test_max_chars_over_the_limit():
    rule = {"type": "max_chars", "category": "工作总结", "max": 3000}
    assert run(rule, att("工作总结", "总" * 2999)) == []
    out = run(rule, att("工作总结", "总" * 2000, "结" * 1200))
    assert codes(out) == [("summary_too_long", "error")] and "3200" in out[0].message


def test_no_identity_finds_the_name_and_the_unit():
    rule = {"type": "no_identity", "category": "工作总结"}
    assert run(rule, att("工作总结", "本人任现职以来认真工作。")) == []
    out = run(rule, att("工作总结", "我是巴州供电公司的李明轩，现总结如下。"))
    assert codes(out) == [("summary_names_applicant", "error")]
    assert "李明轩" in out[0].message and "巴州供电公司" in out[0].message


def test_social_insurance_months_and_qr():
    rule = {"type": "social_insurance", "min_months": 6, "qr": True}
    rows = "\n".join(f"2024年0{m}月 5800.00 已到账" for m in range(1, 9))
    assert run(rule, att("社保缴费", rows, qr=True)) == []
    assert codes(run(rule, att("社保缴费", rows, qr=False))) == [("social_insurance_short", "error")]
    short = "\n".join(f"2024年0{m}月 5800.00" for m in range(1, 4))
    assert codes(run(rule, att("社保缴费", short, qr=True))) == [("social_insurance_short", "error")]
    assert codes(run(rule)) == [("social_insurance_short", "error")]


def test_education_record_needs_its_qr_code():
    rule = {"type": "education_record", "qr": True}
    assert run(rule, att("学信网备案表", "教育部学历证书电子注册备案表", qr=True)) == []
    assert codes(run(rule, att("学信网备案表", "教育部学历证书电子注册备案表"))) == [("education_unverified", "error")]
    assert codes(run(rule)) == [("education_unverified", "error")]


# ---------------------------------------------------------------- facts


def test_eligibility_excludes_retired_and_civil_servants():
    rule = {"type": "eligibility", "excluded_status": ["退休", "公务员", "参公"]}
    assert run(rule) == []
    for status in ("退休", "公务员", "参公"):
        assert codes(run(rule, application=app(applicant={"status": status}))) == [("not_eligible", "error")]


def test_eligibility_scope_of_level_and_specialty():
    rule = {"type": "eligibility", "scope": [{"specialty": ["电力"], "level": ["中级", "初级"]}]}
    assert run(rule) == []
    assert codes(run(rule, application=app(application={"level": "正高级"}))) == [("not_eligible", "error")]
    assert codes(run(rule, application=app(application={"specialty": "建筑"}))) == [("not_eligible", "error")]


@pytest.mark.parametrize(("degree", "graduated", "ok"), [
    ("中专", "2021-07-01", True), ("中专", "2022-07-01", False),
    ("大专", "2022-07-01", True), ("大专", "2023-07-01", False),
    ("本科", "2023-07-01", True), ("本科", "2024-07-01", False),
])
def test_years_since_graduation_for_a_first_title(degree, graduated, ok):
    rule = {"type": "eligibility", "graduation_years": {"中专": 3, "大专": 2, "本科": 1}, "as_of": "2024-12-31"}
    a = app(education=[{"degree": degree, "graduated": graduated}])
    assert (run(rule, application=a) == []) is ok


def test_nanjiang_graduates_may_apply_one_year_early():
    rule = {"type": "eligibility", "graduation_years": {"本科": 1}, "as_of": "2023-12-31",
            "early": {"flag": "flags.nanjiang_graduate", "years": 1}}
    a = app(education=[{"degree": "本科", "graduated": "2023-07-01"}])
    assert codes(run(rule, application=a)) == [("not_eligible", "error")]
    assert run(rule, application=app(education=[{"degree": "本科", "graduated": "2023-07-01"}],
                                     flags={"nanjiang_graduate": True})) == []


def test_appraisal_delay_from_yaml_and_from_the_form():
    # The delay is an error only when the years in the current title, delay added, are not reached.
    rule = {"type": "appraisal_delay", "last": 3, "min_years": {"中级": 4}}
    assert run(rule, application=app(appraisals={2021: "合格", 2022: "优秀", 2023: "合格"})) == []
    out = run(rule, application=app(appraisals={2021: "基本合格", 2022: "不合格", 2023: "合格"}))
    assert codes(out) == [("appraisal_delay", "error")] and "顺延 3 年" in out[0].message
    form = att("年度考核表", "2022年度考核登记表\n考核等次：基本合格")
    out = run(rule, form, application=app(current_title={"obtained": "2021-12-01"}))
    assert codes(out) == [("appraisal_delay", "error")] and out[0].files == (form.shown,)


def test_appraisal_delay_outside_the_years_does_not_count():
    rule = {"type": "appraisal_delay", "last": 3}
    assert run(rule, application=app(appraisals={2015: "不合格"})) == []


@pytest.mark.parametrize(("date", "expected"), [
    ("2024-09-13", []), ("2024-10-15", []), ("2024-10-16", [("outside_window", "error")]),
    ("2024-09-12", [("outside_window", "error")])])
def test_date_window_is_inclusive(date, expected):
    assert codes(run({"type": "date_window"}, application=app(application={"submitted": date}))) == expected


def test_missing_submission_date_is_a_warning():
    a = app(application={"submitted": None})
    assert codes(run({"type": "date_window"}, application=a)) == [("outside_window", "warning")]


def test_attachment_check_names_the_page_issue_codes():
    bad = att("公示", "公示", issues=(Issue("not_jpg", "error", "文件格式为 PNG"), Issue("rotated", "error", "转")))
    warn = att("身份证", "身份证", issues=(Issue("too_large", "warning", "太大"),))
    out = run({"type": "attachment_check"}, bad, warn, att("承诺书", "承诺书"))
    assert codes(out) == [("attachment_issue", "error"), ("attachment_issue", "warning")]
    assert "not_jpg" in out[0].message and "rotated" in out[0].message


def test_info_is_never_an_error():
    out = run({"type": "info", "message": "初级免于答辩", "severity": "error", "when": {"level": ["中级"]}})
    assert codes(out) == [("exemption_info", "info")]


def test_unknown_check_type_is_a_config_error():
    with pytest.raises(InvalidConfigError):
        run({"type": "no_such_check"})


def test_every_bundled_rule_uses_a_registered_check_type_and_cites_a_clause():
    from zcmask.rules import notice_ids

    for nid in notice_ids():
        for r in load_notice(nid).rules:
            assert r.type in CHECKS, (nid, r.id)
            assert r.clause and any(r.id.startswith(c) for c in r.clause.split("、")), (nid, r.id)


def test_photo_sharpness_issues_are_warnings_but_unmasked_eyes_stay_errors():
    photo = att("一寸照", "", issues=(Issue("blurry", "error", "页面模糊"),))
    assert codes(run({"type": "attachment_check"}, photo)) == [("attachment_issue", "warning")]
    eyes = att("一寸照", "", issues=(Issue("unmasked_eyes", "error", "眼睛未遮盖"),))
    assert codes(run({"type": "attachment_check"}, eyes)) == [("attachment_issue", "error")]
