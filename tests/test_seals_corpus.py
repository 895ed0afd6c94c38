"""Seal failure modes found on the grown real corpus (``benchmarks/real/seals``, 33 sources).

Each test reproduces one way a real page failed before: a seal cut by the edge
of its sheet inside the image (骑缝章), a gray copy of a photo whose paper is
darker than the fixed ink threshold, an invoice's 监制章 printed over a title
the OCR reads only in part, a registration authority's seal on a licence photo,
and 工商行政管理局 not counting as an authority. Real committed images
(MIT, see the corpus manifest) back the slow end-to-end cases.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import covering, seal_box
from zcmask.locate._seal_find import SealCandidate, find_candidates
from zcmask.locate._seal_read import owner_of
from zcmask.locate.seals import (
    _is_invoice_title,
    is_invoice_supervision_seal,
    is_licence_authority_seal,
    is_printed_issuer_seal,
)
from zcmask.options import Identity, Unit
from zcmask.results import TextLine
from zcsynth._seals import SealSpec, seal_page

REAL = Path(__file__).resolve().parents[1] / "benchmarks" / "real" / "seals"
UNIT = "河南森源重工有限公司"
IDENT = Identity(name="张三", units=(Unit(name=UNIT, aliases=("森源重工",)),))


# --- find: a seal cut by its sheet's edge inside the image (骑缝章) ---------------------------


@pytest.mark.parametrize("keep", [0.45, 0.6])
def test_seal_cut_by_the_edge_of_its_sheet_inside_the_image_is_found(keep: float) -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    img = page.image.copy()
    x0, y0, x1, y1 = seal_box(page)
    cut = int(x1 - keep * (x1 - x0))
    img[:, x0 - 40:cut] = 255  # only the right part of the seal is on this sheet
    cand = covering(find_candidates(img), (cut, y0, x1, y1))
    assert cand is not None
    assert cand.shape == "round"


def test_a_red_title_cut_off_by_a_straight_edge_is_no_seal() -> None:
    img = np.full((1200, 900, 3), 255, np.uint8)
    cv2.putText(img, "NOTICE 2024", (80, 200), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (200, 30, 30), 9)
    img[:, 450:] = 255  # cut through the title
    cv2.rectangle(img, (100, 400), (300, 560), (200, 30, 30), 4)  # a red box with a side cut away
    img[:, 300:] = np.where(np.arange(img.shape[0])[:, None, None] > 380, 255, img[:, 300:])
    assert find_candidates(img) == []


# --- find: a gray copy of a photo (paper darker than the fixed threshold) --------------------


def test_seal_on_a_gray_photo_copy_with_dark_paper_is_found() -> None:
    page = seal_page(SealSpec(UNIT, size=320), unit=UNIT)
    g = cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    h, w = g.shape
    shade = np.linspace(0.72, 0.8, w, dtype=np.float32)[None, :]  # a desk photo's light, copied gray
    rng = np.random.default_rng(3)
    g = np.clip(g * shade + rng.normal(0, 4, g.shape), 0, 255).astype(np.uint8)
    img = np.repeat(g[..., None], 3, axis=2)
    assert float(np.median(g)) < 200  # the paper itself is below the old ink threshold
    assert covering(find_candidates(img), seal_box(page), 0.8) is not None


# --- owner: authority words and places ------------------------------------------------------


def test_a_business_registration_bureau_is_an_authority_but_a_bank_is_not() -> None:
    other = Identity(name="张三", units=(Unit(name="广州示例商务服务有限公司"),))
    assert owner_of("广州市花都区工商行政管理局", other, "round") == "authority"
    assert owner_of("乌鲁木齐市市场监管局", other, "round") == "authority"
    assert owner_of("中国工商银行股份有限公司巴州分行", other, "round") == "unknown"
    bank = Identity(name="张三", units=(Unit(name="中国工商银行股份有限公司巴州分行"),))
    assert owner_of("中国工商银行股份有限公司巴州分行", bank, "round") == "applicant"


def test_invoice_titles_are_told_from_other_invoice_lines() -> None:
    assert _is_invoice_title("四川增值税专用发票")
    assert _is_invoice_title("用发票")  # 增值税专 lost under the 监制章
    for line in ("发票专用章", "发票代码：044031800104", "发票联", "开票日期", "附发票3张"):
        assert not _is_invoice_title(line), line


def test_an_unread_oval_over_a_partly_read_title_is_the_tax_bureaus() -> None:
    title = [TextLine("用发票", (470, 21, 561, 56), 0.9, ())]
    seal = SealCandidate((458.0, 70.0), (57.0, 38.0), 0.0, "oval", "color", 1.0, (401, 31, 515, 108))
    assert is_invoice_supervision_seal(seal, title, 534)


def test_an_invoice_photographed_inside_a_screenshot_is_judged_by_its_title() -> None:
    # the title sits at 37% of the screenshot's height, below the old top-quarter limit
    lines = [TextLine("深圳增值税普通发票", (476, 366, 698, 403), 0.9, ()),
             TextLine("发票专用章", (807, 790, 884, 816), 0.9, ())]
    top = SealCandidate((588.0, 410.0), (55.0, 38.0), 0.0, "oval", "color", 1.0, (533, 372, 643, 447))
    seller = SealCandidate((849.0, 779.0), (71.0, 54.0), 0.0, "oval", "color", 1.0, (778, 725, 920, 833))
    assert is_invoice_supervision_seal(top, lines, 1011)
    # the seller's own seal, with its centre line 发票专用章 read by the page OCR, stays the seller's
    assert not is_invoice_supervision_seal(seller, lines, 1011)
    assert not is_invoice_supervision_seal(seller, [TextLine("增值税普通发票", (760, 760, 900, 800), 0.9, ())],
                                           1011)  # lower half of the page: never the 监制章


def test_an_unread_seal_over_an_unread_title_is_placed_by_the_invoice_date_label() -> None:
    # the old blue invoice of the real corpus: the 监制章 hides the title from OCR entirely
    lines = [TextLine("4400154130", (137, 51, 297, 81), 0.9, ()),
             TextLine("开票日期", (676, 98, 745, 119), 0.9, ()),
             TextLine("购买方", (40, 148, 65, 222), 0.9, ()),
             TextLine("销售方", (40, 470, 65, 560), 0.9, ())]
    top = SealCandidate((479.0, 83.0), (44.0, 66.0), 90.0, "oval", "color", 1.0, (412, 38, 546, 128))
    seller = SealCandidate((837.0, 517.0), (70.0, 89.0), 70.0, "oval", "color", 1.0, (750, 445, 924, 589))
    assert is_invoice_supervision_seal(top, lines, 602)
    assert not is_invoice_supervision_seal(seller, lines, 602)  # the seller's, at the bottom
    # not an invoice page (no buyer, seller, total or cipher field): a unit's seal at the top stays masked
    assert not is_invoice_supervision_seal(top, lines[:2], 602)
    # right of the date label is not where the bureau's seal is printed
    right = SealCandidate((830.0, 83.0), (44.0, 66.0), 90.0, "oval", "color", 1.0, (764, 38, 896, 128))
    assert not is_invoice_supervision_seal(right, lines, 602)


def test_a_round_seal_by_the_registration_label_of_a_licence_is_the_authoritys() -> None:
    lines = [TextLine("营业执照", (622, 227, 1036, 330), 0.95, ()),
             TextLine("登记机关", (1023, 770, 1180, 803), 0.95, ())]
    seal = SealCandidate((1340.0, 784.0), (105.0, 105.0), 0.0, "round", "color", 1.0, (1235, 679, 1444, 889))
    assert is_licence_authority_seal(seal, lines)
    far = SealCandidate((300.0, 784.0), (105.0, 105.0), 0.0, "round", "color", 1.0, (195, 679, 404, 889))
    assert not is_licence_authority_seal(far, lines)  # the company's own seal elsewhere on a copy
    assert not is_licence_authority_seal(seal, lines[:1])  # no issuer's label beside it
    square = SealCandidate((1340.0, 784.0), (105.0, 105.0), 0.0, "square", "color", 1.0, (1235, 679, 1444, 889))
    assert not is_licence_authority_seal(square, lines)  # a name seal


def test_a_seal_by_the_issuer_label_of_a_permit_is_the_authoritys() -> None:
    # held-out real pages: a 食品经营许可证 copy (seal under 发证机关：), a 开户许可证 (over
    # 发证机关（盖章）), a 食品生产许可证 (over 发证日期, its 发证机关 line hidden by the seal)
    seal = SealCandidate((1570.0, 997.0), (110.0, 110.0), 0.0, "round", "shape", 1.0, (1460, 887, 1680, 1107))
    under = [TextLine("发证机关：", (1094, 832, 1422, 883), 0.95, ())]
    assert is_licence_authority_seal(seal, under)
    permit = [TextLine("食品生产许可证", (500, 60, 900, 120), 0.95, ()),
              TextLine("发证日期：", (942, 775, 1092, 817), 0.95, ())]
    over_date = SealCandidate((1107.0, 706.0), (100.0, 100.0), 0.0, "round", "color", 1.0, (1007, 605, 1208, 807))
    assert is_licence_authority_seal(over_date, permit)
    assert not is_licence_authority_seal(over_date, permit[1:])  # a date label alone: a unit's certificate too
    # 发证机关（盖章） read 发任机关(盖章）: a short line with 机关 is still the label
    misread = [TextLine("发任机关(盖章）", (1059, 793, 1287, 853), 0.9, ())]
    bank = SealCandidate((1186.0, 816.0), (122.0, 121.0), 0.0, "round", "color", 1.0, (1064, 695, 1308, 937))
    assert is_licence_authority_seal(bank, misread)
    # a 代开 invoice names the tax office that issued it: (代开机关) beside the seller's own seal
    assert not is_licence_authority_seal(bank, [TextLine("(代开机关)", (1059, 793, 1287, 853), 0.9, ())])
    assert not is_licence_authority_seal(bank, [TextLine("国家机关、事业单位工作人员应当遵守本规定", (1059, 793, 1800, 853),
                                                         0.9, ())])


# --- end to end on real committed images (MIT, benchmarks/real/seals/manifest.json) ----------


def _page(tmp_path: Path, name: str) -> Path:
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    Image.open(REAL / name).convert("RGB").save(src / "page.jpg", quality=92)
    return src / "page.jpg"


@pytest.mark.slow
def test_specimen_invoice_keeps_the_tax_bureaus_seal_visible(tmp_path: Path) -> None:
    from zcmask.options import Options
    from zcmask.pipeline import PageContext, process_page

    ident = Identity(name="张三", units=(Unit(name="测试购方企业"),))
    opts = Options.build(identity=ident, cache=False, progress=False)
    res = process_page(PageContext(str(_page(tmp_path, "gsc_invoice_specimen.jpg")), 0, opts, "mask",
                                   str(tmp_path / "out.jpg")))
    near = [s for s in res.seals if s.bbox[0] < 520 and s.bbox[2] > 399 and s.bbox[1] < 111]
    assert near and not any(s.masked for s in near), res.seals
    assert not any(i.code == "seal_unreadable" for i in res.issues)


@pytest.mark.slow
def test_invoice_photo_masks_the_sellers_seal_and_keeps_the_bureaus(tmp_path: Path) -> None:
    from zcmask.options import Options
    from zcmask.pipeline import PageContext, process_page

    ident = Identity(name="张三", units=(Unit(name="成都网证互联网信息服务有限公司", aliases=("网证互联网",)),))
    opts = Options.build(identity=ident, cache=False, progress=False)
    out = tmp_path / "out.jpg"
    process_page(PageContext(str(_page(tmp_path, "gsc_invoice_photo.jpg")), 0, opts, "mask", str(out)))
    masked = np.asarray(Image.open(out).convert("L"))
    seller = masked[864:1075, 1025:1306]
    bureau = masked[193:347, 683:903]
    assert float((seller <= 48).mean()) > 0.9
    assert float((bureau <= 48).mean()) < 0.3


def test_a_round_fit_over_an_invoice_title_on_a_gray_copy_is_the_tax_bureaus() -> None:
    title = [TextLine("天津增值税电子普通发票", (380, 34, 811, 77), 0.9, ())]
    ring = SealCandidate((573.0, 104.0), (73.0, 65.0), 0.0, "round", "shape", 1.0, (500, 39, 646, 169))
    assert is_invoice_supervision_seal(ring, title, 794)
    square = SealCandidate((573.0, 104.0), (73.0, 65.0), 0.0, "square", "shape", 1.0, (500, 39, 646, 169))
    assert not is_invoice_supervision_seal(square, title, 794)


# --- a page-sized ring over the print is a watermark, not a seal -----------------------------


def _print_lines(n: int, w: int = 1200) -> list[TextLine]:
    return [TextLine(f"第{i}行正文内容", (100, 60 + 40 * i, w - 100, 90 + 40 * i), 0.9, ()) for i in range(n)]


def test_a_page_sized_ring_over_the_print_is_a_watermark() -> None:
    from zcmask.locate.seals import covers_the_print

    huge = SealCandidate((600.0, 400.0), (660.0, 380.0), 0.0, "oval", "color", 0.7, (-60, 20, 1260, 780))
    assert covers_the_print(huge, _print_lines(15), 1200, 800)
    # a close-up: the seal fills the frame and only its own text is inside
    assert not covers_the_print(huge, _print_lines(3), 1200, 800)
    # an ordinary seal over a few printed lines
    seal = SealCandidate((900.0, 600.0), (120.0, 120.0), 0.0, "round", "color", 1.0, (780, 480, 1020, 720))
    assert not covers_the_print(seal, _print_lines(15), 1200, 800)


def test_find_seals_does_not_mask_a_watermark_ring_over_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from zcmask.locate import seals as S
    from zcmask.ocr import FakeOcrEngine

    huge = SealCandidate((600.0, 400.0), (660.0, 380.0), 0.0, "oval", "color", 0.7, (-60, 20, 1260, 780))
    real = SealCandidate((900.0, 600.0), (120.0, 120.0), 0.0, "round", "color", 1.0, (780, 480, 1020, 720))
    monkeypatch.setattr(S, "find_all", lambda image: ([huge, real], []))
    img = np.full((800, 1200, 3), 255, np.uint8)
    regions, seen, _ = S.find_seals(img, _print_lines(15), IDENT, engine=FakeOcrEngine(lambda im: []))
    assert [s.bbox[0] >= 700 for s in seen] == [True]  # only the real seal, masked as unreadable
    assert len(regions) == 1


# --- a second seal stamped against a found one ------------------------------------------------


def test_a_square_seal_half_under_a_round_one_is_covered_too() -> None:
    from zcsynth._seals import COLORS, seal_ink, stamp

    page = seal_page(SealSpec(UNIT, size=300), unit=UNIT)
    x0, y0, x1, y1 = seal_box(page)
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    sq = seal_ink(SealSpec("森源重工", shape="square", size=240, seed=4))
    img, box = stamp(page.image, sq, (cx + 1.0 * r, cy + 0.15 * r), COLORS["red"])
    # the round seal again on top, so its ring runs over the square's left side
    img, _ = stamp(img, seal_ink(SealSpec(UNIT, size=300)), (cx, cy), COLORS["red"])
    cands = find_candidates(img)
    assert covering(cands, (x0, y0, x1, y1)) is not None
    bx0, by0, bx1, by1 = box
    visible = (int(cx + 1.1 * r), by0, bx1, by1)  # the square's part outside the round seal
    assert covering(cands, visible, 0.9) is not None


def _blob(mask: np.ndarray) -> tuple[tuple[int, int, int, int], np.ndarray]:
    ys, xs = np.nonzero(mask)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    return box, np.stack([xs, ys], axis=1)


def test_the_rest_of_a_blob_is_a_second_seal_only_when_it_is_made_of_strokes() -> None:
    from zcmask.locate._seal_find import _overlapped_rest

    ink = np.zeros((600, 800), bool)
    ring = np.zeros((600, 800), np.uint8)
    cv2.circle(ring, (300, 300), 100, 1, 8)  # the found round seal's ring
    found = SealCandidate((300.0, 300.0), (104.0, 104.0), 0.0, "round", "color", 1.0, (196, 196, 404, 404))
    frame = np.zeros((600, 800), np.uint8)
    cv2.rectangle(frame, (380, 220), (540, 380), 1, 10)  # a square seal's frame, its left side under the ring
    seal_pair = (ring | frame) > 0
    assert len(_overlapped_rest(ink | seal_pair, [found], [_blob(seal_pair)])) == 1
    # the same place covered by specks of a printed pattern joined to the seal's ring
    specks = np.zeros((600, 800), bool)
    rng = np.random.default_rng(1)
    for x, y in rng.integers((380, 220), (540, 380), size=(700, 2)):
        specks[y:y + 3, x:x + 3] = True
    spotted = (ring > 0) | specks
    assert _overlapped_rest(ink | spotted, [found], [_blob(spotted)]) == []


def test_a_loop_of_a_giant_title_glyph_is_print_but_a_seal_over_a_line_is_not() -> None:
    from zcmask.locate.seals import inside_a_text_line

    title = [TextLine("正品促销", (1, 0, 318, 99), 0.9, ())]  # a poster's title, 99 px tall
    loop = SealCandidate((285.0, 97.0), (18.0, 24.0), 0.0, "oval", "color", 0.8, (267, 73, 304, 121))
    assert inside_a_text_line(loop, title)
    # a seal stamped over an ordinary line is far taller than the line
    body = [TextLine("特此证明。本单位同意其申报高级工程师职称", (100, 580, 1100, 620), 0.9, ())]
    seal = SealCandidate((700.0, 600.0), (120.0, 120.0), 0.0, "round", "color", 1.0, (580, 480, 820, 720))
    assert not inside_a_text_line(seal, body)
    # the seal's own ring text, read by the page OCR as one line about as wide as the seal
    ring = [TextLine("巴州鑫源电力工程有限公司", (590, 470, 830, 720), 0.8, ())]
    assert not inside_a_text_line(seal, ring)


def test_a_seal_whose_middle_line_reads_jianzhi_is_the_supervision_seal() -> None:
    # a hospital receipt: 财政部票据监制章 over 上海市医疗住院收费票据（电子）, read 往院临费养据,
    # ring unread; the page's OCR read the seal's middle line 财政部监制
    seal = SealCandidate((595.0, 500.0), (93.0, 75.0), 0.0, "oval", "color", 1.0, (502, 425, 688, 575))
    lines = [TextLine("上海市医疗往院临费养据（电子）", (408, 465, 801, 518), 0.9, ()),
             TextLine("财政部监制", (542, 505, 645, 546), 0.9, ())]
    assert is_invoice_supervision_seal(seal, lines, 1682)
    assert not is_invoice_supervision_seal(seal, lines[:1], 1682)
    low = SealCandidate((595.0, 1300.0), (93.0, 75.0), 0.0, "oval", "color", 1.0, (502, 1225, 688, 1375))
    assert not is_invoice_supervision_seal(low, [TextLine("财政部监制", (542, 1305, 645, 1346), 0.9, ())], 1682)


def test_an_unread_seal_over_its_issuers_printed_name_is_the_issuers() -> None:
    # held-out real certificates: 华南理工大学 / 2023年4月 under the university's seal, its ring
    # unread; the seal was masked as maybe the applicant's unit
    ident = Identity(name="张三", units=(Unit(name="广州示例科技有限公司"),))
    seal = SealCandidate((1526.0, 1047.0), (158.0, 158.0), 0.0, "round", "color", 1.0, (1368, 890, 1685, 1205))
    issuer = [TextLine("华南理工大学", (1271, 1061, 1730, 1143), 0.98, ()),
              TextLine("2023年4月", (1336, 1142, 1668, 1212), 0.99, ())]
    assert is_printed_issuer_seal(seal, issuer, ident)
    # the applicant's unit signs under its own name (even read loosely): masked as before
    own = [TextLine("广州示例科技有限公", (1271, 1061, 1730, 1143), 0.98, ())]
    assert not is_printed_issuer_seal(seal, own, Identity(name="张三", units=(Unit(name="广州示例科技有限公司"),)))
    assert not is_printed_issuer_seal(seal, issuer + own, ident)
    # a department alone, a name read unsurely, or a name far from the seal prove nothing
    assert not is_printed_issuer_seal(seal, [TextLine("人力资源部", (1300, 1061, 1700, 1143), 0.98, ())], ident)
    assert not is_printed_issuer_seal(seal, [TextLine("华南理工大学", (1271, 1061, 1730, 1143), 0.6, ())], ident)
    assert not is_printed_issuer_seal(seal, [TextLine("华南理工大学", (200, 1061, 600, 1143), 0.98, ())], ident)
    assert not is_printed_issuer_seal(seal, issuer, None)


def test_a_party_or_league_committee_printed_under_an_unread_seal_is_the_issuer() -> None:
    # a held-out volunteer certificate signed 阳光社区党委 under its unread seal
    ident = Identity(name="张三", units=(Unit(name="广州示例科技有限公司"),))
    seal = SealCandidate((1526.0, 1047.0), (158.0, 158.0), 0.0, "round", "color", 1.0, (1368, 890, 1685, 1205))
    committee = [TextLine("阳光社区党委", (1300, 1061, 1700, 1143), 0.98, ())]
    assert is_printed_issuer_seal(seal, committee, ident)
    # the applicant's own unit's committee signs under its own name: masked as before
    own = Identity(name="张三", units=(Unit(name="巴州人民医院"),))
    assert not is_printed_issuer_seal(seal, [TextLine("巴州人民医院党委", (1300, 1061, 1700, 1143), 0.98, ())], own)
    assert not is_printed_issuer_seal(seal, [TextLine("广州示例科技有限公司党委", (1300, 1061, 1700, 1143), 0.98, ())], ident)
