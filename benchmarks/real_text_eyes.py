"""Names, units, eyes and orientation on real public scans and photos.

Run from the repository root:

    .venv/bin/python -m benchmarks.real_text_eyes [--quick] [--json FILE]
    .venv/bin/python -m benchmarks.real_text_eyes --from-mirror /path/to/mirrors   # recreate local files

Images and labels are listed in ``benchmarks/real/text_eyes/manifest.json``:
committed files (permissive licences) sit beside it; items marked ``local``
(no licence, GPL, or private persons' ID cards) are read from the git-ignored
``benchmarks/data/text_eyes/`` and skipped when absent. Labels of private
persons (names on ID cards) live only in ``benchmarks/data/text_eyes/labels.json``.

Reported:

- eye bands: faces covered (a band per labelled face) and false bands per page;
- orientation: share of (page, turn) pairs read right, each labelled page
  turned by 0/90/180/270 (``--quick``: 0 and 90);
- name and unit occurrence recall: OCR once per upright page, then the text
  locator; each labelled occurrence counts when a region of its kind covers it.

Run it with ``PYTHONPATH=<other tree>/src`` to measure another version: it
uses only public functions (``find_eyes``, ``read_orientation``, ``find_identity``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also run as a script: python benchmarks/real_text_eyes.py
    sys.path.insert(0, str(ROOT))

from benchmarks._mirror import blob, git_dir  # noqa: E402

REAL = ROOT / "benchmarks" / "real" / "text_eyes"
LOCAL = ROOT / "benchmarks" / "data" / "text_eyes"


def load_items(manifest: Path | None = None) -> tuple[list[dict], int]:
    """The labelled items whose file is present, and how many are missing.

    ``manifest``: another manifest of the same schema (a held-out set); its ``local``
    files are read from the manifest's own folder.
    """
    if manifest is not None:
        man = json.loads(manifest.read_text("utf-8"))
        items = [{**it, "path": manifest.parent / it["local"]} for it in man["items"]]
        return [it for it in items if it["path"].exists()], sum(not it["path"].exists() for it in items)
    man = json.loads((REAL / "manifest.json").read_text("utf-8"))
    extra = {}
    if (LOCAL / "labels.json").exists():
        extra = json.loads((LOCAL / "labels.json").read_text("utf-8"))
    items, missing = [], 0
    for it in man["items"]:
        path = REAL / it["file"] if "file" in it else LOCAL / it["local"]
        if not path.exists():
            missing += 1
            continue
        it = {**it, **extra.get(it.get("file") or it.get("local"), {}), "path": path}
        items.append(it)
    return items, missing


def from_mirror(mirrors: Path) -> None:
    """Copy the local-only files out of git mirrors (``owner+name/repo`` directories)."""
    man = json.loads((REAL / "manifest.json").read_text("utf-8"))
    for it in man["items"]:
        if "local" not in it:
            continue
        src = man["sources"][it["source"]]
        git = git_dir(mirrors, src["repository"].split("github.com/")[1])
        dest = LOCAL / it["local"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = blob(git, src["commit"], f"{src['path']}{it['orig']}")
        dest.write_bytes(data)
        print("wrote", dest)


def rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@dataclass(frozen=True)
class Upload:
    """How each stored page is changed before a run: shrunk to ``max_side`` px, re-saved at JPEG ``jpeg``."""

    max_side: int | None = None
    jpeg: int | None = None

    def page(self, it: dict) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
        """The item's stored page as uploaded, and its labelled eye boxes scaled with it."""
        from benchmarks.real_seals import (
            recompressed_plane,
            scaled_box,
            scaled_plane,
            shrink_factor,
        )

        img, eyes = rgb(it["path"]), [tuple(b) for b in it.get("eyes", ())]
        k = shrink_factor(img, self.max_side) if self.max_side else 1.0
        if k < 1:
            img, eyes = scaled_plane(img, k), [scaled_box(b, k) for b in eyes]
        if self.jpeg is not None:
            img = recompressed_plane(img, self.jpeg)
        return img, eyes


