"""``zcmask batch``: resumable per-applicant masking, its SQLite state, exports and faults.

Inputs are PDFs with a text layer generated in code, so no OCR model runs: the
fake engine is registered only to make sure nothing reaches RapidOCR.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pymupdf
import pytest

from conftest import black_fraction
from zcmask import pipeline
from zcmask._io import atomic_path
from zcmask.batch import BatchState, DaskExecutor, LocalExecutor, run_batch, state_path
from zcmask.cli import main
from zcmask.exceptions import ExitCode, OutputFileError, OverwriteInputError
from zcmask.ocr import FakeOcrEngine, register_engine
from zcmask.ocr._engine import _ENGINES
from zcmask.options import Options
from zcsynth import render

DPI = 72
PEOPLE = [("a01-wang", "王建国", "巴州供电公司"), ("a02-li", "李晓梅", "库尔勒水利局"),
          ("a03-zhao", "赵文华", "尉犁县人民医院")]
TEMPLATES = ("公示", "承诺书", "职称证书")


def batch_options(**kw: object) -> Options:
    base: dict[str, object] = dict(ocr_engine="fake", dpi=DPI, progress=False, detect_orientation=False,
                                   seals="none", eyes=False)
    base.update(kw)
    return Options(**base)  # type: ignore[arg-type]


def _two_page_pdf(name: str, unit: str) -> bytes:
    doc = pymupdf.open()
    for t in ("公示", "职称证书"):
        doc.insert_pdf(pymupdf.open("pdf", render(t, name, unit, dpi=DPI).pdf_bytes))
    return doc.tobytes()


def make_root(base: Path, people=PEOPLE, *, corrupt: bool = False, multipage: bool = True) -> Path:
    """One folder per applicant, each with a profile.yaml and text-layer PDFs."""
    root = base / "root"
    for folder, name, unit in people:
        d = root / folder
        d.mkdir(parents=True)
        (d / "profile.yaml").write_text(f"name: {name}\nunits:\n  - name: {unit}\n", encoding="utf-8")
        for t in TEMPLATES:
            (d / f"{t}.pdf").write_bytes(render(t, name, unit, dpi=DPI).pdf_bytes)
        if multipage:
            (d / "材料" / "业绩材料.pdf").parent.mkdir()
            (d / "材料" / "业绩材料.pdf").write_bytes(_two_page_pdf(name, unit))
        if corrupt:
            (d / "坏扫描.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    return root


@pytest.fixture(autouse=True)
def _fake(fake_engine):
    return fake_engine


def jpgs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.jpg"))
            if ".zcmask" not in p.parts}


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_every_applicant_is_masked_with_report_summary_and_exports(tmp_path):
    root = make_root(tmp_path)
    out = tmp_path / "out"
    res = run_batch(root, out, batch_options())
    assert res.exit_code == ExitCode.ok and not res.failed
    assert res.files == 12 and len(res.processed) == 12 and res.pages == 15
    sp = render("公示", "王建国", "巴州供电公司", dpi=DPI)
    for t in sp.truths:
        assert black_fraction(out / "a01-wang" / "公示.jpg", t.bbox) >= 0.95, t
    assert (out / "a01-wang" / "材料" / "业绩材料-2.jpg").is_file()
    rep = json.loads((out / "a02-li" / "zcmask-report.json").read_text(encoding="utf-8"))
    assert rep["schema"] == "zcmask.report/1" and rep["command"] == "mask"
    assert rep["applicant"]["name"] == "李晓梅" and rep["summary"]["pages"] == 5
    assert rep["summary"]["regions"]["name"] >= 5
    rows = read_csv(out / "batch.csv")
    assert [r["applicant"] for r in rows] == [p[0] for p in PEOPLE]
    assert all(r["status"] == "ok" and r["pages"] == "5" and int(r["regions_name"]) >= 5 for r in rows)
    pages = read_csv(out / "pages.csv")
    assert len(pages) == 15 and {p["page_id"] for p in pages} >= {"a01-wang/材料/业绩材料.pdf#2"}
    index = (out / "index.html").read_text(encoding="utf-8")
    for folder, name, _ in PEOPLE:
        assert f'href="{folder}/zcmask-report.html"' in index and name in index
        assert (out / folder / "zcmask-report.html").is_file()


def test_state_db_records_sha_status_outputs_and_timings(tmp_path):
    root = make_root(tmp_path, PEOPLE[:1])
    out = tmp_path / "out"
    run_batch(root, out, batch_options())
    with BatchState.open(out) as st:
        row = st.file("a01-wang", "材料/业绩材料.pdf")
    assert row is not None and row.status == "done" and row.pages == 2 and len(row.sha256) == 64
    assert [Path(o).name for o in row.outputs] == ["业绩材料-1.jpg", "业绩材料-2.jpg"]
    assert row.seconds is not None and row.seconds > 0 and row.error is None
    assert state_path(out).is_file()


def test_rerun_skips_finished_files_and_redoes_only_changed_ones(tmp_path):
    root = make_root(tmp_path)
    out = tmp_path / "out"
    run_batch(root, out, batch_options())
    before = {p: (out / p).stat().st_mtime_ns for p in jpgs(out)}
    again = run_batch(root, out, batch_options())
    assert again.processed == () and again.skipped == 12 and again.pages == 0
    assert {p: (out / p).stat().st_mtime_ns for p in jpgs(out)} == before
    (root / "a02-li" / "承诺书.pdf").write_bytes(render("承诺书", "李晓梅", "另一个单位", dpi=DPI).pdf_bytes)
    third = run_batch(root, out, batch_options())
    assert third.processed == ("a02-li/承诺书.pdf",)
    # Other options (here: dpi) change the outputs, so every file is redone.
    assert len(run_batch(root, out, batch_options(dpi=96)).processed) == 12


def test_corrupt_file_is_an_error_for_that_file_only_and_retry_failed_retries_only_it(tmp_path):
    root = make_root(tmp_path, PEOPLE[:2], corrupt=True)
    out = tmp_path / "out"
    res = run_batch(root, out, batch_options())
    assert res.exit_code == ExitCode.input_file
    assert res.failed == ("a01-wang/坏扫描.jpg", "a02-li/坏扫描.jpg")
    assert len(jpgs(out)) == 10 and not list(out.rglob("坏扫描*.jpg"))
    rows = {r["input"].rsplit("/", 1)[-1]: r for r in read_csv(out / "pages.csv") if r["applicant"] == "a01-wang"}
    assert rows["坏扫描.jpg"]["status"] == "failed" and rows["坏扫描.jpg"]["error_code"]
    # A plain re-run does not hammer the same corrupt file again ...
    assert run_batch(root, out, batch_options()).processed == ()
    # ... --retry-failed retries only failures, even with a new file waiting.
    (root / "a01-wang" / "坏扫描.jpg").unlink()
    (root / "a01-wang" / "坏扫描.pdf").write_bytes(render("公示", "王建国", "巴州供电公司", dpi=DPI).pdf_bytes)
    (root / "a02-li" / "坏扫描.jpg").write_bytes(
        pymupdf.open("pdf", render("公示", "李晓梅", "库尔勒水利局", dpi=DPI).pdf_bytes)[0]
        .get_pixmap(dpi=DPI).tobytes("jpg"))
    retry = run_batch(root, out, batch_options(), retry_failed=True)
    assert retry.processed == ("a02-li/坏扫描.jpg",) and retry.exit_code == ExitCode.ok
    normal = run_batch(root, out, batch_options())
    assert normal.processed == ("a01-wang/坏扫描.pdf",)


def test_disk_write_failure_fails_that_file_leaves_nothing_partial_and_batch_continues(tmp_path, monkeypatch):
    root = make_root(tmp_path, PEOPLE[:2])
    out = tmp_path / "out"
    real = pipeline.write_jpeg_atomic

    def disk_full(dest, image, dpi, quality=92):  # type: ignore[no-untyped-def]
        if Path(dest).name == "业绩材料-2.jpg" and "a01-wang" in str(dest):
            with atomic_path(dest) as tmp:
                tmp.write_bytes(b"\xff\xd8 half a jpeg")
                raise OutputFileError(f"写入 {dest} 失败：No space left on device。请检查磁盘空间与权限。")
        real(dest, image, dpi, quality)

    monkeypatch.setattr(pipeline, "write_jpeg_atomic", disk_full)
    res = run_batch(root, out, batch_options())
    assert res.failed == ("a01-wang/材料/业绩材料.pdf",)
    assert res.exit_code != ExitCode.ok and len(res.processed) == 8
    # Page 1 of that file was written fine, but the file failed: it is removed too.
    assert not list((out / "a01-wang" / "材料").glob("*")), list((out / "a01-wang" / "材料").glob("*"))
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    assert (out / "a02-li" / "材料" / "业绩材料-2.jpg").is_file()
    with BatchState.open(out) as st:
        row = st.file("a01-wang", "材料/业绩材料.pdf")
    assert row is not None and row.status == "failed" and row.error is not None
    assert row.error[0] == "output_file" and "第 2 页" in row.error[1]
    rep = json.loads((out / "a01-wang" / "zcmask-report.json").read_text(encoding="utf-8"))
    bad = [f for f in rep["files"] if f["status"] == "error"]
    assert len(bad) == 1 and bad[0]["error"]["code"] == "output_file"
    monkeypatch.setattr(pipeline, "write_jpeg_atomic", real)
    retry = run_batch(root, out, batch_options(), retry_failed=True)
    assert retry.processed == ("a01-wang/材料/业绩材料.pdf",) and retry.exit_code == ExitCode.ok


def test_roster_gives_identities_and_a_missing_identity_fails_only_that_applicant(tmp_path):
    root = make_root(tmp_path)
    for folder, *_ in PEOPLE:
        (root / folder / "profile.yaml").unlink()
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,name,aliases,units\n"
                      "a01-wang,王建国,王建國;王老师,巴州供电公司|国网巴州供电\n"
                      "a02-li,李晓梅,,库尔勒水利局\n", encoding="utf-8-sig")
    out = tmp_path / "out"
    res = run_batch(root, out, batch_options(), roster=roster)
    assert res.applicant_errors == ("a03-zhao",) and res.exit_code == ExitCode.input_file
    assert not (out / "a03-zhao").exists()
    rep = json.loads((out / "a01-wang" / "zcmask-report.json").read_text(encoding="utf-8"))
    assert rep["applicant"] == {"name": "王建国", "aliases": ["王建國", "王老师"],
                                "units": ["巴州供电公司", "国网巴州供电"]}
    rows = {r["applicant"]: r for r in read_csv(out / "batch.csv")}
    assert rows["a03-zhao"]["status"] == "error" and "missing_identity" in rows["a03-zhao"]["error"]
    assert rows["a01-wang"]["status"] == "ok"


def test_unreadable_profile_and_unreadable_folder_are_errors_for_that_applicant(tmp_path, monkeypatch):
    root = make_root(tmp_path, multipage=False)
    (root / "a01-wang" / "profile.yaml").write_text("name: [unclosed", encoding="utf-8")
    real_listdir = os.listdir

    def listdir(p):  # type: ignore[no-untyped-def]
        if Path(p).name == "a02-li":
            raise PermissionError(13, "Permission denied", str(p))
        return real_listdir(p)

    monkeypatch.setattr(os, "listdir", listdir)
    res = run_batch(root, tmp_path / "out", batch_options())
    assert res.applicant_errors == ("a01-wang", "a02-li")
    rows = {r["applicant"]: r for r in read_csv(tmp_path / "out" / "batch.csv")}
    assert "invalid_config" in rows["a01-wang"]["error"] and "unreadable_folder" in rows["a02-li"]["error"]
    assert rows["a03-zhao"]["status"] == "ok" and rows["a03-zhao"]["pages"] == "3"


def test_cli_batch_exit_codes_and_review_verb(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(_ENGINES, "rapidocr", FakeOcrEngine([]))
    root = make_root(tmp_path, PEOPLE[:2], multipage=False)
    out = tmp_path / "out"
    flags = ["--no-progress", "--dpi", str(DPI), "--no-orientation", "--seals", "none", "--no-eyes"]
    assert main(["batch", str(root), "-o", str(out), *flags]) == ExitCode.ok
    assert "本次处理 6 个" in capsys.readouterr().err
    assert main(["batch", str(root), "-o", str(out), *flags]) == ExitCode.ok
    assert "跳过已完成 6 个" in capsys.readouterr().err
    assert main(["review", str(out), "a01-wang/公示.pdf#1=reject", "--note", "单位未遮", "--reviewer", "刘"]) == 0
    assert main(["review", str(out), "a02-li/承诺书.pdf#1=accept"]) == 0
    assert main(["review", str(out), "nobody/x.pdf#1=accept"]) == ExitCode.bad_args
    assert main(["review", str(out), "a01-wang/公示.pdf#1=maybe"]) == ExitCode.bad_args
    rows = {r["page_id"]: r for r in read_csv(out / "pages.csv")}
    assert rows["a01-wang/公示.pdf#1"]["verdict"] == "reject" and rows["a01-wang/公示.pdf#1"]["verdict_note"] == "单位未遮"
    assert rows["a02-li/承诺书.pdf#1"]["verdict"] == "accept"
    apps = {r["applicant"]: r for r in read_csv(out / "batch.csv")}
    assert apps["a01-wang"]["rejected"] == "1" and apps["a02-li"]["accepted"] == "1"
    assert main(["batch", str(root), "-o", str(out), "--executor", "dask", *flags]) == ExitCode.bad_args
    (root / "a02-li" / "坏.pdf").write_bytes(b"%PDF-1.4 broken")
    assert main(["batch", str(root), "-o", str(out), *flags]) == ExitCode.input_file


def test_output_folder_equal_to_root_is_refused(tmp_path):
    root = make_root(tmp_path, PEOPLE[:1], multipage=False)
    with pytest.raises(OverwriteInputError):
        run_batch(root, root, batch_options())
    assert sorted(p.name for p in (root / "a01-wang").iterdir()) == [
        "profile.yaml", "公示.pdf", "承诺书.pdf", "职称证书.pdf"]


def test_local_process_pool_gives_the_same_bytes_as_one_process(tmp_path):
    root = make_root(tmp_path, PEOPLE[:2])
    a, b = tmp_path / "one", tmp_path / "pool"
    run_batch(root, a, batch_options())
    with LocalExecutor(2, initializer=_register_fake) as ex:
        res = run_batch(root, b, batch_options(), executor=ex)
    assert res.exit_code == ExitCode.ok and jpgs(a) == jpgs(b) and len(jpgs(a)) == 10


def _register_fake() -> None:
    register_engine("fake", FakeOcrEngine([]))


def test_dask_cluster_runs_the_same_page_work_across_several_workers(tmp_path):
    distributed = pytest.importorskip("distributed")
    root = make_root(tmp_path)
    ref, out = tmp_path / "local", tmp_path / "dask"
    run_batch(root, ref, batch_options())
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with DaskExecutor(cluster.scheduler_address) as ex:
            assert ex.workers == 3
            res = run_batch(root, out, batch_options(), executor=ex)
        counts = [w.state.executed_count for w in cluster.workers.values()]
    assert res.exit_code == ExitCode.ok and res.executor == "dask" and res.pages == 15
    assert sum(counts) >= 15 and sum(1 for c in counts if c) >= 2, counts
    assert jpgs(out) == jpgs(ref)


_KILL_SCRIPT = textwrap.dedent("""
    import sys
    from zcmask.ocr import FakeOcrEngine, register_engine
    register_engine("fake", FakeOcrEngine([]))
    from zcmask.batch import run_batch
    from zcmask.options import Options
    opts = Options(ocr_engine="fake", dpi=int(sys.argv[3]), progress=False, detect_orientation=False,
                   seals="none", eyes=False)
    run_batch(sys.argv[1], sys.argv[2], opts, on_file=lambda key, status: print(key, status, flush=True))
    print("FINISHED", flush=True)
