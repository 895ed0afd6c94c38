"""Benchmark of the pre-upload check's orientation and legibility decisions.

Run from the repository root (a few minutes on two cores with the real OCR)::

    python benchmarks/orientation_legibility.py             # both parts
    python benchmarks/orientation_legibility.py --part orientation --pages 12
    python benchmarks/orientation_legibility.py --part legibility --cache /tmp/zc-bench

**Orientation.** Synthetic pages in every layout of
:data:`zcsynth._degrade.LAYOUTS` (blank centres, tables, landscape,
photos, digits only, one line) are turned 0/90/180/270 and detected three ways:
the classifier alone (stock centre crop, and our ink-window crops), OCR evidence
alone, and the combination that the pipeline uses. Prints accuracy, a confusion
table and seconds per page.

**Legibility.** Clean pages and the same pages degraded by blur, downscaling,
darkening, washing out, low contrast, motion blur and JPEG artefacts at three
strengths. The label comes from OCR: character error rate (CER) of the degraded
page's text against the clean page's text; CER <= 0.2 is legible, > 0.5 is
illegible, in between is borderline and left out of the accuracy. OCR
normalises contrast far better than a reader's eye, so exposure degradations
whose ink-to-paper difference falls under 25 grey levels (10 % of full scale)
are labelled illegible whatever the OCR read. Prints a confusion table, per
degradation results, and the clean-page false-error count.

``--cache DIR`` keeps OCR results between runs (for calibrating thresholds).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from zcmask.ocr import get_engine
from zcmask.quality.legibility import assess_legibility
from zcmask.quality.orientation import classifier_probs, read_orientation
from zcsynth._degrade import DEGRADATIONS, LAYOUTS, degrade, layout_page, turn

ROT = (0, 90, 180, 270)


class CachedEngine:
    """Wraps the real engine and memoises ``recognize`` by image hash (benchmark only)."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.inner = get_engine("rapidocr")
        self.dir = cache_dir
        if cache_dir:
            cache_dir.mkdir(parents=True, exist_ok=True)

    def _key(self, kind: str, arrays) -> Path | None:  # type: ignore[no-untyped-def]
        if not self.dir:
            return None
        h = hashlib.sha1(kind.encode())
        for a in arrays:
            h.update(str(a.shape).encode())
            h.update(np.ascontiguousarray(a).tobytes())
        return self.dir / f"{h.hexdigest()}.pkl"

    def _memo(self, kind, arrays, fn):  # type: ignore[no-untyped-def]
        p = self._key(kind, arrays)
        if p is not None and p.exists():
            return pickle.loads(p.read_bytes())
        out = fn()
        if p is not None:
            p.write_bytes(pickle.dumps(out))
        return out

    def recognize(self, image):  # type: ignore[no-untyped-def]
        return self._memo("rec", [image], lambda: self.inner.recognize(image))

    def recognize_lines(self, crops):  # type: ignore[no-untyped-def]
        return self._memo("lines", list(crops), lambda: self.inner.recognize_lines(crops))


def _confusion(pairs: list[tuple[int, int]], labels) -> str:  # type: ignore[no-untyped-def]
    c = Counter(pairs)
    head = "true\\pred " + " ".join(f"{p:>5}" for p in labels)
    rows = [head] + [f"{t:>9} " + " ".join(f"{c[(t, p)]:>5}" for p in labels) for t in labels]
    return "\n".join(rows)


