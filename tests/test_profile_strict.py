"""One strict applicant schema for the CLI, the API and the web page, and YAML bombs.

A list-style name (``name: [热依拉·艾买提]``) used to load as the literal text
``['热依拉·艾买提']``: nothing was masked and nothing was said.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from zcmask.cli import main
from zcmask.exceptions import ExitCode, InvalidConfigError
from zcmask.options import Identity, load_profile

BOMB = "\n".join(
    [f"a0: &a0 [{','.join(['lol'] * 9)}]"]
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    + ["name: *a8", ""])


def write(tmp_path: Path, text: str, name: str = "profile.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(("text", "says"), [
    ("name: [热依拉·艾买提]\n", "不能写成列表"),
    ("name: ['热依拉·艾买提']\nunits: [巴州供电公司]\n", "不能写成列表"),
    ("name: \"['热依拉·艾买提']\"\n", "列表或字典的写法"),
    ("name: 12345\n", "应为一段文字"),
    ("name: {first: 王, last: 建国}\n", "应为一段文字"),
    ("name: 王建国\naliases: [[王建國]]\n", "不能写成列表"),
    ("name: 王建国\nunits:\n  - aliases: [巴州供电公司]\n", "缺少 name"),
    ("name: 王建国\nunits:\n  - name: [巴州供电公司]\n", "不能写成列表"),
    ("name: 王建国\nunit: 巴州供电公司\n", "units"),
    ("姓名: 王建国\n", "name"),
])
def test_a_malformed_profile_is_refused_with_a_chinese_message(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(InvalidConfigError) as e:
        load_profile(write(tmp_path, text))
    assert says in e.value.message
    assert "profile.yaml" in e.value.message  # says which file


def test_the_contract_profile_still_loads(tmp_path: Path) -> None:
    ident = load_profile(write(tmp_path, "name: 王建国\naliases: [王建國]\nunits:\n"
                                         "  - name: 国网新疆电力有限公司巴州供电公司\n    aliases: [巴州供电公司]\n"
                                         "  - 巴州电力\n"))
    assert ident.name == "王建国" and ident.aliases == ("王建國",)
    assert ident.unit_names == ["国网新疆电力有限公司巴州供电公司", "巴州供电公司", "巴州电力"]
    app = load_profile(write(tmp_path, "applicant:\n  name: 王建国\n  units: [巴州供电公司]\n"
                                       "  employer_type: 国有企业\n  status: 在职\n", "application.yaml"))
    assert app.unit_names == ["巴州供电公司"]


def test_the_api_refuses_a_list_name_too() -> None:
    with pytest.raises(InvalidConfigError, match="不能写成列表"):
        Identity.from_mapping({"name": ["热依拉·艾买提"]})


def test_the_cli_exits_with_invalid_config_for_a_list_name(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = write(tmp_path, "name: [热依拉·艾买提]\n")
    img = tmp_path / "a.jpg"
    img.write_bytes(b"")
    assert main(["check", str(img), "--profile", str(prof)]) == ExitCode.invalid_config
    assert "不能写成列表" in capsys.readouterr().err


def test_a_yaml_bomb_is_refused_at_once(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    with pytest.raises(InvalidConfigError, match="引用"):
        load_profile(write(tmp_path, BOMB))
    assert time.perf_counter() - t0 < 2


def test_an_oversized_profile_is_refused_unread(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigError, match="过大"):
        load_profile(write(tmp_path, "name: 王建国\n# " + "x" * (2 << 20) + "\n"))


def test_the_web_page_refuses_a_list_name_in_form_and_file(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("multipart")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from zcmask.options import Options
    from zcmask.web import create_app

    app = create_app(Options.build(ocr_engine="fake", progress=False), temp_root=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = TestClient(app)
    with c:
        sid = c.post("/api/sessions").json()["id"]
        r = c.post(f"/api/sessions/{sid}/profile",
                   files=[("file", ("profile.yaml", "name: [热依拉·艾买提]\n".encode(), "text/yaml"))])
        assert r.status_code == 400 and "不能写成列表" in r.json()["message"]
        assert str(tmp_path) not in r.json()["message"]
        r = c.post(f"/api/sessions/{sid}/profile", files=[("file", ("p.yaml", BOMB.encode(), "text/yaml"))])
        assert r.status_code == 400 and "引用" in r.json()["message"]
        r = c.post(f"/api/sessions/{sid}/analyse", json={"name": ["热依拉·艾买提"], "units": []})
        assert r.status_code == 400 and "不能写成列表" in r.json()["message"]
