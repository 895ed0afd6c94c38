"""Whole applications, one per notice: the complete one passes, each seeded defect is found.

Applications are generated in code (:mod:`zcsynth.application`) as small JPGs;
a fake OCR engine serves the text drawn on each page, so no model runs here.
"""

from __future__ import annotations

import pytest

from zcmask.ocr._engine import _ENGINES
from zcmask.options import Options
from zcmask.rules import validate
from zcsynth.application import DEFECTS, build_application, sample_ocr_engine

# 顺延 (appraisal_delay) only where the notice states it (电力, 建筑); 正高 states no excluded status.
COMMON = ["missing_id", "missing_summary", "missing_publicity", "missing_diploma",
          "ce_year", "ce_kind", "publicity_short", "unsigned", "recommendation_wording",
          "late", "png"]
EXCLUDED = ["retired", "civil_servant", "ce_hours"]  # 正高 states neither excluded status nor 30/60 hours
APPLICABLE: dict[str, list[str]] = {
    "bz-dianli-2024": COMMON + EXCLUDED + ["appraisal_recent", "missing_statement", "missing_photo", "title_proof", "title_proof_other_province",
                                "social_short", "social_no_qr", "social_missing", "xuexin_missing",
                                "xuexin_no_qr", "appraisal_year", "statement_wording",
                                "statement_other_notice", "summary_names", "unmasked"],
    "bz-jianzhu-2023": COMMON + EXCLUDED + ["appraisal_basic", "appraisal_recent", "missing_statement", "missing_photo", "title_proof", "title_proof_other_province",
                                 "social_short", "social_no_qr", "social_missing", "xuexin_missing",
                                 "xuexin_no_qr", "appraisal_year", "statement_wording",
                                 "statement_other_notice", "summary_names", "unmasked"],
    "xj-zhenggao-2024": COMMON + ["missing_statement", "missing_photo", "missing_recommendation", "title_proof",
                                  "title_proof_other_province", "xuexin_missing",
                                  "appraisal_year", "summary_names", "summary_long", "unmasked"],
    "bz-shuili-2021": COMMON + EXCLUDED + ["appraisal_year", "statement_wording", "statement_other_notice"],
    "yuli-chuding-2024": COMMON + EXCLUDED + ["missing_statement", "missing_photo", "missing_recommendation",
                                   "social_short", "social_missing", "xuexin_missing", "xuexin_no_qr",
                                   "statement_wording", "statement_other_notice", "too_early"],
}
CASES = [(n, d) for n, ds in APPLICABLE.items() for d in ds]


@pytest.fixture
def fake_ocr(monkeypatch):
    monkeypatch.setitem(_ENGINES, "fake", sample_ocr_engine())
    return Options(ocr_engine="fake", detect_orientation=False, progress=False)


