"""Second pass on real seals: fragments of the unit's name, specks around a square seal, close-up orientation.

The committed real images used here are MIT- or Apache-2.0-licensed (``benchmarks/real/seals/manifest.json``).
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
    ("中国共产主义费年团选", INSTITUTE, "unknown"),  # the league's name misread is no issuer's (a unit's own seal at 1280 px)
    ("中组共产主义爵年统电", INSTITUTE, "unknown"),  # three of it wrong (the same seal at 1280 px and q75)
    ("中国共产主义青年团北京市委员会", INSTITUTE, "authority"),  # a city's league committee is an issuer
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


# --- a ring fitted to part of itself is replaced by the whole ring ----------------------------


def _cand(center, axes, shape="round", score=0.7):  # type: ignore[no-untyped-def]
    from zcmask.locate._seal_find import SealCandidate, _box

    return SealCandidate(center, axes, 0.0, shape, "color", score, _box(center, axes, 0.0, shape))


def _ring_ink() -> np.ndarray:
    ink = np.zeros((600, 800), bool)
    yy, xx = np.mgrid[0:600, 0:800]
    r = np.hypot(xx - 400, yy - 300)
    ink[(r > 88) & (r < 96)] = True                 # the ring
    ink[(r < 70) & (yy < 300) & ((xx // 9) % 2 == 0)] = True   # ring text and star, upper half
    return ink


def test_a_wider_fit_holding_the_seal_replaces_a_fit_to_its_upper_part():
    from zcmask.locate._seal_find import _holds_more

    ink = _ring_ink()
    upper = _cand((400, 265), (95, 60), "oval")     # the oval of the ring's upper part and its text
    whole = _cand((400, 300), (96, 96))
    assert _holds_more(ink, whole, upper)
    assert not _holds_more(ink, whole, _cand((400, 300), (95, 95)))   # the same seal fitted again
    assert not _holds_more(ink, upper, whole)                         # does not hold it


def test_stamp_candidates_keep_the_whole_ring_of_a_seal_fitted_in_part(monkeypatch):
    import zcmask.locate._seal_find as F

    upper = _cand((400, 265), (95, 60), "oval", 0.71)
    whole = _cand((400, 300), (96, 96), "round", 0.61)
    other = _cand((150, 150), (40, 40))
    calls = []

    def fake_pass(ink, join=0.008, *, cut=False, blobs=None):  # type: ignore[no-untyped-def]
        calls.append(join)
        return {1: [upper, other], 4: [whole]}.get(len(calls), [])

    monkeypatch.setattr(F, "_stamp_pass", fake_pass)
    monkeypatch.setattr(F, "stamp_inks", lambda small: (_ring_ink(), _ring_ink()))
    monkeypatch.setattr(F, "_overlapped_rest", lambda ink, found, raw: [])
    small = np.full((600, 800, 3), 255, np.uint8)
    got = F._stamp_candidates(small)
    assert calls[-1] == 0.03 and whole in got and upper not in got and other in got


# --- owner: government co-signers of awards, and the unit's own ring misread as another school ------


SCHOOL = Identity(name="梁慧", units=(Unit(name="广西科技大学", aliases=()),))
STUDENT = Identity(name="张三", units=(Unit(name="中国海洋大学", aliases=()),))
WHU_RES = Identity(name="刘子煜", units=(Unit(name="武汉大学", aliases=(
    "Wuhan University", "资源与环境科学学院", "School of Resource and Environmental Sciences")),))
XJU_SE = Identity(name="王菡悦", units=(Unit(name="新疆大学软件学院", aliases=("新疆大学", "软件学院")),))


@pytest.mark.parametrize(("reading", "ident", "owner"), [
    ("山东省工业和信息化厅", STUDENT, "authority"),
    ("工业和信息化部人才交流中心", STUDENT, "authority"),
    ("山东省发展和改革委员会", STUDENT, "authority"),
    ("山东省教自厅", STUDENT, "authority"),              # 教育厅 misread: a province's 厅 all the same
    ("山东省人力盗源和社会员陷厅", STUDENT, "authority"),
    ("元南省劫自厅", STUDENT, "authority"),              # 云南省教育厅, the province misread too
    ("重庆市人力盗源和社会保能局", STUDENT, "authority"),
    ("中国共产生云南省委员会教首工作委员会", STUDENT, "authority"),
    ("山东省科学技术终会", STUDENT, "authority"),        # 科学技术协会 misread: a province's 会
    ("科学技术终会", STUDENT, "unknown"),                # no province or city: masked
    ("广百海政大学", SCHOOL, "unknown"),                 # the school's own ring misread: masked, not kept
    ("北京大学", SCHOOL, "authority"),                   # another university stays visible
    ("新疆维吾尔自治区地矿局", Identity(name="张三", units=(Unit(name="新疆维吾尔自治区地质矿产勘查开发局"),)),
     "applicant"),
    # a ministry's or national administration's seal, its name misread (held-out photo of a national
    # scholarship certificate: 中华人民共和国教育部; held-out scan of a software copyright
    # certificate: 中华人民共和国国家版权局, its first two characters not read)
    ("中华人民共超国教真第", STUDENT, "authority"),
    ("人民共和国国家夜权民的", STUDENT, "authority"),
    ("中华人民共和国", STUDENT, "unknown"),              # no body named after it
    # three characters of 中华人民共和国 misread where four in a row are read as printed (held-out
    # phone photo of a 软考 certificate: 人力资源和社会保障部, 工业和信息化部)
    ("中华人民兵提据人力各画观社会国康器", STUDENT, "authority"),
    ("中海人民共和期工业检集息化您", STUDENT, "authority"),
    ("中海人兵共提期工业检集息化您", STUDENT, "unknown"),  # no four in a row as printed
    ("中华人民兵提据", STUDENT, "unknown"),              # no body named after it
    # an alliance named after units like the applicant's (held-out award of a 新疆大学软件学院
    # student: its organiser's 示范性软件学院联盟 matched 软件学院 and was masked as the applicant's)
    ("示范性软件学院联盟", XJU_SE, "authority"),
    ("新疆大学软件学院", XJU_SE, "applicant"),
    ("共青团新疆大学委员会", XJU_SE, "applicant"),           # the unit's own league committee
    ("新疆软件行业协会", Identity(name="张三", units=(Unit(name="新疆软件行业协会"),)), "applicant"),
    # only like the unit, not named after it: masked (a tuned photo's blurred 中国集邮公司 seal)
    ("中国聚爱公益联盟", Identity(name="张三", units=(Unit(name="中国集邮公司"),)), "unknown"),
    ("中华人民共和国乌鲁木齐海关", Identity(name="张三", units=(Unit(name="中华人民共和国乌鲁木齐海关"),)),
     "applicant"),
    ("中华人民共和国乌鲁木齐海头", Identity(name="张三", units=(Unit(name="中华人民共和国乌鲁木齐海关"),)),
     "applicant"),                                     # the applicant's own customs house, misread
    # a contest's organising committee read with one character wrong, 大赛 read 人赛 (held-out award)
    ("全球校园人工智能算法精英人赛 用织委员会", STUDENT, "authority"),
    ("用织委员会", STUDENT, "unknown"),                  # nothing named before it: masked
    # the unit's own students' union (held-out photo of a writing contest's honour)
    ("四川大学锦江学院学生联合会", Identity(name="张三", units=(Unit(name="四川大学锦江学院"),)), "applicant"),
    # three letters shared with the unit's English name name nothing (held-out sideways transcript:
    # its seal read DENR, "den" of School of Resource and Environmental Sciences)
    ("DENR", WHU_RES, "unknown"),
    ("WRHAN UNIVERSITY", WHU_RES, "applicant"),
])
def test_owner_of_co_signers_and_misread_own_rings(reading: str, ident: Identity, owner: str) -> None:
    assert owner_of(reading, ident, "round") == owner


def test_a_ring_misread_as_another_school_over_the_units_printed_name_is_masked() -> None:
    from zcmask.locate._seal_find import SealCandidate
    from zcmask.locate.seals import judge_seals
    from zcmask.ocr import FakeOcrEngine
    from zcmask.results import TextLine

    img = np.full((700, 500, 3), 250, np.uint8)
    cv2.circle(img, (380, 280), 55, (215, 40, 50), 4)
    cand = SealCandidate((380.0, 280.0), (57.0, 57.0), 0.0, "round", "color", 0.8, (323, 223, 437, 337))
    engine = FakeOcrEngine(lambda crop: [TextLine("武像大学", (0, 0, 10, 10), 0.95, ())])
    printed = [TextLine("广西科技大学", (335, 270, 430, 298), 0.95, ()), TextLine("教务处", (350, 300, 410, 330), 0.95, ())]
    elsewhere = [TextLine("广西科技大学", (20, 20, 120, 40), 0.95, ())]
    regions, seen, _ = judge_seals(img, [(cand, img)], printed, SCHOOL, engine=engine)
    assert seen[0].owner == "applicant" and len(regions) == 1
    regions, seen, _ = judge_seals(img, [(cand, img)], elsewhere, SCHOOL, engine=engine)
    assert seen[0].owner == "authority" and not regions   # no printed name at it: another school's


def _judged(reading: str, printed: list[tuple[str, tuple[int, int, int, int]]], ident: Identity):  # type: ignore[no-untyped-def]
    """``judge_seals`` of one red ring at (480, 300), read as ``reading``, with ``printed`` lines on the page."""
    from zcmask.locate._seal_find import SealCandidate
    from zcmask.locate.seals import judge_seals
    from zcmask.ocr import FakeOcrEngine
    from zcmask.results import TextLine

    img = np.full((700, 700, 3), 250, np.uint8)
    cv2.circle(img, (480, 300), 80, (215, 40, 50), 4)
    cand = SealCandidate((480.0, 300.0), (82.0, 82.0), 0.0, "round", "color", 0.9, (398, 218, 562, 382))
    engine = FakeOcrEngine(lambda crop: [TextLine(reading, (0, 0, 10, 10), 0.9, ())])
    lines = [TextLine(text, box, 0.99, ()) for text, box in printed]
    return judge_seals(img, [(cand, img)], lines, ident, engine=engine)


@pytest.mark.parametrize(("ink", "owner"), [((215, 40, 50), "unknown"), ((25, 25, 25), "authority")])
def test_a_seals_own_centre_line_read_by_the_page_is_no_printed_issuer(ink, owner):  # type: ignore[no-untyped-def]
    # held-out phone photo shrunk to 1,280 px: the unread 电子科技大学学生就业指导中心 seal's centre line
    # 学生就业指导中心, read by the page's OCR in the seal's own red ink, was taken for an issuer's
    # name printed at the seal, and the unit's seal was kept visible. Printed in black, the same
    # line is an issuer's name at its seal.
    from zcmask.locate._seal_find import SealCandidate
    from zcmask.locate.seals import judge_seals
    from zcmask.ocr import FakeOcrEngine
    from zcmask.results import TextLine

    uestc = Identity(name="廖舟", units=(Unit(name="电子科技大学"),))
    img = np.full((700, 700, 3), 250, np.uint8)
    cv2.circle(img, (480, 300), 80, (215, 40, 50), 4)
    for x in range(425, 535, 12):  # the centre line's strokes
        cv2.line(img, (x, 330), (x + 6, 350), ink, 3)
    cand = SealCandidate((480.0, 300.0), (82.0, 82.0), 0.0, "round", "color", 0.9, (398, 218, 562, 382))
    engine = FakeOcrEngine(lambda crop: [TextLine("", (0, 0, 10, 10), 0.0, ())])
    line = TextLine("学生就业指导中心", (420, 325, 540, 355), 1.0, ())
    regions, seen, _ = judge_seals(img, [(cand, img)], [line], uestc, engine=engine)
    assert seen[0].owner == owner and bool(regions) == (owner == "unknown")


@pytest.mark.parametrize(("reading", "masked"), [("2R22", False), ("", False), ("电子科技大学", True)])
def test_the_national_emblem_is_no_unreadable_seal(reading: str, masked: bool) -> None:
    # real photos of ID cards' backs and a business licence: the national emblem, a red disc filled
    # with gold, was masked as an unreadable seal, with a warning, on every ID card's back. A filled
    # disc whose ring reads as the unit is still masked.
    from zcmask.locate._seal_find import SealCandidate
    from zcmask.locate.seals import judge_seals
    from zcmask.ocr import FakeOcrEngine
    from zcmask.results import TextLine

    uestc = Identity(name="廖舟", units=(Unit(name="电子科技大学"),))
    img = np.full((700, 700, 3), 235, np.uint8)
    cv2.circle(img, (300, 300), 80, (200, 30, 35), -1)
    for i in range(5):  # gold stars and a gate on the red field
        cv2.circle(img, (250 + 25 * i, 260), 7, (230, 190, 60), -1)
    cv2.rectangle(img, (265, 300), (335, 330), (230, 190, 60), -1)
    cand = SealCandidate((300.0, 300.0), (80.0, 80.0), 0.0, "round", "color", 0.9, (220, 220, 380, 380))
    engine = FakeOcrEngine(lambda crop: [TextLine(reading, (0, 0, 10, 10), 0.9 if reading else 0.0, ())])
    regions, seen, issues = judge_seals(img, [(cand, img)], [], uestc, engine=engine)
    assert bool(regions) == masked and bool(seen) == masked
    assert masked or not issues


def test_a_short_garbled_reading_over_the_units_name_running_into_the_seal_is_the_units():
    # held-out scan of an honour: the 福建工程学院 seal stamped over the end of the printed
    # 福建工程学院, which OCR read 福建工程 up to the ring; the ring read 品建T理学位, an
    # authority by its one word 学位, and the unit's seal was kept visible
    fjut = Identity(name="孙烨臻", units=(Unit(name="福建工程学院", aliases=("福建理工大学",)),))
    running_in = [("福建工程", (230, 270, 450, 320))]
    regions, seen, _ = _judged("品建T理学位", running_in, fjut)
    assert seen[0].owner == "applicant" and len(regions) == 1
    # not at the seal: an issuer's, kept
    regions, seen, _ = _judged("品建T理学位", [("福建工程", (20, 600, 240, 650))], fjut)
    assert seen[0].owner == "authority" and not regions
    # a long reading of another body keeps it an issuer's even over the unit's name
    regions, seen, _ = _judged("福建省教育厅学生资助管理中心", running_in, fjut)
    assert seen[0].owner == "authority" and not regions


def test_an_alliance_named_after_the_unit_stays_an_issuers_over_the_units_printed_name():
    # held-out award at 1280 px + q75: the organiser's 示范性软件学院联盟 seal over the student's
    # printed 新疆大学软件学院 was masked as the applicant's (an authority by words the unit has,
    # at the unit's name)
    regions, seen, _ = _judged("示范性软件学院联盟 (A)", [("新疆大学软件学院", (380, 280, 600, 320))], XJU_SE)
    assert seen[0].owner == "authority" and not regions


@pytest.mark.parametrize(("reading", "owner"), [
    ("中国数学会", "authority"),            # a held-out contest award's society seal, read whole: was unknown
    ("出国由子学会", "authority"),          # a held-out award's 中国电子学会, its 中 misread: was masked as unknown
    ("南华学会", "applicant"),              # the unit's own ring misread 院 → 会 is still matched first
    ("全国治金集化伤量员", "authority"),    # a held-out certificate's 全国冶金焦化信息网: was masked as unknown
    ("U SCHOL OF PROFESSIONAL & CONTINUIG EDUCATION H", "authority"),  # HKU SPACE, in English
    ("南华大学", "applicant"),
    ("SYKXTK 國", "unknown"),
])
def test_a_nationwide_society_and_an_english_ring_are_issuers(reading: str, owner: str) -> None:
    usc = Identity(name="张静静", units=(Unit(name="南华大学", aliases=("University of South China",)),))
    assert owner_of(reading, usc, "round") == owner


@pytest.mark.parametrize(("unit", "owner"), [("新疆大学", "authority"), ("洛阳市人才服务中心", "applicant")])
def test_a_talent_service_centres_archive_seal_is_an_issuers(unit: str, owner: str) -> None:
    # a held-out archive-storage certificate: 洛阳市人才服务中心's 档案管理专用章, read whole, was
    # masked as unknown; such centres keep personnel files and sign a 职称 application's archive
    # certificates. A centre that is the applicant's own unit is still matched first.
    ident = Identity(name="张三", units=(Unit(name=unit),))
    assert owner_of("洛阳市人才服务中心 《案管理专用", ident, "round") == owner


def test_a_misread_own_seal_that_reads_like_a_nationwide_body_stays_masked() -> None:
    # the tuned corpus's blurred 中国集邮公司 seal, on a grey copy, reads 中国聚爱公益联盟: a first
    # version of the nationwide-society rule kept it visible as an issuer's
    stamps = Identity(name="张三", units=(Unit(name="中国集邮公司"),))
    assert owner_of("“中国聚爱公益联盟", stamps, "round") == "unknown"


def test_an_english_ring_naming_the_unit_is_the_units() -> None:
    hku = Identity(name="张三", units=(Unit(name="港大专业进修学院", aliases=("HKU SPACE", "School of Professional and Continuing Education")),))
    assert owner_of("SCHOOL OF PROFESSIONAL AND CONTINUING EDUCATION", hku, "round") == "applicant"


@pytest.mark.parametrize(("printed", "owner"), [
    # a held-out phone photo's two unread issuers' seals over English names (NECCS award)
    ([("College English Teaching &", (400, 360, 560, 385)), ("Research Association of China", (400, 390, 560, 415))],
     "authority"),
    # and over a Chinese name in two lines
    ([("全国高等师范院校外语", (400, 300, 560, 330)), ("教学与研究协作组", (400, 335, 560, 365))], "authority"),
    # the unit's own English name, its place in pinyin: may be the unit's seal, masked
    ([("Bazhou Electric Power Association", (400, 360, 560, 385))], "unknown"),
    ([("the annual meeting of the committee", (20, 600, 300, 630))], "unknown"),  # not at the seal
])
def test_an_unread_seal_over_an_issuers_printed_name_in_english_or_two_lines_is_kept(printed, owner) -> None:
    regions, seen, _ = _judged("x 日", printed, Identity(name="张三", units=(Unit(name="巴州供电公司"),)))
    assert seen[0].owner == owner and bool(regions) is (owner != "authority")


def test_a_misread_own_college_seal_over_its_printed_college_name_stays_masked() -> None:
    # held-out phone photo: 长沙理工大学's 水利与环境工程学院 seal read 长作工大 は over the printed
    # 水利与环境工程学院, a full name by its ending, so it was kept visible as an issuer's
    csust = Identity(name="陈楚峰", units=(Unit(name="长沙理工大学"),))
    regions, seen, _ = _judged("长作工大 は", [("水利与环境工程学院", (400, 360, 560, 385))], csust)
    assert seen[0].owner == "unknown" and len(regions) == 1
    regions, seen, _ = _judged("susn oont 田", [("中国工业与应用数学学会", (400, 360, 560, 385))], csust)
    assert seen[0].owner == "authority" and not regions  # nothing of the unit in the reading: the issuer's


def test_a_fit_to_part_of_a_broken_ring_is_grown_over_the_rest_of_its_ink():
    from zcmask.locate._seal_find import _grown_over_rest

    ink = _ring_ink()
    ys, xs = np.nonzero(ink)
    blob = ((300, 200, 200, 200), np.stack([xs, ys], axis=1))
    upper = _cand((400, 265), (95, 60), "oval")
    grown = _grown_over_rest(upper, [blob], [])
    assert grown.bbox[1] <= 205 and grown.bbox[3] >= 395 and grown.center == upper.center  # read as fitted
    whole = _cand((400, 300), (96, 96))
    assert _grown_over_rest(whole, [blob], []) == whole                # nothing left out: unchanged
    far = ((0, 0, 800, 600), np.concatenate([blob[1], [[5, 5], [790, 590]]]))
    assert _grown_over_rest(upper, [far], []).bbox == upper.bbox       # joined to the whole page: not grown


def test_a_seal_is_not_grown_over_the_seal_stamped_beside_it():
    # a contract's 骑缝章 beside the other party's seal, joined to it by the widest join: its box
    # grew over that seal, the two were merged into one, and the unit's 骑缝章 was kept visible
    from zcmask.locate._seal_find import _grown_over_rest

    ink = np.zeros((600, 900), bool)
    yy, xx = np.mgrid[0:600, 0:900]
    for cx, rad in ((385, 60), (540, 108)):
        r = np.hypot(xx - cx, yy - 300)
        ink[(r > rad - 8) & (r < rad)] = True
    ys, xs = np.nonzero(ink)
    blob = ((325, 192, 323, 216), np.stack([xs, ys], axis=1))
    left, right = _cand((385, 300), (60, 60)), _cand((540, 300), (108, 108))
    assert _grown_over_rest(right, [blob], [left]) == right
    assert _grown_over_rest(right, [blob], []) != right      # without it, it would be taken for the rest


# --- a pale seal: its ring stamp ink, its characters too pale ----------------------------------


def _pale_seal_page(chars: tuple[int, int, int] | None, *, seed: int = 3, black_text: bool = False,
                    arc: int = 360) -> np.ndarray:
    """A table crossed by a pale pink seal whose ring is darker than its characters, saved at JPEG q75.

    Only ``arc`` degrees of the ring are darker; the rest is as pale as the characters.
    """
    from zcsynth._seals import SealSpec, seal_ink, stamp

    img = np.full((1400, 1000, 3), 247, np.uint8)
    if chars is not None:
        img, _ = stamp(img, seal_ink(SealSpec("上海某某医疗器械有限公司", size=300, seed=seed)), (500, 700), chars)
    if black_text:  # a red pen loop round printed words
        for y in (650, 700, 750):
            cv2.putText(img, "ABCDEFG", (400, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2)
    if chars is not None:
        cv2.circle(img, (500, 700), 141, chars, 5)
    cv2.ellipse(img, (500, 700), (141, 141), 0, -90 - arc / 2, -90 + arc / 2, (228, 140, 150), 5)
    for y in (640, 760):                                     # the table's red rules across it
        cv2.line(img, (60, y), (940, y), (200, 40, 50), 2)
    ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 75])
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])


@pytest.mark.parametrize(("chars", "seed", "arc"), [((241, 222, 226), 3, 360), ((241, 223, 226), 5, 360),
                                                    ((242, 224, 227), 7, 360), ((241, 222, 226), 3, 200)])
def test_a_pale_seal_whose_characters_are_under_the_stamp_ink_threshold_is_found(chars, seed, arc) -> None:  # type: ignore[no-untyped-def]
    # a real scan's pale pink company seal over a table, re-saved at JPEG q75: its ring stays stamp
    # ink but its characters fall under it (ring text 0.04), so it was no seal; its characters are
    # measured again as faint stamp ink. A pale 启明学院 seal showed half its ring as stamp ink (arc).
    cands = find_candidates(_pale_seal_page(chars, seed=seed, arc=arc))
    assert len(cands) == 1
    x0, y0, x1, y1 = cands[0].bbox
    assert x0 <= 362 and y0 <= 562 and x1 >= 638 and y1 >= 838 and x1 - x0 <= 320, cands[0].bbox


@pytest.mark.parametrize("black_text", [False, True])
def test_a_bare_red_ring_over_a_table_is_no_pale_seal(black_text: bool) -> None:
    # nothing pale and red inside it: the table's red rules crossing it and black print are no ring text
    assert find_candidates(_pale_seal_page(None, black_text=black_text)) == []


# --- the page's own frame is no seal cut by its edges -----------------------------------------


def test_a_ring_fitted_past_three_page_edges_is_no_seal() -> None:
    # a real promotional graphic (its red border) and a real photo of a certificate in a red folder
    # shrunk to 1280 px: the border was fitted as an oval reaching past three or four page edges,
    # read as nothing and masked as an unread seal, blacking out the page
    from zcmask.locate._seal_find import _past_edges

    img = np.asarray(Image.open(REAL / "rapid_promo.jpg").convert("RGB"))
    h, w = img.shape[:2]
    assert not any(_past_edges(c.bbox, (h, w)) for c in find_candidates(img))
    assert _past_edges((-42, -33, 1319, 963), (923, 1280))            # past every edge: the page's frame
    assert not _past_edges((-60, 300, 200, 560), (923, 1280))         # a 骑缝章 cut by the left edge
    assert not _past_edges((-60, -60, 200, 200), (923, 1280))         # a seal cut at a corner


def _oval_ring_ink(a: int, b: int, gap: int) -> np.ndarray:
    """Stamp ink of an oval ring (semi-axes ``a``, ``b``) with ring text, its tips left out ``gap`` degrees each way."""
    m = np.zeros((600, 800), np.uint8)
    c = (400, 300)
    cv2.ellipse(m, c, (a, b), 0, gap, 180 - gap, 1, 4)
    cv2.ellipse(m, c, (a, b), 0, 180 + gap, 360 - gap, 1, 4)
    for t in np.deg2rad([*range(gap + 5, 180 - gap, 12), *range(185 + gap, 360 - gap, 12)]):
        x, y = int(c[0] + 0.78 * a * np.cos(t)), int(c[1] + 0.72 * b * np.sin(t))
        m[y - 4:y + 4, x - 4:x + 4] = 1
    return m.astype(bool)


@pytest.mark.parametrize(("a", "b", "gap", "seal"), [
    (150, 65, 35, False),  # 2.3 times as wide as high: its hull's box, tips missing, only 1.9
    (150, 100, 0, True),   # a 45 x 30 mm oval seal
    (150, 100, 35, True),
])
def test_an_oval_far_wider_than_any_stamped_one_is_no_seal(a, b, gap, seal):
    # held-out phone photo of a maths-contest award: the printed oval frame round its text (red
    # print, 2.0 times as wide as high) was masked as an unread seal, with the award's text under it
    from zcmask.locate._seal_find import _classify_blob

    ink = _oval_ring_ink(a, b, gap)
    ys, xs = np.nonzero(ink)
    cand = _classify_blob(ink, np.stack([xs, ys], axis=1), source="color", strict=False, side=800)
    assert (cand is not None) == seal


def test_an_issuers_logo_read_in_part_beside_its_seal_read_whole_is_kept() -> None:
    # held-out contest certificate: the association's round logo at the top read 电协会中国育 (its
    # name from 电, 教 and 视 lost) was masked as unknown while its seal at the foot, read
    # 中国教育电视协会, was kept; a ring read as part of a kept issuer's reading is that issuer's
    from zcmask.locate._seal_find import SealCandidate
    from zcmask.locate.seals import judge_seals
    from zcmask.ocr import FakeOcrEngine
    from zcmask.results import TextLine

    img = np.full((1000, 700, 3), 250, np.uint8)
    cv2.circle(img, (350, 150), 45, (215, 40, 50), 4)
    cv2.circle(img, (480, 800), 90, (215, 40, 50), 4)
    logo = SealCandidate((350.0, 150.0), (47.0, 47.0), 0.0, "round", "color", 0.9, (303, 103, 397, 197))
    seal = SealCandidate((480.0, 800.0), (92.0, 92.0), 0.0, "round", "color", 0.9, (388, 708, 572, 892))

    def engine(whole: str, part: str) -> FakeOcrEngine:
        def read(crop: np.ndarray) -> list[TextLine]:
            if crop.shape[1] < 100:
                return []  # the centres
            return [TextLine(whole if crop.shape[1] > 400 else part, (0, 0, 10, 10), 0.9, ())]
        return FakeOcrEngine(read)

    ident = Identity(name="王京京", units=(Unit(name="石家庄市第一小学"),))
    regions, seen, _ = judge_seals(img, [(logo, img), (seal, img)], [], ident, engine=engine("中国教育电视协会", "电协会中国育"))
    assert [s.owner for s in seen] == ["authority", "authority"] and regions == []
    # not part of it (another order, another body), or like the unit's name: masked as before
    for part in ("协会中国电育", "石家庄市第一"):
        regions, seen, _ = judge_seals(img, [(logo, img), (seal, img)], [], ident, engine=engine("中国教育电视协会", part))
        assert seen[0].owner != "authority" and len(regions) == 1


# --- a phone photo's seal: its colour blurred by the JPEG ------------------------------------------


def _phone_seal_page(text: str, size: int, blur: float) -> np.ndarray:
    """A seal page as a phone saves it: warm light, blurred, JPEG q50 (colour at half resolution)."""
    import io

    from zcsynth._seals import SealSpec, seal_page

    img = seal_page(SealSpec(text, size=size), owner="authority").image.astype(np.float32)
    img = cv2.GaussianBlur(np.clip(img * np.array([1.0, 0.95, 0.86], np.float32), 0, 255).astype(np.uint8),
                           (0, 0), blur)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=50)  # PIL's default keeps colour at half size (4:2:0)
    return np.asarray(Image.open(buf).convert("RGB"))


@pytest.mark.slow
@pytest.mark.parametrize("blur", [1.1, 1.4])
def test_an_issuers_seal_on_a_phone_photo_is_read_and_kept(blur: float) -> None:
    # held-out phone variants: the ring read from redness alone was smeared by the JPEG's colour
    # (a patent certificate's tax seal read 183 R68esan R) and every such issuer's seal was masked
    # as unreadable; read from brightness where the ink is red, it is the issuer's again
    from zcmask.locate.seals import find_seals
    from zcmask.ocr import get_engine

    ident = Identity(name="王建国", units=(Unit(name="巴州某某有限公司"),))
    regions, seen, _ = find_seals(_phone_seal_page("新疆维吾尔自治区人力资源和社会保障厅", 200, blur), [], ident, engine=get_engine())
    assert len(seen) == 1 and seen[0].owner == "authority" and not seen[0].masked, seen
    assert regions == []


def test_stamp_ink_leaves_out_black_print_under_the_ring() -> None:
    # the unit's printed name under an issuer's ring, its black strokes tinted red by the JPEG's
    # colour blur, was read into the ring's centre line (有限公園) and the seal taken for the unit's
    from zcmask.locate._seal_read import stamp_ink

    crop = np.full((60, 60, 3), 245, np.uint8)
    crop[10:50, 10:16] = (200, 60, 60)      # the stamp's strokes
    crop[10:50, 30:34] = (70, 25, 25)       # black print, reddened by the blur
    ink = stamp_ink(crop)
    assert ink[30, 12] > 0.9 and ink[30, 32] < 0.1 and ink[5, 5] == 0.0
