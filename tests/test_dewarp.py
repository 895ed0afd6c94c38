"""Curled pages: text lines are straightened from the ink; flat scans and straight photos are left alone."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import NAME, UNIT
from zcmask.quality._dewarp import dewarp, line_straightness
from zcmask.quality._flatten import flatten
from zcsynth import text_page
from zcsynth._curl import curl_page
from zcsynth._phone import phone_photo

_ROWS = [
    "[{n}]同志自参加工作以来，始终坚持在电力生产一线，认真履行岗位职责。",
    "负责变电站运行维护管理，组织完成设备检修及技术改造项目共计十二项。",
    "在[{u}]工作期间，参与完成了多项重点工程的设计。",
    "近五年发表专业论文两篇，获得实用新型专利一项，取得了较好的经济效益。",
    "年度考核结果均为合格以上，继续教育学时达到规定要求，具备申报条件。",
    "主持编制输电线路施工方案，解决现场关键技术难题，保障了工程按期投运。",
]


@pytest.fixture(scope="module")
def book():  # type: ignore[no-untyped-def]
    """A page of running text, 18 lines, with the name and the unit on some of them."""
    rows: list[tuple[str, str | None, str]] = []
    for i in range(18):
        t = _ROWS[i % len(_ROWS)].format(n=NAME, u=UNIT)
        rows.append((t, "name" if NAME in t else "unit" if "[" in t else None, "running_text"))
    return text_page(rows)


def _ink_rows(img: np.ndarray) -> int:
    """Number of separate bands of ink rows (text lines) on a page."""
    g = img.mean(axis=2) if img.ndim == 3 else img
    inked = (g < 0.6 * np.percentile(g, 90)).sum(axis=1) > 3
    return int(np.sum(inked[1:] & ~inked[:-1]) + inked[0])


def test_curled_photo_gets_straight_lines_and_keeps_every_line(book):
    curled = curl_page(book.image, amount=0.03, kind="arc", seed=1)
    ph = phone_photo(curled, seed=3, background="dark", size=1800, tilt=0.05)
    plain = flatten(ph.image, dewarp=False)
    f = flatten(ph.image)
    steps = [s.step for s in f.steps]
    assert steps[:3] == ["perspective", "dewarp", "light"]
    before, n_before = line_straightness(plain.image)
    after, n_after = line_straightness(f.image)
    assert before > 4.0 and after < 0.25 * before, (before, after)
    assert n_after >= n_before >= 17  # no line lost or broken up
    p = dict(f.steps[1].params)
    assert p["bow_before"] > 4.0 and p["bow_after"] < 0.25 * p["bow_before"] and p["lines"] >= 17
    assert (p["width"], p["height"]) == (f.image.shape[1], f.image.shape[0])
    assert p["height"] >= dict(f.steps[0].params)["height"]  # the page may grow, it is never cut


@pytest.mark.parametrize("kind", ["wave", "spine"])
def test_curled_scan_without_sheet_edges_is_dewarped_alone(book, kind):
    curled = curl_page(book.image, amount=0.03 if kind == "spine" else 0.012, kind=kind, seed=2)
    f = dewarp(curled)
    assert f.applied
    assert line_straightness(f.image)[0] < 0.3 * line_straightness(curled)[0]
    assert _ink_rows(f.image) == _ink_rows(book.image) == 18  # every line kept, none merged


def test_text_near_the_edge_is_not_cut(book):
    # The highest ink 12 px under the top edge: the field cannot fade out there, paper is added.
    curled = curl_page(book.image, amount=0.03, kind="arc", seed=4)
    g = curled.mean(axis=2)
    top = int(np.argmax((g < 128).sum(axis=1) > 0))
    tight = np.ascontiguousarray(curled[top - 12:])
    f = dewarp(tight)
    assert f.applied
    assert _ink_rows(f.image) == 18
    assert f.image[:3].min() > 200  # the top line was not pushed off the page
    assert f.image.shape[0] >= tight.shape[0]


def test_flat_scans_are_the_same_array(book):
    from zcsynth import render
    from zcsynth._degrade import layout_page

    for img in (book.image, render("公示", NAME, UNIT).image, layout_page("dense", 1).image,
                layout_page("table", 2).image):
        d = dewarp(img)
        assert d.image is img and not d.applied
        assert flatten(img).image is img


def test_straight_photo_is_not_dewarped(book):
    ph = phone_photo(book.image, seed=5, background="dark", size=1800)
    f = flatten(ph.image)
    assert "perspective" in [s.step for s in f.steps]
    assert "dewarp" not in [s.step for s in f.steps]


def test_fix_step_is_reported_in_json(book):
    f = flatten(curl_page(book.image, amount=0.03, kind="arc", seed=1))
    js = [s.to_json() for s in f.steps]
    assert js[0]["step"] == "dewarp" and {"lines", "bow_before", "bow_after", "max_shift"} <= set(js[0])


@pytest.mark.slow
def test_curled_photo_keeps_all_name_and_unit_occurrences(book):
    from zcmask.locate import find_identity
    from zcmask.ocr import get_engine
    from zcmask.options import Identity, Unit

    engine = get_engine("rapidocr")
    ident = Identity(name=NAME, units=(Unit(name=UNIT),))
    printed = sum(1 for t in book.truths if t.kind in ("name", "unit"))

    def found(img: np.ndarray) -> int:
        # distinct places: a unit matched twice on one line (its full name, a piece of it) counts once
        lines = engine.recognize(img)
        return len({(r.kind, r.bbox) for r in find_identity(lines, ident, (img.shape[1], img.shape[0]))
                    if r.kind in ("name", "unit")})

    ph = phone_photo(curl_page(book.image, amount=0.035, kind="arc", seed=6), seed=7, background="grey", size=2000,
                     tilt=0.05)
    f = flatten(ph.image)
    assert "dewarp" in [s.step for s in f.steps]
    assert found(f.image) >= max(found(ph.image), printed)


def test_check_fix_reports_the_dewarp_step(tmp_path, book, monkeypatch):
    import json

    from conftest import save_jpeg
    from zcmask.cli import main
    from zcmask.ocr import FakeOcrEngine
    from zcmask.ocr import _engine as engine_mod

    monkeypatch.setitem(engine_mod._ENGINES, "rapidocr", FakeOcrEngine([]))
    ph = phone_photo(curl_page(book.image, amount=0.03, kind="arc", seed=1), seed=3, background="dark", size=1600,
                     tilt=0.05)
    save_jpeg(ph.image, tmp_path / "in" / "curled.jpg")
    rep = tmp_path / "r.json"
    main(["check", str(tmp_path / "in"), "--fix", str(tmp_path / "fixed"), "--report", str(rep), "--no-progress",
          "--no-orientation", "-j", "1", "--seals", "none", "--no-eyes"])
    page = json.loads(rep.read_text(encoding="utf-8"))["files"][0]["pages"][0]
    steps = page["fix"]["steps"]
    assert [s["step"] for s in steps][:2] == ["perspective", "dewarp"]
    assert steps[1]["bow_after"] < 0.25 * steps[1]["bow_before"]
    assert "展平弯曲" in rep.with_suffix(".html").read_text(encoding="utf-8")
