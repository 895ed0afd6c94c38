"""Unit and name TEXT on real documents (``benchmarks/real/unit_text``).

The sources are the real seal corpus (``benchmarks/real/seals``: invoices, contracts, an
audit report page, a bureau notice, certificates, screenshots and phone photos; provenance
in its ``manifest.json``). ``real/unit_text/labels.json`` records, per source, every
occurrence of the profile's unit (full name or alias) and name printed as text, outside
seal rings (those are scored by :mod:`benchmarks.real_seals`).

Each source is masked with ``zcmask.api.mask`` at default options, with the profile as the
applicant's facts. An occurrence is **covered** when at least 95% of its ink (the dark
pixels of its box or parts, Otsu's threshold) lies in reported regions and is black in
the output (the rule of :mod:`benchmarks._score`). **Over-mask** is the share of the page
blacked outside every labelled occurrence and labelled seal.

    python -m benchmarks.real_unit_text                 # upright sources
    python -m benchmarks.real_unit_text --rot90         # also each source turned 90 degrees
    python -m benchmarks.real_unit_text --only invoice  # sources whose id contains "invoice"
    python -m benchmarks.real_unit_text --json out.json

Sources whose image is missing (git-ignored local files under ``benchmarks/data``; recreate
them with ``python -m benchmarks.real_seals --fetch``) are skipped and counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
LABELS = HERE / "real" / "unit_text" / "labels.json"
SEAL_LABELS = HERE / "real" / "seals" / "labels.json"
COVERED = 0.95  # benchmarks._score.MASKED_SHARE
BLACK_MAX = 48  # benchmarks._score.BLACK_MAX


@dataclass(frozen=True)
class Occurrence:
    """One labelled occurrence: kind, text, box, parts and ink on the upright source."""

    kind: str
    text: str
    note: str
    bbox: tuple[int, int, int, int]
    ink: np.ndarray  # (H, W) bool on the upright source


@dataclass(frozen=True)
class Source:
    """One labelled source image with its profile, occurrences and seal boxes."""

    id: str
    image: np.ndarray
    profile: dict
    occurrences: tuple[Occurrence, ...]
    seal_boxes: tuple[tuple[int, int, int, int], ...]


def occurrence_ink(img: np.ndarray, parts: list[list[int]]) -> np.ndarray:
    """The dark pixels (Otsu's threshold inside each part box) of an occurrence."""
    h, w = img.shape[:2]
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    m = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in parts:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        sub = gray[y0:y1, x0:x1]
        if sub.size == 0:
            continue
        t, _ = cv2.threshold(sub, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        ink = sub <= t
        if ink.sum() < 4:
            ink = np.ones_like(sub, bool)
        m[y0:y1, x0:x1] |= ink
    return m


def load(only: str | None = None, labels: Path | None = None,
         seal_labels: Path | None = None) -> tuple[list[Source], list[str]]:
    """Every labelled source whose image is present, and the ids of those missing.

    A source stored turned (``rotation`` degrees clockwise, boxes in stored pixels) is
    turned upright first, boxes with it.
    """
    from benchmarks.real_seals import _upright

    data = json.loads((labels or LABELS).read_text("utf-8"))
    seals = {s["id"]: s for s in json.loads((seal_labels or SEAL_LABELS).read_text("utf-8"))["images"]}
    out: list[Source] = []
    missing: list[str] = []
    for item in data["sources"]:
        if only and only not in item["id"]:
            continue
        path = HERE / item["file"]
        if not path.exists():
            missing.append(item["id"])
            continue
        img = np.asarray(Image.open(path).convert("RGB"))
        turned = int(item.get("rotation", 0)) % 360
        seal_item = seals.get(item["id"], {})
        turned = turned or int(seal_item.get("rotation", 0)) % 360
        stored = img
        img, _ = _upright(stored, [], turned)
        occ = tuple(Occurrence(o["kind"], o["text"], o.get("note", ""), tuple(_upright(stored, [o["bbox"]], turned)[1][0]),
                               occurrence_ink(img, _upright(stored, o.get("parts") or [o["bbox"]], turned)[1]))
                    for o in item["occurrences"])
        boxes = tuple(_upright(stored, [tuple(s["bbox"]) for s in seal_item.get("seals", ())], turned)[1])
        out.append(Source(item["id"], img, item["profile"], occ, boxes))
    return out, missing


def _box_mask(shape: tuple[int, int], boxes) -> np.ndarray:
    h, w = shape
    m = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in boxes:
        m[max(0, int(y0)):max(0, int(y1)), max(0, int(x0)):max(0, int(x1))] = True
    return m


def _ocr_near(lines, box: tuple[int, int, int, int]) -> str:
    """What OCR read over an occurrence (the lines overlapping it), for the failure table."""
    got = []
    for ln in lines:
        b = ln.bbox
        ix = min(b[2], box[2]) - max(b[0], box[0])
        iy = min(b[3], box[3]) - max(b[1], box[1])
        if ix > 0 and iy > 0.3 * (box[3] - box[1]):
            got.append(ln.text)
    return " | ".join(got) if got else "-"


def run_source(src: Source, work: Path, turn: int = 0) -> dict:
    """Mask one source (turned ``turn`` degrees clockwise) and score its occurrences."""
    from zcmask.api import mask
    from zcmask.options import Identity, Options, Unit

    ident = Identity(name=src.profile["name"], aliases=tuple(src.profile.get("aliases", ())),
                     units=tuple(Unit(name=u["name"], aliases=tuple(u.get("aliases", ())))
                                 for u in src.profile["units"]))
    img = src.image if turn == 0 else np.ascontiguousarray(np.rot90(src.image, k=-turn // 90))
    d = work / f"{src.id}-{turn}"
    d.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(d / "page.png")
    t0 = time.perf_counter()
    report = mask([d / "page.png"], work / f"out-{src.id}-{turn}",
                  Options.build(identity=ident, cache=False, progress=False))
    dt = time.perf_counter() - t0
    page = report.files[0].pages[0]
    out = np.asarray(Image.open(page.output).convert("RGB"))
    h, w = src.image.shape[:2]
    frame_ok = page.rotation == turn and out.shape[:2] == (h, w)
    regions = [tuple(int(v) for v in r.bbox) for r in page.regions]
    hidden = _box_mask(out.shape[:2], regions) & (out.max(axis=2) <= BLACK_MAX)
    rows = []
    for o in src.occurrences:
        n = int(o.ink.sum())
        share = float(hidden[o.ink].sum()) / n if frame_ok and n else 0.0
        if share >= COVERED:
            why = "covered"
        elif not frame_ok:
            why = "orientation"
        elif share < 0.05:
            why = "not_found"
        else:
            why = "partly_covered"
        rows.append({"kind": o.kind, "text": o.text, "note": o.note, "bbox": list(o.bbox),
                     "covered": round(share, 3), "mode": why, "ocr": ""})
    if frame_ok:
        zone = _box_mask((h, w), [o.bbox for o in src.occurrences] + list(src.seal_boxes))
        over = float((hidden & ~zone).sum()) / float(h * w)
    else:
        over = float(hidden.mean())
    return {"source": src.id, "turn": turn, "rotation": page.rotation, "frame_ok": frame_ok,
            "seconds": round(dt, 2), "occurrences": rows, "over_mask": round(over, 5),
            "regions": [(r.kind, r.source, r.text) for r in page.regions]}


def summarise(results: list[dict]) -> dict:
    """Recall per kind (and per turn), failure modes, over-mask mean and max."""
    occ = [(r["turn"], o) for r in results for o in r["occurrences"]]
    per: dict[str, dict[str, int]] = {}
    for turn, o in occ:
        for key in (o["kind"], f"{o['kind']}/turn{turn}"):
            d = per.setdefault(key, {"n": 0, "covered": 0})
            d["n"] += 1
            d["covered"] += o["mode"] == "covered"
    for d in per.values():
        d["recall"] = round(d["covered"] / d["n"], 4) if d["n"] else None
    over = [r["over_mask"] for r in results]
    return {"sources": len({r["source"] for r in results}), "pages": len(results),
            "occurrences": len(occ), "recall": per,
            "failures": dict(Counter(o["mode"] for _, o in occ if o["mode"] != "covered")),
            "over_mask_mean": round(float(np.mean(over)), 5) if over else None,
            "over_mask_max": round(float(np.max(over)), 5) if over else None,
            "seconds": round(sum(r["seconds"] for r in results), 1)}


def downscaled(src: Source, side: int) -> Source:
    """The source shrunk to ``side`` px on its longest side (an upload made smaller), with its labels."""
    from dataclasses import replace

    from benchmarks.real_seals import scaled_box, scaled_plane, shrink_factor

    k = shrink_factor(src.image, side)
    if k >= 1:
        return src
    occ = tuple(replace(o, bbox=scaled_box(o.bbox, k), ink=scaled_plane(o.ink, k)) for o in src.occurrences)
    return replace(src, image=scaled_plane(src.image, k), occurrences=occ,
                   seal_boxes=tuple(scaled_box(b, k) for b in src.seal_boxes))


def recompressed(src: Source, quality: int) -> Source:
    """The source saved once more as JPEG at ``quality`` (an upload re-compressed); labels unchanged."""
    from dataclasses import replace

    from benchmarks.real_seals import recompressed_plane

    return replace(src, image=recompressed_plane(src.image, quality))


def restyled(src: Source, how: Callable[[np.ndarray], np.ndarray]) -> Source:
    """The source's image passed through ``how`` (a grey copy, a phone photo: geometry unchanged); labels unchanged."""
    from dataclasses import replace

    return replace(src, image=how(src.image))


def run(only: str | None = None, rot90: bool = False, verbose: bool = True, diagnose: bool = True,
        labels: Path | None = None, seal_labels: Path | None = None, max_side: int | None = None,
        jpeg: int | None = None, gray: bool = False, phone: bool = False) -> dict:
    """Load, mask and score every source; returns ``{"summary", "results", "missing"}``."""
    sources, missing = load(only, labels, seal_labels)
    if gray or phone:
        from benchmarks.real_seals import gray_copy, phone_copy

        sources = [restyled(s, gray_copy) for s in sources] if gray else sources
        sources = [restyled(s, phone_copy) for s in sources] if phone else sources
    if max_side is not None:
        sources = [downscaled(s, max_side) for s in sources]
    if jpeg is not None:
        sources = [recompressed(s, jpeg) for s in sources]
    engine = None
    if diagnose:
        from zcmask.ocr import get_engine

        engine = get_engine()
    results = []
    with tempfile.TemporaryDirectory(prefix="zcmask-real-unit-text-") as tmp:
        for src in sources:
            lines = None
            for turn in ((0, 90) if rot90 else (0,)):
                r = run_source(src, Path(tmp), turn)
                if engine is not None and any(o["mode"] != "covered" for o in r["occurrences"]):
                    lines = lines if lines is not None else engine.recognize(src.image)
                    r = {**r, "occurrences": [
                        {**o, "ocr": _ocr_near(lines, tuple(o["bbox"])) if o["mode"] != "covered" else ""}
                        for o in r["occurrences"]]}
                results.append(r)
                if verbose:
                    got = sum(o["mode"] == "covered" for o in r["occurrences"])
                    print(f"{r['source']:<28} turn={turn:<3} {got}/{len(r['occurrences'])} "
                          f"over={r['over_mask']:.4f} {r['seconds']:.1f}s", file=sys.stderr)
    return {"summary": summarise(results), "results": results, "missing": missing}


def print_table(res: dict) -> None:
    """Recall per kind, then one row per missed occurrence."""
    s = res["summary"]
    print(f"real unit text: {s['sources']} sources, {s['pages']} pages, {s['occurrences']} occurrences"
          f" ({len(res['missing'])} sources missing)")
    for k, d in sorted(s["recall"].items()):
        print(f"  {k:<12} {d['covered']:>3}/{d['n']:<3} recall {d['recall']:.1%}")
    print(f"  over-mask mean {s['over_mask_mean']:.4f}, max {s['over_mask_max']:.4f};"
          f" failures {s['failures']}")
    miss = [(r, o) for r in res["results"] for o in r["occurrences"] if o["mode"] != "covered"]
    if miss:
        print(f"\n{'source':<26} {'turn':>4} {'kind':<5} {'cov':>5} {'why':<15} text / note / OCR read")
        for r, o in miss:
            print(f"{r['source']:<26} {r['turn']:>4} {o['kind']:<5} {o['covered']:>5.2f} {o['mode']:<15} "
                  f"{o['text']} / {o['note']} / OCR: {o['ocr']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="sources whose id contains this")
    ap.add_argument("--rot90", action="store_true", help="also run each source turned 90 degrees")
    ap.add_argument("--json", type=Path, help="write the full results here")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--labels", type=Path, help="another labels file (same schema), e.g. a held-out set")
    ap.add_argument("--seal-labels", type=Path, help="the seal labels of those sources (for over-mask)")
    ap.add_argument("--max-side", type=int, metavar="PX",
                    help="shrink every source to PX on its longest side first (an upload made smaller)")
    ap.add_argument("--jpeg", type=int, metavar="Q",
                    help="save every source once more as JPEG at quality Q (a re-compressed upload; after --max-side)")
    ap.add_argument("--gray", action="store_true",
                    help="run every source as a grey copy (a photocopy or a grey scan; before --max-side)")
    ap.add_argument("--phone", action="store_true",
                    help="run every source as the seal benchmark's phone variant (uneven light, blur, JPEG q50)")
    a = ap.parse_args(argv)
    res = run(a.only, a.rot90, verbose=not a.quiet, labels=a.labels, seal_labels=a.seal_labels,
              max_side=a.max_side, jpeg=a.jpeg, gray=a.gray, phone=a.phone)
    print_table(res)
    if a.json:
        a.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