def orientation_bench(n_pages: int, dpi: int, engine: CachedEngine, seed: int) -> None:
    methods = ("classifier_centre", "classifier", "ocr", "combined")
    pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    wrong: list[str] = []
    t_comb: list[float] = []
    t_cls: list[float] = []
    for i in range(n_pages):
        layout = LAYOUTS[i % len(LAYOUTS)]
        page = layout_page(layout, seed + i, dpi=dpi)
        base = page.image
        if i >= 24:  # the third dozen: low-resolution faxes/thumbnails, where OCR struggles
            base = degrade(base, "downscale", 0.6)
        elif i % 3 == 1:  # a third of the pages are mildly degraded, like real phone photos or scans
            base = degrade(base, "jpeg", 0.8)
        elif i % 3 == 2:
            base = degrade(base, "dark", 0.45)
        for rot in ROT:
            img = turn(base, rot)
            p = classifier_probs(img, centre_only=True)
            pairs["classifier_centre"].append((rot, ROT[int(np.argmax(p))] if p is not None else 0))
            t = time.perf_counter()
            r = read_orientation(img, method="classifier").orientation
            t_cls.append(time.perf_counter() - t)
            pairs["classifier"].append((rot, r.rotation))
            r = read_orientation(img, engine=engine, method="ocr").orientation  # type: ignore[arg-type]
            pairs["ocr"].append((rot, r.rotation))
            t = time.perf_counter()
            rd = read_orientation(img, engine=engine)  # type: ignore[arg-type]
            t_comb.append(time.perf_counter() - t)
            pairs["combined"].append((rot, rd.orientation.rotation))
            for m in methods:
                if pairs[m][-1][0] != pairs[m][-1][1]:
                    wrong.append(f"{m}: {layout}#{seed + i} turned {rot} -> {pairs[m][-1][1]}")
            print(f"  {layout:12s} rot {rot:3d}: combined {rd.orientation.rotation:3d} "
                  f"({rd.orientation.confidence:.2f}, {rd.orientation.source}) {t_comb[-1]:.2f}s",
                  file=sys.stderr, flush=True)
    print(f"\n## Orientation: {n_pages} pages x 4 rotations = {4 * n_pages} cases, {dpi} dpi")
    for m in methods:
        acc = np.mean([a == b for a, b in pairs[m]])
        print(f"{m:18s} accuracy {acc:.4f}")
    for m in methods:
        print(f"\n{m}:\n{_confusion(pairs[m], ROT)}")
    print("\nerrors:\n  " + ("\n  ".join(wrong) if wrong else "none"))
    print(f"\nclassifier seconds/page: mean {np.mean(t_cls):.3f}")
    print(f"combined seconds/page (includes the one OCR the pipeline reuses): mean {np.mean(t_comb):.2f}, "
          f"max {np.max(t_comb):.2f}")


