"""Seals on real ink: the find → read → decide path on clipped, close-up and printed-over seals.

Real scans come from ``benchmarks/real/seals`` (licences in its manifest); the
other fixtures are built in code from the synthetic seal generator and then
cut, tinted or overprinted the way real uploads are.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import covering, seal_box
from zcmask.locate._seal_find import find_candidates, ink_mask, stamp_ink
from zcmask.locate._seal_read import loose_match, owner_of
from zcmask.locate.seals import Decision, decide, find_seals
from zcmask.ocr import FakeOcrEngine
from zcmask.options import Identity, Unit
from zcmask.results import TextLine
from zcsynth._seals import SealSpec, seal_page

REAL = Path(__file__).resolve().parents[1] / "benchmarks" / "real" / "seals"
UNIT = "巴州鑫源电力工程有限公司"
IDENT = Identity(name="王建国", units=(Unit(name=UNIT, aliases=("鑫源电力",)),))


def reads(text: str) -> FakeOcrEngine:
    return FakeOcrEngine(lambda img: [TextLine(text, (0, 0, 10, 10), 0.95, ())] if text else [])


# --- find -----------------------------------------------------------------------------------


def test_stamp_ink_drops_long_red_rules_but_keeps_the_ring() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    img = page.image.copy()
    h, w = img.shape[:2]
    y = (h // 3) & ~1
    img[y:y + 4, :] = (170, 40, 40)  # a red form rule across the page
    ink = stamp_ink(img[::2, ::2])
    assert ink_mask(img[::2, ::2])[y // 2, 10]
    assert not ink[y // 2 - 1:y // 2 + 3, 10:w // 2 - 200].any()
    x0, y0, x1, y1 = (v // 2 for v in seal_box(page))
    assert ink[y0:y1, x0:x1].sum() > 500


def test_stamp_ink_ignores_a_pink_background_tint() -> None:
    img = np.full((600, 600, 3), 255, np.uint8)
    yy, xx = np.mgrid[0:600, 0:600]
    stripes = (np.sin(xx / 5.0) * np.sin(yy / 7.0)) > 0.3
    img[stripes] = (249, 221, 229)  # a pale pink security pattern
    assert not stamp_ink(img).any()


def test_seal_clipped_by_the_page_edge_is_found() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    x0, y0, x1, y1 = seal_box(page)
    cut = (x0 + x1) // 2
    img = np.ascontiguousarray(page.image[:, :cut])  # the right half of the seal is off the page
    cands = find_candidates(img)
    assert covering(cands, (x0, y0, cut, y1)) is not None


def test_close_up_seal_filling_the_frame_is_found() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    x0, y0, x1, y1 = seal_box(page)
    img = np.ascontiguousarray(page.image[y0 - 6:y1 + 6, x0 - 6:x1 + 6])
    cands = find_candidates(img)
    assert covering(cands, (6, 6, img.shape[1] - 6, img.shape[0] - 6)) is not None


def test_seal_on_a_red_printed_form_is_found() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    img = page.image.copy()
    x0, y0, x1, y1 = seal_box(page)
    for y in range(40, img.shape[0], 90):  # brown-red table rules, one through the seal
        img[y:y + 3, :] = (158, 60, 30)
    img[(y0 + y1) // 2:(y0 + y1) // 2 + 3, :] = (158, 60, 30)
    img[:, (x0 + x1) // 2:(x0 + x1) // 2 + 3] = (158, 60, 30)
    assert covering(find_candidates(img), (x0, y0, x1, y1)) is not None


@pytest.mark.parametrize("shift", [0.5, 0.9])
def test_two_seals_stamped_over_each_other_are_both_covered(shift: float) -> None:
    from zcsynth._seals import COLORS, seal_ink, stamp

    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    box = seal_box(page)
    cx, cy, r = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, (box[2] - box[0]) / 2
    ink = seal_ink(SealSpec("巴音郭楞蒙古自治州人力资源和社会保障局", size=320, seed=5))
    img, other = stamp(page.image, ink, (cx - shift * 2 * r, cy + 0.2 * r), COLORS["red"])
    cands = find_candidates(img)
    assert covering(cands, box, 0.97) is not None and covering(cands, other, 0.97) is not None


@pytest.mark.parametrize(("name", "boxes"), [
    ("sealcut_scan.jpg", [(139, 114, 387, 364), (433, 141, 620, 328), (657, 190, 771, 303)]),
    ("getseal_closeup.jpg", [(4, 6, 256, 261)]),
])
def test_real_scans_every_seal_is_found(name: str, boxes: list[tuple[int, int, int, int]]) -> None:
    img = np.asarray(Image.open(REAL / name).convert("RGB"))
    cands = find_candidates(img)
    for b in boxes:
        assert covering(cands, b) is not None, b


def test_real_corpus_labels_name_every_source() -> None:
    labels = json.loads((REAL / "labels.json").read_text("utf-8"))
    sources = {s["id"]: s for s in json.loads((REAL / "manifest.json").read_text("utf-8"))["sources"]}
    assert {i["id"] for i in labels["images"]} == set(sources)
    for s in sources.values():
        assert len(s["commit"]) == 40 and s["licence"] and s["repo"].count("/") == 1
        if s["committed"]:
            assert (REAL / next(i["file"] for i in labels["images"] if i["id"] == s["id"]).split("/")[-1]).exists()


# --- owner ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("hay", "needle", "ok"), [
    ("新疆某杲职业技木学院", "新疆某某职业技术学院", True),  # two of ten misread
    ("昌古学院", "昌吉学院", True),  # one of four
    ("新疆维吾尔自治区教育厅", "新疆大学", False),
    ("国家税务总局巴州税务局发票专用章", "巴州鑫源电力工程", False),
    ("鑫源", "鑫源电力", False),
])
def test_loose_match(hay: str, needle: str, ok: bool) -> None:
    assert loose_match(hay, needle) is ok


def test_school_unit_read_with_two_wrong_characters_is_the_applicants() -> None:
    ident = Identity(name="王建国", units=(Unit(name="新疆农业职业技术学院"),))
    assert owner_of("新疆农亚职业技木学院", ident, "round") == "applicant"
    assert owner_of("新疆维吾尔自治区人力资源和社会保障厅", ident, "round") == "authority"


def test_hospital_unit_short_form_wins_over_authority_words() -> None:
    ident = Identity(name="王建国", units=(Unit(name="巴音郭楞蒙古自治州人民医院", aliases=("巴州人民医院",)),))
    assert owner_of("巴州人民医阮", ident, "round") == "applicant"


def test_invoice_seals_owner() -> None:
    ident = Identity(name="王陆", units=(Unit(name="郑州京东优凯贸易有限公司"),))
    assert owner_of("郑州京东优凯贸易有限公司 发票专用章", ident, "oval") == "applicant"
    assert owner_of("全国统一发票监制章 国家税务总局河南省税务局", ident, "oval") == "authority"


# --- decide ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("owner", "readable", "strict", "expected"), [
    ("applicant", True, False, Decision(True, None)),
    ("authority", True, False, Decision(False, None)),
    ("unknown", False, False, Decision(True, "seal_unreadable")),  # a leak is worse than over-masking
    ("unknown", True, False, Decision(True, None)),
    ("applicant", True, True, Decision(True, None)),  # check: still showing -> unmasked_seal
    ("authority", True, True, Decision(False, None)),
    ("unknown", False, True, Decision(False, "seal_unverified")),  # check: a look, not an error
    ("unknown", True, True, Decision(False, "seal_unverified")),
])
def test_decide(owner: str, readable: bool, strict: bool, expected: Decision) -> None:
    assert decide(owner, readable, strict=strict) == expected


def test_decide_mode_all_masks_authorities_and_checks_without_identity_stay_quiet() -> None:
    assert decide("authority", True, mode="all") == Decision(True, None)
    assert decide("unknown", False, strict=True, identity_known=False) == Decision(False, None)


def test_check_reports_an_unreadable_seal_as_a_warning_never_an_error() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    regions, seen, issues = find_seals(page.image, page.lines, IDENT, engine=reads(""), strict=True)
    assert regions == [] and len(seen) == 1
    assert [(i.code, i.severity) for i in issues] == [("seal_unverified", "warning")]


def test_check_without_identity_does_not_call_seals_the_units() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    regions, _, issues = find_seals(page.image, page.lines, None, engine=reads(UNIT), strict=True)
    assert regions == [] and issues == []


def test_check_still_reports_the_units_seal_as_showing() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    regions, _, issues = find_seals(page.image, page.lines, IDENT, engine=reads(UNIT), strict=True)
    assert len(regions) == 1 and issues == []


def test_a_sellers_invoice_seal_is_not_an_authority() -> None:
    # 发票专用章 is the issuing company's own seal: masked unless it is recognised as an authority
    assert owner_of("某某县某某培训有限公司 发票专用章", IDENT, "oval") == "unknown"
    assert owner_of("全国统一发票监制章 国家税务总局巴州税务局", IDENT, "oval") == "authority"


def test_a_clear_centre_line_makes_a_worn_ring_readable() -> None:
    from zcmask.locate._seal_read import _combine

    reading = _combine([("", 0.0), ("", 0.0), ("国家税务总局", 0.9)], "oval")
    assert reading.readable and owner_of(reading.text, IDENT, "oval") == "authority"
    assert not _combine([("", 0.0), ("", 0.0), ("", 0.0)], "oval").readable


# --- through the pipeline ----------------------------------------------------------------


def test_check_page_with_an_unreadable_seal_has_no_error(tmp_path, fake_engine) -> None:  # type: ignore[no-untyped-def]
    from conftest import fake_options, save_jpeg
    from zcmask.pipeline import PageContext, process_page

    page = seal_page(SealSpec("巴音郭楞蒙古自治州人力资源和社会保障局", size=320), unit=UNIT, owner="authority")
    src = save_jpeg(page.image, tmp_path / "继续教育证书.jpg")
    fake_engine._lines = lambda img: []  # nothing on the ring can be read
    res = process_page(PageContext(str(src), 0, fake_options(seals="applicant", identity=IDENT), "check"))
    codes = {(i.code, i.severity) for i in res.issues}
    assert ("seal_unverified", "warning") in codes
    # (the fake engine reads no text at all, so the page is also called illegible: not our business)
    assert not any(i.code.endswith("seal") or (i.code.startswith("seal") and i.severity == "error")
                   for i in res.issues), codes
    # mask still hides it: it may be the unit's
    out = tmp_path / "out.jpg"
    res = process_page(PageContext(str(src), 0, fake_options(seals="applicant", identity=IDENT), "mask", str(out)))
    assert res.seals[0].masked and any(i.code == "seal_unreadable" for i in res.issues)


def test_an_unread_oval_seal_over_an_invoice_title_is_the_tax_bureaus() -> None:
    from zcmask.locate._seal_find import SealCandidate
    from zcmask.locate.seals import is_invoice_supervision_seal

    title = [TextLine("河南增值税电子普通发票", (400, 40, 900, 90), 0.9, ())]
    top = SealCandidate((640.0, 100.0), (80.0, 60.0), 0.0, "oval", "color", 1.0, (560, 40, 720, 160))
    bottom = SealCandidate((1060.0, 680.0), (100.0, 80.0), 0.0, "oval", "color", 1.0, (960, 600, 1160, 760))
    assert is_invoice_supervision_seal(top, title, 800)
    assert not is_invoice_supervision_seal(bottom, title, 800)  # the seller's 发票专用章
    assert not is_invoice_supervision_seal(top, [TextLine("巴州某某有限公司", (400, 40, 900, 90), 0.9, ())], 800)


def test_the_national_emblem_on_an_id_cards_back_is_no_seal() -> None:
    # a real phone photo of an ID card's back (Apache-2.0, benchmarks/real/seals/manifest.json), cut
    # to its emblem and title: the emblem, a red disc filled with gold, was masked as an unreadable
    # seal with a seal_unreadable warning, as it would be on every applicant's ID card
    img = np.asarray(Image.open(REAL / "idcard_back_emblem.jpg").convert("RGB"))
    upright = np.ascontiguousarray(np.rot90(img, 1))  # stored turned 90 degrees clockwise
    regions, seen, issues = find_seals(upright, [], IDENT, engine=reads(""))
    assert regions == [] and seen == [] and issues == []

