"""Locating benchmark: recall per case and over-mask for names and units, with real OCR.

Run: .venv/bin/python -m benchmarks.locating [--pages N] [--seed S] [--distort] [--fonts] [--other-names]
[--layouts]

Pages come from :func:`zcsynth.locating_pages` (every case of the locating
issue, other people's names beside them), or with ``--layouts`` from
:func:`zcsynth.layout_pages` (layouts those pages never draw). With ``--distort`` each page is also
skewed by up to ±1.5°, slightly blurred and noised, like a scan. Scoring follows
the held-out rule: an instance counts when >= 95% of its ink lies inside reported
regions and is black in the output JPG.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from zcmask import api
from zcmask.options import Identity, Options, Unit
from zcsynth import distort, layout_pages, locating_pages, score_page
from zcsynth._degrade import degrade

#: Names and units the page generator never uses, for a held-out style run (``--other-names``).
OTHER_HAN = ["孙悦", "欧阳娜娜", "苏日娜", "钟离春", "邓超然", "石磊", "叶未央", "庞士元"]
OTHER_TRANSLITERATED = ["努尔兰·哈布德克里木", "阿力木江·买买提明", "包·巴特尔", "吐尔洪·吾布力卡斯木",
                        "帕提古丽·阿布力孜", "叶尔兰·努尔达吾列提"]
OTHER_UNITS = ["新疆生产建设兵团第二师铁门关市人民医院", "中国石油天然气股份有限公司塔里木油田分公司",
               "焉耆回族自治县水利局", "新疆交通建设集团股份有限公司", "博湖县市场监督管理局", "轮台县第一中学"]
OTHER_PEOPLE = ["王海", "刘芳", "陈东升"]


#: Names the layout pages draw with ``--layouts --other-names``: names holding 一, two-character
#: and compound-surname names (the layout pages' own list already differs from the locating pages').
LAYOUT_OTHER_HAN = ["李一鸣", "王一", "于一", "丁丁", "张三丰", "东方明", "王喆", "李玥", "万俟燕", "卜凡"]
LAYOUT_OTHER_TRANSLITERATED = ["买买提·吐尔逊", "古丽·艾力", "阿依努尔·吐尔逊"]


#: A second held-out style set (``--other-names 2``): simple strokes the detector and recogniser
#: lose or read as letters (丁, 一, 力, 川, 二), compound surnames, long transliterations, other units.
OTHER_HAN_2 = ["上官云", "司马一", "刁小三", "马力", "欧阳丁", "尹川", "门大山", "白一丁"]
OTHER_TRANSLITERATED_2 = ["迪丽热巴·迪力木拉提", "热依拉·库尔班", "阿不都热合曼·买买提", "哈力木·努尔兰",
                          "巴特尔·其其格", "阿依古丽·吐尔地"]
OTHER_UNITS_2 = ["和田地区人民医院", "喀什大学", "伊犁哈萨克自治州友谊医院", "克拉玛依市第一中学",
                 "新疆维吾尔自治区阿克苏地区第一人民医院", "乌鲁木齐市第十三中学"]
OTHER_PEOPLE_2 = ["李强", "张敏", "赵磊"]
LAYOUT_OTHER_HAN_2 = ["丁一", "马力", "上官云", "司马一", "刁小三", "白一丁", "万一", "尹川", "门大山", "王二小"]
LAYOUT_OTHER_TRANSLITERATED_2 = ["热依拉·库尔班", "阿不都热合曼·买买提", "巴特尔·其其格"]


def use_other_names(which: str = "1") -> None:
    """Swap the generators' name, unit and bystander lists for :data:`OTHER_HAN` and friends (``which`` "2": the second set)."""
    from zcsynth import _cases, _layouts

    two = which == "2"
    _cases.HAN_NAMES[:] = OTHER_HAN_2 if two else OTHER_HAN
    _cases.UYGHUR_NAMES[:] = OTHER_TRANSLITERATED_2 if two else OTHER_TRANSLITERATED
    _cases.UNITS[:] = OTHER_UNITS_2 if two else OTHER_UNITS
    _cases.OTHERS[:] = OTHER_PEOPLE_2 if two else OTHER_PEOPLE
    _layouts.HAN[:] = LAYOUT_OTHER_HAN_2 if two else LAYOUT_OTHER_HAN
    _layouts.UYGHUR[:] = LAYOUT_OTHER_TRANSLITERATED_2 if two else LAYOUT_OTHER_TRANSLITERATED
    if two:
        _layouts.UNITS[:] = OTHER_UNITS_2


