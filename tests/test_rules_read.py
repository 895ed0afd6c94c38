"""Reading facts out of attachment text: dates, 公示 periods, working days, months, hours, wording."""

from __future__ import annotations

import datetime as dt

from zcmask.rules._read import (
    appraisal_grade,
    ce_hours,
    ce_kind,
    compare_wording,
    document_year,
    find_dates,
    find_period,
    insured_months,
    word_count,
    working_days,
)

D = dt.date


def test_period_is_read_from_the_notice_template_wording():
    text = "公示时间从2024年9月2日起至2024年9月6日止（公示期不少于5个工作日）。"
    assert find_period(text) == (D(2024, 9, 2), D(2024, 9, 6))


def test_period_end_without_year_takes_the_start_year():
    assert find_period("申报材料于2023年8月14日至8月18日在本单位公示") == (D(2023, 8, 14), D(2023, 8, 18))


def test_period_tolerates_ocr_spaces_and_dashes():
    assert find_period("公示时间 2024 年 9 月 2 日 — 2024 年 9 月 9 日") == (D(2024, 9, 2), D(2024, 9, 9))
    assert find_period("公示期2021.08.30-2021.09.03") == (D(2021, 8, 30), D(2021, 9, 3))


def test_single_date_is_no_period():
    assert find_period("2024年9月10日") is None
    assert find_dates("落款 2024年9月10日")[0][2] == D(2024, 9, 10)


def test_working_days_skip_holidays_and_count_adjusted_saturday():
    # 2024 中秋: 9/15-9/17 off, Saturday 9/14 is an adjusted working day.
    assert working_days(D(2024, 9, 13), D(2024, 9, 19)) == (4, True)
    # A plain Monday-Friday week.
    assert working_days(D(2024, 9, 2), D(2024, 9, 6)) == (5, True)
    # 国庆 2023: 9/29-10/6 off, Saturday 10/7 and Sunday 10/8 are working days.
    assert working_days(D(2023, 9, 25), D(2023, 10, 9)) == (7, True)


def test_working_days_outside_known_years_fall_back_to_weekdays():
    days, exact = working_days(D(2099, 3, 2), D(2099, 3, 8))
    assert (days, exact) == (5, False)


def test_insured_months_count_distinct_rows_and_ignore_the_print_date():
    rows = "\n".join(f"2024年0{m}月 5800.00 464.00 已到账" for m in range(3, 9))
    assert insured_months(rows + "\n打印日期 2024年09月15日") == 6


def test_insured_months_read_ranges_and_explicit_counts():
    assert insured_months("缴费期间：2023年09月至2024年08月") == 12
    assert insured_months("累计缴费 8 个月") == 8
    assert insured_months("202401 202402 202403") == 3
    assert insured_months("无缴费记录") == 0


def test_certificate_year_kind_and_hours():
    pub = "专业技术人员继续教育培训合格证书 参加2022年度公需科目继续教育学习，完成30学时。发证日期 2022年11月20日"
    pro = "参加2023年度专业科目继续教育学习，完成 60 学时"
    assert (document_year(pub), ce_kind(pub), ce_hours(pub)) == (2022, "公需", 30)
    assert (document_year(pro), ce_kind(pro), ce_hours(pro)) == (2023, "专业", 60)
    assert ce_kind("专业技术人员继续教育合格证书") is None


def test_appraisal_grade_after_its_label():
    assert appraisal_grade("考核等次：基本合格") == "基本合格"
    assert appraisal_grade("考核结果 不合格") == "不合格"
    assert appraisal_grade("考核等次：合格") == "合格"
    assert appraisal_grade("优秀 合格 基本合格 不合格") is None


def test_wording_identical_apart_from_punctuation_and_spaces():
    ref = "本人承诺以上填报内容和提交的材料真实有效。"
    d = compare_wording(ref, "个人承诺书\n本人承诺以上填报内容 和提交的材料真实有效\n签字：")
    assert d.found and d.differing == 0


def test_wording_reports_the_differing_characters():
    ref = "并从申报年度下一年度起3年内，不得申报专业技术资格。"
    d = compare_wording(ref, "并从申报年度下一年度起5年内，不得申报专业技术资格。")
    assert d.missing == "3" and d.extra == "5"


def test_wording_of_another_notice_is_not_found():
    d = compare_wording("本人承诺以上填报内容和提交的材料真实有效", "今天天气很好，我们去公园散步吧。")
    assert not d.found


def test_confusable_ocr_swap_is_not_a_difference():
    d = compare_wording("一经查实，不予受理", "一经查实，不予受埋")  # 理/埋 is not confusable
    assert d.differing == 1
    d2 = compare_wording("申报人承担一切责任", "申报入承担一切责任")  # 人/入 is
    assert d2.differing == 0


def test_word_count_counts_cjk_and_latin_words_not_ascii_punctuation():
    assert word_count("我完成了 PLC 改造，节约 30% 电量。") == 14


def test_period_without_any_year_takes_the_notice_year():
    assert find_period("公示时间：9月2日至9月6日") is None
    assert find_period("公示时间：9月2日至9月6日", default_year=2024) == (D(2024, 9, 2), D(2024, 9, 6))


def test_other_ways_forms_and_certificates_write_years_hours_and_months():
    assert document_year("考核年度：2022\n考核等次：合格") == 2022
    assert ce_hours("公需科目 学时：30") == 30
    assert insured_months("2024/03 2024/04 2024/05") == 3
