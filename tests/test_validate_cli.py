"""``zcmask validate``: exit statuses, the JSON and HTML reports, and one real-OCR run on the sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from zcmask.cli import main
from zcmask.ocr._engine import _ENGINES
from zcsynth.application import build_application, sample_ocr_engine

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "application"
FAST = ["--no-orientation", "--no-progress"]


@pytest.fixture
def fake_default_ocr(monkeypatch):
    """The command line uses the default engine: serve the generated pages' text from it."""
    monkeypatch.setitem(_ENGINES, "rapidocr", sample_ocr_engine())


def test_clean_application_exits_0_and_writes_json_and_html(tmp_path, fake_default_ocr, capsys):
    build_application(tmp_path / "app", "bz-dianli-2024")
    report = tmp_path / "out" / "validation.json"
    rc = main(["validate", str(tmp_path / "app"), "--notice", "bz-dianli-2024", "--report", str(report), *FAST])
    assert rc == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["schema"] == "zcmask.validation/1"
    assert data["notice"]["id"] == "bz-dianli-2024"
    assert data["applicant"]["name"] == "李明轩"
    assert {a["category"] for a in data["attachments"]} >= {"身份证", "公示", "承诺书", "继续教育证书"}
    assert all(set(f) >= {"code", "rule", "severity", "message", "files"} for f in data["findings"])
    assert data["summary"]["errors"] == 0
    html = report.with_suffix(".html").read_text(encoding="utf-8")
    assert "申报材料校验报告" in html and "未发现会导致退回的问题" in html
    assert capsys.readouterr().out == ""  # with --report, stdout stays empty


def test_defect_exits_1_and_the_html_lists_the_finding(tmp_path, fake_default_ocr):
    build_application(tmp_path / "app", "xj-zhenggao-2024", ["summary_long"])
    report = tmp_path / "r.json"
    rc = main(["validate", str(tmp_path / "app"), "--notice", "xj-zhenggao-2024", "--report", str(report), *FAST])
    assert rc == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    [f] = [f for f in data["findings"] if f["severity"] == "error"]
    assert f["code"] == "summary_too_long" and f["rule"] == "四(一)12 总结字数"
    assert f["files"] and all(x.startswith("工作总结/") for x in f["files"])
    assert "summary_too_long" in report.with_suffix(".html").read_text(encoding="utf-8")


def test_without_report_the_json_goes_to_stdout(tmp_path, fake_default_ocr, capsys):
    build_application(tmp_path / "app", "bz-shuili-2021", ["late"])
    rc = main(["validate", str(tmp_path / "app"), "--notice", "bz-shuili-2021", *FAST])
    assert rc == 1
    out = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in out["findings"] if f["severity"] == "error"] == ["outside_window"]


def test_unknown_notice_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "application.yaml").write_text("applicant: {name: 张三}\n", encoding="utf-8")
    rc = main(["validate", str(tmp_path), "--notice", "bz-dianli-1999"])
    assert rc == 2
    assert "bz-dianli-2024" in capsys.readouterr().err


def test_missing_notice_flag_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["validate", str(tmp_path)])
    assert e.value.code == 2


def test_app_dir_that_is_not_a_folder_is_a_usage_error(tmp_path):
    assert main(["validate", str(tmp_path / "nope"), "--notice", "bz-dianli-2024"]) == 2


def test_bad_application_yaml_exits_6(tmp_path, capsys):
    (tmp_path / "application.yaml").write_text("applicant: [unclosed\n", encoding="utf-8")
    assert main(["validate", str(tmp_path), "--notice", "bz-dianli-2024", *FAST]) == 6
    assert "application.yaml" in capsys.readouterr().err


def test_listed_attachment_that_does_not_exist_exits_6(tmp_path, capsys):
    (tmp_path / "application.yaml").write_text(
        "applicant: {name: 张三}\napplication: {level: 中级}\nattachments:\n  身份证: [nope.jpg]\n", encoding="utf-8")
    assert main(["validate", str(tmp_path), "--notice", "bz-dianli-2024", *FAST]) == 6
    assert "nope.jpg" in capsys.readouterr().err


def test_one_character_name_is_refused_as_mask_refuses_it(tmp_path, fake_default_ocr, capsys):
    """A 1-character name matches nearly every page: exit 2, unless --allow-short-identity."""
    build_application(tmp_path / "app", "bz-dianli-2024")
    yml = tmp_path / "app" / "application.yaml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("name: 李明轩", "name: 李", 1), encoding="utf-8")
    report = tmp_path / "v.json"
    rc = main(["validate", str(tmp_path / "app"), "--notice", "bz-dianli-2024", "--report", str(report), *FAST])
    assert rc == 2
    assert "[short_identity]" in capsys.readouterr().err and not report.exists()
    rc = main(["validate", str(tmp_path / "app"), "--notice", "bz-dianli-2024", "--report", str(report),
               "--allow-short-identity", *FAST])
    assert rc in (0, 1) and json.loads(report.read_text(encoding="utf-8"))["applicant"]["name"] == "李"


def test_committed_sample_matches_its_generator(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(SAMPLE.parent / "make_application.py"), str(tmp_path / "gen")],
                   check=True, capture_output=True)
    committed = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file())
    generated = sorted(p.relative_to(tmp_path / "gen").as_posix() for p in (tmp_path / "gen").rglob("*") if p.is_file())
    assert committed == generated
    assert (SAMPLE / "application.yaml").read_text(encoding="utf-8") == \
        (tmp_path / "gen" / "application.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_sample_documents_are_read_correctly_by_the_real_ocr(tmp_path):
    """Real OCR on the committed sample's content documents: dates, wording, months, QR codes."""
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(SAMPLE / "application.yaml", app)
    for cat in ("公示", "公示结果", "承诺书", "社保缴费", "学信网备案表"):
        shutil.copytree(SAMPLE / cat, app / cat)
    report = tmp_path / "r.json"
    main(["validate", str(app), "--notice", "bz-dianli-2024", "--report", str(report), "--no-progress"])
    data = json.loads(report.read_text(encoding="utf-8"))
    read_codes = {"publicity_too_short", "statement_mismatch", "statement_unsigned", "social_insurance_short",
                  "education_unverified", "attachment_issue"}
    assert [f for f in data["findings"] if f["code"] in read_codes] == []
    # Only the materials left out of this copy are reported missing.
    assert {f["code"] for f in data["findings"] if f["severity"] == "error"} <= {
        "missing_material", "title_proof_incomplete", "appraisal_missing", "ce_missing"}
