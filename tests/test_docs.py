"""The documentation: generated pages are current, every code is explained, the site builds strictly."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zcmask.exceptions import ExitCode
from zcmask.messages import ISSUE_CODES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_cli", DOCS / "gen_cli.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cli_reference_is_generated_from_the_current_parser():
    gen = _gen()
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert page == gen.render_cli(), "docs/reference/cli.md is stale: run python docs/gen_cli.py"


def test_cli_reference_lists_every_verb():
    from zcmask.cli import build_parser

    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for verb in sub.choices:
        assert f"## `{verb}`" in page, verb


def test_exit_code_table_matches_exit_code_enum():
    gen = _gen()
    page = (DOCS / "reference" / "exit-codes.md").read_text(encoding="utf-8")
    assert page == gen.render_exit_page(page), "exit-codes.md is stale: run python docs/gen_cli.py"
    for ec in ExitCode:
        assert re.search(rf"^\| {int(ec)} \| `{ec.name}` \|", page, re.M), ec


def _file_error_codes() -> set[str]:
    from zcmask import exceptions

    codes = {c.code for c in vars(exceptions).values()
             if isinstance(c, type) and issubclass(c, exceptions.InputFileError)}
    return codes | {"ocr_failed", "internal_error", "redaction_incomplete"}


def test_applicant_guide_explains_every_issue_file_and_finding_code():
    from zcmask.rules import FINDING_CODES

    guide = (DOCS / "guide" / "applicant.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", guide, re.M))
    missing = (set(ISSUE_CODES) | _file_error_codes() | set(FINDING_CODES)) - rows
    assert not missing, f"explain these codes in docs/guide/applicant.md: {sorted(missing)}"


def test_readme_is_short_and_links_into_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    for page in ("docs/guide/applicant.md", "docs/guide/hr.md", "docs/guide/reviewer.md",
                 "docs/guide/install.md", "docs/reference/benchmarks.md"):
        assert page in readme and (ROOT / page).is_file(), page
    for target in re.findall(r"\]\(((?:docs|models)/[^)#]+)", readme):
        assert (ROOT / target).exists(), target


def test_docs_site_builds_strictly(tmp_path):
    if shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None and \
            importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("ZCMASK_REQUIRE_DOCS"):
            pytest.fail("mkdocs is not installed: pip install -e '.[docs]'")
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]'); make test installs it")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", JIEBA_CACHE_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                        "-d", str(tmp_path / "site")], capture_output=True, text=True, timeout=600, env=env,
                       cwd=ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (tmp_path / "site" / "guide" / "applicant" / "index.html").is_file()
    assert "zcmask.api.mask" in (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
