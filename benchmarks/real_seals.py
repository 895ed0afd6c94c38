"""Seal benchmark on real scans and photos (``benchmarks/real/seals``).

Each labelled source image (a real scan, phone photo or rendered e-invoice,
named with repository, path, commit and licence in ``real/seals/manifest.json``)
is run through ``zcmask mask`` as it is and as derived variants that reproduce
the failure modes seen on real uploads:

- ``rot90``: the page turned 90 degrees clockwise (mask must write it upright);
- ``gray``: a grey photocopy (no stamp colour, lower contrast, noise);
- ``clip``: the page cropped through the middle of the first unit seal;
- ``pink``: a pink printed background pattern and a pale watermark;
- ``phone``: uneven light, blur, a warm cast and heavy JPEG.

Scoring follows the held-out judge (:mod:`benchmarks._score`): a seal of the
applicant (``unit`` or ``name``) is **covered** when >= 95% of its ink lies in
reported regions and is black in the output; an ``authority`` seal is **kept**
when at most half of its ink is masked. A **false seal** is a masked seal
region that overlaps no labelled seal. Failure modes are counted per seal.

    python -m benchmarks.real_seals                  # all cases, real ring OCR
    python -m benchmarks.real_seals --only invoice   # cases whose id contains "invoice"
    python -m benchmarks.real_seals --fetch          # recreate benchmarks/data/real_seals/ (network)

Images that are not committed (no or a copyleft licence) live under the
git-ignored ``benchmarks/data/real_seals/``; cases whose file is missing are
skipped and counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
LABELS = HERE / "real" / "seals" / "labels.json"
MANIFEST = HERE / "real" / "seals" / "manifest.json"
MUST_MASK = ("unit", "name")
COVERED = 0.95
BLACK_MAX = 48


@dataclass(frozen=True)
class Seal:
    """A labelled seal on a case page: its class, box and ink pixels."""

    cls: str
    bbox: tuple[int, int, int, int]
    ink: np.ndarray  # (H, W) bool on the upright case page


@dataclass(frozen=True)
class Case:
    """One page to mask: the image as given, the profile and the seals in the upright frame."""

    id: str
    variant: str
    image: np.ndarray
    rotation: int  # how far the given page is turned clockwise
    profile: dict
    seals: tuple[Seal, ...]


# --- variants -----------------------------------------------------------------------------


def _seal_ink(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Ink pixels of a seal: stamp colour inside its box (or dark pixels on a grey page)."""
    from zcmask.locate._seal_find import ink_mask

    h, w = img.shape[:2]
    x0, y0, x1, y1 = box
    m = np.zeros((h, w), bool)
    sub = img[y0:y1, x0:x1]
    ink = ink_mask(sub)
    if ink.sum() < 30:
        ink = sub.min(axis=2) < 140
    # an ellipse inside the box, so table rules and print at the corners do not count
    yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0]
    cx, cy, a, b = (x1 - x0) / 2, (y1 - y0) / 2, max(1, (x1 - x0) / 2), max(1, (y1 - y0) / 2)
    inside = ((xx - cx) / a) ** 2 + ((yy - cy) / b) ** 2 <= 1.08
    if (ink & inside).sum() >= 30:
        ink = ink & inside
    m[y0:y1, x0:x1] = ink
    return m


def gray_copy(img: np.ndarray) -> np.ndarray:
    """``img`` as a grey copy: a photocopier's washed-out grey, its levels lifted, with noise (RGB out)."""
    rng = np.random.default_rng(7)
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g = 40 + g * 0.78 + rng.normal(0, 6, g.shape)
    g = np.clip(g, 0, 255).astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=2)


