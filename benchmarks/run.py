"""One command for the whole benchmark: ``python -m benchmarks.run [--quick]``.

Generates labelled applicant folders (twelve 200 dpi A4 JPGs each), runs
``zcmask mask DIR`` and the peer (Presidio + Tesseract ``chi_sim``) on the same
folders in the same run, interleaved, and scores both with the held-out rule
(:mod:`benchmarks._score`). Reports recall per kind and per case, over-mask,
orientation accuracy, seconds per page, the zcmask/peer wall-time ratio and the
peak memory of each tool's whole process tree, into ``benchmarks/out/results.json``
and ``benchmarks/out/results.md``. Timings are medians over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from benchmarks import peer as _peer
from benchmarks._score import KINDS, PageScore, score_page, summarise
from benchmarks._templates import APPLICANTS, Applicant, BenchPage, applicant_folder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def measure(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> dict[str, object]:
    """Run ``cmd``; return wall seconds, the peak summed RSS of its process tree, and its status."""
    import psutil

    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    # CPU seconds of every process seen in the tree (last reading of each). Worker
    # processes started by a fork server are not waited for by the command itself,
    # so RUSAGE_CHILDREN alone misses them.
    seen_cpu: dict[int, float] = {}

    def poll() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                        t = p.cpu_times()
                        seen_cpu[p.pid] = t.user + t.system
            except psutil.Error:
                pass
            peak = max(peak, total)
            stop.wait(0.05)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)  # the whole waited-for tree
    cpu = max(cpu, sum(seen_cpu.values()))
    return {"wall": wall, "cpu": round(cpu, 2), "peak_rss_mb": round(peak / 2**20, 1), "rc": proc.returncode,
            "stderr_tail": err.decode("utf-8", "replace")[-800:]}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


#: Timing label of the peer run with Tesseract on one OpenMP thread (``--peer-one-thread``).
PEER_ONE_THREAD = "peer, OMP_THREAD_LIMIT=1"


def zcmask_cmd(src: Path, out: Path, a: Applicant, jobs: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "zcmask", "mask", str(src), "-o", str(out), "--name", a.name]
    for u in a.units:
        cmd += ["--unit", u]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    return cmd


def peer_cmd(src: Path, out: Path, a: Applicant) -> list[str]:
    cmd = [sys.executable, "-m", "benchmarks.peer", str(src), str(out), "--name", a.name]
    for u in a.units:
        cmd += ["--unit", u]
    return cmd


def _load_rgb(path: str | Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def score_zcmask(pages: dict[str, BenchPage], out: Path) -> tuple[list[PageScore], dict[str, object]]:
    """Score a ``zcmask mask`` run from its report and JPGs; also orientation accuracy."""
    rep = json.loads((out / "zcmask-report.json").read_text(encoding="utf-8"))
    scores: list[PageScore] = []
    right = total = 0
    seconds: list[float] = []
    for f in rep["files"]:
        bp = pages[Path(f["input"]).name]
        if f["status"] != "ok" or not f["pages"]:
            scores.append(score_page(bp.instances, bp.image.shape[:2], np.zeros((1, 1, 3), np.uint8), [], 0))
            continue
        pg = f["pages"][0]
        img = _load_rgb(pg["output"])
        scores.append(score_page(bp.instances, bp.image.shape[:2], img,
                                 [r["bbox"] for r in pg["regions"]], int(pg["rotation"])))
        total += 1
        right += int(pg["rotation"]) == bp.rotation
        seconds.append(float(pg.get("seconds", 0.0) or 0.0))
    return scores, {"orientation_right": right, "orientation_pages": total}


def score_peer(pages: dict[str, BenchPage], out: Path) -> list[PageScore]:
    rep = json.loads((out / "peer-report.json").read_text(encoding="utf-8"))
    scores = []
    for f in rep["files"]:
        bp = pages[Path(f["input"]).name]
        img = _load_rgb(f["output"])
        scores.append(score_page(bp.instances, bp.image.shape[:2], img, [r["bbox"] for r in f["regions"]], 0))
    return scores


def _median(v: list[float]) -> float | None:
    return round(statistics.median(v), 3) if v else None


def _machine() -> dict[str, object]:
    info: dict[str, object] = {"python": platform.python_version(), "platform": platform.platform(),
                               "cpus": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "L3 cache"):
                info[k.strip()] = v.strip()
            elif k.strip() == "Flags":
                # The vector units decide how fast the ONNX models run (and whether int8 could pay).
                flags = set(v.split())
                info["simd"] = " ".join(f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni",
                                                    "avx512_bf16", "amx_tile") if f in flags) or "none listed"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
        info["load_avg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except ImportError:
        pass
    try:
        from importlib.metadata import PackageNotFoundError, version

        info["onnxruntime"] = version("onnxruntime")
        info["rapidocr"] = version("rapidocr")  # the package has no __version__
    except PackageNotFoundError:
        pass
    try:
        v = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=10)
        info["tesseract"] = (v.stdout or v.stderr).splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        pass
    return info


def _extra_suites(quick: bool, real_seals: bool = False) -> dict[str, object]:
    """Run the sibling suites other engineers own, when they exist, and keep their output."""
    out: dict[str, object] = {}
    suites = {"orientation_legibility": ["--part", "both"] + (["--pages", "3", "--leg-pages", "2"] if quick else [])}
    if real_seals:  # seals on real scans and photos (benchmarks/real/seals), about 10 minutes
        suites["real_seals"] = ["--only", "sealcut"] if quick else []
    for mod, extra in suites.items():
        if not (HERE / f"{mod}.py").exists():
            continue
        t = time.perf_counter()
        try:
            p = subprocess.run([sys.executable, "-m", f"benchmarks.{mod}", *extra], capture_output=True,
                               text=True, env=_env(), cwd=ROOT, timeout=1800)
            out[mod] = {"rc": p.returncode, "seconds": round(time.perf_counter() - t, 1),
                        "stdout": p.stdout[-6000:], "stderr_tail": p.stderr[-600:] if p.returncode else ""}
        except (OSError, subprocess.SubprocessError) as e:
            out[mod] = {"error": f"{type(e).__name__}: {e}"}
    return out


def run(args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.work)
    if work.exists():
        shutil.rmtree(work)
    data = work / "pages"
    apps = APPLICANTS[: args.applicants]
    t = time.perf_counter()
    folders: dict[str, dict[str, BenchPage]] = {}
    for i, a in enumerate(apps):
        folders[a.key] = {p.path.name: p for p in applicant_folder(a, data, seed=i)}  # type: ignore[union-attr]
    gen_s = time.perf_counter() - t
    n_pages = sum(len(v) for v in folders.values())
    print(f"generated {n_pages} pages in {gen_s:.0f}s under {data}", file=sys.stderr)

    peer_ok, peer_why = _peer.available()
    if args.no_peer:
        peer_ok, peer_why = False, "--no-peer"
    env = _env()
    jobs_list = [None if j == "default" else int(j) for j in args.jobs.split(",")]
    timings: dict[str, list[dict[str, object]]] = {}
    z_scores: list[PageScore] = []
    p_scores: list[PageScore] = []
    orient = {"orientation_right": 0, "orientation_pages": 0}
    for rep in range(args.repeat):
        for a in apps:
            src = data / a.key
            pages = folders[a.key]
            order = ["zcmask", "peer"] if rep % 2 == 0 else ["peer", "zcmask"]
            for tool in order:
                if tool == "peer":
                    if not peer_ok:
                        continue
                    out = work / f"peer-{a.key}-{rep}"
                    m = measure(peer_cmd(src, out, a), env=env)
                    m["pages"] = len(pages)
                    timings.setdefault("peer", []).append(m)
                    print(f"peer {a.key} rep{rep}: {m['wall']:.1f}s peak {m['peak_rss_mb']} MB", file=sys.stderr)
                    if rep == 0 and m["rc"] == 0:
                        p_scores += score_peer(pages, out)
                    if args.peer_one_thread:
                        # Tesseract's OpenMP threads by default: on some 2-CPU machines they spin
                        # against each other and make the peer 2-3x slower than with one thread.
                        m1 = measure(peer_cmd(src, work / f"peer1-{a.key}-{rep}", a),
                                     env={**env, "OMP_THREAD_LIMIT": "1"})
                        m1["pages"] = len(pages)
                        timings.setdefault(PEER_ONE_THREAD, []).append(m1)
                        print(f"peer (OMP_THREAD_LIMIT=1) {a.key} rep{rep}: {m1['wall']:.1f}s", file=sys.stderr)
                    continue
                for jobs in jobs_list:
                    label = f"zcmask --jobs {jobs}" if jobs else "zcmask (default)"
                    out = work / f"zc-{a.key}-{rep}-{jobs}"
                    m = measure(zcmask_cmd(src, out, a, jobs), env=env)
                    m["pages"] = len(pages)
                    timings.setdefault(label, []).append(m)
                    print(f"{label} {a.key} rep{rep}: {m['wall']:.1f}s peak {m['peak_rss_mb']} MB rc={m['rc']}",
                          file=sys.stderr)
                    if m["rc"] not in (0,) and not (out / "zcmask-report.json").exists():
                        print(m["stderr_tail"], file=sys.stderr)
                        continue
                    if rep == 0 and jobs == jobs_list[0]:
                        s, o = score_zcmask(pages, out)
                        z_scores += s
                        for k in orient:
                            orient[k] += o[k]  # type: ignore[operator]
                    if rep == 0 and jobs == jobs_list[0] and args.cache_rerun:
                        m2 = measure(zcmask_cmd(src, out, a, jobs), env=env)
                        m2["pages"] = len(pages)
                        print(f"  cached re-run: {m2['wall']:.1f}s", file=sys.stderr)
                        timings.setdefault(f"{label}, cached re-run", []).append(m2)

    speed: dict[str, object] = {}
    for label, ms in timings.items():
        ok = [m for m in ms if m["rc"] in (0, None) or label.startswith("zcmask")]
        spp = [float(m["wall"]) / int(m["pages"]) for m in ok]  # type: ignore[arg-type]
        cpp = [float(m["cpu"]) / int(m["pages"]) for m in ok]  # type: ignore[arg-type]
        speed[label] = {"s_per_page_median": _median(spp), "cpu_s_per_page_median": _median(cpp),
                        "folder_wall_median": _median([float(m["wall"]) for m in ok]),  # type: ignore[arg-type]
                        "pages_per_s": round(1 / statistics.median(spp), 3) if spp else None,
                        "peak_rss_mb_max": max(float(m["peak_rss_mb"]) for m in ok) if ok else None,  # type: ignore[arg-type]
                        "runs": len(ok)}
    ratios: dict[str, float | None] = {}
    cpu_ratios: dict[str, float | None] = {}
    ratios_one: dict[str, float | None] = {}
    if PEER_ONE_THREAD in speed:
        pw1 = speed[PEER_ONE_THREAD]["folder_wall_median"]  # type: ignore[index]
        ratios_one = {label: round(s["folder_wall_median"] / pw1, 3)  # type: ignore[index, operator]
                      for label, s in speed.items() if label.startswith("zcmask") and pw1}
    if "peer" in speed:
        pw = speed["peer"]["folder_wall_median"]  # type: ignore[index]
        pc = speed["peer"]["cpu_s_per_page_median"]  # type: ignore[index]
        for label, s in speed.items():
            if label.startswith("zcmask") and pw:
                ratios[label] = round(s["folder_wall_median"] / pw, 3)  # type: ignore[index, operator]
                cpu_ratios[label] = round(s["cpu_s_per_page_median"] / pc, 3) if pc else None  # type: ignore[index, operator]
    results: dict[str, object] = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run" + (" --quick" if args.quick else ""),
        "machine": _machine(),
        "pages": n_pages, "applicants": len(apps), "repeat": args.repeat,
        "generation_seconds": round(gen_s, 1),
        "zcmask": {**summarise(z_scores), "orientation_accuracy":
                   round(orient["orientation_right"] / orient["orientation_pages"], 4)
                   if orient["orientation_pages"] else None},
        "peer": ({**summarise(p_scores), "orientation_accuracy": None,
                  "config": "presidio-image-redactor + Tesseract chi_sim, NoOpNlpEngine, deny-list regexes"}
                 if peer_ok else {"unavailable": peer_why}),
        "speed": speed,
        "wall_ratio_zcmask_over_peer": ratios,
        "cpu_ratio_zcmask_over_peer": cpu_ratios,
        "wall_ratio_zcmask_over_peer_one_thread": ratios_one,
        "extra": {} if args.no_siblings else _extra_suites(args.quick, args.real_seals),
    }
    return results


def _fmt(v: object) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def markdown(r: dict[str, object]) -> str:
    z, p = r["zcmask"], r["peer"]  # type: ignore[index]
    lines = [f"# zcmask benchmark ({r['date']})", "",
             f"`{r['command']}` — {r['pages']} pages ({r['applicants']} applicant folders × 12, 200 dpi A4 JPG), "
             f"timings are medians of {r['repeat']} run(s).", "",
             "## Recall (masked = ≥95% of the instance's pixels inside a reported region and black)", "",
             "| kind / case | n | zcmask | peer |", "|---|---:|---:|---:|"]

    def rec(d: object, key: str, k: str) -> str:
        if not isinstance(d, dict) or key not in d:
            return "–"
        e = d[key].get(k)
        return "–" if not e or e["recall"] is None else f"{e['recall']:.3f} ({e['masked']}/{e['n']})"

    for k in KINDS:
        n = z["recall_per_kind"][k]["n"]  # type: ignore[index]
        lines.append(f"| **{k}** | {n} | {rec(z, 'recall_per_kind', k)} | {rec(p, 'recall_per_kind', k)} |")
    for c, e in z["recall_per_case"].items():  # type: ignore[index, union-attr]
        lines.append(f"| {c} | {e['n']} | {rec(z, 'recall_per_case', c)} | {rec(p, 'recall_per_case', c)} |")
    pz = p if isinstance(p, dict) else {}
    lines += ["", "| figure | zcmask | peer |", "|---|---:|---:|",
              f"| over-mask, mean share of page | {_fmt(z['over_mask_mean'])} | {_fmt(pz.get('over_mask_mean'))} |",  # type: ignore[index]
              f"| over-mask, worst page | {_fmt(z['over_mask_max'])} | {_fmt(pz.get('over_mask_max'))} |",  # type: ignore[index]
              f"| others wrongly hidden | {z['others_hidden']}/{z['others']} | "  # type: ignore[index]
              f"{pz.get('others_hidden', '–')}/{pz.get('others', '–')} |",
              f"| orientation accuracy | {_fmt(z['orientation_accuracy'])} | not detected |", ""]  # type: ignore[index]
    lines += ["## Speed and memory (per 12-page folder)", "",
              "| run | wall s/page | CPU s/page | folder wall s | pages/s | peak RSS MB (tree) | wall ratio vs peer | CPU ratio vs peer |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, s in r["speed"].items():  # type: ignore[union-attr]
        lines.append(f"| {label} | {_fmt(s['s_per_page_median'])} | {_fmt(s['cpu_s_per_page_median'])} | "
                     f"{_fmt(s['folder_wall_median'])} | {_fmt(s['pages_per_s'])} | {_fmt(s['peak_rss_mb_max'])} | "
                     f"{_fmt(r['wall_ratio_zcmask_over_peer'].get(label))} | "  # type: ignore[union-attr]
                     f"{_fmt(r['cpu_ratio_zcmask_over_peer'].get(label))} |")  # type: ignore[union-attr]
    one = r.get("wall_ratio_zcmask_over_peer_one_thread") or {}
    if one:
        lines += ["", "Wall ratio against the peer with Tesseract limited to one OpenMP thread "
                  "(`OMP_THREAD_LIMIT=1`): " + ", ".join(f"{k} {_fmt(v)}" for k, v in one.items()) + "."]  # type: ignore[union-attr]
    m = r["machine"]
    lines += ["", f"Machine: {m.get('Model name', '?')}, {m.get('CPU(s)', m.get('cpus'))} CPUs, "  # type: ignore[union-attr]
              f"{m.get('simd', '?')}, {m.get('memory_gb', '?')} GB, load average at start {m.get('load_avg_at_start')}; "  # type: ignore[union-attr]
              f"onnxruntime {m.get('onnxruntime', '?')}, rapidocr {m.get('rapidocr', '?')}, "
              f"{m.get('tesseract', 'tesseract ?')}.", ""]  # type: ignore[union-attr]
    for mod, res in (r.get("extra") or {}).items():  # type: ignore[union-attr]
        title = {"real_seals": "seals on real scans and photos"}.get(mod, "orientation and legibility accuracy")
        lines += [f"## {mod} ({title})", "", "```",
                  str(res.get("stdout") or res.get("error") or res)[-4000:].strip(), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one applicant folder (12 pages), one repetition")
    ap.add_argument("--applicants", type=int, default=None, help=f"folders to generate (max {len(APPLICANTS)})")
    ap.add_argument("--repeat", type=int, default=None, help="timing repetitions (median reported)")
    ap.add_argument("--jobs", default="default,2", help="zcmask --jobs values to time, comma-separated")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--peer-one-thread", action="store_true",
                    help="also time the peer with OMP_THREAD_LIMIT=1 (Tesseract on one OpenMP thread)")
    ap.add_argument("--no-siblings", action="store_true", help="skip benchmarks/orientation_legibility.py")
    ap.add_argument("--no-cache-rerun", dest="cache_rerun", action="store_false")
    ap.add_argument("--real-seals", action="store_true",
                    help="also run benchmarks/real_seals.py (real scans and photos with seals)")
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--work", default=None, help="scratch folder (default OUT/work)")
    args = ap.parse_args(argv)
    if args.applicants is None:
        args.applicants = 1 if args.quick else len(APPLICANTS)
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    args.work = args.work or str(out / "work")
    results = run(args)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
