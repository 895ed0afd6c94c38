"""Benchmark of ``check --fix`` on phone photos, and of legibility on labelled pages.

Run from the repository root (a few minutes on two cores with the real OCR)::

    python benchmarks/phone_photos.py                 # both parts
    python benchmarks/phone_photos.py --part fix --pages 6
    python benchmarks/phone_photos.py --part legibility

**Fix.** Synthetic documents (公示, 承诺书, 职称证书 rendered with PyMuPDF's
``china-s`` font, one with a red seal) are "photographed" by
:func:`zcsynth._phone.phone_photo`: perspective, a desk (wood, dark, light
grey), light fall-off, a soft shadow, warm tint, noise and JPEG. Each photo is
OCR'd as is and after :func:`zcmask.quality._flatten.flatten`; the tables give
the character error rate (CER) against the printed text, the applicant's
name/unit occurrences found by :func:`zcmask.locate.find_identity`, whether the
seal stayed red, and the seconds per page spent flattening. Flat scans (clean
renders and ``scanned``-look pages) must come back as the same array.

**Curled pages** (``--part curl``): a full page of running text (26 lines,
the name and unit among them) and the three templates, rendered with PyMuPDF's
``china-s``, bent by :func:`zcsynth._curl.curl_page` (``arc``: a rolled
certificate, ``wave``: a sheet that lay folded, ``spine``: a book page) and then
photographed. Each photo is flattened with and without the ``dewarp`` step; the
table gives the lines' bow (:func:`zcmask.quality._dewarp.line_straightness`, pixels
of the page), CER, name/unit occurrences found, and the seconds of the dewarp step.
The straight phone photos of the fix part must not get a ``dewarp`` step.

**Real photos** (``--real DIR``, see ``benchmarks/real/photos/MANIFEST.md``): no
known text, so the table gives the characters OCR read with confidence >= 0.8
before and after, and the steps applied.

**Legibility.** Pages labelled by construction, as a reader would: clean pages,
fixed phone photos and mild degradations are legible; text a few grey levels
from the paper, pages shrunk until only the title survives, heavy blur are not.
Cases in between are borderline: listed, not scored. Prints the confusion table.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from dataclasses import dataclass

import numpy as np

from zcmask.locate import find_identity
from zcmask.ocr import get_engine
from zcmask.options import Identity, Unit
from zcmask.quality._flatten import flatten
from zcmask.quality.legibility import assess_legibility
from zcsynth import render
from zcsynth._degrade import degrade, layout_page
from zcsynth._phone import BACKGROUNDS, phone_photo

NAME, UNIT = "王建国", "巴州供电公司"
IDENT = Identity(name=NAME, units=(Unit(name=UNIT),))
TEMPLATES = ("公示", "承诺书", "职称证书")


def cer(got: str, want: str) -> float:
    """Character error rate: Levenshtein distance over the length of ``want`` (spaces ignored)."""
    a, b = "".join(got.split()), "".join(want.split())
    if not b:
        return 0.0 if not a else 1.0
    prev = np.arange(len(b) + 1)
    for i, ca in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        sub = prev[:-1] + (np.frombuffer(b.encode("utf-32-le"), np.uint32) != ord(ca))
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, sub[j - 1])
        prev = cur
    return float(prev[-1]) / len(b)


def char_error(got: str, want: str) -> float:
    """Share of the printed characters OCR missed, ignoring reading order (multiset difference)."""
    from collections import Counter

    w = Counter("".join(want.split()))
    g = Counter("".join(got.split()))
    n = sum(w.values())
    return sum((w - g).values()) / n if n else 0.0


def _jpeg(a: np.ndarray, q: int = 85) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()


def _with_seal(img: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    from zcsynth._seals import COLORS, SealSpec, seal_ink, stamp

    h, w = img.shape[:2]
    return stamp(img, seal_ink(SealSpec(UNIT, size=int(w * 0.22))), (w * 0.7, h * 0.42), COLORS["red"])


def _red_share(img: np.ndarray) -> float:
    """Share of clearly red pixels (seal ink) on a page."""
    a = img.astype(np.int16)
    return float(np.mean((a[..., 0] > 120) & (a[..., 0] - a[..., 1] > 60) & (a[..., 0] - a[..., 2] > 60)))


@dataclass
class FixRow:
    page: str
    cer_before: float
    cer_after: float
    miss_before: float
    miss_after: float
    found_before: int
    found_after: int
    truth: int
    seconds: float
    steps: str
    red_before: float
    red_after: float


def _found(engine, img: np.ndarray) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    lines = engine.recognize(img)
    h, w = img.shape[:2]
    regions = find_identity(lines, IDENT, (w, h))
    return "".join(ln.text for ln in lines), sum(1 for r in regions if r.kind in ("name", "unit"))


def run_fix(pages: int) -> int:
    engine = get_engine("rapidocr")
    rows: list[FixRow] = []
    k = 0
    for t_i, tpl in enumerate(TEMPLATES):
        sp = render(tpl, NAME, UNIT)
        img = sp.image
        if tpl == "公示":
            img, _ = _with_seal(img)
        truth_text = "".join(ln.text for ln in sp.lines)
        truth = sum(1 for tr in sp.truths if tr.kind in ("name", "unit"))
        for b_i, (bg, hard) in enumerate((*((b, False) for b in BACKGROUNDS), ("wood", True), ("grey", True))):
            if k >= pages:
                break
            k += 1
            seed = 10 * t_i + b_i
            # "hard": a strong tilt, a deep shadow and a smaller photo (an older phone, further away).
            ph = (phone_photo(img, seed=seed, background=bg, size=1600, tilt=0.12, shadow=0.6, gradient=0.4)
                  if hard else phone_photo(img, seed=seed, background=bg, size=2400))
            bg = f"{bg}, hard" if hard else bg
            t0 = time.perf_counter()
            fl = flatten(ph.image)
            dt = time.perf_counter() - t0
            txt0, f0 = _found(engine, ph.image)
            txt1, f1 = _found(engine, fl.image)
            rows.append(FixRow(f"{tpl}/{bg}", cer(txt0, truth_text), cer(txt1, truth_text),
                               char_error(txt0, truth_text), char_error(txt1, truth_text), f0, f1, truth, dt,
                               "+".join(s.step for s in fl.steps), _red_share(ph.image), _red_share(fl.image)))
    print(f"\n## Fix: {len(rows)} synthetic phone photos (2400x1800 px; hard: 1600x1200 px)\n")
    print("| page | steps | CER before | CER after | missed chars before | after | name/unit found before | after "
          "| printed | red before | red after | s/page |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.page} | {r.steps} | {r.cer_before:.3f} | {r.cer_after:.3f} | {r.miss_before:.3f} "
              f"| {r.miss_after:.3f} | {r.found_before} | {r.found_after} "
              f"| {r.truth} | {r.red_before:.4f} | {r.red_after:.4f} | {r.seconds:.2f} |")
    if rows:
        print(f"\nmean CER {np.mean([r.cer_before for r in rows]):.3f} -> {np.mean([r.cer_after for r in rows]):.3f}; "
              f"missed chars {np.mean([r.miss_before for r in rows]):.3f} -> {np.mean([r.miss_after for r in rows]):.3f}; "
              f"name/unit found {sum(r.found_before for r in rows)} -> {sum(r.found_after for r in rows)} "
              f"of {sum(r.truth for r in rows)}; pages with fewer after: "
              f"{sum(r.found_after < r.found_before for r in rows)}; "
              f"flatten {np.mean([r.seconds for r in rows]):.2f} s/page")
    # Flat scans must come back untouched.
    scans = [render(t, NAME, UNIT).image for t in TEMPLATES]
    scans += [layout_page(lay, 5).image for lay in ("dense", "table", "scanned", "photo", "landscape")]
    scans += [_jpeg(s) for s in scans[:3]]
    same = sum(flatten(s).image is s for s in scans)
    print(f"\nflat scans left untouched: {same} of {len(scans)}")
    return 0


_BOOK = [
    "[王建国]同志自参加工作以来，始终坚持在电力生产一线，认真履行岗位职责。",
    "负责变电站运行维护管理，组织完成设备检修及技术改造项目共计十二项。",
    "主持编制输电线路施工方案，解决现场关键技术难题，保障了工程按期投运。",
    "在[巴州供电公司]工作期间，参与完成了多项重点工程的设计与验收工作。",
    "近五年发表专业论文两篇，获得实用新型专利一项，取得了较好的经济效益。",
    "年度考核结果均为合格以上，继续教育学时达到规定要求，具备申报条件。",
    "该同志注重理论联系实际，积极开展技术创新，带领班组完成多项攻关任务。",
    "经[巴州供电公司]研究决定，同意推荐其申报工程系列电力专业中级职称。",
    "参与水利工程建设项目的质量检测与验收工作，严格执行国家有关技术标准。",
    "组织开展安全生产培训十余次，培训人员三百余人次，安全生产形势稳定。",
    "负责配电网自动化改造项目的技术方案编制，提高了供电可靠性和服务水平。",
    "[王建国]同志工作认真负责，团结同事，服从安排，具有较强的组织协调能力。",
    "主持完成的科技项目获得公司科技进步三等奖，相关成果已在生产中推广应用。",
]


def book_page() -> object:
    """A page of running text, 26 lines at 12 pt, with the name and the unit among them."""
    from zcsynth import text_page

    rows: list[tuple[str, str | None, str]] = []
    for i in range(26):
        t = _BOOK[i % len(_BOOK)]
        kind = "name" if "[王建国]" in t else "unit" if "[" in t else None
        rows.append((t, kind, "running_text"))
    return text_page(rows, template="book")


def _found_distinct(engine, img: np.ndarray) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Like :func:`_found`, but a region reported twice with the same box counts once."""
    lines = engine.recognize(img)
    h, w = img.shape[:2]
    regions = {(r.kind, tuple(r.bbox)) for r in find_identity(lines, IDENT, (w, h)) if r.kind in ("name", "unit")}
    return "".join(ln.text for ln in lines), len(regions)


