"""Commands that read the same pages twice, with and without the analysis cache.

``python -m benchmarks.analysis_cache`` generates one 12-page applicant folder
(the benchmark's :func:`~benchmarks._templates.applicant_folder`, 200 dpi JPGs)
with an ``application.yaml``, then runs, each as its own ``zcmask`` process with
real OCR and measured like :func:`benchmarks.run.measure` (wall and CPU of the
whole process tree):

* before: every command with ``--no-cache``;
* after: the defaults, the mask output folder beside the application folder.

The flows are ``mask`` then ``validate``, ``mask`` again with one more ``--unit``
(a new options hash: the page cache misses), and ``check`` after ``mask``. The
reports of each pair must be the same apart from timings and output paths.
Before and after alternate flow by flow, so both see the same machine load; with
``--repeat N`` every repetition starts from an empty cache and medians are reported.
Results go to ``benchmarks/out/analysis-cache.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from benchmarks._templates import APPLICANTS, applicant_folder
from benchmarks.run import HERE, _env, measure

NOTICE = "bz-dianli-2024"
EXTRA_UNIT = "巴州电力"


def _zc(*args: str) -> list[str]:
    return [sys.executable, "-m", "zcmask", *args]


def _identity(a: Any) -> list[str]:
    out = ["--name", a.name]
    for u in a.units:
        out += ["--unit", u]
    return out


def _strip(x: Any) -> Any:
    """A report without timings, and with output paths reduced to their names."""
    if isinstance(x, dict):
        return {k: (Path(v).name if k == "output" and isinstance(v, str) else _strip(v)) for k, v in x.items()
                if not any(w in k for w in ("seconds", "elapsed", "time", "generated", "created"))}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def _same(a: Path, b: Path) -> bool:
    return _strip(json.loads(a.read_text(encoding="utf-8"))) == _strip(json.loads(b.read_text(encoding="utf-8")))


def web_flow(app: Path, names: list[str], cache: bool) -> dict[str, float]:
    """The web UI in one process: upload, analyse every page, then the notice check.

    The OCR memo of ``zcmask serve`` is installed in both cases; ``cache=False``
    is ``serve --no-cache``. Returns wall and CPU seconds of the analysis and of
    the notice check (threads of this process, so ``process_time`` sees them).
    """
    import time
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from zcmask.options import Options
    from zcmask.web import create_app
    from zcmask.web._memo import install

    def wait(c: Any, job: dict[str, Any]) -> dict[str, Any]:
        while job["state"] not in ("done", "error"):
            time.sleep(0.05)
            job = c.get(f"/api/jobs/{job['id']}").json()
        return job

    from zcmask.ocr import get_engine, register_engine
    from zcmask.web._memo import MemoOcrEngine

    eng = get_engine("rapidocr")
    if isinstance(eng, MemoOcrEngine):
        register_engine("rapidocr", eng.inner)  # an empty memo for every run
    spec = yaml.safe_load((app / "application.yaml").read_text(encoding="utf-8"))["applicant"]
    ident = {"name": spec["name"], "units": [u for unit in spec["units"] for u in (unit["name"], *unit["aliases"])]}
    out: dict[str, float] = {}
    with TestClient(create_app(Options.build(progress=False, cache=cache), temp_root=app.parent)) as c:
        install("rapidocr")
        sid = c.post("/api/sessions").json()["id"]
        yaml_bytes = (app / "application.yaml").read_bytes()
        c.post(f"/api/sessions/{sid}/profile", files=[("file", ("application.yaml", yaml_bytes, "text/yaml"))])
        for n in names:
            c.post(f"/api/sessions/{sid}/files", files=[("files", (n, (app / n).read_bytes(), "image/jpeg"))])
        for step, call in (("analyse", lambda: c.post(f"/api/sessions/{sid}/analyse", json=ident)),
                           ("notice check", lambda: c.post(f"/api/sessions/{sid}/validate",
                                                           json={"notice": NOTICE}))):
            t0, p0 = time.perf_counter(), time.process_time()
            job = wait(c, call().json())
            out[f"{step} wall"] = round(time.perf_counter() - t0, 1)
            out[f"{step} cpu"] = round(time.process_time() - p0, 1)
            assert job["state"] == "done", job
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.analysis_cache", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--jobs", default=None, help="zcmask --jobs (default: zcmask's own)")
    ap.add_argument("--repeat", type=int, default=1, help="repetitions (medians reported)")
    ap.add_argument("--web-only", action="store_true", help="only the web UI flow (in this process)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    work = out / "analysis-cache"
    if work.exists():
        shutil.rmtree(work)
    a = APPLICANTS[0]
    applicant_folder(a, work / "apps", seed=0)
    app = work / "apps" / a.key
    spec = {"applicant": {"name": a.name, "aliases": [],
                          "units": [{"name": a.units[0], "aliases": list(a.units[1:])}],
                          "employer_type": "国有企业", "status": "在职"},
            "application": {"series": "工程系列", "specialty": "电力", "level": "中级", "route": "评审",
                            "submitted": "2024-09-20"},
            "education": [{"degree": "本科", "graduated": "2012-07-01", "full_time": True}],
            "current_title": {"name": "助理工程师", "obtained": "2019-12-01", "region": "新疆"},
            "appraisals": {2021: "合格", 2022: "优秀", 2023: "合格"}}
    (app / "application.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    pages = len(list(app.glob("*.jpg")))
    if args.web_only:
        names = sorted(p.name for p in app.glob("*.jpg"))
        web = {"memo only (serve --no-cache)": web_flow(app, names, cache=False),
               "analysis cache": web_flow(app, names, cache=True)}
        (out / "analysis-cache-web.json").write_text(json.dumps(web, ensure_ascii=False, indent=1),
                                                     encoding="utf-8")
        print(json.dumps(web, ensure_ascii=False, indent=1))
        return 0
    jobs = ["--jobs", args.jobs] if args.jobs else []
    ident = _identity(a)
    env = _env()
    masked = work / "apps" / f"{a.key}-masked"  # beside the application folder: found by validate/check
    plain = work / "plain-out"
    steps = {
        "before": [
            ("mask", _zc("mask", str(app), "-o", str(plain), *ident, *jobs, "--no-cache", "--no-progress")),
            ("validate after mask", _zc("validate", str(app), "--notice", NOTICE, "--report",
                                        str(work / "validate-plain.json"), *jobs, "--no-cache", "--no-progress")),
            ("mask again, one more --unit", _zc("mask", str(app), "-o", str(plain), *ident, "--unit", EXTRA_UNIT,
                                                *jobs, "--no-cache", "--no-progress")),
            ("check after mask", _zc("check", str(app), *ident, "--report", str(work / "check-plain.json"),
                                     *jobs, "--no-cache", "--no-progress")),
        ],
        "after": [
            ("mask", _zc("mask", str(app), "-o", str(masked), *ident, *jobs, "--no-progress")),
            ("validate after mask", _zc("validate", str(app), "--notice", NOTICE, "--report",
                                        str(work / "validate-cached.json"), *jobs, "--no-progress")),
            ("mask again, one more --unit", _zc("mask", str(app), "-o", str(masked), *ident, "--unit", EXTRA_UNIT,
                                                *jobs, "--no-progress")),
            ("check after mask", _zc("check", str(app), *ident, "--report", str(work / "check-cached.json"),
                                     *jobs, "--no-progress")),
        ],
    }
    results: dict[str, Any] = {"pages": pages, "notice": NOTICE, "repeat": args.repeat, "runs": {}}
    seen: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for rep in range(args.repeat):
        shutil.rmtree(masked, ignore_errors=True)  # every repetition starts with no cache
        # before and after alternate, flow by flow, so that both see the same machine load
        for (name, before), (_, after) in zip(steps["before"], steps["after"], strict=True):
            for label, cmd in (("before", before), ("after", after)):
                m = measure(cmd, env=env)
                if m["rc"] in (0, 1):
                    m.pop("stderr_tail", None)
                seen.setdefault(name, {}).setdefault(label, []).append(m)
                print(f"rep{rep} {label:6} {name:30} wall {m['wall']:6.1f}s cpu {m['cpu']:6.1f}s rc={m['rc']}",
                      file=sys.stderr)
            if name == "mask again, one more --unit":
                shutil.copy(plain / "zcmask-report.json", work / "mask-plain.json")
    for name, by_label in seen.items():
        results["runs"][name] = {label: {"wall": statistics.median(m["wall"] for m in ms),
                                         "cpu": statistics.median(m["cpu"] for m in ms),
                                         "rc": sorted({m["rc"] for m in ms}), "all": ms}
                                 for label, ms in by_label.items()}
    shutil.copy(masked / "zcmask-report.json", work / "mask-cached.json")
    results["identical"] = {k: _same(work / f"{k}-plain.json", work / f"{k}-cached.json")
                            for k in ("validate", "mask", "check")}
    (out / "analysis-cache.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    rows = ["| flow | before wall (s) | before CPU (s) | after wall (s) | after CPU (s) |", "|---|---|---|---|---|"]
    for name, r in results["runs"].items():
        b, c = r["before"], r["after"]
        rows.append(f"| {name} | {b['wall']:.1f} | {b['cpu']:.1f} | {c['wall']:.1f} | {c['cpu']:.1f} |")
    md = "\n".join(rows) + f"\n\n{pages} pages; reports identical: {results['identical']}\n"
    (out / "analysis-cache.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