def _pink(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    wave = 0.5 + 0.5 * np.sin(xx / 7.0 + 3 * np.sin(yy / 23.0)) * np.sin(yy / 9.0)
    pattern = (wave > 0.72).astype(np.float32) * 0.22 + 0.10
    pink = np.array([236, 150, 175], np.float32)
    out = img.astype(np.float32)
    out = out * (1 - pattern[..., None]) + pink * pattern[..., None]
    # a large pale watermark disc in the middle
    mark = np.zeros((h, w), np.uint8)
    cv2.circle(mark, (w // 2, h // 2), int(0.3 * min(h, w)), 1, int(0.04 * min(h, w)))
    out[mark > 0] = out[mark > 0] * 0.85 + np.array([250, 200, 210]) * 0.15
    return np.clip(out, 0, 255).astype(np.uint8)


def phone_copy(img: np.ndarray) -> np.ndarray:
    """``img`` as a phone photo: light falling off from the top left, warm cast, blur, JPEG q50."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.72 + 0.28 * (1 - ((xx / w - 0.3) ** 2 + (yy / h - 0.2) ** 2))
    out = img.astype(np.float32) * np.clip(light, 0.6, 1.0)[..., None]
    out = out * np.array([1.0, 0.95, 0.86], np.float32)
    out = cv2.GaussianBlur(np.clip(out, 0, 255).astype(np.uint8), (0, 0), 1.1)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 50])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB) if ok else out


def _clip_window(img: np.ndarray, seals: list[dict]) -> tuple[int, int, int, int]:
    h, w = img.shape[:2]
    first = next(s for s in seals if s["class"] in MUST_MASK)
    x0, _, x1, _ = first["bbox"]
    if (x0 + x1) / 2 > w / 2:
        return (0, 0, int(x0 + 0.55 * (x1 - x0)), h)
    return (int(x0 + 0.45 * (x1 - x0)), 0, w, h)


def _upright(img: np.ndarray, boxes: list[tuple[int, int, int, int]], rotation: int):
    """Turn a page stored ``rotation`` degrees clockwise back upright, with its boxes."""
    k = (rotation // 90) % 4
    out = [tuple(int(v) for v in b) for b in boxes]
    for _ in range(k):  # one counter-clockwise quarter turn per step
        h, w = img.shape[:2]
        img = np.ascontiguousarray(np.rot90(img, k=1))
        out = [(y0, w - x1, y1, w - x0) for x0, y0, x1, y1 in out]
    return img, out


#: The variants a case can be run as (``orig`` is the page as stored).
VARIANTS = ("orig", "rot90", "gray", "pink", "phone", "clip")


def build_cases(only: str | None = None, labels: Path | None = None,
                variants: Sequence[str] | None = None) -> tuple[list[Case], list[str]]:
    """Every labelled case whose source file is present, and the ids of those missing.

    A labels file may give an image's ``rotation`` (how far it is stored turned clockwise,
    boxes in stored pixels): it is then run as stored and scored in the upright frame.
    ``variants``, when given, replaces every image's own list (``orig`` is run only if named):
    a held-out set's pages as grey copies, say.
    """
    data = json.loads((labels or LABELS).read_text("utf-8"))
    cases: list[Case] = []
    missing: list[str] = []
    for item in data["images"]:
        path = HERE / item["file"]
        names = list(variants) if variants else ["orig", *item.get("variants", [])]
        if only and only not in item["id"]:
            continue
        if not path.exists():
            missing += [f"{item['id']}/{v}" for v in names]
            continue
        stored = np.asarray(Image.open(path).convert("RGB"))
        turned = int(item.get("rotation", 0)) % 360
        base, boxes = _upright(stored, [tuple(s["bbox"]) for s in item["seals"]], turned)
        inks = [(s["class"], box, _seal_ink(base, box)) for s, box in zip(item["seals"], boxes, strict=True)]
        for v in names:
            img, rot, labels = base, 0, inks
            if turned and v == "orig":
                img, rot = stored, turned
            if v == "rot90":
                img, rot = np.ascontiguousarray(np.rot90(base, k=-1)), 90
            elif v == "gray":
                img = gray_copy(base)
            elif v == "pink":
                img = _pink(base)
            elif v == "phone":
                img = phone_copy(base)
            elif v == "clip":
                if not any(s["class"] in MUST_MASK for s in item["seals"]):
                    continue  # nothing of the unit's to clip round
                cx0, cy0, cx1, cy1 = _clip_window(base, item["seals"])
                img = np.ascontiguousarray(base[cy0:cy1, cx0:cx1])
                labels = []
                for cls, (x0, y0, x1, y1), ink in inks:
                    sub = ink[cy0:cy1, cx0:cx1]
                    # a sliver of someone else's seal left in the window is still a seal:
                    # kept as a label, so finding it is not counted as a false seal
                    if sub.sum() >= (0.05 if cls == "other" else 0.25) * max(1, ink.sum()) and sub.any():
                        box = (max(0, x0 - cx0), max(0, y0 - cy0), min(cx1 - cx0, x1 - cx0), min(cy1 - cy0, y1 - cy0))
                        labels.append((cls, box, sub))
            seals = tuple(Seal(c, b, k) for c, b, k in labels)
            cases.append(Case(item["id"], v, img, rot, item["profile"], seals))
    return cases, missing


# --- running and scoring ------------------------------------------------------------------


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Intersection over the smaller box."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / max(1, small)


def run_case(case: Case, work: Path, engine: str = "rapidocr") -> dict:
    """Mask one case with zcmask and score it; returns a JSON-able dict."""
    from zcmask.api import mask
    from zcmask.options import Identity, Options, Unit

    ident = Identity(name=case.profile["name"], aliases=tuple(case.profile.get("aliases", ())),
                     units=tuple(Unit(name=u["name"], aliases=tuple(u.get("aliases", ())))
                                 for u in case.profile["units"]))
    src = work / f"{case.id}-{case.variant}"
    src.mkdir(parents=True, exist_ok=True)
    Image.fromarray(case.image).save(src / "page.jpg", quality=92)
    t0 = time.perf_counter()
    report = mask([src / "page.jpg"], work / f"out-{case.id}-{case.variant}",
                  Options.build(identity=ident, ocr_engine=engine, cache=False, progress=False))
    dt = time.perf_counter() - t0
    page = report.files[0].pages[0]
    out = np.asarray(Image.open(page.output).convert("RGB")) if page.output else None
    frame_ok = page.rotation == case.rotation
    regions = [tuple(int(v) for v in r.bbox) for r in page.regions]
    h, w = (out.shape[:2] if out is not None else (0, 0))
    reg = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in regions:
        reg[max(0, y0):y1, max(0, x0):x1] = True
    black = out.max(axis=2) <= BLACK_MAX if out is not None else reg
    hidden = reg & black
    seals_out: list[dict] = []
    for s in case.seals:
        near = [ss for ss in page.seals if _overlap(tuple(ss.bbox), s.bbox) >= 0.3]
        if not frame_ok or s.ink.shape != hidden.shape:
            share = 0.0
        else:
            share = float(hidden[s.ink].mean()) if s.ink.any() else 0.0
        if s.cls in MUST_MASK:
            if share >= COVERED:
                mode = "covered"
            elif not frame_ok:
                mode = "orientation"
            elif not near:
                mode = "not_found"
            elif any(not ss.masked for ss in near):
                mode = "kept_as_" + next(ss.owner for ss in near if not ss.masked)
            else:
                mode = "partly_covered"
        elif s.cls == "authority":
            if not frame_ok:
                mode = "orientation"
            elif share <= 0.5:
                mode = "kept"
            else:
                owners = {ss.owner for ss in near if ss.masked}
                mode = "masked_as_applicant" if "applicant" in owners else (
                    "masked_unreadable" if "unknown" in owners else "masked_by_text")
        else:
            mode = "other"
        seals_out.append({"class": s.cls, "bbox": list(s.bbox), "covered": round(share, 3), "mode": mode,
                          "read": [ss.text for ss in near]})
    false = [ss for ss in page.seals if ss.masked and not any(
        _overlap(tuple(ss.bbox), s.bbox) >= 0.2 for s in case.seals)] if frame_ok else []
    return {"case": f"{case.id}/{case.variant}", "seconds": round(dt, 2), "rotation": page.rotation,
            "frame_ok": frame_ok, "seals": seals_out, "false_seals": len(false),
            "false_read": [ss.text for ss in false],
            "issues": [i.code for i in page.issues]}


def summarise(results: list[dict]) -> dict:
    """Totals: unit-seal recall, authority seals kept, false seals, failure modes, per variant."""
    must = [s for r in results for s in r["seals"] if s["class"] in MUST_MASK]
    auth = [s for r in results for s in r["seals"] if s["class"] == "authority"]
    by_variant: dict[str, dict[str, int]] = {}
    for r in results:
        v = r["case"].split("/")[1]
        d = by_variant.setdefault(v, {"must": 0, "covered": 0, "authority": 0, "kept": 0})
        for s in r["seals"]:
            if s["class"] in MUST_MASK:
                d["must"] += 1
                d["covered"] += s["mode"] == "covered"
            elif s["class"] == "authority":
                d["authority"] += 1
                d["kept"] += s["mode"] == "kept"
    return {
        "cases": len(results),
        "unit_seals": len(must), "unit_covered": sum(s["mode"] == "covered" for s in must),
        "unit_recall": round(sum(s["mode"] == "covered" for s in must) / max(1, len(must)), 3),
        "authority_seals": len(auth), "authority_kept": sum(s["mode"] == "kept" for s in auth),
        "authority_kept_share": round(sum(s["mode"] == "kept" for s in auth) / max(1, len(auth)), 3),
        "false_seals": sum(r["false_seals"] for r in results),
        "unit_failures": dict(Counter(s["mode"] for s in must if s["mode"] != "covered")),
        "authority_failures": dict(Counter(s["mode"] for s in auth if s["mode"] != "kept")),
        "by_variant": by_variant,
        "seconds": round(sum(r["seconds"] for r in results), 1),
    }


def _recompressed(case: Case, quality: int) -> Case:
    """The case with its page saved once more as JPEG at ``quality`` (an upload re-compressed)."""
    from dataclasses import replace

    return replace(case, image=recompressed_plane(case.image, quality), variant=f"{case.variant}@q{quality}")


def recompressed_plane(image: np.ndarray, quality: int) -> np.ndarray:
    """``image`` (RGB) saved once as JPEG at ``quality`` and read back."""
    import io

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def scaled_plane(plane: np.ndarray, k: float) -> np.ndarray:
    """``plane`` scaled by ``k``: an image by area, a bool mask (labelled ink) to its nearest pixels.

    Each plane is scaled from its own shape, so the upright-frame ink of a page stored turned
    keeps matching the page once turned back.
    """
    import cv2

    h, w = plane.shape[:2]
    size = (max(1, round(w * k)), max(1, round(h * k)))
    if plane.dtype == bool:
        return np.asarray(cv2.resize(plane.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0)
    return np.asarray(cv2.resize(plane, size, interpolation=cv2.INTER_AREA))


def scaled_box(box: tuple[int, ...], k: float) -> tuple[int, int, int, int]:
    """A label box scaled by ``k``, rounded to whole pixels."""
    x0, y0, x1, y1 = (int(round(v * k)) for v in box)
    return x0, y0, x1, y1


def shrink_factor(image: np.ndarray, side: int) -> float:
    """How much to scale ``image`` for ``side`` px on its longest side (1.0: it is no longer)."""
    return min(1.0, side / max(image.shape[:2]))


def _downscaled(case: Case, side: int) -> Case:
    """The case with its page shrunk to ``side`` px on its longest side (an upload made smaller), boxes and ink too."""
    from dataclasses import replace

    k = shrink_factor(case.image, side)
    if k >= 1:
        return case
    seals = tuple(replace(s, bbox=scaled_box(s.bbox, k), ink=scaled_plane(s.ink, k)) for s in case.seals)
    return replace(case, image=scaled_plane(case.image, k), seals=seals, variant=f"{case.variant}@{side}px")


def run(only: str | None = None, engine: str = "rapidocr", verbose: bool = True,
        labels: Path | None = None, jpeg: int | None = None, max_side: int | None = None,
        variants: Sequence[str] | None = None) -> dict:
    """Build the cases, mask each and return ``{"summary": ..., "cases": [...], "missing": [...]}``."""
    cases, missing = build_cases(only, labels, variants)
    if max_side is not None:
        cases = [_downscaled(c, max_side) for c in cases]
    if jpeg is not None:
        cases = [_recompressed(c, jpeg) for c in cases]
    results = []
    with tempfile.TemporaryDirectory(prefix="zcmask-real-seals-") as tmp:
        for c in cases:
            r = run_case(c, Path(tmp), engine)
            results.append(r)
            if verbose:
                modes = " ".join(f"{s['class']}:{s['mode']}({s['covered']:.2f})" for s in r["seals"])
                print(f"{r['case']:<28} rot={r['rotation']:<3} {modes} false={r['false_seals']} "
                      f"{r['seconds']:.1f}s", file=sys.stderr)
    return {"summary": summarise(results), "cases": results, "missing": missing}


# --- fetching -------------------------------------------------------------------------------


def fetch(mirror: Path | None = None) -> int:
    """Recreate the uncommitted sources under ``benchmarks/data/real_seals/``; returns how many failed."""
    data = json.loads(LABELS.read_text("utf-8"))
    files = {i["id"]: HERE / i["file"] for i in data["images"]}
    failed = 0
    for src in json.loads(MANIFEST.read_text("utf-8"))["sources"]:
        dest = files[src["id"]]
        if src["committed"] or dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            if mirror is not None:
                from benchmarks._mirror import blob as mirror_blob
                from benchmarks._mirror import git_dir

                blob = mirror_blob(git_dir(mirror, src["repo"]), src["commit"], src["path"])
            else:
                from urllib.parse import quote

                url = (f"https://raw.githubusercontent.com/{src['repo']}/{src['commit']}/"
                       f"{quote(src['path'])}")
                with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 - fixed https host
                    blob = resp.read()
            tmp = dest.with_suffix(dest.suffix + ".part")
            tmp.write_bytes(blob)
            tmp.replace(dest)
            print(f"fetched {dest.relative_to(HERE)}", file=sys.stderr)
        except Exception as e:  # noqa: BLE001 - report and go on with the others
            failed += 1
            print(f"could not fetch {src['id']}: {e}", file=sys.stderr)
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.real_seals", description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="run only cases whose source id contains this")
    ap.add_argument("--fetch", action="store_true", help="recreate the uncommitted source images first")
    ap.add_argument("--mirror", type=Path, help="with --fetch: read from local git mirrors (owner+name/repo)")
    ap.add_argument("--json", type=Path, help="write the full result here")
    ap.add_argument("--labels", type=Path, help="another labels file (same schema), e.g. a held-out set")
    ap.add_argument("--jpeg", type=int, metavar="Q",
                    help="save every case page once more as JPEG at quality Q first (a re-compressed upload)")
    ap.add_argument("--max-side", type=int, metavar="PX",
                    help="shrink every case page to PX on its longest side first (an upload made smaller; before --jpeg)")
    ap.add_argument("--variant", action="append", choices=VARIANTS, metavar="NAME",
                    help="run every image as this variant instead of its own list (repeatable; "
                         f"one of {', '.join(VARIANTS)}), e.g. a held-out set as grey copies")
    args = ap.parse_args(argv)
    if args.fetch and fetch(args.mirror):
        return 1
    res = run(args.only, labels=args.labels, jpeg=args.jpeg, max_side=args.max_side, variants=args.variant)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), "utf-8")
    print(json.dumps(res["summary"], ensure_ascii=False, indent=1))
    if res["missing"]:
        print(f"{len(res['missing'])} cases skipped, source missing (run with --fetch)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