def run_curl(pages: int) -> int:
    from zcmask.quality._dewarp import line_straightness
    from zcsynth._curl import curl_page

    engine = get_engine("rapidocr")
    sources = [("书页", book_page())] + [(t, render(t, NAME, UNIT)) for t in TEMPLATES]
    cases = [(n, sp, kind, amt) for n, sp in sources[:1] for kind, amt in (("arc", 0.02), ("arc", 0.035),
                                                                          ("wave", 0.015), ("spine", 0.04))]
    cases += [(n, sp, kind, 0.03) for (n, sp), kind in zip(sources[1:], ("arc", "wave", "spine"), strict=True)]
    rows = []
    for i, (name, sp, kind, amt) in enumerate(cases[:pages]):
        truth_text = "".join(ln.text for ln in sp.lines)
        truth = sum(1 for tr in sp.truths if tr.kind in ("name", "unit"))
        curled = curl_page(sp.image, amount=amt, kind=kind, seed=i)
        ph = phone_photo(curled, seed=60 + i, background=BACKGROUNDS[i % 3], size=2400, tilt=0.05)
        flat = flatten(ph.image, dewarp=False)
        t0 = time.perf_counter()
        fl = flatten(ph.image)
        dt = time.perf_counter() - t0
        dw = [st for st in fl.steps if st.step == "dewarp"]
        txt0, f0 = _found_distinct(engine, ph.image)
        txt1, f1 = _found_distinct(engine, flat.image)
        txt2, f2 = _found_distinct(engine, fl.image)
        rows.append((f"{name}/{kind} {amt:.1%}", "+".join(st.step for st in fl.steps),
                     line_straightness(flat.image)[0], line_straightness(fl.image)[0],
                     cer(txt0, truth_text), cer(txt1, truth_text), cer(txt2, truth_text),
                     char_error(txt1, truth_text), char_error(txt2, truth_text), f0, f1, f2, truth, dt,
                     dict(dw[0].params).get("max_shift", 0.0) if dw else 0.0))
    print(f"\n## Curled pages: {len(rows)} synthetic phone photos (2400x1800 px)\n")
    print("| page | steps | bow without dewarp | with | CER as taken | flattened | +dewarp | missed chars flattened "
          "| +dewarp | name/unit as taken | flattened | +dewarp | printed | flatten s | shift px |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.3f} | {r[5]:.3f} | {r[6]:.3f} | {r[7]:.3f} "
              f"| {r[8]:.3f} | {r[9]} | {r[10]} | {r[11]} | {r[12]} | {r[13]:.2f} | {r[14]} |")
    if rows:
        print(f"\ndewarped {sum('dewarp' in r[1] for r in rows)} of {len(rows)}; "
              f"mean CER {np.mean([r[4] for r in rows]):.3f} as taken, {np.mean([r[5] for r in rows]):.3f} flattened, "
              f"{np.mean([r[6] for r in rows]):.3f} with dewarp; name/unit found {sum(r[9] for r in rows)} / "
              f"{sum(r[10] for r in rows)} / {sum(r[11] for r in rows)} of {sum(r[12] for r in rows)}; pages with "
              f"fewer after dewarp than as taken: {sum(r[11] < r[9] for r in rows)}, than flattened: "
              f"{sum(r[11] < r[10] for r in rows)}")
    # Straight phone photos and flat scans must not be dewarped.
    straight = 0
    for t_i, tpl in enumerate(TEMPLATES):
        img = render(tpl, NAME, UNIT).image
        for b_i, bg in enumerate(BACKGROUNDS):
            ph = phone_photo(img, seed=10 * t_i + b_i, background=bg, size=2400)
            straight += any(st.step == "dewarp" for st in flatten(ph.image).steps)
    bp = book_page().image
    for b_i, bg in enumerate(BACKGROUNDS):
        straight += any(st.step == "dewarp" for st in flatten(phone_photo(bp, seed=b_i, background=bg,
                                                                           size=2400).image).steps)
    print(f"\nstraight phone photos dewarped: {straight} of {3 * len(TEMPLATES) + 3}")
    scans = [render(t, NAME, UNIT).image for t in TEMPLATES] + [bp]
    scans += [layout_page(lay, 5).image for lay in ("dense", "table", "scanned", "photo", "landscape")]
    same = sum(flatten(s).image is s for s in scans)
    print(f"flat scans left untouched: {same} of {len(scans)}")
    return 0


