"""``zcmask check``: format, orientation and legibility issues, ``--fix`` output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from conftest import NAME, UNIT, fake_options, save_jpeg
from zcmask import api
from zcmask.cli import main
from zcmask.exceptions import ExitCode
from zcmask.ocr import FakeOcrEngine
from zcmask.ocr import _engine as engine_mod
from zcmask.results import Char, TextLine
from zcsynth import render
from zcsynth._degrade import degrade


def _ocr_lines(lines: list[TextLine]) -> list[TextLine]:
    return [TextLine(ln.text, ln.bbox, 0.97, tuple(Char(c.text, c.bbox, 0.97) for c in ln.chars))
            for ln in lines]


@pytest.fixture(scope="module")
def page():  # type: ignore[no-untyped-def]
    return render("公示", NAME, UNIT)


@pytest.fixture
def reader(page, monkeypatch):  # type: ignore[no-untyped-def]
    """A fake OCR, registered as both ``fake`` and the default engine, reading the upright page."""
    eng = FakeOcrEngine(_ocr_lines(page.lines))
    monkeypatch.setitem(engine_mod._ENGINES, "rapidocr", eng)
    monkeypatch.setitem(engine_mod._ENGINES, "fake", eng)
    return eng


def _codes(rep) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for f in rep.files:
        out += [i.code for i in f.issues]
        for p in f.pages:
            out += [i.code for i in p.issues]
    return out


def _issue(rep, code):  # type: ignore[no-untyped-def]
    for f in rep.files:
        for i in f.issues:
            if i.code == code:
                return i
        for p in f.pages:
            for i in p.issues:
                if i.code == code:
                    return i
    raise AssertionError(f"no {code} in {_codes(rep)}")


def _check(paths, **kw):  # type: ignore[no-untyped-def]
    base = dict(identity=None, detect_orientation=True)
    base.update(kw)
    return api.check([str(p) for p in paths], fake_options(**base))


def test_clean_upright_jpg_passes_and_exits_0(tmp_path, page, reader):
    path = save_jpeg(page.image, tmp_path / "ok.jpg")
    report = tmp_path / "r.json"
    code = main(["check", str(path), "--report", str(report), "--no-progress", "--seals", "none", "--no-eyes"])
    assert code == ExitCode.ok
    data = json.loads(report.read_text(encoding="utf-8"))
    pg = data["files"][0]["pages"][0]
    assert pg["orientation"]["rotation"] == 0 and pg["legibility"]["legible"] is True
    assert [i for i in pg["issues"] if i["severity"] == "error"] == []


def test_png_is_not_jpg_and_says_how_to_convert(tmp_path, page, reader):
    path = tmp_path / "scan.png"
    Image.fromarray(page.image).save(path)
    rep = _check([path])
    i = _issue(rep, "not_jpg")
    assert i.severity == "error" and "PNG" in i.message and "--fix" in i.message and "JPEG" in i.message


def test_cli_exits_1_on_an_error_issue(tmp_path, page, reader):
    path = tmp_path / "scan.png"
    Image.fromarray(page.image).save(path)
    code = main(["check", str(path), "--report", str(tmp_path / "r.json"), "--no-progress",
                 "--seals", "none", "--no-eyes"])
    assert code == ExitCode.issues_found == 1


def test_pdf_is_not_jpg_and_says_to_export_each_page(tmp_path, page, reader):
    path = tmp_path / "doc.pdf"
    path.write_bytes(page.pdf_bytes)
    i = _issue(_check([path]), "not_jpg")
    assert "PDF" in i.message and "每页" in i.message


def test_jpeg_with_wrong_suffix_only_needs_renaming(tmp_path, page, reader):
    path = tmp_path / "scan.jpeg.png"
    Image.fromarray(page.image).save(path, format="JPEG")
    i = _issue(_check([path]), "not_jpg")
    assert "扩展名改为 .jpg" in i.message


def test_heic_photo_is_reported_with_iphone_advice(tmp_path, reader):
    path = tmp_path / "IMG_0001.heic"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64)
    rep = _check([path])
    codes = _codes(rep)
    assert "unreadable_file" in codes and "not_jpg" in codes
    assert "HEIC" in _issue(rep, "not_jpg").message and "兼容性最佳" in _issue(rep, "not_jpg").message
    assert rep.files[0].status == "error"


def test_encrypted_pdf_is_reported(tmp_path, page, reader):
    doc = pymupdf.open(stream=page.pdf_bytes, filetype="pdf")
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    doc.close()
    rep = _check([path])
    i = _issue(rep, "encrypted_pdf")
    assert i.severity == "error" and "密码" in i.message


def test_truncated_jpg_is_unreadable_file(tmp_path, page, reader):
    good = save_jpeg(page.image, tmp_path / "good.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(good.read_bytes()[:2000])
    rep = _check([bad])
    assert "unreadable_file" in _codes(rep)


def test_small_and_huge_pixel_sizes_are_reported(tmp_path, reader):
    reader._lines = []
    small = save_jpeg(np.full((300, 212, 3), 255, np.uint8), tmp_path / "small.jpg")
    big = save_jpeg(np.full((700, 12100, 3), 255, np.uint8), tmp_path / "big.jpg")
    rep = _check([small, big], min_side_px=600, max_side_px=12000)
    by = {Path(f.input).name: [i.code for i in f.pages[0].issues] for f in rep.files}
    assert "too_small" in by["small.jpg"]
    assert "too_large" in by["big.jpg"]
    assert "1654" in _issue(rep, "too_small").message


def test_file_over_the_size_limit_is_reported(tmp_path, page, reader):
    path = save_jpeg(page.image, tmp_path / "ok.jpg")
    rep = _check([path], max_file_mb=0.01)
    i = _issue(rep, "file_too_large")
    assert i.severity == "error" and "MB" in i.message


def test_sideways_scan_is_rotated_with_the_angle_to_turn(tmp_path, page, reader):
    path = save_jpeg(np.ascontiguousarray(np.rot90(page.image, -1)), tmp_path / "side.jpg")  # turned clockwise 90
    rep = _check([path])
    pg = rep.files[0].pages[0]
    assert pg.rotation == 90
    i = _issue(rep, "rotated")
    assert i.severity == "error" and "90°" in i.message and "--fix" in i.message


def test_a_page_turned_counter_clockwise_is_told_to_turn_clockwise_by_90_not_270(tmp_path, page, reader):
    # the message said "content turned 270° clockwise, turn it 270° counter-clockwise": right, but
    # the long way round for a page lying on its left side
    path = save_jpeg(np.ascontiguousarray(np.rot90(page.image, 1)), tmp_path / "left.jpg")
    rep = _check([path])
    assert rep.files[0].pages[0].rotation == 270
    msg = _issue(rep, "rotated").message
    assert "请顺时针旋转 90°" in msg and "270" not in msg, msg


def test_jpg_upright_only_through_exif_is_rotated_and_fix_writes_upright_pixels(tmp_path, page, reader):
    stored = np.ascontiguousarray(np.rot90(page.image, 1))  # pixels turned 90° counter-clockwise
    exif = Image.Exif()
    exif[0x0112] = 6  # viewers turn it back clockwise, the platform does not
    path = tmp_path / "in" / "phone.jpg"
    path.parent.mkdir()
    Image.fromarray(stored).save(path, exif=exif.tobytes(), quality=92)
    fix = tmp_path / "fixed"
    rep = _check([path], fix_outdir=fix)
    i = _issue(rep, "rotated")
    assert "EXIF" in i.message
    outs = list(fix.rglob("*.jpg"))
    assert len(outs) == 1
    with Image.open(outs[0]) as im:
        assert im.getexif().get(0x0112, 1) == 1
        fixed = np.asarray(im.convert("RGB")).astype(int)
    assert fixed.shape == page.image.shape
    assert np.abs(fixed - page.image.astype(int)).mean() < 3
    again = _check([outs[0]])
    assert "rotated" not in _codes(again) and "exif_rotated" not in _codes(again)


def test_near_black_page_fails_as_too_dark(tmp_path, page, reader):
    reader._lines = []
    path = save_jpeg(degrade(page.image, "dark", 1.0), tmp_path / "dark.jpg")
    rep = _check([path], detect_orientation=False)
    pg = rep.files[0].pages[0]
    assert not pg.legibility.legible
    assert "too_dark" in [i.code for i in pg.issues]


def test_heavily_blurred_page_fails_as_blurry_and_exits_1(tmp_path, page, reader):
    reader._lines = []  # OCR reads nothing on it
    path = save_jpeg(degrade(page.image, "blur", 1.0), tmp_path / "blur.jpg")
    code = main(["check", str(path), "--report", str(tmp_path / "r.json"), "--no-progress",
                 "--no-orientation", "--seals", "none", "--no-eyes"])
    assert code == 1
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    codes = [i["code"] for i in data["files"][0]["pages"][0]["issues"]]
    assert "blurry" in codes


def test_every_check_message_is_chinese(tmp_path, page, reader):
    reader._lines = []
    paths = [save_jpeg(degrade(page.image, "washed", 1.0), tmp_path / "w.jpg"),
             save_jpeg(np.full((300, 212, 3), 255, np.uint8), tmp_path / "s.jpg")]
    Image.fromarray(page.image).save(tmp_path / "p.png")
    rep = _check([*paths, tmp_path / "p.png"])
    msgs = [i.message for f in rep.files for p in f.pages for i in p.issues]
    assert msgs and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in msgs)


def _signature_page(tmp_path: Path, masked: bool) -> tuple[Path, FakeOcrEngine]:
    """A page with 申报人： and, after it, either a black box or handwriting-like strokes."""
    import cv2

    img = np.full((1400, 1000, 3), 255, np.uint8)
    label = TextLine("申报人：", (100, 600, 300, 650), 0.97,
                     tuple(Char(c, (100 + 50 * i, 600, 150 + 50 * i, 650), 0.97) for i, c in enumerate("申报人：")))
    cv2.putText(img, "x", (110, 640), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)  # some label ink
    if masked:
        img[595:660, 305:560] = 0
    else:
        for k in range(6):  # a scrawl OCR cannot read
            cv2.ellipse(img, (350 + 40 * k, 625), (28, 18), 20 * k, 0, 300, (20, 20, 20), 4)
    path = tmp_path / ("masked.jpg" if masked else "plain.jpg")
    Image.fromarray(img).save(path, quality=95)
    return path, FakeOcrEngine([label])


@pytest.mark.parametrize("masked", [True, False])
def test_signature_area_is_an_issue_only_while_ink_shows(tmp_path, monkeypatch, masked):
    path, eng = _signature_page(tmp_path, masked)
    monkeypatch.setitem(engine_mod._ENGINES, "fake", eng)
    rep = api.check([str(path)], fake_options(detect_orientation=False))
    assert ("unmasked_signature" in _codes(rep)) is (not masked)
    if not masked:
        assert _issue(rep, "unmasked_signature").severity == "error"


def test_the_same_problem_is_listed_once_per_page_with_its_count(tmp_path, page, reader, capsys):
    # a 公示 list naming the unit on each of its rows printed the same line once per row
    path = save_jpeg(page.image, tmp_path / "gs.jpg")
    report = tmp_path / "r.json"
    code = main(["check", str(path), "--name", NAME, "--unit", UNIT, "--report", str(report), "--no-progress",
                 "--seals", "none", "--no-eyes"])
    assert code == ExitCode.issues_found
    err = capsys.readouterr().err
    units = [ln for ln in err.splitlines() if "[unmasked_unit]" in ln]
    n = sum(i["code"] == "unmasked_unit" for i in json.loads(report.read_text("utf-8"))["files"][0]["pages"][0]["issues"])
    assert n >= 2  # the report keeps every place
    assert len(units) == 1 and units[0].endswith(f"（共 {n} 处）")
    assert "，仍可见 " in err.splitlines()[0]  # check found them showing; it masked nothing