def bench_eyes(items: list[dict], upload: Upload = Upload()) -> dict:
    """Eye bands against the labelled faces of each page, run on the upright page.

    Where an item labels its ``eyes`` (a box around both eyes of each face, stored pixels),
    a face counts only when a band covers 90% of that box, and a band that touches no
    labelled eye box is false; otherwise bands are counted against ``faces``.
    """
    from benchmarks.real_seals import _upright
    from zcmask.locate.faces import find_eyes

    faces = covered = false = 0
    per: dict[str, int] = {}
    misses: list[str] = []
    for it in items:
        n = int(it.get("faces", 0))
        img, eyes = _upright(*upload.page(it), int(it.get("rotation", 0)))
        bands = [tuple(int(v) for v in r.bbox) for r in find_eyes(img)]
        faces += n
        per[it["path"].name] = len(bands)
        if not eyes:
            covered += min(n, len(bands))
            false += max(0, len(bands) - n)
            continue
        for e in eyes:
            area = max(1, (e[2] - e[0]) * (e[3] - e[1]))
            best = max((max(0, min(b[2], e[2]) - max(b[0], e[0])) * max(0, min(b[3], e[3]) - max(b[1], e[1]))
                        for b in bands), default=0)
            covered += best >= 0.9 * area
            if best < 0.9 * area:
                misses.append(f"{it['path'].name}: {e} ({best / area:.0%})")
        false += sum(not any(min(b[2], e[2]) > max(b[0], e[0]) and min(b[3], e[3]) > max(b[1], e[1])
                             for e in eyes) for b in bands)
    pages = len(items)
    return {"pages": pages, "faces": faces, "faces_covered": covered, "false_bands": false,
            "false_bands_per_40_pages": round(40 * false / max(1, pages), 2), "bands_per_page": per,
            "misses": misses}


def bench_orientation(items: list[dict], turns: tuple[int, ...], upload: Upload = Upload()) -> dict:
    from zcmask.ocr import get_engine
    from zcmask.quality.orientation import read_orientation

    eng = get_engine("rapidocr")
    right = total = 0
    wrong: list[str] = []
    blank: list[str] = []
    for it in items:
        if "rotation" not in it:
            continue
        img = upload.page(it)[0]
        if int(img.min()) >= 245:  # a blank image (one ID-card source is pure white) has no way up
            blank.append(it["path"].name)
            continue
        # label = how the stored file is turned; turning it clockwise by t adds t
        for t in turns:
            turned = np.ascontiguousarray(np.rot90(img, k=-t // 90)) if t else img
            want = (int(it["rotation"]) + t) % 360
            got = read_orientation(turned, engine=eng).orientation.rotation
            total += 1
            right += got == want
            if got != want:
                wrong.append(f"{it['path'].name}@{t}: {got}")
    return {"pairs": total, "right": right, "accuracy": round(right / max(1, total), 4), "wrong": wrong,
            "blank_pages_skipped": blank}


def bench_text(items: list[dict], upload: Upload = Upload()) -> dict:
    from benchmarks.real_seals import _upright
    from zcmask.locate import find_identity
    from zcmask.ocr import get_engine
    from zcmask.options import Identity, Unit

    eng = get_engine("rapidocr")
    out = {"name": [0, 0], "unit": [0, 0]}
    misses: list[str] = []
    for it in items:
        names, units = it.get("names", {}), it.get("units", {})
        if not names and not units:
            continue
        img = _upright(upload.page(it)[0], [], int(it.get("rotation", 0)))[0]
        lines = eng.recognize(img)
        h, w = img.shape[:2]
        for kind, labels in (("name", names), ("unit", units)):
            for text, count in labels.items():
                ident = (Identity(name=text, units=()) if kind == "name"
                         else Identity(name="无关人员", units=(Unit(name=text),)))
                regs = [r for r in find_identity(lines, ident, (w, h), signatures=False) if r.kind == kind]
                # one region per line touched: count occurrences, capped by the label
                found = min(int(count), len(regs))
                out[kind][0] += found
                out[kind][1] += int(count)
                if found < int(count):
                    misses.append(f"{it['path'].name}: {kind} {found}/{count}")
    return {k: {"found": v[0], "total": v[1], "recall": round(v[0] / max(1, v[1]), 4)} for k, v in out.items()} | {
        "misses": misses}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="orientation: turns 0 and 90 only")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--from-mirror", type=Path, default=None)
    ap.add_argument("--part", choices=("all", "eyes", "orientation", "text"), default="all")
    ap.add_argument("--manifest", type=Path, default=None, help="another manifest (a held-out set)")
    ap.add_argument("--max-side", type=int, metavar="PX",
                    help="shrink every page to PX on its longest side first (an upload made smaller)")
    ap.add_argument("--jpeg", type=int, metavar="Q",
                    help="save every page once more as JPEG at quality Q (a re-compressed upload; after --max-side)")
    a = ap.parse_args(argv)
    upload = Upload(a.max_side, a.jpeg)
    if a.from_mirror:
        from_mirror(a.from_mirror)
        return 0
    items, missing = load_items(a.manifest)
    t0 = time.perf_counter()
    res: dict = {"pages": len(items), "local_missing": missing}
    if a.part in ("all", "eyes"):
        res["eyes"] = bench_eyes(items, upload)
    if a.part in ("all", "text"):
        res["text"] = bench_text(items, upload)
    if a.part in ("all", "orientation"):
        res["orientation"] = bench_orientation(items, (0, 90) if a.quick else (0, 90, 180, 270), upload)
    res["seconds"] = round(time.perf_counter() - t0, 1)
    text = json.dumps(res, ensure_ascii=False, indent=1)
    print(text)
    if a.json:
        a.json.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
