"""Each notice applies its own rules and nothing else: the bundled rule files against
in-memory attachments (no images, no OCR), one behaviour per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zcmask.options import Identity, Options, Unit
from zcmask.results import Char, Issue, TextLine
from zcmask.rules import Application, load_notice
from zcmask.rules._collect import Attachment, PageFacts
from zcmask.rules.checks import Context, run_rule
from zcmask.rules.validate import scoped_options, validation_options

BASE: dict[str, Any] = {
    "applicant": {"name": "李明轩", "units": [{"name": "巴州供电公司"}], "employer_type": "事业单位"},
    "application": {"series": "工程系列", "specialty": "电力", "level": "中级", "route": "评审", "submitted": "2024-09-20"},
    "education": [{"degree": "本科", "graduated": "2012-07-01"}],
    "current_title": {"name": "助理工程师", "obtained": "2019-12-01", "region": "新疆"},
}


def app(**over: Any) -> Application:
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(data.get(k), dict):
            data[k] = {**data[k], **v}
        else:
            data[k] = v
    return Application.model_validate(data)


def lines_of(text: str) -> tuple[TextLine, ...]:
    out = []
    for i, row in enumerate(text.splitlines()):
        chars = tuple(Char(c, (20.0 * k, 30.0 * i, 20.0 * k + 18, 30.0 * i + 20)) for k, c in enumerate(row))
        if row.strip():
            out.append(TextLine(row, (0, 30.0 * i, 20.0 * len(row), 30.0 * i + 20), 1.0, chars))
    return tuple(out)


def att(category: str, *texts: str, qr: bool = False, name: str = "", issues: tuple[Issue, ...] = ()) -> Attachment:
    pages = tuple(PageFacts(i + 1, t, lines_of(t), issues, qr=qr) for i, t in enumerate(texts or ("",)))
    shown = name or f"{category}/{abs(hash(texts)) % 10_000}.jpg"
    return Attachment(Path(shown), shown, category, "folder", pages)


def findings(notice: str, *atts: Attachment, application: Application | None = None,
             rule_type: str | None = None) -> list:
    nt = load_notice(notice)
    ctx = Context(application or app(), nt, tuple(atts))
    out = []
    for r in nt.rules:
        if rule_type is None or r.type == rule_type:
            out += run_rule(r, ctx)
    return out


def codes(fs, severity: str | None = None) -> list[str]:
    return [f.code for f in fs if severity is None or f.severity == severity]


BASIC = {2021: "基本合格", 2022: "合格", 2023: "合格"}


# ---------------------------------------------------------------- 顺延 only where stated


@pytest.mark.parametrize("notice", ["bz-shuili-2021", "xj-zhenggao-2024", "yuli-chuding-2024"])
def test_notices_without_a_delay_clause_raise_no_appraisal_delay(notice):
    a = app(appraisals={2018: "不合格", 2019: "基本合格", 2020: "不合格", **BASIC})
    assert "appraisal_delay" not in codes(findings(notice, application=a))
    assert not [r for r in load_notice(notice).rules if r.type == "appraisal_delay"]


def test_delay_without_the_title_date_is_a_warning_asking_for_it():
    a = app(appraisals=BASIC, current_title={"obtained": None})
    [f] = findings("bz-dianli-2024", application=a, rule_type="appraisal_delay")
    assert (f.code, f.severity) == ("appraisal_delay", "warning")
    assert "取得时间" in f.message and "请核实" not in f.message


@pytest.mark.parametrize(("obtained", "severity"), [("2021-12-01", "error"), ("2018-06-01", "warning")])
def test_delay_is_computed_from_the_date_the_current_title_was_obtained(obtained, severity):
    a = app(appraisals=BASIC, current_title={"obtained": obtained})
    [f] = findings("bz-dianli-2024", application=a, rule_type="appraisal_delay")
    assert f.severity == severity


def test_appraisals_before_the_current_title_do_not_delay():
    a = app(appraisals=BASIC, current_title={"obtained": "2022-06-01"})
    assert findings("bz-dianli-2024", application=a, rule_type="appraisal_delay") == []


# ---------------------------------------------------------------- masking scope


def test_each_notice_states_its_own_masking_scope():
    scope = {n: set(load_notice(n).mask_scope) for n in
             ("bz-dianli-2024", "bz-jianzhu-2023", "xj-zhenggao-2024", "bz-shuili-2021", "yuli-chuding-2024")}
    assert scope == {"bz-dianli-2024": {"name", "unit", "seal", "eyes"}, "bz-jianzhu-2023": {"name"},
                     "xj-zhenggao-2024": {"name", "unit"}, "bz-shuili-2021": set(), "yuli-chuding-2024": set()}


def test_jianzhu_checks_the_name_only():
    opts = validation_options(load_notice("bz-jianzhu-2023"), app())
    assert opts.identity is not None and opts.identity.units == ()
    assert (opts.seals, opts.eyes) == ("none", False)
    unit = Issue("unmasked_unit", "error", "页面仍显示工作单位")
    name = Issue("unmasked_name", "error", "页面仍显示申报人姓名")
    assert findings("bz-jianzhu-2023", att("公示", "x", issues=(unit,)), rule_type="attachment_check") == []
    [f] = findings("bz-jianzhu-2023", att("公示", "x", issues=(name,)), rule_type="attachment_check")
    assert f.code == "attachment_issue" and "姓名未遮盖" in f.message


def test_zhenggao_masks_name_and_unit_but_not_eyes():
    eyes = Issue("unmasked_eyes", "error", "照片中的眼睛未遮盖")
    assert findings("xj-zhenggao-2024", att("一寸照", "", issues=(eyes,)), rule_type="attachment_check") == []
    opts = validation_options(load_notice("xj-zhenggao-2024"), app())
    assert opts.identity.units and not opts.eyes


def test_scoped_options_keep_everything_for_the_full_scope():
    ident = Identity(name="李明轩", units=(Unit(name="巴州供电公司"),))
    full = scoped_options(Options(), ["name", "unit", "seal", "eyes"], ident)
    assert full.identity == ident and full.seals == "applicant" and full.eyes


def test_mask_cli_with_notice_uses_its_scope(monkeypatch, tmp_path):
    import argparse

    from zcmask.rules.cli import notice_mask_options

    base = Options(identity=Identity(name="李明轩", units=(Unit(name="巴州供电公司"),)))
    args = argparse.Namespace(notice="bz-jianzhu-2023", scope=None, seals="applicant")
    o = notice_mask_options(args, base)
    assert o.identity.units == () and o.seals == "none" and not o.eyes
    args = argparse.Namespace(notice="bz-jianzhu-2023", scope="name,seal", seals="applicant")
    o = notice_mask_options(args, base)
    assert o.seals == "applicant" and not o.eyes


# ---------------------------------------------------------------- 正高 scope


@pytest.mark.parametrize(("series", "specialty", "level", "ok"), [
    ("工程系列", "水利", "正高级", True),
    ("工程系列", "水利", "副高级", False),
    ("经济系列", "财政税收", "正高级", True),
    ("经济系列", "知识产权", "正高级", False),
    ("经济系列", "财政税收", "副高级", False),
    ("经济系列", "人力资源管理", "副高级", True),
    ("技工院校教师系列", "", "中级", True),
    ("卫生系列", "临床", "正高级", False),
    ("", "", "正高级", False),
])
def test_zhenggao_scope(series, specialty, level, ok):
    a = app(application={"series": series, "specialty": specialty, "level": level})
    fs = [f for f in findings("xj-zhenggao-2024", application=a, rule_type="eligibility")]
    assert (fs == []) == ok, [f.message for f in fs]


def test_zhenggao_states_no_excluded_status_and_no_hours():
    a = app(applicant={"status": "退休"}, application={"level": "正高级"})
    assert findings("xj-zhenggao-2024", application=a, rule_type="eligibility") == []
    assert not [r for r in load_notice("xj-zhenggao-2024").rules if r.type == "hours_per_year"]


def test_zhenggao_hr_applicant_needs_the_exam_score():
    a = app(application={"series": "经济系列", "specialty": "人力资源管理", "level": "副高级"})
    fs = findings("xj-zhenggao-2024", att("其他", "2023年度全国经济专业技术资格考试 高级经济实务（人力资源管理） 成绩 合格"),
                  application=a, rule_type="text_present")
    assert fs == []
    fs = findings("xj-zhenggao-2024", application=a, rule_type="text_present")
    assert codes(fs) == ["missing_material"] and "考试成绩" in fs[0].message


# ---------------------------------------------------------------- 学信网


def test_zhenggao_asks_no_qr_on_the_xuexin_record():
    fs = findings("xj-zhenggao-2024", att("学信网备案表", "教育部学历证书电子注册备案表"), rule_type="education_record")
    assert fs == []


@pytest.mark.parametrize("notice", ["bz-dianli-2024", "bz-jianzhu-2023", "yuli-chuding-2024"])
def test_school_record_replaces_an_unfindable_xuexin_record(notice):
    assert findings(notice, att("其他", "学籍档案 学生登记表"), rule_type="education_record") == []
    [f] = findings(notice, rule_type="education_record")
    assert f.code == "education_unverified" and "学籍档案" in f.message


# ---------------------------------------------------------------- 推荐意见


def test_zhenggao_recommendation_needs_the_supervisor_sentence():
    unit_only = att("推荐意见", "本单位已对提供的申报材料逐一审核，真实、完整、有效，同意推荐")
    [f] = findings("xj-zhenggao-2024", unit_only, rule_type="recommendation")
    assert f.code == "recommendation_mismatch" and f.rule.startswith("四(三)")
    assert "同意推荐XX同志申报XX系列XX专业" in f.message and "逐一审核" not in f.message
    ok = att("推荐意见", "经审核，同意推荐××同志申报工程系列水利专业正高级职称。")
    assert findings("xj-zhenggao-2024", ok, rule_type="recommendation") == []


def test_shuili_unit_opinion_is_read_in_the_appraisal_form():
    form = att("评审表", "单位意见：本单位已对提供的申报材料逐一审核，真实准确，同意推荐")
    assert findings("bz-shuili-2021", form, rule_type="recommendation") == []
    bad = att("评审表", "单位意见：同意上报")
    assert codes(findings("bz-shuili-2021", bad, rule_type="recommendation")) == ["recommendation_mismatch"]


# ---------------------------------------------------------------- years


def test_an_appraisal_form_counts_for_its_own_year_only():
    form = att("年度考核表", "2023年度专业技术人员年度考核登记表\n2021年度、2022年度考核均为合格")
    fs = [x for x in findings("bz-dianli-2024", form) if x.code == "appraisal_missing"]
    assert len(fs) == 1 and "2021、2022 年" in fs[0].message


def test_a_certificate_without_a_kind_counts_for_neither_kind():
    certs = [att("继续教育证书", f"{y}年度继续教育培训合格证书 完成90学时", name=f"继续教育证书/证书{y}.jpg")
             for y in range(2020, 2025)]
    fs = [f for f in findings("bz-dianli-2024", *certs) if f.code == "ce_missing"]
    assert len(fs) == 2 and all("未写明是公需科目还是专业科目" in f.message for f in fs)


# ---------------------------------------------------------------- graduation years, 尉犁 scope


YULI = {"application": {"series": "工程系列", "specialty": "水利", "level": "初级", "route": "初定",
                        "submitted": "2024-10-12"}, "current_title": None}


def test_yuli_states_no_years_for_a_master():
    a = app(**YULI, education=[{"degree": "硕士", "graduated": "2024-07-01"}])
    assert findings("yuli-chuding-2024", application=a, rule_type="eligibility") == []


def test_part_time_graduate_is_told_why_not_that_nothing_was_filled():
    a = app(**YULI, education=[{"degree": "本科", "graduated": "2015-07-01", "full_time": False}])
    [f] = findings("yuli-chuding-2024", application=a, rule_type="eligibility")
    assert "非全日制" in f.message and "未填写" not in f.message


def test_years_count_from_the_start_of_professional_work():
    a = app(**YULI, applicant={"work_started": "2024-03-01"}, education=[{"degree": "本科", "graduated": "2020-07-01"}])
    [f] = findings("yuli-chuding-2024", application=a, rule_type="eligibility")
    assert f.code == "not_eligible" and "参加专业技术工作" in f.message


@pytest.mark.parametrize(("series", "specialty", "ok"), [
    ("工程系列", "水利专业", True), ("中小学教师系列", "幼儿园教师", True), ("工程系列", "冶金", False),
    ("会计系列", "会计", False)])
def test_yuli_specialty_table_and_exam_exclusion(series, specialty, ok):
    a = app(**{**YULI, "application": {**YULI["application"], "series": series, "specialty": specialty}})
    fs = findings("yuli-chuding-2024", application=a, rule_type="eligibility")
    assert (fs == []) == ok
    if specialty == "会计":
        assert any("以考代评" in f.message for f in fs)


def test_location_outside_the_county_is_not_eligible():
    a = app(**YULI, applicant={"location": "库尔勒市"})
    [f] = findings("yuli-chuding-2024", application=a, rule_type="eligibility")
    assert "尉犁" in f.message
    assert findings("yuli-chuding-2024", application=app(**YULI, applicant={"location": "尉犁县"}),
                    rule_type="eligibility") == []


def test_bazhou_notices_accept_aid_workers_from_elsewhere():
    a = app(applicant={"location": "乌鲁木齐市"})
    assert codes(findings("bz-dianli-2024", application=a, rule_type="eligibility")) == ["not_eligible"]
    a = app(applicant={"location": "乌鲁木齐市"}, flags={"yuanjiang": True})
    assert findings("bz-dianli-2024", application=a, rule_type="eligibility") == []


# ---------------------------------------------------------------- materials


def test_id_card_needs_both_sides_where_the_notice_says_so():
    front = att("身份证", "姓名 李明轩\n公民身份号码 652801199005120000")
    back = att("身份证", "中华人民共和国居民身份证\n签发机关 库尔勒市公安局")
    [f] = findings("bz-dianli-2024", front, rule_type="id_card_sides")
    assert f.code == "missing_material" and "反面" in f.message
    assert findings("bz-dianli-2024", front, back, rule_type="id_card_sides") == []
    assert not [r for r in load_notice("bz-shuili-2021").rules if r.type == "id_card_sides"]


def test_degree_certificate_is_required_for_a_bachelor_under_zhenggao():
    a = app(application={"level": "正高级"})
    assert codes(findings("xj-zhenggao-2024", application=a, rule_type="degree_certificate"), "error") == \
        ["missing_material"]
    a = app(application={"level": "正高级"}, education=[{"degree": "本科", "graduated": "2012-07-01",
                                                        "degree_awarded": "否"}])
    assert findings("xj-zhenggao-2024", application=a, rule_type="degree_certificate") == []


def test_award_certificates_when_awards_are_listed():
    a = app(awards=["2022年州科技进步三等奖"])
    assert codes(findings("bz-dianli-2024", application=a, rule_type="awards")) == ["missing_material"]
    assert findings("bz-dianli-2024", att("获奖证书", "荣誉证书"), application=a, rule_type="awards") == []
    assert findings("bz-dianli-2024", rule_type="awards") == []


def test_organ_transfer_needs_the_appointment_papers():
    a = app(flags={"organ_transfer": True})
    [f] = findings("bz-dianli-2024", application=a, rule_type="text_present")
    assert "任命文件" in f.message and "干部任免审批表" in f.message
    papers = att("其他", "关于李明轩同志任职的通知（任命文件）\n干部任免审批表")
    assert findings("bz-dianli-2024", papers, application=a, rule_type="text_present") == []


def test_patent_pdfs_the_notice_asks_for_are_not_a_format_error():
    pdf = Attachment(Path("知识产权/专利.pdf"), "知识产权/专利.pdf", "知识产权", "folder",
                     (PageFacts(1, "发明专利证书", (), (Issue("not_jpg", "error", "请转为 JPG"),)),))
    assert findings("bz-dianli-2024", pdf, rule_type="attachment_check") == []


# ---------------------------------------------------------------- 答辩, labels


def test_jianzhu_defence_cites_clause_three_five():
    fs = findings("bz-jianzhu-2023", application=app(application={"specialty": "建筑", "submitted": "2023-08-20"}),
                  rule_type="info")
    assert any(f.rule == "三(五) 答辩" and "2023年10月20日" in f.message for f in fs)


def test_qiemo_and_ruoqiang_are_exempt_from_the_defence():
    fs = findings("bz-dianli-2024", application=app(applicant={"location": "且末县"}), rule_type="info")
    assert any("且末县、若羌县" in f.message for f in fs)
    assert not any("答辩" in f.rule and "需参加" in f.message for f in fs)


def test_no_nanjiang_label_for_other_applicants():
    fs = findings("bz-jianzhu-2023", application=app(application={"specialty": "建筑", "submitted": "2023-08-20"}))
    assert not any("南疆" in f.rule or "南疆" in f.message for f in fs)
    fs = findings("bz-jianzhu-2023", application=app(application={"specialty": "建筑"},
                                                     flags={"nanjiang_graduate": True}), rule_type="info")
    assert any("南疆" in f.message for f in fs)


def test_messages_carry_no_library_or_field_names():
    a = app(current_title={"obtained": None}, appraisals=BASIC, application={"submitted": None})
    for f in findings("bz-dianli-2024", application=a):
        assert "current_title" not in f.message and "application.submitted" not in f.message


def test_blank_specialty_is_the_notices_own_where_it_names_only_one():
    a = app(application={"series": "", "specialty": ""})
    assert findings("bz-dianli-2024", application=a, rule_type="eligibility") == []
    a = app(application={"series": "", "specialty": "", "level": "正高级"})
    [f] = findings("xj-zhenggao-2024", application=a, rule_type="eligibility")
    assert "未填写" in f.message and "系列" in f.message
