"""``zcmask audit``: sampling, re-reading masked pages, findings with boxes, report, exit codes.

The fake OCR engine here reads a page the way a real one would: it returns the
text layer of the synthetic page, minus every character that has been blacked
out. So a correctly masked page yields no findings, and an unmasked one does.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from test_batch import DPI, PEOPLE, TEMPLATES, batch_options, make_root, read_csv
from zcmask.audit import AuditItem, audit, category_of, sample_items
from zcmask.batch import BatchState, run_batch
from zcmask.cli import main
from zcmask.exceptions import BadArgsError, ExitCode
from zcmask.ocr import OcrEngine
from zcmask.ocr._engine import _ENGINES
from zcmask.options import Identity
from zcmask.results import Char, TextLine
from zcsynth import render


class SeeingEngine(OcrEngine):
    """Reads a synthetic page like OCR would: its text layer minus every blacked-out character.

    It recognises which synthetic page it is looking at by comparing the pixels
    that are not blacked out with each known page.
    """

    name = "seeing"

    def __init__(self, pages: list) -> None:  # type: ignore[type-arg]
        self.pages = pages

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        h, w = image.shape[:2]
        gray = image.astype(np.int16).max(axis=2)
        keep = gray > 60
        cands = [p for p in self.pages if p.image.shape[:2] == (h, w)]
        if not cands:
            return []
        page = min(cands, key=lambda p: float(np.abs(p.image.max(axis=2).astype(np.int16) - gray)[keep].mean()))
        out = []
        for ln in page.lines:
            chars = []
            for c in ln.chars:
                x0, y0, x1, y1 = (int(v) for v in c.bbox)
                crop = gray[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
                if crop.size and crop.mean() > 100:
                    chars.append(Char(c.text, c.bbox, 0.99))
            if chars:
                text = "".join(c.text for c in chars)
                out.append(TextLine(text, (chars[0].bbox[0], ln.bbox[1], chars[-1].bbox[2], ln.bbox[3]),
                                    0.99, tuple(chars)))
        return out


def _all_pages() -> list:  # type: ignore[type-arg]
    return [render(t, name, unit, dpi=DPI) for _, name, unit in PEOPLE for t in TEMPLATES]


@pytest.fixture
def seeing(monkeypatch):
    eng = SeeingEngine(_all_pages())
    monkeypatch.setitem(_ENGINES, "fake", eng)
    monkeypatch.setitem(_ENGINES, "rapidocr", eng)
    return eng


@pytest.fixture
def batch_out(tmp_path, seeing):
    root = make_root(tmp_path, multipage=False)
    out = tmp_path / "out"
    assert run_batch(root, out, batch_options()).exit_code == ExitCode.ok
    return out


def _leak(out: Path, folder: str = "a02-li", template: str = "公示") -> None:
    """Overwrite one masked output with the unmasked page: the name is visible again."""
    _, name, unit = next(p for p in PEOPLE if p[0] == folder)
    Image.fromarray(render(template, name, unit, dpi=DPI).image).save(out / folder / f"{template}.jpg", quality=92)


FLAGS = ["--no-progress", "--dpi", str(DPI), "--no-orientation", "--seals", "none", "--no-eyes"]


def test_correctly_masked_batch_passes_the_audit(batch_out, capsys):
    assert main(["audit", str(batch_out), *FLAGS]) == ExitCode.ok
    data = json.loads((batch_out / "zcmask-audit.json").read_text(encoding="utf-8"))
    assert data["schema"] == "zcmask.report/1" and data["command"] == "audit"
    assert data["audit"]["population"] == 9 and data["audit"]["leaked_pages"] == 0
    assert all(p["regions"] == [] for f in data["files"] for p in f["pages"])
    assert all(p["output"] is None for f in data["files"] for p in f["pages"])


def test_output_still_showing_the_name_fails_the_audit_with_boxes(batch_out, capsys):
    _leak(batch_out)
    assert main(["audit", str(batch_out), *FLAGS]) == ExitCode.issues_found
    err = capsys.readouterr().err
    assert "a02-li/公示.pdf#1" in err and "李晓梅" in err
    data = json.loads((batch_out / "zcmask-audit.json").read_text(encoding="utf-8"))
    assert data["audit"]["leaked_pages"] == 1
    leaked = [f for f in data["files"] if f["leaked"]]
    assert [f["page_id"] for f in leaked] == ["a02-li/公示.pdf#1"]
    regions = leaked[0]["pages"][0]["regions"]
    truths = [t for t in render("公示", "李晓梅", "库尔勒水利局", dpi=DPI).truths if t.kind == "name"]
    names = [r for r in regions if r["kind"] == "name"]
    assert len(names) == len(truths)
    for t in truths:  # every finding has its box, and it sits on the name
        assert any(_overlap(r["bbox"], t.bbox) > 0.5 for r in names), (t, names)
    assert {r["kind"] for r in regions} >= {"name", "unit"}
    codes = {i["code"] for i in leaked[0]["pages"][0]["issues"]}
    assert {"unmasked_name", "unmasked_unit"} <= codes
    # The findings are kept in the batch database and the HR export.
    rows = {r["page_id"]: r for r in read_csv(batch_out / "pages.csv")}
    assert rows["a02-li/公示.pdf#1"]["audit"] == "leak" and "name@" in rows["a02-li/公示.pdf#1"]["audit_findings"]
    assert rows["a01-wang/公示.pdf#1"]["audit"] == "clean"


def _overlap(a, b) -> float:  # type: ignore[no-untyped-def]
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy / max(1, (b[2] - b[0]) * (b[3] - b[1]))


def test_html_shows_original_and_masked_side_by_side_with_findings_outlined(batch_out, tmp_path):
    _leak(batch_out)
    report = tmp_path / "audit" / "r.json"
    assert main(["audit", str(batch_out), "--report", str(report), *FLAGS]) == ExitCode.issues_found
    page = (tmp_path / "audit" / "r.html").read_text(encoding="utf-8")
    sec = page[page.index("<h2>a02-li/公示.pdf#1</h2>"):]
    sec = sec[:sec.index("</section>")]
    assert "原件" in sec and "遮盖后" in sec and sec.count('<div class=box') >= 6
    imgs = [s.split('"')[0] for s in sec.split('<img src="')[1:]]
    assert len(imgs) == 2
    orig, masked = (np.asarray(Image.open(tmp_path / "audit" / i).convert("L")) for i in imgs)
    assert orig.shape == masked.shape
    assert "zcmask review" in sec


def test_reviewer_verdicts_are_kept_in_the_db_and_exported(batch_out, capsys):
    _leak(batch_out)
    main(["audit", str(batch_out), *FLAGS])
    assert main(["review", str(batch_out), "a02-li/公示.pdf#1=reject", "--note", "姓名未遮盖"]) == 0
    assert main(["review", str(batch_out), "a01-wang/公示.pdf#1=accept", "--reviewer", "刘"]) == 0
    with BatchState.open(batch_out) as st:
        v = st.verdicts()
    assert v["a02-li/公示.pdf#1"]["verdict"] == "reject" and v["a01-wang/公示.pdf#1"]["reviewer"] == "刘"
    rows = {r["page_id"]: r for r in read_csv(batch_out / "pages.csv")}
    assert rows["a02-li/公示.pdf#1"]["verdict"] == "reject" and rows["a02-li/公示.pdf#1"]["audit"] == "leak"
    capsys.readouterr()
    assert main(["review", str(batch_out), "--list"]) == 0
    assert "a02-li/公示.pdf#1\treject" in capsys.readouterr().out
    # The next audit report shows the verdict.
    main(["audit", str(batch_out), *FLAGS])
    assert "审核结论：退回" in (batch_out / "zcmask-audit.html").read_text(encoding="utf-8")


def _items(n_apps: int, per_cat: dict[str, int]) -> list[AuditItem]:
    return [AuditItem(f"a{a}/{c}{i}.pdf#1", f"a{a}", c, Path(f"a{a}/{c}{i}.jpg"), 0, None)
            for a in range(n_apps) for c, k in per_cat.items() for i in range(k)]


def test_sample_is_seeded_and_stratified_by_applicant_and_category():
    items = _items(3, {"公示": 10, "承诺书": 2, "职称证书": 1})
    s1 = sample_items(items, "9", seed=7)
    assert len(s1) == 9 and s1 == sample_items(items, "9", seed=7)
    assert {(it.applicant, it.category) for it in s1} == {(f"a{a}", c) for a in range(3)
                                                         for c in ("公示", "承诺书", "职称证书")}
    assert s1 != sample_items(items, "9", seed=8)
    small = sample_items(items, "3", seed=1)
    assert {it.applicant for it in small} == {"a0", "a1", "a2"}
    assert len(sample_items(items, "10%", seed=1)) == 4  # ceil(0.1 * 39)
    assert len(sample_items(items, "100%", seed=1)) == len(items) == len(sample_items(items, None))
    assert len(sample_items(items, "500", seed=1)) == 39
    for bad in ("0", "-3", "x", "0%", "150%"):
        with pytest.raises(BadArgsError):
            sample_items(items, bad)


def test_category_comes_from_folder_or_file_name():
    assert category_of("材料/公示结果-2024.jpg") == "公示结果"
    assert category_of("公示/扫描001.jpg") == "公示"
    assert category_of("2023年度考核.pdf") == "年度考核表"
    assert category_of("scan.jpg") == "其他"


def test_sample_flag_on_a_batch_audits_a_stratified_subset(batch_out):
    opts = batch_options()
    res = audit([batch_out], opts, sample="3", seed=5)
    assert len(res.items) == 3 and res.population == 9
    assert {it.applicant for it in res.items} == {p[0] for p in PEOPLE}
    assert res.exit_code == ExitCode.ok


def test_plain_folder_audit_uses_flags_or_profile_and_originals(tmp_path, seeing, capsys):
    masked = tmp_path / "masked" / "wang"
    masked.mkdir(parents=True)
    sp = render("职称证书", "王建国", "巴州供电公司", dpi=DPI)
    Image.fromarray(sp.image).save(masked / "职称证书.jpg", quality=92)
    originals = tmp_path / "orig" / "wang"
    originals.mkdir(parents=True)
    (originals / "职称证书.pdf").write_bytes(sp.pdf_bytes)
    # Without any identity the audit cannot know what to look for: a usage error.
    assert main(["audit", str(tmp_path / "masked"), *FLAGS]) == ExitCode.bad_args
    capsys.readouterr()
    code = main(["audit", str(tmp_path / "masked"), "--name", "王建国", "--originals", str(tmp_path / "orig"), *FLAGS])
    assert code == ExitCode.issues_found
    data = json.loads(capsys.readouterr().out)
    f = data["files"][0]
    assert f["page_id"] == "wang/职称证书.jpg#1" and f["category"] == "职称证书" and f["leaked"]
    assert f["original"].endswith("职称证书.pdf")
    (masked / "profile.yaml").write_text("name: 李晓梅\n", encoding="utf-8")  # someone else: nothing of theirs
    assert main(["audit", str(tmp_path / "masked"), *FLAGS]) == ExitCode.ok


def test_unreadable_masked_page_is_reported_and_not_passed(batch_out, capsys):
    (batch_out / "a01-wang" / "承诺书.jpg").write_bytes(b"garbage")
    assert main(["audit", str(batch_out), *FLAGS]) == ExitCode.input_file
    assert "a01-wang/承诺书.pdf#1" in capsys.readouterr().err


@pytest.mark.slow
def test_real_ocr_audit_passes_masked_output_and_catches_an_unmasked_name(tmp_path, capsys):
    root = tmp_path / "root" / "wang"
    root.mkdir(parents=True)
    (root / "profile.yaml").write_text("name: 王建国\nunits: [国网新疆电力有限公司巴州供电公司]\n", encoding="utf-8")
    sp = render("公示", "王建国", "国网新疆电力有限公司巴州供电公司")
    (root / "公示.pdf").write_bytes(sp.pdf_bytes)
    out = tmp_path / "out"
    flags = ["--no-progress", "--seals", "none", "--no-eyes"]
    assert main(["batch", str(tmp_path / "root"), "-o", str(out), *flags]) == ExitCode.ok
    assert main(["audit", str(out), *flags]) == ExitCode.ok, capsys.readouterr().err
    Image.fromarray(sp.image).save(out / "wang" / "公示.jpg", quality=92)
    assert main(["audit", str(out), *flags]) == ExitCode.issues_found
    data = json.loads((out / "zcmask-audit.json").read_text(encoding="utf-8"))
    kinds = {r["kind"] for r in data["files"][0]["pages"][0]["regions"]}
    assert "name" in kinds


def test_report_written_inside_the_audited_folder_is_not_audited_next_time(tmp_path, seeing):
    masked = tmp_path / "masked"
    masked.mkdir()
    sp = render("职称证书", "王建国", "巴州供电公司", dpi=DPI)
    Image.fromarray(sp.image).save(masked / "职称证书.jpg", quality=92)
    opts = batch_options().model_copy(update={"identity": Identity(name="王建国")})
    first = audit([masked], opts, report_path=masked / "r.json")
    assert first.population == 1 and (masked / "r-pages").is_dir()
    again = audit([masked], opts, report_path=masked / "r.json")
    assert again.population == 1 and again.exit_code == ExitCode.issues_found