def _cer(ref: str, hyp: str) -> float:
    """Character error rate: Levenshtein distance / len(ref)."""
    ref = "".join(ref.split())
    hyp = "".join(hyp.split())
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = np.arange(len(hyp) + 1)
    for i, rc in enumerate(ref, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        eq = np.array([rc == hc for hc in hyp], dtype=bool)
        sub = prev[:-1] + (~eq)
        for j in range(1, len(hyp) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, sub[j - 1])
        prev = cur
    return min(1.0, float(prev[-1]) / len(ref))


def _text(lines) -> str:  # type: ignore[no-untyped-def]
    return "".join(ln.text for ln in sorted(lines, key=lambda ln: (round(ln.bbox[1] / 20), ln.bbox[0])))


def _exposure_contrast(kind: str, s: float, paper: float) -> float:
    """Ink-to-paper grey-level difference after an exposure degradation (ink 0, paper ``paper``)."""
    two = np.array([[[0, 0, 0], [paper, paper, paper]]], np.uint8)
    out = degrade(two, kind, s).astype(float)
    return float(out[0, 1, 0] - out[0, 0, 0])


LEG_LAYOUTS = ("dense", "two_column", "scanned", "table", "photo", "top_only", "small_print")


def legibility_bench(n_pages: int, dpi: int, engine: CachedEngine, seed: int,
                     strengths: tuple[float, ...] = (0.5, 0.8, 1.0)) -> None:
    rows = []
    t_leg: list[float] = []
    for i in range(n_pages):
        layout = LEG_LAYOUTS[i % len(LEG_LAYOUTS)]
        page = layout_page(layout, seed + 100 + i, dpi=dpi)
        clean_lines = engine.recognize(page.image)
        ref = _text(clean_lines)
        paper = float(np.percentile(page.image.mean(axis=2), 90))
        cases = [("clean", 0.0, page.image)]
        cases += [(k, s, degrade(page.image, k, s)) for k in DEGRADATIONS for s in strengths]
        for kind, s, img in cases:
            lines = engine.recognize(img) if kind != "clean" else clean_lines
            cer = _cer(ref, _text(lines)) if kind != "clean" else 0.0
            label = "legible" if cer <= 0.2 else "illegible" if cer > 0.5 else "borderline"
            if kind in ("dark", "washed", "low_contrast") and _exposure_contrast(kind, s, paper) < 25:
                label = "illegible"
            t = time.perf_counter()
            leg, _ = assess_legibility(img, lines, dpi)
            t_leg.append(time.perf_counter() - t)
            m = dict(leg.metrics)
            rows.append((layout, kind, s, cer, label, leg))
            print(f"  {layout:11s} {kind:12s} {s:.2f} cer {cer:.2f} {label:10s} -> "
                  f"{'legible' if leg.legible else 'ILLEGIBLE'} {leg.score:.2f} {','.join(leg.reasons):22s} "
                  f"paper {m.get('paper', 0):5.0f} ink {m.get('ink', 0):5.0f} char {m.get('char_px', 0):5.1f} "
                  f"edge {m.get('edge_px', float('nan')):5.2f} chars {m.get('chars', 0):4.0f} "
                  f"lowc {m.get('lowconf', 0):.2f} pedge {m.get('page_edge_px', float('nan')):5.2f} "
                  f"read {m.get('read_share', 0):.2f} pdpi {m.get('page_dpi', 0):4.0f} ink% {m.get('ink_share', 0):.3f}",
                  file=sys.stderr, flush=True)
    print(f"\n## Legibility: {n_pages} clean pages x (1 + {len(DEGRADATIONS)} degradations x "
          f"{len(strengths)} strengths) = {len(rows)} cases, {dpi} dpi")
    scored = [(r[4], "legible" if r[5].legible else "illegible") for r in rows if r[4] != "borderline"]
    c = Counter(scored)
    print("true\\pred   legible illegible")
    for t in ("legible", "illegible"):
        print(f"{t:10s} {c[(t, 'legible')]:8d} {c[(t, 'illegible')]:9d}")
    acc = np.mean([a == b for a, b in scored]) if scored else float("nan")
    print(f"accuracy (borderline left out): {acc:.4f} on {len(scored)} cases; "
          f"borderline {sum(r[4] == 'borderline' for r in rows)}")
    clean = [r for r in rows if r[1] == "clean"]
    print(f"clean pages flagged: {sum(not r[5].legible for r in clean)} of {len(clean)}")
    extreme = [r for r in rows if r[1] == "clean" or (r[2] == 1.0 and r[1] != "jpeg")]
    ex_acc = np.mean([(r[1] == "clean") == r[5].legible for r in extreme])
    print(f"held-out style (clean vs strength 1.0 blur/downscale/dark/washed/low_contrast/motion): "
          f"accuracy {ex_acc:.4f} on {len(extreme)}")
    print("\nper degradation (label -> predicted, reasons):")
    by = defaultdict(list)
    for r in rows:
        by[(r[1], r[2])].append(r)
    for (k, s), rs in sorted(by.items()):
        labs = Counter(r[4] for r in rs)
        pred = Counter("legible" if r[5].legible else "illegible" for r in rs)
        reasons = Counter(x for r in rs for x in r[5].reasons)
        print(f"  {k:12s} {s:.2f}: labels {dict(labs)} predicted {dict(pred)} reasons {dict(reasons)} "
              f"mean CER {np.mean([r[3] for r in rs]):.2f}")
    print(f"\nassess_legibility seconds/page: mean {np.mean(t_leg):.3f}")


def timing_bench(n_pages: int, dpi: int, seed: int) -> None:
    """Seconds per page: plain OCR of the upright page vs orientation + reused OCR (no cache)."""
    eng = get_engine("rapidocr")
    rows = []
    for i, layout in enumerate(("top_only", "table", "sparse", "dense")[:n_pages]):
        page = layout_page(layout, seed + 50 + i, dpi=dpi)
        for rot in ROT:
            img = turn(page.image, rot)
            t = time.perf_counter()
            eng.recognize(page.image)
            t_ocr = time.perf_counter() - t
            t = time.perf_counter()
            rd = read_orientation(img, engine=eng)
            t_all = time.perf_counter() - t
            reread = 0.0
            if rd.lines is None:  # the pipeline would OCR the chosen rotation again
                t = time.perf_counter()
                eng.recognize(page.image)
                reread = time.perf_counter() - t
            rows.append((layout, rot, t_ocr, t_all + reread, rd.orientation.source))
            print(f"  {layout:9s} {rot:3d}: OCR alone {t_ocr:.2f}s, orientation+OCR {t_all + reread:.2f}s "
                  f"({rd.orientation.source})", file=sys.stderr, flush=True)
    ocr = np.array([r[2] for r in rows])
    tot = np.array([r[3] for r in rows])
    print(f"\n## Timing: {len(rows)} pages at {dpi} dpi (no cache)")
    print(f"OCR of the upright page alone: mean {ocr.mean():.2f} s/page")
    print(f"orientation + the OCR the pipeline reuses: mean {tot.mean():.2f} s/page "
          f"(overhead {np.mean(tot - ocr):+.2f} s, {100 * np.mean(tot / ocr - 1):+.0f} %)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("orientation", "legibility", "timing", "both"), default="both")
    ap.add_argument("--pages", type=int, default=36, help="orientation: pages (x4 rotations)")
    ap.add_argument("--leg-pages", type=int, default=4, help="legibility: clean pages")
    ap.add_argument("--dpi", type=int, default=100, help="orientation pages' resolution")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", type=Path, default=None, help="keep OCR results here between runs")
    a = ap.parse_args(argv)
    engine = CachedEngine(a.cache)
    t0 = time.perf_counter()
    if a.part in ("orientation", "both"):
        orientation_bench(a.pages, a.dpi, engine, a.seed)
    if a.part in ("legibility", "both"):
        legibility_bench(a.leg_pages, 200, engine, a.seed)
    if a.part == "timing":
        timing_bench(min(a.pages, 4), 200, a.seed)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