def run_real(folder: str) -> int:
    from pathlib import Path

    from zcmask.documents import load_page

    engine = get_engine("rapidocr")
    files = sorted(p for p in Path(folder).glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    print(f"\n## Real phone photos: {len(files)} from {folder}\n")
    from zcmask.quality._dewarp import line_straightness

    print("| file | size | steps | confident chars before | after | line bow flattened without dewarp | with "
          "| s/page |\n|---|---|---|---|---|---|---|---|")
    for f in files:
        img = load_page(f, 0).image
        t0 = time.perf_counter()
        fl = flatten(img)
        dt = time.perf_counter() - t0

        def sure(a: np.ndarray) -> int:
            return sum(1 for ln in engine.recognize(a) for c in ln.chars if c.score >= 0.8)

        print(f"| {f.name} | {img.shape[1]}x{img.shape[0]} | {'+'.join(s.step for s in fl.steps) or '-'} "
              f"| {sure(img)} | {sure(fl.image)} | {line_straightness(flatten(img, dewarp=False).image)[0]:.1f} "
              f"| {line_straightness(fl.image)[0]:.1f} | {dt:.2f} |")
    return 0


def _faint(img: np.ndarray, delta: float, seed: int) -> np.ndarray:
    a = img.astype(np.float32) / 255.0
    out = 200 - (1 - a) * delta + np.random.default_rng(seed).normal(0, 2.0, a.shape[:2])[..., None]
    return _jpeg(np.clip(out, 0, 255).astype(np.uint8))


def _shrink(img: np.ndarray, f: float) -> np.ndarray:
    from PIL import Image

    h, w = img.shape[:2]
    return _jpeg(np.asarray(Image.fromarray(img).resize((round(w * f), round(h * f)), Image.Resampling.BILINEAR)))


def labelled_pages() -> list[tuple[str, np.ndarray, bool | None]]:
    """(name, page, label) with label None for borderline pages."""
    out: list[tuple[str, np.ndarray, bool | None]] = []
    for seed, lay in enumerate(("dense", "two_column", "table", "sparse")):
        pg = layout_page(lay, seed).image
        out.append((f"{lay} clean", pg, True))
        for d, lab in ((4, False), (8, False), (14, False), (25, None), (60, True)):
            out.append((f"{lay} text {d} grey levels from paper", _faint(pg, d, seed), lab))
        for f, lab in ((0.5, True), (0.25, None), (0.11, False)):
            out.append((f"{lay} shrunk to {f:.0%}", _shrink(pg, f), lab))
        out.append((f"{lay} heavy blur", degrade(pg, "blur", 0.8), False))
    for t_i, tpl in enumerate(TEMPLATES):
        img = render(tpl, NAME, UNIT).image
        ph = phone_photo(img, seed=50 + t_i, background=BACKGROUNDS[t_i % 3], size=2400)
        out.append((f"{tpl} phone photo, fixed", flatten(ph.image).image, True))
        out.append((f"{tpl} phone photo as taken", ph.image, True))
    return out


def run_legibility() -> int:
    engine = get_engine("rapidocr")
    conf = {(a, b): 0 for a in (True, False) for b in (True, False)}
    border, wrong = [], []
    for name, img, lab in labelled_pages():
        leg, _ = assess_legibility(img, engine.recognize(img), 200)
        if lab is None:
            border.append(f"{name}: judged {'legible' if leg.legible else 'illegible'} {list(leg.reasons)}")
            continue
        conf[(lab, leg.legible)] += 1
        if lab != leg.legible:
            wrong.append(f"{name}: label {lab}, judged {leg.legible} {list(leg.reasons)}")
    n = sum(conf.values())
    ok = conf[(True, True)] + conf[(False, False)]
    print(f"\n## Legibility: {n} labelled pages (+{len(border)} borderline)\n")
    print("| label \\ judged | legible | illegible |\n|---|---|---|")
    print(f"| legible | {conf[(True, True)]} | {conf[(True, False)]} |")
    print(f"| illegible | {conf[(False, True)]} | {conf[(False, False)]} |")
    print(f"\naccuracy {ok}/{n} = {ok / max(n, 1):.1%}")
    for w in wrong:
        print(f"- wrong: {w}")
    print("\nborderline (not scored):")
    for b in border:
        print(f"- {b}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("fix", "curl", "legibility", "both", "none"), default="both")
    ap.add_argument("--pages", type=int, default=15, help="phone photos in the fix part")
    ap.add_argument("--real", help="a folder of real phone photos (benchmarks/data/photos)")
    a = ap.parse_args(argv)
    if a.real:
        run_real(a.real)
    if a.part in ("fix", "both"):
        run_fix(a.pages)
    if a.part == "curl":
        run_curl(a.pages)
    if a.part in ("legibility", "both"):
        run_legibility()
    return 0


if __name__ == "__main__":
    sys.exit(main())
