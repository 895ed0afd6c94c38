"""Input an HR clerk can fill in: the 花名册 roster (xlsx, CSV), ``zcmask init`` templates,
Chinese keys in ``application.yaml``, and every input error at once with its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zcmask.cli import main
from zcmask.exceptions import InvalidConfigError
from zcmask.ocr._engine import _ENGINES
from zcmask.rules import load_application, load_notice
from zcmask.rules._roster import level_of_title, read_roster
from zcsynth.application import build_application, sample_ocr_engine

FAST = ["--no-orientation", "--no-progress", "--jobs", "1"]
HEAD = ["序号", "姓名", "性别", "身份证号码", "现任专业技术职务", "获现任专业技术职务时间", "拟晋升专业技术职务",
        "工作单位", "单位简称", "单位性质", "网上提交日期", "学历", "毕业时间", "2021年度考核", "2022年度考核",
        "2023年度考核", "备注"]
ROW = ["1", "李明轩", "男", "652801199005120000", "助理工程师", "2019年12月", "工程师", "国网新疆电力有限公司巴州供电公司",
       "巴州供电公司", "国有控股企业", "2024.9.20", "大学本科", "2012.7", "称职", "优秀", "合格", "评审"]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["2024 年度 电力专业职称申报人员花名册"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def fake_default_ocr(monkeypatch):
    monkeypatch.setitem(_ENGINES, "rapidocr", sample_ocr_engine())


def test_roster_row_reads_clerk_wordings_and_dates(tmp_path):
    [row] = read_roster(write_xlsx(tmp_path / "r.xlsx", [HEAD, ROW]), load_notice("bz-dianli-2024"))
    app = row.application
    assert (row.row, row.name, row.folder) == (3, "李明轩", "李明轩")
    assert app.applicant.employer_type == "国有企业"
    assert app.applicant.units[0].aliases == ("巴州供电公司",)
    assert (app.application.level, app.application.route, app.application.specialty) == ("中级", "评审", "电力")
    assert str(app.application.submitted) == "2024-09-20"
    assert str(app.education[0].graduated) == "2012-07-01" and app.education[0].degree == "本科"
    assert str(app.current_title.obtained) == "2019-12-01"
    assert app.appraisals == {2021: "合格", 2022: "优秀", 2023: "合格"}
    # The ID number column is accepted but never read into the facts.
    assert "652801199005120000" not in app.model_dump_json()


def test_roster_csv_in_gbk_is_read(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(("\n".join(",".join(r) for r in [HEAD, ROW]) + "\n").encode("gb18030"))
    [row] = read_roster(p, load_notice("bz-dianli-2024"))
    assert row.application.applicant.name == "李明轩"


def test_every_roster_error_is_reported_at_once_with_row_and_column(tmp_path):
    bad1 = list(ROW)
    bad1[10] = "下个月"         # 网上提交日期
    bad2 = list(ROW)
    bad2[1] = "王芳"
    bad2[9] = "外企"            # 单位性质
    bad2[12] = "2012年13月"     # 毕业时间
    with pytest.raises(InvalidConfigError) as ei:
        read_roster(write_xlsx(tmp_path / "r.xlsx", [HEAD, bad1, bad2]), load_notice("bz-dianli-2024"))
    msg = ei.value.message
    assert "3 处" in msg
    assert "第 3 行 K 列（网上提交日期）" in msg and "第 4 行 J 列（单位性质）" in msg and "第 4 行 M 列（毕业时间）" in msg
    assert "可选：事业单位、国有企业" in msg
    assert "pydantic" not in msg.lower() and "Input should" not in msg


@pytest.mark.parametrize(("title", "level"), [("工程师", "中级"), ("助理工程师", "初级"), ("高级工程师", "副高级"),
                                              ("正高级经济师", "正高级"), ("中级职称", "中级")])
def test_level_from_the_title_applied_for(title, level):
    assert level_of_title(title) == level


def test_validate_a_roster_of_applicants_each_in_their_folder(tmp_path, fake_default_ocr, capsys):
    build_application(tmp_path / "root" / "李明轩", "bz-dianli-2024")
    late = list(ROW)
    late[1], late[10] = "王芳", "2024-10-30"
    roster = write_xlsx(tmp_path / "r.xlsx", [HEAD + ["材料文件夹"], ROW + ["李明轩"], late + ["李明轩"]])
    report = tmp_path / "out.json"
    rc = main(["validate", str(tmp_path / "root"), "--roster", str(roster), "--notice", "bz-dianli-2024",
               "--report", str(report), *FAST])
    assert rc == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["schema"] == "zcmask.validation-roster/1"
    first, second = data["applicants"]
    assert first["passed"] and first["report"]["applicant"]["name"] == "李明轩"
    assert not second["passed"]
    assert [f["code"] for f in second["report"]["findings"] if f["severity"] == "error"] == ["outside_window"]
    assert "花名册校验报告" in report.with_suffix(".html").read_text(encoding="utf-8")


def test_roster_row_with_a_one_character_name_fails_alone(tmp_path, fake_default_ocr, capsys):
    """A short name is refused for its own row; the other applicants are still validated."""
    build_application(tmp_path / "root" / "李明轩", "bz-dianli-2024")
    short = list(ROW)
    short[1] = "李"
    roster = write_xlsx(tmp_path / "r.xlsx", [HEAD + ["材料文件夹"], short + ["李明轩"], ROW + ["李明轩"]])
    report = tmp_path / "out.json"
    rc = main(["validate", str(tmp_path / "root"), "--roster", str(roster), "--notice", "bz-dianli-2024",
               "--report", str(report), *FAST])
    assert rc == 1
    first, second = json.loads(report.read_text(encoding="utf-8"))["applicants"]
    assert not first["passed"] and first["report"] is None and "只有 1 个字符" in first["summary"]
    assert second["passed"] and second["report"]["applicant"]["name"] == "李明轩"


def test_roster_applicant_without_a_folder_fails_by_name(tmp_path, capsys):
    (tmp_path / "root").mkdir()
    roster = write_xlsx(tmp_path / "r.xlsx", [HEAD, ROW])
    assert main(["validate", str(tmp_path / "root"), "--roster", str(roster), "--notice", "bz-dianli-2024", *FAST]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "找不到材料文件夹" in out["applicants"][0]["summary"]


def test_init_writes_an_xlsx_with_drop_downs_that_reads_back(tmp_path):
    import openpyxl

    out = tmp_path / "花名册.xlsx"
    assert main(["init", "--notice", "bz-jianzhu-2023", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["花名册"]
    head = [c.value for c in ws[1]]
    assert {"姓名", "现任专业技术职务", "获现任专业技术职务时间", "拟晋升专业技术职务", "工作单位", "初定/授予/评审"} <= set(head)
    assert {"2020年度考核", "2021年度考核", "2022年度考核"} <= set(head)
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"初定,授予,评审"' in lists and '"优秀,合格,基本合格,不合格"' in lists
    # A clerk fills one row; it reads back.
    values = {"姓名": "赵海峰", "拟晋升专业技术职务": "工程师", "工作单位": "巴州安泰建筑工程有限公司", "初定/授予/评审": "评审"}
    for i, h in enumerate(head, start=1):
        if h in values:
            ws.cell(row=2, column=i, value=values[h])
    wb.save(out)
    [row] = read_roster(out, load_notice("bz-jianzhu-2023"))
    assert (row.application.application.level, row.application.application.specialty) == ("中级", "建筑")
    # An existing file is not overwritten.
    assert main(["init", "--notice", "bz-jianzhu-2023", "-o", str(out)]) == 2


def test_init_yaml_template_uses_chinese_keys_and_lists_blanks_at_once(tmp_path):
    out = tmp_path / "application.yaml"
    assert main(["init", "--notice", "yuli-chuding-2024", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "申报人:" in text and "初定" in text
    with pytest.raises(InvalidConfigError) as ei:
        load_application(out)
    msg = ei.value.message
    # Blank 姓名, 单位名称 and 毕业时间 are all named, each with its line.
    assert "“申报人的姓名”未填写" in msg and "毕业时间" in msg and msg.count("第 ") >= 3


def test_chinese_keys_and_common_wordings_in_application_yaml(tmp_path):
    p = tmp_path / "application.yaml"
    p.write_text("申报人:\n  姓名: 王建国\n  单位性质: 国有控股企业\n申报信息:\n  级别: 中级职称\n  提交日期: 2024年9月20日\n"
                 "学历:\n  - 学历层次: 大学本科\n    毕业时间: 2012.10\n    全日制: 是\n"
                 "现任职称:\n  名称: 助理工程师\n  取得时间: 2019年12月\n年度考核: {2021: 称职, 2022: 基本称职}\n"
                 "情形:\n  访惠聚: 否\n  援疆: 是\n", encoding="utf-8")
    a = load_application(p)
    assert (a.applicant.employer_type, a.application.level) == ("国有企业", "中级")
    assert str(a.education[0].graduated) == "2012-10-01"
    assert a.appraisals == {2021: "合格", 2022: "基本合格"}
    assert a.flags.yuanjiang and not a.flags.fanghuiju


def test_yaml_syntax_error_is_chinese_with_line_and_column(tmp_path):
    p = tmp_path / "application.yaml"
    p.write_text("申报人:\n  姓名: 王建国\n  单位: [巴州供电公司\n申报信息: {级别: 中级}\n", encoding="utf-8")
    with pytest.raises(InvalidConfigError) as ei:
        load_application(p)
    assert "第 4 行第 5 列" in ei.value.message and "YAML 格式错误" in ei.value.message
    assert "mapping values" not in ei.value.message
