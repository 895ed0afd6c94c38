"""Regenerate the bundled demo applicant (a fictional person) under samples/applicant/.

Run: .venv/bin/python samples/make_samples.py
Every document is drawn in code with PyMuPDF's built-in ``china-s`` font.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

# zcsynth (the synthetic-document generators) lives at the repository root, outside the wheel.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zcsynth import render, text_page  # noqa: E402
from zcsynth._photos import Portrait, crop_portrait, id_card_page  # noqa: E402
from zcsynth._seals import COLORS, SealSpec, seal_ink, stamp  # noqa: E402

NAME = "热依拉·艾买提"
UNIT = "巴州示范电力工程有限公司"
#: The band across both eyes of skimage's 512 x 512 astronaut, as in tests/test_eyes.py.
ASTRONAUT_EYES = (188, 92, 264, 114)
OUT = Path(__file__).resolve().parent / "applicant"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for template, fname in (("公示", "01_公示.jpg"), ("承诺书", "02_承诺书.jpg")):
        sp = render(template, NAME, UNIT)
        img = sp.image
        if template == "公示":  # the unit's round seal over the date line
            h, w = img.shape[:2]
            img, _ = stamp(img, seal_ink(SealSpec(UNIT, size=330)), (w * 0.7, h * 0.42), COLORS["red"])
        Image.fromarray(img).save(OUT / fname, quality=90, dpi=(200, 200))
    # A certificate scanned sideways: zcmask writes it upright.
    sp = render("职称证书", NAME, UNIT)
    Image.fromarray(np.ascontiguousarray(np.rot90(sp.image, 1))).save(
        OUT / "03_职称证书_横放.jpg", quality=90, dpi=(200, 200))
    # An ID-card copy with a photo: scikit-image's public-domain astronaut (NASA),
    # only needed to regenerate the samples (pip install scikit-image).
    from skimage.data import astronaut

    face = crop_portrait(Portrait(astronaut(), ASTRONAUT_EYES), (130, 10, 330, 260))
    Image.fromarray(id_card_page(face).image).save(OUT / "05_身份证复印件.jpg", quality=90, dpi=(200, 200))
    # A digital PDF with a text layer.
    sp = text_page([
        ("工作总结", None, ""),
        ("本人自参加工作以来，在[巴州示范电力工程]公司从事输电线路运维工作。", "unit", "running"),
        ("申报人：[热依拉·艾买提]", "name", "field"),
    ], template="工作总结")
    (OUT / "04_工作总结.pdf").write_bytes(sp.pdf_bytes)
    (OUT / "profile.yaml").write_text(
        "# 申报人身份（虚构人物，仅用于演示）\n"
        f"name: {NAME}\n"
        "aliases: [热依拉艾买提]\n"
        "units:\n"
        f"  - name: {UNIT}\n"
        "    aliases: [示范电力]\n", encoding="utf-8")


if __name__ == "__main__":
    main()
