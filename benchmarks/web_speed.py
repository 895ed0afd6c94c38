"""How long the web page's "开始识别" takes for a folder: ``python -m benchmarks.web_speed DIR``.

Starts the web application in this process (FastAPI's test client, a fresh
server per run, so the first analysis includes starting the worker processes),
uploads every JPG of ``DIR``, starts the analysis and waits for it, for each
``--workers`` value in turn (alternated over ``--repeat`` rounds). Prints the
wall time of the analysis and the number of regions found, which must not
depend on the number of workers. Needs the ``web`` extra.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path


def analyse_once(folder: Path, workers: int, name: str, units: list[str]) -> tuple[float, int, int]:
    """(seconds, pages, regions) of one analysis of ``folder`` on a fresh server."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from zcmask.options import Options
    from zcmask.web import create_app

    app = create_app(Options.build(progress=False), temp_root=Path(tempfile.mkdtemp()), workers=workers)
    with TestClient(app) as c:
        sid = c.post("/api/sessions").json()["id"]
        for f in sorted(folder.glob("*.jpg")):
            r = c.post(f"/api/sessions/{sid}/files", files=[("files", (f.name, f.read_bytes(), "image/jpeg"))])
            r.raise_for_status()
        t0 = time.perf_counter()
        job = c.post(f"/api/sessions/{sid}/analyse", json={"name": name, "units": units}).json()
        while job["state"] not in ("done", "error", "cancelled"):
            time.sleep(0.05)
            job = c.get(f"/api/jobs/{job['id']}").json()
        dt = time.perf_counter() - t0
        if job["state"] != "done":
            raise RuntimeError(f"analysis ended {job['state']}: {job['message']}")
        pages = c.get(f"/api/sessions/{sid}").json()["pages"]
    return dt, len(pages), sum(len(p["regions"]) for p in pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--name", required=True)
    ap.add_argument("--unit", action="append", default=[])
    ap.add_argument("--workers", default="1,2", help="comma-separated serve --jobs values")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    times: dict[int, list[float]] = {w: [] for w in counts}
    found: dict[int, set[int]] = {w: set() for w in counts}
    for r in range(args.repeat):
        for w in counts if r % 2 == 0 else counts[::-1]:
            dt, pages, regions = analyse_once(args.folder, w, args.name, args.unit)
            times[w].append(dt)
            found[w].add(regions)
            print(f"workers={w} round {r + 1}: {dt:.2f} s for {pages} pages, {regions} regions", flush=True)
    for w in counts:
        print(f"workers={w}: median {statistics.median(times[w]):.2f} s, regions {sorted(found[w])}")
    return 0 if len({frozenset(v) for v in found.values()}) == 1 else 1


if __name__ == "__main__":  # the worker processes import this module again: keep the run here
    raise SystemExit(main())
