"""The unit's name as real documents print it under the unit's own seal (benchmarks/real_unit_text.py).

On real contracts and notices the seal is stamped over the 甲方/供方 line or the
name at the foot of the page; OCR's detector then finds no line there, or only
single characters, and the name outside the seal's box stayed visible. zcmask
now reads the band around the applicant's seal again with the stamp ink taken
out (:mod:`zcmask.locate._under_seal`).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import black_fraction, fake_options, identity, mk_line, save_jpeg
from zcmask.locate._seal_find import ink_mask
from zcmask.ocr import FakeOcrEngine, register_engine
from zcmask.results import SealSeen

UNIT = "河南森源重工有限公司"
LINE = "供方：" + UNIT
TEXT_BOX = (100, 300, 700, 340)  # the printed line; the seal covers its middle
SEAL_BOX = (250, 220, 450, 420)


def _page(text_box: tuple[int, int, int, int] = TEXT_BOX) -> np.ndarray:
    img = np.full((900, 1200, 3), 250, np.uint8)
    x0, y0, x1, y1 = text_box
    img[y0:y1, x0:x1] = 90  # the line's ink (grey, so that masked black tells)
    cv2.circle(img, (350, 320), 95, (215, 30, 35), 8)  # the seal's ring over it
    cv2.circle(img, (350, 320), 40, (215, 30, 35), -1)
    return img


def _seal_blind(text: str):
    """An engine that, like the real detector, sees no line where stamp ink crosses it."""

    def read(img: np.ndarray):
        dark = img.max(axis=2) < 100
        if not dark.any():
            return []
        ys, xs = np.nonzero(dark)
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        if ink_mask(img[y0:y1, x0:x1]).any():
            return []
        step = (x1 - x0) / len(text)
        return [mk_line(text, x=float(x0), y=float(y0), ch=float(y1 - y0), gap=step - float(y1 - y0))]

    return FakeOcrEngine(read)


def _mask(tmp_path, monkeypatch, seal: SealSeen, text: str, unit: str = UNIT,
          text_box: tuple[int, int, int, int] = TEXT_BOX):
    from zcmask import pipeline

    eng = _seal_blind(text)
    register_engine("fake", eng)
    try:
        src = save_jpeg(_page(text_box), tmp_path / "a.jpg")
        monkeypatch.setattr(pipeline, "find_seals", lambda *a, **k: ([], [seal], []))
        out = tmp_path / "o.jpg"
        opts = fake_options(seals="applicant", identity=identity(units=(unit,)))
        res = pipeline.process_page(pipeline.PageContext(str(src), 0, opts, "mask", str(out)))
    finally:
        register_engine("fake", FakeOcrEngine([]))
    assert res.error is None
    return res, out, eng


def _applicant_seal(text: str = UNIT, owner: str = "applicant", shape: str = "round") -> SealSeen:
    return SealSeen(SEAL_BOX, text, owner, owner != "authority", shape)


def test_unit_line_the_detector_cannot_see_under_the_seal_is_masked(tmp_path, monkeypatch):
    res, out, eng = _mask(tmp_path, monkeypatch, _applicant_seal(), LINE)
    assert eng.calls == 2  # the page, then the band around the seal without its ink
    units = [r for r in res.regions if r.kind == "unit"]
    assert units and any(UNIT in r.text for r in units)
    x0, y0, x1, y1 = TEXT_BOX
    # the unit's characters right of the seal's box are covered too (they leaked before)
    name_x0 = x0 + int((x1 - x0) * 3 / len(LINE))
    assert black_fraction(out, (name_x0 + 4, y0 + 4, x1 - 4, y1 - 4)) > 0.95
    assert black_fraction(out, (SEAL_BOX[2] + 10, y0 + 4, x1 - 4, y1 - 4)) > 0.95


def test_damaged_reading_under_the_units_seal_is_its_signature_block(tmp_path, monkeypatch):
    # 恩施州自然资源和规划局 read with four characters lost: too little to match, but the
    # line sits under the unit's own seal (a signature line, not much wider than the seal)
    unit = "恩施州自然资源和规划局"
    seal = _applicant_seal(text="恩施土家族苗族自治州自然资源和规划局")
    box = (230, 300, 560, 340)
    res, out, _ = _mask(tmp_path, monkeypatch, seal, "恩施然资源和局", unit=unit, text_box=box)
    assert any(r.kind == "unit" and r.source == "layout" for r in res.regions)
    assert black_fraction(out, (box[0] + 4, box[1] + 4, box[2] - 4, box[3] - 4)) > 0.95


@pytest.mark.parametrize("seal", [
    _applicant_seal(text="焦作市森林公安局", owner="authority"),
    _applicant_seal(text="张三", shape="square"),
])
def test_text_under_other_seals_is_not_read_again(tmp_path, monkeypatch, seal):
    res, out, eng = _mask(tmp_path, monkeypatch, seal, LINE)
    assert eng.calls == 1
    assert not [r for r in res.regions if r.kind == "unit"]
    assert black_fraction(out, (SEAL_BOX[2] + 10, TEXT_BOX[1] + 4, TEXT_BOX[2] - 4, TEXT_BOX[3] - 4)) < 0.05


@pytest.mark.parametrize("text", ["N O L ()", ""])
def test_unit_line_under_a_masked_seal_nobody_could_read_is_masked(tmp_path, monkeypatch, text):
    """Held-out render shrunk to 1280 px and re-saved at q75: the HR seal's ring read as Latin garbage.

    The detector saw no line across the seal and no piece of the name matched, so nothing
    crossed the seal; the band is read again all the same, and only the applicant's unit
    found there is masked (an unread seal is not made the unit's signature block).
    """
    res, out, eng = _mask(tmp_path, monkeypatch, _applicant_seal(text=text, owner="unknown"), LINE)
    assert eng.calls == 2
    assert any(r.kind == "unit" and UNIT in r.text for r in res.regions)
    assert black_fraction(out, (SEAL_BOX[2] + 10, TEXT_BOX[1] + 4, TEXT_BOX[2] - 4, TEXT_BOX[3] - 4)) > 0.95
    res, out, eng = _mask(tmp_path, monkeypatch, _applicant_seal(text=text, owner="unknown"), "供方：焦作市森林公安局")
    assert eng.calls == 2 and not [r for r in res.regions if r.kind == "unit"]


def test_another_units_line_read_again_is_not_taken_for_the_applicants():
    from zcmask.locate._under_seal import under_seal_regions

    # the band around the applicant's seal also holds the other party's line, away from the seal
    other = mk_line("需方：焦作市森林公安局", x=820, y=300, ch=40)
    eng = FakeOcrEngine([other])
    regs = under_seal_regions(_page(), [_applicant_seal()], identity(units=(UNIT,)), eng, (1200, 900), 0.12)
    assert regs == []


def test_stamp_ink_is_painted_out_before_reading_again():
    from zcmask.locate._under_seal import reread_under_seals

    seen: list[np.ndarray] = []
    eng = FakeOcrEngine(lambda img: seen.append(img) or [])
    assert reread_under_seals(_page(), [_applicant_seal()], eng) == []
    (band,) = seen
    assert not ink_mask(band).any()
    # the band reaches one and a half seal widths beyond the seal on each side
    assert band.shape[:2] == (200 + 2 * 20, 450 + 300)  # clipped at the page's left edge
    assert (band.max(axis=2) < 100).sum() >= 0.7 * (TEXT_BOX[2] - TEXT_BOX[0]) * (TEXT_BOX[3] - TEXT_BOX[1])


def _contract_with_seal_over_the_unit() -> np.ndarray:
    """A contract's signing block drawn in code: the unit's seal stamped over the 供方 line."""
    import pymupdf

    from zcsynth._seals import COLORS, SealSpec, seal_ink, stamp

    doc = pymupdf.open()
    p = doc.new_page(width=595, height=842)
    for y, s in ((100, "十三、合同生效及其它：本合同经双方法定代表人或委托代理人签字并加盖公章"),
                 (122, "后生效。本合同一式六份。"), (170, "供    方：河南森源重工有限公司"),
                 (200, "地    址：长葛市魏武路16号"), (230, "法定代表人："), (260, "电    话：0374-6108029")):
        p.insert_text((90 if y > 150 else 72, y), s, fontname="china-s", fontsize=11 if y < 150 else 12)
    p.insert_text((340, 170), "需    方：焦作市森林公安局", fontname="china-s", fontsize=12)
    pix = p.get_pixmap(dpi=200)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[..., :3].copy()
    ink = seal_ink(SealSpec(UNIT, size=330, bottom="合同专用章", seed=1))
    out, _ = stamp(img, ink, (img.shape[1] * 0.36, 165 / 842 * img.shape[0]), COLORS["red"])
    return out


@pytest.mark.slow
def test_real_ocr_masks_the_unit_under_its_seal_and_keeps_the_other_party(tmp_path):
    from zcmask.api import mask
    from zcmask.locate._under_seal import reread_under_seals
    from zcmask.ocr import get_engine
    from zcmask.options import Identity, Options, Unit

    img = _contract_with_seal_over_the_unit()
    src = save_jpeg(img, tmp_path / "contract.jpg")
    rep = mask([src], tmp_path / "out", Options.build(identity=Identity(name="张三", units=(Unit(name=UNIT),)),
                                                      cache=False, progress=False))
    page = rep.files[0].pages[0]
    seal = next(s for s in page.seals if s.owner == "applicant")
    # the band around the seal, read again without the stamp ink, holds the unit's line
    assert any("重工有限公司" in ln.text for ln in reread_under_seals(img, [seal], get_engine()))
    s = 200 / 72
    assert black_fraction(page.output, (int(150 * s), int(160 * s), int(250 * s), int(170 * s))) > 0.9
    # 需方's unit, outside the seal, stays readable (its black type covers far less than its box)
    assert black_fraction(page.output, (int(425 * s), int(158 * s), int(520 * s), int(172 * s))) < 0.5


def test_a_seal_on_a_unit_name_already_read_is_not_read_again():
    """The page's own reading matched the unit where the seal sits: no second reading (speed)."""
    from zcmask.locate._under_seal import reread_under_seals
    from zcmask.results import Region

    seen: list[np.ndarray] = []
    eng = FakeOcrEngine(lambda img: seen.append(img) or [])
    on_seal = Region("unit", (260, 300, 700, 340), UNIT, "ocr", 1.0)
    elsewhere = Region("unit", (100, 600, 500, 640), UNIT, "ocr", 1.0)
    signature_rule = Region("name", (260, 300, 700, 340), "张三", "ocr", 1.0)
    assert reread_under_seals(_page(), [_applicant_seal()], eng, [on_seal]) == []
    assert seen == []
    reread_under_seals(_page(), [_applicant_seal()], eng, [elsewhere, signature_rule])
    assert len(seen) == 1  # a match away from the seal, or not a unit, does not stop it


def test_a_unit_read_only_in_pieces_across_a_seal_is_read_again():
    """Held-out render: 蚂蚁智信（杭州） | seal | 技术有, the detector missing 限公司 beyond the seal.

    A match of pieces of the name is not the name read: the band is read again, also under a
    masked seal whose ring could not be read (that one even when no match crosses it); a
    whole match is not.
    """
    from zcmask.locate._text import unit_patterns
    from zcmask.locate._under_seal import reread_under_seals
    from zcmask.results import Region

    units = unit_patterns(identity(units=(UNIT,)))
    seen: list[np.ndarray] = []
    eng = FakeOcrEngine(lambda img: seen.append(img) or [])
    pieces = Region("unit", (100, 300, 560, 340), "河南森源工有", "ocr", 1.0)  # 重 under the ink
    whole = Region("unit", (100, 300, 700, 340), UNIT, "ocr", 1.0)
    unread = _applicant_seal(text="", owner="unknown")
    assert reread_under_seals(_page(), [_applicant_seal()], eng, [whole], units) == []
    assert reread_under_seals(_page(), [unread], eng, [whole], units) == []
    assert seen == []
    reread_under_seals(_page(), [_applicant_seal()], eng, [pieces], units)
    reread_under_seals(_page(), [unread], eng, [pieces], units)
    reread_under_seals(_page(), [unread], eng, [], units)
    assert len(seen) == 3
    # an issuer's seal kept on the page is never read again
    reread_under_seals(_page(), [_applicant_seal(text="某某局", owner="authority")], eng, [pieces], units)
    assert len(seen) == 3


def test_a_seals_own_centre_text_matching_the_unit_is_no_line_read_across_it():
    """Held-out invitation: 统计学院, the centre text of 中国人民大学统计学院's own seal, matched
    the unit's alias inside the ring, so the signature line printed across this seal and the next
    one was never read again, and 学院 stayed visible once the next (a company's) seal was kept.
    """
    from zcmask.locate._text import unit_patterns
    from zcmask.locate._under_seal import reread_under_seals
    from zcmask.results import Region

    units = unit_patterns(identity(units=(UNIT,)))
    seen: list[np.ndarray] = []
    eng = FakeOcrEngine(lambda img: seen.append(img) or [])
    centre = Region("unit", (300, 330, 400, 380), UNIT, "ocr", 1.0)  # inside SEAL_BOX
    assert reread_under_seals(_page(), [_applicant_seal()], eng, [centre], units) == []
    assert len(seen) == 1  # read again: the match lies within the ring


def test_a_unit_in_the_next_row_touching_the_seals_box_is_no_line_read_across_it():
    """Held-out application form: the seal stamped over the cell 海南师范大学, which the detector
    never saw; the department's name in the next row, its top 5 px inside the seal's box, was
    taken for the line read across the seal, so the cell was never read again and 海南师范 showed.
    """
    from zcmask.locate._text import unit_patterns
    from zcmask.locate._under_seal import reread_under_seals
    from zcmask.results import Region

    units = unit_patterns(identity(units=(UNIT,)))
    seen: list[np.ndarray] = []
    eng = FakeOcrEngine(lambda img: seen.append(img) or [])
    below = Region("unit", (260, SEAL_BOX[3] - 5, 600, SEAL_BOX[3] + 30), UNIT, "ocr", 1.0)
    across = Region("unit", (100, 300, 700, 340), UNIT, "ocr", 1.0)
    assert reread_under_seals(_page(), [_applicant_seal()], eng, [across], units) == []
    assert seen == []  # a whole match across the seal: not read again
    reread_under_seals(_page(), [_applicant_seal()], eng, [below], units)
    assert len(seen) == 1  # read again: the match only touches the seal's box
