"""Seal and eye-band benchmark on synthetic, labelled pages.

Prints, per case, whether each seal / eye band ended up black, the over-mask
(masked pixels outside the labelled boxes, as a share of the page) and the
time spent; then the totals: seal recall, authority seals kept, eye-band
recall, red non-seal false positives, worst over-mask.

A seal or band counts as masked when >= 95% of its box is black.

    .venv/bin/python benchmarks/seals_eyes.py            # real ring OCR (RapidOCR)
    .venv/bin/python benchmarks/seals_eyes.py --no-ocr   # geometry only (every seal unreadable)

Needs scikit-image (test extra) for the portrait. Runs in about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from dataclasses import replace

import numpy as np
from PIL import Image

from zcmask.locate.faces import find_eyes
from zcmask.locate.seals import find_seals
from zcmask.masking import mask_regions
from zcmask.options import Identity, Unit
from zcsynth._pages import SynthPage, Truth
from zcsynth._photos import (
    Portrait,
    crop_portrait,
    gray_portrait,
    id_card_page,
    photo_page,
    resize_portrait,
    with_glasses,
)
from zcsynth._seals import (
    SealSpec,
    annotation_page,
    emblem_page,
    red_header_page,
    red_table_page,
    seal_page,
)

UNIT = "巴州鑫源电力工程有限公司"
NAME = "王建国"
IDENT = Identity(name=NAME, units=(Unit(name=UNIT, aliases=("鑫源电力",)),))
AUTH = "巴音郭楞蒙古自治州人力资源和社会保障局"


def jpeg(img: np.ndarray, q: int = 75) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def seal_cases() -> list[tuple[str, SynthPage]]:
    out: list[tuple[str, SynthPage]] = []
    k = 0
    for color in ("red", "vermilion", "pink", "purple"):
        for shape in ("round", "round_nostar", "oval", "square"):
            for fade in (0.0, 0.6):
                k += 1
                if shape == "square":
                    spec = SealSpec(NAME, shape="square", size=130 + 7 * (k % 5), color=color, fade=fade,
                                    angle=(k % 3 - 1) * 6.0, seed=k)
                elif shape == "oval":
                    spec = SealSpec(UNIT, shape="oval", size=340 + 5 * (k % 4), color=color,
                                    bottom="财务专用章", star=False, fade=fade, angle=(k % 3 - 1) * 8.0, seed=k)
                else:
                    spec = SealSpec(UNIT, size=290 + 12 * (k % 5), color=color, star=shape == "round",
                                    bottom="人事专用章" if k % 2 else "", fade=fade,
                                    angle=(k % 5 - 2) * 10.0, seed=k)
                p = seal_page(spec, unit=UNIT)
                if k % 3 == 0:
                    p = replace(p, image=jpeg(p.image))
                out.append((f"{shape}_{color}{'_faded' if fade else ''}", p))
    for shape in ("round", "oval", "square"):
        for noise in (0, 1):
            k += 1
            if shape == "square":
                spec = SealSpec(NAME, shape="square", size=140, seed=k)
            elif shape == "oval":
                spec = SealSpec(UNIT, shape="oval", size=350, bottom="财务专用章", star=False, seed=k)
            else:
                spec = SealSpec(UNIT, size=310, seed=k, fade=0.4 * noise)
            p = seal_page(spec, unit=UNIT, gray=True)
            if noise:
                p = replace(p, image=jpeg(p.image, 70))
            out.append((f"{shape}_gray{'_jpeg' if noise else ''}", p))
    for color in ("red", "pink"):
        k += 1
        p = seal_page(SealSpec(AUTH, size=320, color=color, bottom="职称专用章", seed=k), unit=UNIT,
                      owner="authority")
        out.append((f"authority_{color}", p))
    return out


def red_cases() -> list[tuple[str, SynthPage]]:
    return [("red_header", red_header_page()), ("red_table", red_table_page()),
            ("emblem", emblem_page()), ("annotation", annotation_page(seed=1)),
            ("annotation2", annotation_page(seed=2))]


def eye_cases() -> list[tuple[str, SynthPage]]:
    from skimage.data import astronaut  # test-only dependency

    base = crop_portrait(Portrait(astronaut(), (188, 92, 264, 114)), (130, 10, 330, 260))
    out = []
    for w in (300, 220, 150, 120):
        out.append((f"photo_{w}", photo_page(resize_portrait(base, w))))
        out.append((f"photo_{w}_gray", photo_page(gray_portrait(resize_portrait(base, w)))))
        out.append((f"photo_{w}_glasses", photo_page(with_glasses(resize_portrait(base, w)))))
    out.append(("id_card", id_card_page(base)))
    out.append(("id_card_gray", id_card_page(gray_portrait(base))))
    out.append(("id_card_glasses_gray", id_card_page(gray_portrait(with_glasses(base)))))
    out.append(("id_card_jpeg", replace(p := id_card_page(base), image=jpeg(p.image, 70))))
    bare = resize_portrait(base, 295)
    out.append(("bare_1inch", SynthPage(bare.image, 200, [Truth("eyes", bare.eyes, "bare")], [], b"", "", {})))
    return out


def black_share(masked: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    sub = masked[y0:y1, x0:x1]
    return float((sub.max(axis=2) == 0).mean()) if sub.size else 0.0


def over_mask(regions, truths, shape) -> float:  # type: ignore[no-untyped-def]
    m = np.zeros(shape[:2], bool)
    for r in regions:
        x0, y0, x1, y1 = r.bbox
        m[y0:y1, x0:x1] = True
    for t in truths:
        x0, y0, x1, y1 = t.bbox
        m[y0:y1, x0:x1] = False
    return float(m.mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-ocr", action="store_true", help="skip ring OCR (every seal counts as unreadable)")
    args = ap.parse_args(argv)
    engine = None
    if not args.no_ocr:
        from zcmask.ocr import get_engine

        engine = get_engine("rapidocr")
        engine.recognize_lines([np.full((48, 200, 3), 255, np.uint8)])  # load models outside timing

    t_all = time.perf_counter()
    hits = total = kept_ok = kept_total = 0
    overs: list[float] = []
    times: list[float] = []
    per_case: dict[str, list[int]] = {}
    print(f"{'case':28s} {'masked':>7s} {'over%':>6s} {'ms':>6s}  read text")
    for name, p in seal_cases():
        t0 = time.perf_counter()
        regions, seen, _issues = find_seals(p.image, p.lines, IDENT, mode="applicant", engine=engine)
        dt = time.perf_counter() - t0
        times.append(dt)
        masked, _ = mask_regions(p.image, regions)
        t = p.truths[-1]
        share = black_share(masked, t.bbox)
        ok = share >= 0.95
        if t.kind == "seal":
            total += 1
            hits += ok
            per_case.setdefault(name.split("_")[0] + "_" + name.split("_")[1], [0, 0])
            c = per_case[name.split("_")[0] + "_" + name.split("_")[1]]
            c[0] += ok
            c[1] += 1
        else:
            kept_total += 1
            kept_ok += not ok
        ov = over_mask(regions, [x for x in p.truths if x.kind == "seal"], p.image.shape)
        overs.append(ov)
        text = "; ".join(f"{s.owner}:{s.text}" for s in seen)
        print(f"{name:28s} {share:7.2f} {100 * ov:6.2f} {1000 * dt:6.0f}  {text}")
    fp = 0
    red_times = []
    for name, p in red_cases():
        t0 = time.perf_counter()
        regions, seen, _ = find_seals(p.image, p.lines, IDENT, mode="applicant", engine=engine)
        red_times.append(time.perf_counter() - t0)
        fp += len(seen)
        ov = over_mask(regions, [], p.image.shape)
        overs.append(ov)
        print(f"{name:28s} {'FP' if seen else 'ok':>7s} {100 * ov:6.2f} {1000 * red_times[-1]:6.0f}")
    eye_hits = eye_total = 0
    eye_times = []
    for name, p in eye_cases():
        t0 = time.perf_counter()
        regions = find_eyes(p.image)
        eye_times.append(time.perf_counter() - t0)
        masked, _ = mask_regions(p.image, regions)
        t = [x for x in p.truths if x.kind == "eyes"][0]
        share = black_share(masked, t.bbox)
        eye_total += 1
        eye_hits += share >= 0.95
        ov = over_mask(regions, [t], p.image.shape)
        if name != "bare_1inch":  # a bare photo is all face: the band is what is asked for
            overs.append(ov)
        print(f"{name:28s} {share:7.2f} {100 * ov:6.2f} {1000 * eye_times[-1]:6.0f}")
    print()
    print("seal recall by shape/colour:", ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(per_case.items())))
    print(f"seal recall      {hits}/{total} = {hits / max(1, total):.1%}")
    print(f"authority kept   {kept_ok}/{kept_total}")
    print(f"red non-seal FP  {fp} seals on {len(red_cases())} pages")
    print(f"eye-band recall  {eye_hits}/{eye_total} = {eye_hits / max(1, eye_total):.1%}")
    print(f"over-mask        max {100 * max(overs):.2f}% mean {100 * statistics.mean(overs):.3f}% of page")
    print(f"find_seals       median {1000 * statistics.median(times):.0f} ms/page with a seal (ring OCR "
          f"{'on' if engine else 'off'}), median {1000 * statistics.median(red_times):.0f} ms/page without")
    print(f"find_eyes        median {1000 * statistics.median(eye_times):.0f} ms/page")
    print(f"total            {time.perf_counter() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
