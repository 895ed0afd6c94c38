"""Batch throughput: local pool 1 -> 2 workers, Dask overhead per page, memory over 1,000 files.

Usage::

    python benchmarks/batch_scaling.py [--applicants 4] [--dpi 200] [--memory-files 1000]

Pages are synthetic A4 PDFs with a text layer (rendered, located, masked and
written as JPG at ``--dpi``), so the numbers measure the batch machinery and the
per-page pipeline without OCR model time. Real OCR adds 2-5 s per page per
core and scales the same way. Every run starts with a fresh output folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from zcmask.batch import DaskExecutor, LocalExecutor, run_batch
from zcmask.ocr import FakeOcrEngine, register_engine
from zcmask.options import Options
from zcsynth import render

PEOPLE = [("王建国", "巴州供电公司"), ("李晓梅", "库尔勒水利局"), ("赵文华", "尉犁县人民医院"),
          ("孙丽娟", "和静县自来水公司"), ("周志强", "焉耆县供电所"), ("吴海燕", "轮台县水利局")]


def _register_fake() -> None:
    register_engine("fake", FakeOcrEngine([]))


def make_root(base: Path, applicants: int) -> tuple[Path, int]:
    root = base / "root"
    n = 0
    for i in range(applicants):
        name, unit = PEOPLE[i % len(PEOPLE)]
        d = root / f"a{i:03d}"
        d.mkdir(parents=True)
        (d / "profile.yaml").write_text(f"name: {name}\nunits: [{unit}]\n", encoding="utf-8")
        for t in ("公示", "承诺书", "职称证书"):
            for k in range(2):
                (d / f"{t}{k}.pdf").write_bytes(render(t, name, unit).pdf_bytes)
                n += 1
    return root, n


def options(dpi: int) -> Options:
    return Options(ocr_engine="fake", dpi=dpi, progress=False, detect_orientation=False, seals="none",
                   eyes=False)


def timed(root: Path, base: Path, label: str, opts: Options, executor) -> float:  # type: ignore[no-untyped-def]
    out = base / f"out-{label}"
    shutil.rmtree(out, ignore_errors=True)
    # Warm the workers (process start, imports) outside the timed run.
    warm = base / "warm"
    shutil.rmtree(warm, ignore_errors=True)
    run_batch(root, warm, opts, executor=executor)
    t = time.perf_counter()
    res = run_batch(root, out, opts, executor=executor)
    dt = time.perf_counter() - t
    assert res.exit_code == 0, res
    return dt


def memory_run(base: Path, files: int) -> dict[str, float]:
    import psutil
    from PIL import Image

    d = base / "mem" / "root" / "big"
    d.mkdir(parents=True)
    (d / "profile.yaml").write_text("name: 王建国\n", encoding="utf-8")
    for i in range(files):
        Image.new("RGB", (48, 32), (255 - i % 200, 255, 255)).save(d / f"p{i:04d}.jpg", quality=90)
    proc = psutil.Process()
    rss: list[int] = []
    t = time.perf_counter()
    run_batch(d.parent, base / "mem" / "out", options(72), on_file=lambda k, s: rss.append(proc.memory_info().rss))
    dt = time.perf_counter() - t
    mib = 2**20
    return {"files": files, "seconds": round(dt, 2), "rss_first_mib": round(rss[0] / mib, 1),
            "rss_at_20pct_mib": round(rss[len(rss) // 5] / mib, 1), "rss_peak_mib": round(max(rss) / mib, 1),
            "rss_last_mib": round(rss[-1] / mib, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--applicants", type=int, default=4)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--memory-files", type=int, default=1000)
    ap.add_argument("--no-dask", action="store_true")
    a = ap.parse_args()
    _register_fake()
    base = Path(tempfile.mkdtemp(prefix="zcmask-bench-"))
    try:
        root, pages = make_root(base, a.applicants)
        opts = options(a.dpi)
        res: dict[str, object] = {"pages": pages, "dpi": a.dpi}
        t1 = timed(root, base, "local1", opts, LocalExecutor(1))
        with LocalExecutor(2, initializer=_register_fake) as ex:
            t2 = timed(root, base, "local2", opts, ex)
        res.update({"local_1_worker_s": round(t1, 2), "local_2_workers_s": round(t2, 2),
                    "speedup_1_to_2": round(t1 / t2, 2),
                    "per_page_ms_local1": round(1000 * t1 / pages, 1),
                    "per_page_ms_local2": round(1000 * t2 / pages, 1)})
        if not a.no_dask:
            from distributed import LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, DaskExecutor(cluster.scheduler_address) as ex:
                ex._client.run(_register_fake)
                td = timed(root, base, "dask2", opts, ex)
            res.update({"dask_2_workers_s": round(td, 2), "per_page_ms_dask2": round(1000 * td / pages, 1),
                        "dask_overhead_per_page_ms": round(1000 * (td - t2) / pages, 1)})
        if a.memory_files:
            res["memory"] = memory_run(base, a.memory_files)
        print(json.dumps(res, ensure_ascii=False, indent=2))
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