def errors(report) -> list[tuple[str, str]]:
    return [(f.code, f.rule) for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("notice", sorted(APPLICABLE))
def test_complete_application_passes(tmp_path, fake_ocr, notice):
    build_application(tmp_path / "app", notice)
    report = validate(tmp_path / "app", notice, fake_ocr)
    assert errors(report) == []
    assert report.ok
    data = report.to_json()
    assert data["schema"] == "zcmask.validation/1" and data["notice"]["id"] == notice
    assert all(a["how"] == "folder" for a in data["attachments"])
    # Information (fees, 答辩) is never an error.
    assert all(f["severity"] == "info" for f in data["findings"] if f["code"] == "exemption_info")


@pytest.mark.parametrize(("notice", "defect"), CASES, ids=[f"{n}-{d}" for n, d in CASES])
def test_seeded_defect_is_found(tmp_path, fake_ocr, notice, defect):
    build_application(tmp_path / "app", notice, [defect])
    report = validate(tmp_path / "app", notice, fake_ocr)
    code = DEFECTS[defect]
    hits = [f for f in report.findings if f.code == code and f.severity == "error"]
    assert hits, [(f.code, f.severity, f.message) for f in report.findings]
    assert not report.ok
    for f in hits:
        assert f.rule and "【通知" in f.message


def test_publicity_over_a_holiday_is_counted_in_working_days(tmp_path, fake_ocr):
    # 2024-09-13 .. 09-19 has five weekdays but 中秋 leaves four working days.
    build_application(tmp_path / "app", "bz-dianli-2024", ["publicity_short"])
    report = validate(tmp_path / "app", "bz-dianli-2024", fake_ocr)
    found = [f for f in report.findings if f.code == "publicity_too_short"]
    assert all("4 个工作日" in f.message and f.rule.startswith("五(二)") for f in found)
    assert {x for f in found for x in f.files} == {"公示/推荐单位公示.jpg", "公示结果/推荐单位公示结果.jpg"}


def test_statement_mismatch_names_the_differing_characters(tmp_path, fake_ocr):
    build_application(tmp_path / "app", "bz-dianli-2024", ["statement_wording"])
    report = validate(tmp_path / "app", "bz-dianli-2024", fake_ocr)
    [f] = [f for f in report.findings if f.code == "statement_mismatch"]
    assert "“3”写成了“2”" in f.message and f.files == ("承诺书/个人承诺书.jpg",)


def test_shuili_statement_is_its_own_wording(tmp_path, fake_ocr):
    # The 电力 承诺语 is wrong for 水利 2021, whose 六(四) wording differs.
    build_application(tmp_path / "app", "bz-shuili-2021", ["statement_other_notice"])
    report = validate(tmp_path / "app", "bz-shuili-2021", fake_ocr)
    assert ("statement_mismatch", "六(四) 承诺语") in errors(report)


def test_waiver_form_replaces_continuing_education_certificates(tmp_path, fake_ocr):
    build_application(tmp_path / "app", "bz-dianli-2024", ["ce_waived"])
    report = validate(tmp_path / "app", "bz-dianli-2024", fake_ocr)
    assert errors(report) == []
    infos = [f for f in report.findings if f.code == "exemption_info" and "免试审批表" in f.message]
    assert infos and all(f.severity == "info" for f in infos)
    assert any("答辩" in f.message for f in report.findings if f.rule.startswith("六(一)"))


def test_unmasked_attachment_names_the_page_issue(tmp_path, fake_ocr):
    build_application(tmp_path / "app", "bz-dianli-2024", ["unmasked"])
    report = validate(tmp_path / "app", "bz-dianli-2024", fake_ocr)
    found = [f for f in report.findings if f.code == "attachment_issue" and f.severity == "error"]
    assert len(found) == 1, [(f.severity, f.message, f.files) for f in report.findings]
    assert "unmasked_name" in found[0].message and found[0].files == ("身份证/身份证正面.jpg",)


def test_masking_is_not_required_where_the_notice_has_no_blind_review(tmp_path, fake_ocr):
    build_application(tmp_path / "app", "bz-shuili-2021", ["unmasked"])
    report = validate(tmp_path / "app", "bz-shuili-2021", fake_ocr)
    assert report.ok


def test_summary_naming_the_applicant_is_not_raised_where_the_notice_is_silent(tmp_path, fake_ocr):
    # 尉犁 2024 neither runs a blind review nor forbids names in the 工作小结.
    build_application(tmp_path / "app", "yuli-chuding-2024", ["summary_names"])
    report = validate(tmp_path / "app", "yuli-chuding-2024", fake_ocr)
    assert report.ok
    assert not any(f.code == "summary_names_applicant" for f in report.findings)


@pytest.mark.parametrize("layout", ["listed", "flat"])
def test_attachments_listed_or_sorted_by_their_text(tmp_path, fake_ocr, layout):
    built = build_application(tmp_path / "app", "bz-jianzhu-2023", layout=layout)
    report = validate(tmp_path / "app", "bz-jianzhu-2023", fake_ocr)
    assert errors(report) == [], report.findings
    how = {a.how for a in report.attachments}
    assert how == ({"listed"} if layout == "listed" else {"ocr"})
    cats = {a.shown: a.category for a in report.attachments}
    expected = {"推荐单位公示.jpg": "公示", "推荐单位公示结果.jpg": "公示结果", "个人承诺书.jpg": "承诺书",
                "学信网备案表.jpg": "学信网备案表", "毕业证书.jpg": "学历证书", "任职资格评审表.jpg": "评审表",
                "继续教育公需2019.jpg": "继续教育证书", "年度考核表2020.jpg": "年度考核表"}
    for name, cat in expected.items():
        key = name if layout == "flat" else next(k for k in cats if k.endswith(name))
        assert cats[key] == cat, (name, cats[key])
    assert built.path == tmp_path / "app"


def test_new_notice_needs_only_a_yaml_file(tmp_path, fake_ocr):
    """A next-year notice written as data, with no code change, is validated."""
    build_application(tmp_path / "app", "bz-dianli-2024")
    rules = tmp_path / "bz-dianli-2025.yaml"
    rules.write_text(
        "id: bz-dianli-2025\ntitle: 电力 2025（测试）\nyear: 2025\nblind_review: true\n"
        "window: {start: 2025-09-01, end: 2025-09-30, clause: 三(一)}\n"
        "rules:\n"
        "  - {id: 三(一) 网上申报时间, type: date_window, clause: 三(一)}\n"
        "  - {id: 五(一)10 年度考核表, type: years_covered, clause: 五(一)10, category: 年度考核表,\n"
        "     code: appraisal_missing, last: 3}\n"
        "  - {id: 五(一)9 获奖证书, type: required_material, clause: 五(一)9, category: 获奖证书}\n",
        encoding="utf-8")
    report = validate(tmp_path / "app", rules, fake_ocr)
    got = sorted((f.code, f.rule) for f in report.findings)
    assert got == [("appraisal_missing", "五(一)10 年度考核表"), ("missing_material", "五(一)9 获奖证书"),
                   ("outside_window", "三(一) 网上申报时间")]
    assert "2024 年" in next(f.message for f in report.findings if f.code == "appraisal_missing")


def test_parallel_reading_gives_the_same_report(tmp_path, fake_ocr):
    build_application(tmp_path / "app", "yuli-chuding-2024", ["ce_hours"])
    one = validate(tmp_path / "app", "yuli-chuding-2024", fake_ocr.model_copy(update={"cache": False}))
    two = validate(tmp_path / "app", "yuli-chuding-2024", fake_ocr.model_copy(update={"cache": False, "jobs": 2}))
    assert one.to_json()["findings"] == two.to_json()["findings"]
    assert [a.category for a in one.attachments] == [a.category for a in two.attachments]