SYSTEM_FONTS = ("/usr/share/fonts/truetype/arphic/ukai.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc",
                "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def _write_input(sp, d: Path, container: str) -> Path:  # type: ignore[no-untyped-def]
    """Write the page as a JPG, a digital PDF (text layer) or a scanned-image PDF."""
    import io

    import pymupdf

    if container == "pdf" and sp.pdf_bytes:
        src = d / "in.pdf"
        src.write_bytes(sp.pdf_bytes)
        return src
    if container == "scanned-pdf":
        buf = io.BytesIO()
        Image.fromarray(sp.image).save(buf, "JPEG", quality=85)
        doc = pymupdf.open()
        page = doc.new_page(width=595.28, height=841.89)
        page.insert_image(page.rect, stream=buf.getvalue())
        src = d / "in.pdf"
        doc.save(src)
        return src
    src = d / "in.jpg"
    Image.fromarray(sp.image).save(src, quality=90, dpi=(sp.dpi, sp.dpi))
    return src


NOISE_KINDS = ("jpeg", "washed", "low_contrast", "tint", "bleed")


def scan_noise(image: np.ndarray, rng: random.Random,
               kinds_from: tuple[str, ...] = NOISE_KINDS) -> tuple[np.ndarray, list[str]]:
    """One or two kinds of scanner and copier noise that leave the page readable.

    Strong JPEG compression, faded (washed-out) or low-contrast print, tinted paper, and
    the back of the sheet showing through (the page mirrored, faintly). Pixels stay where
    they are, so the truths' ink masks still hold.
    """
    kinds = rng.sample(list(kinds_from), min(len(kinds_from), rng.choice([1, 2])))
    img = image
    for k in kinds:
        if k == "tint":
            paper = np.array([rng.uniform(0.86, 0.97), rng.uniform(0.86, 0.97), rng.uniform(0.72, 0.9)], np.float32)
            img = np.clip(img.astype(np.float32) * paper, 0, 255).astype(np.uint8)
        elif k == "bleed":
            back = 255.0 - img[:, ::-1].astype(np.float32)
            img = np.clip(img.astype(np.float32) - rng.uniform(0.1, 0.22) * back, 0, 255).astype(np.uint8)
        else:
            strength = {"jpeg": rng.uniform(0.3, 0.6), "washed": rng.uniform(0.2, 0.45),
                        "low_contrast": rng.uniform(0.2, 0.5)}[k]
            img = degrade(img, k, strength)
    return img, kinds


def run(pages: int, seed: int, do_distort: bool, out: Path, jobs: int = 1,
        fonts: bool = False, container: str = "jpg", fontfiles: list[str] | None = None,
        noise: bool | tuple[str, ...] = False, dpi: int = 200, layouts: bool = False) -> dict[str, object]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    by_case: dict[str, list[bool]] = defaultdict(list)
    by_kind: dict[str, list[bool]] = defaultdict(list)
    overs: list[float] = []
    others_hidden = 0
    misses = []
    t_total = 0.0
    files: list[str | None] = [None]
    if fontfiles:
        files = list(fontfiles)
    elif fonts:
        files = [f for f in SYSTEM_FONTS if Path(f).exists()] or [None]
    make = layout_pages if layouts else locating_pages
    for i, (sp, facts) in enumerate(make(pages, seed=seed, fontfiles=files, dpi=dpi)):
        if do_distort:
            sp = distort(sp, skew=rng.uniform(-1.5, 1.5), blur=rng.choice([0, 0.6, 1.0]),
                         noise=rng.choice([0, 6, 10]), seed=i)
        noise_kinds: list[str] = []
        if noise:
            img, noise_kinds = scan_noise(sp.image, rng, noise if isinstance(noise, tuple) else NOISE_KINDS)
            sp = replace(sp, image=img)
        d = out / f"p{i:03d}"
        d.mkdir(exist_ok=True)
        src = _write_input(sp, d, container)
        aliases = (str(facts["alias"]),) if facts.get("alias") else ()
        ident = Identity(name=str(facts["name"]), aliases=aliases, units=(Unit(name=str(facts["unit"])),))
        opts = Options(identity=ident, progress=False, eyes=False, seals="none", jobs=jobs, cache=False)
        t0 = time.perf_counter()
        rep = api.mask([src], d / "out", opts)
        t_total += time.perf_counter() - t0
        page = rep.files[0].pages[0]
        with Image.open(page.output) as im:
            output = np.asarray(im.convert("RGB"))
        if output.shape[:2] != sp.image.shape[:2]:  # a PDF page renders a pixel wider or narrower
            fit = np.full_like(sp.image, 255)
            hh, ww = min(output.shape[0], fit.shape[0]), min(output.shape[1], fit.shape[1])
            fit[:hh, :ww] = output[:hh, :ww]
            output = fit
        sc = score_page(sp.truths, output, [r.bbox for r in page.regions])
        # every page is drawn upright and unmirrored: one written turned or flipped shows its print
        # where the truth is not (a mirrored page's print stays, mirrored, where nothing was masked)
        wrong_way = page.rotation != 0 or page.orientation.mirrored
        for t, ok, share in sc.hits:
            ok = ok and not wrong_way
            by_case[f"{t.kind}:{t.case}"].append(ok)
            by_kind[t.kind].append(ok)
            if not ok:
                misses.append({"page": i, "kind": t.kind, "case": t.case, "text": t.text, "share": round(share, 3),
                               **({"noise": noise_kinds} if noise else {}), **({"wrong_way": True} if wrong_way else {})})
        overs.append(sc.overmask)
        others_hidden += sc.others_hidden
    res = {
        "pages": pages,
        "distorted": do_distort,
        "scan_noise": list(noise) if isinstance(noise, tuple) else noise,
        "dpi": dpi,
        "pages_from": "layout_pages" if layouts else "locating_pages",
        "fonts": [Path(f).name if f else "china-s" for f in files],
        "container": container,
        "instances": sum(len(v) for v in by_kind.values()),
        "recall_by_kind": {k: round(float(np.mean(v)), 4) for k, v in sorted(by_kind.items())},
        "recall_by_case": {k: [round(float(np.mean(v)), 4), len(v)] for k, v in sorted(by_case.items())},
        "overmask_mean": round(float(np.mean(overs)), 5),
        "overmask_max": round(float(np.max(overs)), 5),
        "others_hidden": others_hidden,
        "seconds_per_page": round(t_total / max(1, pages), 3),
        "misses": misses,
    }
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--distort", action="store_true")
    ap.add_argument("--fonts", action="store_true",
                    help="draw with installed system fonts (apt: fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei)")
    ap.add_argument("--font", action="append", default=[], metavar="FILE",
                    help="draw with this font file (TTF/OTF/TTC, first face), in turn with any other --font")
    ap.add_argument("--scan-noise", nargs="?", const=",".join(NOISE_KINDS), default=None, metavar="KINDS",
                    help="also one or two of: strong JPEG, faded or low-contrast print, tinted paper, the back "
                         f"showing through (default all: {','.join(NOISE_KINDS)})")
    ap.add_argument("--dpi", type=int, default=200, help="render the pages at this resolution (a coarse scan: 150, 120; JPG container only)")
    ap.add_argument("--other-names", nargs="?", const="1", default=None, choices=("1", "2"),
                    help="names and units the generator never uses (a held-out style run); 2: a second such set")
    ap.add_argument("--container", choices=("jpg", "pdf", "scanned-pdf"), default="jpg",
                    help="pdf: a digital PDF with a text layer (not with --distort); scanned-pdf: the page image in a PDF")
    ap.add_argument("--layouts", action="store_true",
                    help="pages from zcsynth.layout_pages: 红头 titles, banners, columns, grids, guilloches ...")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/locating"))
    a = ap.parse_args()
    if a.other_names:
        use_other_names(a.other_names)
    res = run(a.pages, a.seed, a.distort, a.out, fonts=a.fonts, container=a.container, fontfiles=a.font,
              noise=tuple(a.scan_noise.split(",")) if a.scan_noise else False, dpi=a.dpi, layouts=a.layouts)
    (a.out / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in res.items() if k != "misses"}, ensure_ascii=False, indent=2))
    for m in res["misses"][:40]:  # type: ignore[index]
        print("MISS", m)


if __name__ == "__main__":
    main()
