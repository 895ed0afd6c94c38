"""Second pass on real seals: fragments of the unit's name, specks around a square seal, close-up orientation.

The committed real images used here are MIT-licensed (``benchmarks/real/seals/manifest.json``).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from zcmask.locate._seal_find import _without_specks, find_candidates
from zcmask.locate._seal_read import owner_of
from zcmask.options import Identity, Unit
from zcmask.quality._seal_orientation import seal_closeup_rotation
from zcmask.quality.orientation import read_orientation

REAL = Path(__file__).resolve().parents[1] / "benchmarks" / "real" / "seals"
INSTITUTE = Identity(name="张三", units=(Unit(name="清华大学国情研究院", aliases=("国情研究院",)),))
HOSPITAL = Identity(name="张三", units=(Unit(name="乌鲁木齐市第一人民医院", aliases=()),))


# --- owner: a piece of the unit's own name ---------------------------------------------------


@pytest.mark.parametrize(("reading", "ident", "owner"), [
    ("华大学", INSTITUTE, "applicant"),        # a worn ring: three characters of the institute's name
    ("清华大学", INSTITUTE, "applicant"),
    ("北京大学", INSTITUTE, "authority"),      # another university stays an authority
    ("大学", INSTITUTE, "authority"),          # a generic word alone names nobody
    ("乌鲁木齐市", HOSPITAL, "unknown"),       # only the region the hospital shares with its authorities
    ("乌鲁木齐市卫生健康委员会", HOSPITAL, "authority"),
])
def test_partial_reading_of_the_units_name(reading: str, ident: Identity, owner: str) -> None:
    assert owner_of(reading, ident, "round") == owner


# --- find: a square seal with reddish specks beside it -----------------------------------------


def _square_seal_page(specks: bool) -> np.ndarray:
    img = np.full((900, 700, 3), 250, np.uint8)
    red = (215, 40, 50)
    cv2.rectangle(img, (200, 400), (458, 560), red, 5)       # a wide office seal frame, 1.59 : 1
    cv2.line(img, (200, 455), (458, 455), red, 3)
    cv2.line(img, (200, 505), (458, 505), red, 3)
    for i, word in enumerate(("QHDX", "RJXY", "YWBGS")):      # three lines of characters
        cv2.putText(img, word, (215, 443 + i * 52), cv2.FONT_HERSHEY_SIMPLEX, 1.2, red, 4)
    if specks:
        for y in (430, 470, 520):  # reddish pixels of print just left of it: the hull turns longer than 1.6 : 1
            cv2.circle(img, (191, y), 2, red, -1)
    return img


@pytest.mark.parametrize("specks", [False, True])
def test_square_office_seal_is_found_despite_specks_beside_it(specks: bool) -> None:
    cands = find_candidates(_square_seal_page(specks))
    assert any(c.shape == "square" and c.bbox[0] <= 205 and c.bbox[2] >= 435 and c.bbox[1] <= 405
               and c.bbox[3] >= 555 and c.bbox[2] >= 453 for c in cands), cands


def test_without_specks_keeps_the_big_pieces() -> None:
    big = np.stack(np.meshgrid(np.arange(100), np.arange(50)), -1).reshape(-1, 2)
    speck = np.array([[200, 20], [201, 20]])
    kept = _without_specks(np.concatenate([big, speck]))
    assert len(kept) == len(big) and kept[:, 0].max() == 99


# --- orientation of a seal close-up ----------------------------------------------------------


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_seal_closeup_orientation_from_star_and_ring_gap(turn: int) -> None:
    img = np.asarray(Image.open(REAL / "getseal_closeup.jpg").convert("RGB"))
    turned = np.ascontiguousarray(np.rot90(img, k=-turn // 90))
    assert seal_closeup_rotation(turned) == turn
    grey = np.repeat(cv2.cvtColor(turned, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    assert seal_closeup_rotation(grey) == turn  # a grey copy: the dark ink is the seal
    reading = read_orientation(turned)
    assert reading.orientation.rotation == turn and reading.orientation.source == "seal"


@pytest.mark.parametrize("name", ["sealcut_scan.jpg", "vignette_licence.jpg", "vignette_school_form.jpg"])
def test_pages_that_are_not_one_seal_get_no_seal_orientation(name: str) -> None:
    img = np.asarray(Image.open(REAL / name).convert("RGB"))
    assert seal_closeup_rotation(img) is None
    assert seal_closeup_rotation(np.full((300, 200, 3), 255, np.uint8)) is None


def test_a_misread_ring_of_a_university_institute_is_not_taken_for_an_authority() -> None:
    # the institute's own seal on a JPEG at quality 75 read 武像大学会: 大学 is in the unit's own
    # name, so it does not make the seal an authority's (it was left visible)
    assert owner_of("武像大学会", INSTITUTE, "round") == "unknown"
    assert owner_of("北京大学", INSTITUTE, "round") == "authority"
    assert owner_of("武像大学会", HOSPITAL, "round") == "authority"  # 大学 is not the hospital's word