""")


def test_kill_9_mid_batch_then_rerun_gives_identical_outputs_and_redoes_nothing_finished(tmp_path):
    dpi = 110  # slow enough that the kill lands while pages are being rendered and written
    people = [(f"p{i:02d}", n, u) for i, (_, n, u) in enumerate(PEOPLE * 2)]
    root = make_root(tmp_path, people)
    ref, out = tmp_path / "ref", tmp_path / "out"
    run_batch(root, ref, batch_options(dpi=dpi))
    script = tmp_path / "run.py"
    script.write_text(_KILL_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(root), str(out), str(dpi)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for committed, line in enumerate(proc.stdout, start=1):
        assert not line.startswith("FINISHED"), "the batch finished before it could be killed"
        if committed == 7:
            time.sleep(0.03)
            break
    proc.kill()  # SIGKILL: no cleanup handlers run
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -9
    # Nothing half-written: every JPG already under its final name is complete and final.
    ref_bytes = jpgs(ref)
    after_kill = jpgs(out)
    assert after_kill and all(ref_bytes[k] == v for k, v in after_kill.items())
    con = sqlite3.connect(state_path(out))
    done_before = {f"{a}/{r}" for a, r in con.execute("SELECT applicant, rel FROM files WHERE status='done'")}
    con.close()
    assert 7 <= len(done_before) < 24
    stamps = {p: (out / p).stat().st_mtime_ns for p in after_kill}
    res = run_batch(root, out, batch_options(dpi=dpi))
    assert res.exit_code == ExitCode.ok
    assert set(res.processed).isdisjoint(done_before), "a finished file was processed twice"
    assert set(res.processed) | done_before == {f"{f}/{r}" for f, *_ in people for r in
                                                ("公示.pdf", "承诺书.pdf", "职称证书.pdf", "材料/业绩材料.pdf")}
    for key in done_before:
        folder, rel = key.split("/", 1)
        for p in after_kill:
            if p.startswith(folder + "/" + Path(rel).with_suffix("").as_posix()):
                assert (out / p).stat().st_mtime_ns == stamps[p]
    assert jpgs(out) == ref_bytes
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    # The reports say the same thing too (paths and timings aside).
    for folder, *_ in people:
        assert _norm_report(ref / folder / "zcmask-report.json", ref) == _norm_report(
            out / folder / "zcmask-report.json", out)


def _norm_report(path: Path, out: Path) -> dict:
    d = json.loads(path.read_text(encoding="utf-8"))
    for f in d["files"]:
        for p in f["pages"]:
            p["seconds"] = 0
            p["output"] = Path(p["output"]).relative_to(out).as_posix()
    return d


def test_memory_stays_bounded_over_a_thousand_files(tmp_path):
    psutil = pytest.importorskip("psutil")
    from PIL import Image

    d = tmp_path / "root" / "big"
    d.mkdir(parents=True)
    (d / "profile.yaml").write_text("name: 王建国\n", encoding="utf-8")
    for i in range(1000):
        Image.new("RGB", (48, 32), (255 - i % 200, 255, 255)).save(d / f"p{i:04d}.jpg", quality=90)
    proc = psutil.Process()
    rss: list[int] = []
    res = run_batch(tmp_path / "root", tmp_path / "out", batch_options(),
                    on_file=lambda k, s: rss.append(proc.memory_info().rss))
    assert res.exit_code == ExitCode.ok and len(res.processed) == 1000 and len(rss) == 1000
    growth = (max(rss[200:]) - rss[200]) / 2**20
    print(f"RSS at file 200: {rss[200] / 2**20:.1f} MiB, peak after: {max(rss[200:]) / 2**20:.1f} MiB, "
          f"growth {growth:.1f} MiB over 800 files")
    assert growth < 20, growth
