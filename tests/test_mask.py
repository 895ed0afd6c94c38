"""End-to-end ``mask`` on documents generated in code: pixels, report, files, exit codes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from conftest import NAME, UNIT, black_fraction, fake_options, save_jpeg
from zcmask import api
from zcmask.cli import main
from zcmask.exceptions import ExitCode
from zcsynth import render

CHECK_REPORT = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_report.py"


@pytest.fixture
def gongshi(tmp_path, fake_engine):
    sp = render("公示", NAME, UNIT)
    fake_engine._lines = sp.lines
    path = save_jpeg(sp.image, tmp_path / "in" / "公示.jpg")
    return sp, path


def test_name_and_unit_pixels_are_black_in_output(gongshi, tmp_path):
    sp, path = gongshi
    rep = api.mask([path], tmp_path / "out", fake_options())
    page = rep.files[0].pages[0]
    assert page.output and Path(page.output).name == "公示.jpg"
    for t in sp.truths:
        assert black_fraction(page.output, t.bbox) >= 0.95, t
    kinds = sorted(r.kind for r in page.regions)
    assert kinds.count("name") == 2 and kinds.count("unit") == 2
    # The other person (联系人：张伟) stays readable: the page is not blacked out wholesale.
    assert black_fraction(page.output, (0, 0, page.width, page.height)) < 0.05


def test_report_matches_the_contract(gongshi, tmp_path):
    _, path = gongshi
    api.mask([path.parent], tmp_path / "out", fake_options())
    report = tmp_path / "out" / "zcmask-report.json"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["schema"] == "zcmask.report/1" and data["command"] == "mask"
    assert data["applicant"]["name"] == NAME
    assert data["summary"]["regions"]["name"] == 2
    p = data["files"][0]["pages"][0]
    assert all(isinstance(v, int) for r in p["regions"] for v in r["bbox"])
    assert (tmp_path / "out" / "zcmask-report.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    if CHECK_REPORT.exists():
        res = subprocess.run([sys.executable, str(CHECK_REPORT), str(report)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout


def test_output_keeps_pixel_size_and_dpi_and_is_jpeg(gongshi, tmp_path):
    sp, path = gongshi
    rep = api.mask([path], tmp_path / "out", fake_options())
    with Image.open(rep.files[0].pages[0].output) as im:
        assert im.format == "JPEG" and im.size == (sp.image.shape[1], sp.image.shape[0])
        assert round(im.info["dpi"][0]) == 200


def test_input_is_never_modified(gongshi, tmp_path):
    _, path = gongshi
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR)
    api.mask([path], tmp_path / "out", fake_options())
    assert path.read_bytes() == before


def test_pdf_text_layer_is_used_without_ocr(tmp_path, fake_engine):
    sp = render("职称证书", NAME, UNIT)
    pdf = tmp_path / "in" / "证书.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(sp.pdf_bytes)
    fake_engine.crash = True  # any OCR call would fail the page
    rep = api.mask([pdf], tmp_path / "out", fake_options())
    assert rep.files[0].status == "ok"
    page = rep.files[0].pages[0]
    assert {r.source for r in page.regions} == {"text_layer"}
    for t in sp.truths:
        assert black_fraction(page.output, t.bbox) >= 0.95
    assert fake_engine.calls == 0


def test_masked_pdf_is_truly_redacted(tmp_path, fake_engine):
    sp = render("公示", NAME, UNIT)
    pdf = tmp_path / "in" / "gs.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(sp.pdf_bytes)
    rep = api.mask([pdf], tmp_path / "out", fake_options(write_pdf=True))
    assert rep.files[0].status == "ok"
    out = tmp_path / "out" / "gs.masked.pdf"
    text = pymupdf.open(out)[0].get_text()
    assert "建国" not in text.replace(" ", "") and "巴州供电" not in text
    assert "联系人" in text


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_masked_pdf_of_a_label_colon_and_a_turned_page_is_written(tmp_path, fake_engine, turn):
    # 姓名：王建国 in a digital PDF: the padded box grazes the full-width colon, which redaction
    # keeps, and the check read it back as "still under a box": every such --pdf failed and the
    # PDF was deleted (redaction_incomplete). On a page with /Rotate 90 or 270 the boxes were also
    # mapped back with the page's width and height swapped, landing beside the name.
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), f"申报人：{NAME}", fontname="china-s", fontsize=14)
    page.insert_text((72, 140), f"单位：{UNIT}", fontname="china-s", fontsize=12)
    page.insert_text((72, 180), "联系人：张伟", fontname="china-s", fontsize=12)
    page.set_rotation(turn)
    pdf = tmp_path / "in" / "承诺书.pdf"
    pdf.parent.mkdir()
    doc.save(pdf)
    rep = api.mask([pdf], tmp_path / "out", fake_options(write_pdf=True, detect_orientation=True))
    assert rep.files[0].status == "ok", rep.files[0].error
    assert rep.files[0].pages[0].rotation == turn
    out = pymupdf.open(tmp_path / "out" / "承诺书.masked.pdf")[0]
    text = out.get_text().replace(" ", "")
    assert NAME not in text and "建国" not in text and "巴州供电" not in text
    assert "联系人：张伟" in text and "申报人" in text  # the rest of the page is kept
    # and the black boxes are drawn where the name was (not beside it)
    name_at = page.search_for(NAME)[0] * page.rotation_matrix * pymupdf.Matrix(2, 2)
    pix = out.get_pixmap(dpi=144)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]
    x0, y0, x1, y1 = (int(round(v)) for v in name_at.normalize())
    assert (img[y0 + 2:y1 - 2, x0 + 2:x1 - 2].max(axis=2) < 40).mean() > 0.95
    assert fake_engine.calls == 0  # the text layer was read, no OCR


def test_spaced_and_split_name_masked_through_pipeline(tmp_path, fake_engine):
    from zcsynth import text_page

    sp = text_page([("姓名：[王 建 国]", "name", "spaced"), ("推荐意见：同意推荐[王建国]同志", "name", "running")])
    fake_engine._lines = sp.lines
    path = save_jpeg(sp.image, tmp_path / "a.jpg")
    rep = api.mask([path], tmp_path / "out", fake_options())
    for t in sp.truths:
        assert black_fraction(rep.files[0].pages[0].output, t.bbox) >= 0.95


def _corrupt_inputs(d: Path) -> dict[str, Path]:
    d.mkdir(parents=True, exist_ok=True)
    files = {}
    files["empty"] = d / "empty.jpg"
    files["empty"].write_bytes(b"")
    files["garbage"] = d / "garbage.jpg"
    files["garbage"].write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" * 3)
    good = np.full((400, 300, 3), 255, np.uint8)
    buf = d / "tmp_full.jpg"
    Image.fromarray(good).save(buf, quality=90)
    files["truncated"] = d / "truncated.jpg"
    files["truncated"].write_bytes(buf.read_bytes()[:200])
    buf.unlink()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret", fontsize=12)
    files["encrypted"] = d / "encrypted.pdf"
    doc.save(files["encrypted"], encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    files["badpdf"] = d / "bad.pdf"
    files["badpdf"].write_bytes(b"%PDF-1.7\n garbage garbage")
    files["unsupported"] = d / "notes.docx"
    files["unsupported"].write_bytes(b"PK\x03\x04 docx")
    return files


def test_bad_files_become_error_entries_and_the_rest_is_written(tmp_path, fake_engine):
    from zcsynth import render as r

    sp = r("承诺书", NAME, UNIT)
    fake_engine._lines = sp.lines
    files = _corrupt_inputs(tmp_path / "in")
    good = save_jpeg(sp.image, tmp_path / "in" / "good.jpg")
    rep = api.mask([tmp_path / "in"], tmp_path / "out", fake_options())
    by_name = {Path(f.input).name: f for f in rep.files}
    assert by_name["good.jpg"].status == "ok"
    assert Path(by_name["good.jpg"].pages[0].output).exists()
    for key, p in files.items():
        f = by_name[p.name]
        assert f.status == "error", key
        assert f.error and f.error[1] and any("\u4e00" <= ch <= "\u9fff" for ch in f.error[1]), key
    assert by_name["encrypted.pdf"].error[0] == "encrypted_pdf"
    assert by_name["empty.jpg"].error[0] == "empty_file"
    assert good.exists()
    assert not list((tmp_path / "out").rglob("*.part"))


def test_documents_and_archives_in_a_folder_are_reported_with_how_to_convert_them(tmp_path, fake_engine):
    # a .wps, .caj or .zip in an applicant's folder was skipped in silence: the applicant took
    # the run for complete
    d = tmp_path / "in"
    d.mkdir()
    for n in ("工作总结.wps", "论文.caj", "电子证照.ofd", "附件.zip", "说明.txt"):
        (d / n).write_bytes(b"PK\x03\x04 x")
    rep = api.mask([d], tmp_path / "out", fake_options())
    said = {Path(f.input).name: f.error[1] for f in rep.files if f.error}
    assert set(said) == {"工作总结.wps", "论文.caj", "电子证照.ofd", "附件.zip"}  # a .txt is no attachment
    assert "输出为 PDF" in said["工作总结.wps"] and "CAJViewer" in said["论文.caj"]
    assert "OFD 阅读器" in said["电子证照.ofd"] and "解压" in said["附件.zip"] and "PDF 逐页" not in said["附件.zip"]


def test_cli_exit_code_is_nonzero_when_an_input_fails(tmp_path, fake_engine, monkeypatch):
    _corrupt_inputs(tmp_path / "in")
    code = main(["mask", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--name", NAME,
                 "--no-progress", "--no-orientation", "--seals", "none", "--no-eyes"])
    assert code == ExitCode.input_file
    data = json.loads((tmp_path / "out" / "zcmask-report.json").read_text(encoding="utf-8"))
    assert data["summary"]["errors"] == 6


def test_decompression_bomb_is_refused(tmp_path, fake_engine):
    big = tmp_path / "in" / "huge.png"
    big.parent.mkdir()
    Image.new("L", (5000, 5000), 255).save(big)
    rep = api.mask([big], tmp_path / "out", fake_options(max_pixels=10_000_000))
    assert rep.files[0].status == "error" and rep.files[0].error[0] == "image_too_large"


@pytest.mark.parametrize("mode", ["L", "CMYK", "RGBA", "I;16", "P", "1"])
def test_image_modes_are_normalised(tmp_path, fake_engine, mode):
    sp = render("承诺书", NAME, UNIT)
    fake_engine._lines = sp.lines
    im = Image.fromarray(sp.image)
    if mode == "I;16":
        arr = (np.asarray(im.convert("L")).astype(np.uint16) * 257)
        im = Image.fromarray(arr)
        path = tmp_path / "in" / "p.png"
    else:
        im = im.convert(mode)
        path = tmp_path / "in" / ("p.tif" if mode in ("CMYK", "1") else "p.png")
    path.parent.mkdir()
    im.save(path)
    rep = api.mask([path], tmp_path / "out", fake_options())
    page = rep.files[0].pages[0]
    assert rep.files[0].status == "ok", rep.files[0].error
    with Image.open(page.output) as im:
        out = np.asarray(im)
    assert out.ndim == 3 and out.shape[2] == 3
    for t in sp.truths:
        assert black_fraction(page.output, t.bbox) >= 0.95


def test_output_folder_that_overwrites_an_input_is_refused(tmp_path, fake_engine):
    sp = render("承诺书", NAME, UNIT)
    d = tmp_path / "in"
    save_jpeg(sp.image, d / "a.jpg")
    code = main(["mask", str(d), "-o", str(d), "--name", NAME, "--no-progress"])
    assert code == ExitCode.output_file
    with Image.open(d / "a.jpg") as im:
        assert im.size == (sp.image.shape[1], sp.image.shape[0])


def test_a_name_without_a_unit_is_warned_before_the_run_and_in_the_html_report(tmp_path, fake_engine, capsys):
    sp = render("承诺书", NAME, UNIT)
    fake_engine._lines = sp.lines
    save_jpeg(sp.image, tmp_path / "in" / "a.jpg")
    code = main(["mask", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--name", NAME, "--no-progress",
                 "--no-orientation", "--seals", "none", "--no-eyes"])
    assert code == ExitCode.ok
    err = capsys.readouterr().err
    assert "未提供工作单位" in err and "发证机关" in err
    html = (tmp_path / "out" / "zcmask-report.html").read_text(encoding="utf-8")
    assert "单位：未提供" in html
    main(["mask", str(tmp_path / "in"), "-o", str(tmp_path / "out2"), "--name", NAME, "--unit", UNIT,
          "--no-progress", "--no-orientation", "--seals", "none", "--no-eyes"])
    assert "未提供工作单位" not in capsys.readouterr().err


def test_missing_name_is_a_usage_error(tmp_path):
    code = main(["mask", str(tmp_path), "-o", str(tmp_path / "o"), "--no-progress"])
    assert code == ExitCode.bad_args


@pytest.mark.parametrize(("argv", "said"), [
    (["mask", "in", "-o", "out", "--name", NAME, "--bogus"], "无法识别的参数：--bogus（用 zcmask mask --help 查看用法）"),
    (["mask", "in"], "缺少必需的参数：-o/--output（用 zcmask mask --help"),
    (["mask", "in", "-o", "out", "--jobs", "two"], "参数 --jobs/-j 的值 'two' 不是有效的整数"),
    (["mask", "in", "-o"], "参数 -o/--output 后面需要一个值"),
    (["maks", "in"], "参数 VERB 的值 'maks' 无效，可选：'mask'"),
])
def test_usage_errors_are_said_in_chinese_with_the_right_help(argv, said, capsys, monkeypatch):
    # argparse's English and "用 zcmask zcmask --help" (the top parser's own name) were printed before
    monkeypatch.setattr("sys.argv", ["zcmask", *argv])
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == ExitCode.bad_args
    err = capsys.readouterr().err
    assert said in err and "zcmask zcmask" not in err


def test_bad_option_value_is_a_usage_error(tmp_path):
    code = main(["mask", str(tmp_path), "-o", str(tmp_path / "o"), "--name", NAME, "--dpi", "5"])
    assert code == ExitCode.bad_args


def test_profile_file_gives_identity(tmp_path, fake_engine):
    sp = render("公示", NAME, UNIT)
    fake_engine._lines = sp.lines
    save_jpeg(sp.image, tmp_path / "in" / "g.jpg")
    prof = tmp_path / "profile.yaml"
    prof.write_text(f"name: {NAME}\naliases: [王建國]\nunits:\n  - name: {UNIT}\n    aliases: [巴州供电公司]\n",
                    encoding="utf-8")
    from zcmask.options import load_profile

    ident = load_profile(prof)
    assert ident.unit_names == [UNIT, "巴州供电公司"]
    rep = api.mask([tmp_path / "in"], tmp_path / "out", fake_options(identity=ident))
    assert sum(r.kind == "unit" for r in rep.files[0].pages[0].regions) == 2


def test_invalid_profile_is_a_config_error(tmp_path):
    prof = tmp_path / "p.yaml"
    prof.write_text("units: [a\n", encoding="utf-8")
    code = main(["mask", str(tmp_path), "-o", str(tmp_path / "o"), "--profile", str(prof)])
    assert code == ExitCode.invalid_config


def test_multi_page_pdf_writes_one_jpg_per_page(tmp_path, fake_engine):
    doc = pymupdf.open()
    for i in range(3):
        doc.new_page(width=595, height=842).insert_text((72, 100), f"第{i + 1}页 申报人：{NAME}",
                                                         fontname="china-s", fontsize=12)
    p = tmp_path / "in" / "多页.pdf"
    p.parent.mkdir()
    doc.save(p)
    rep = api.mask([p], tmp_path / "out", fake_options())
    outs = [Path(pg.output).name for pg in rep.files[0].pages]
    assert outs == ["多页-1.jpg", "多页-2.jpg", "多页-3.jpg"]
    assert all(any(r.kind == "name" for r in pg.regions) for pg in rep.files[0].pages)
    for o in outs:
        with Image.open(tmp_path / "out" / o) as im:
            assert im.size[1] == 2339 and im.size[0] in (1653, 1654)


def test_jobs_run_pages_in_a_process_pool(tmp_path):
    doc = pymupdf.open()
    for i in range(4):
        doc.new_page(width=595, height=842).insert_text((72, 100), f"{i} 姓名：{NAME}", fontname="china-s",
                                                         fontsize=12)
    p = tmp_path / "in" / "d.pdf"
    p.parent.mkdir()
    doc.save(p)
    from conftest import identity
    from zcmask.options import Options

    opts = Options(identity=identity(), jobs=2, progress=False, detect_orientation=False, eyes=False,
                   seals="none")
    rep = api.mask([p], tmp_path / "out", opts)
    assert [pg.index for pg in rep.files[0].pages] == [1, 2, 3, 4]
    assert all(any(r.kind == "name" for r in pg.regions) for pg in rep.files[0].pages)


def test_same_stem_inputs_do_not_overwrite_each_other(tmp_path, fake_engine):
    sp = render("承诺书", NAME, UNIT)
    fake_engine._lines = sp.lines
    save_jpeg(sp.image, tmp_path / "in" / "a.jpg")
    Image.fromarray(sp.image).save(tmp_path / "in" / "a.png")
    rep = api.mask([tmp_path / "in"], tmp_path / "out", fake_options())
    outs = sorted(Path(f.pages[0].output).name for f in rep.files)
    assert outs == ["a_jpg.jpg", "a_png.jpg"]


def test_exif_rotated_jpg_is_written_upright(tmp_path, fake_engine):
    sp = render("承诺书", NAME, UNIT)
    # Store the page turned 90° counter-clockwise with EXIF orientation 6 (display: turn clockwise).
    stored = np.ascontiguousarray(np.rot90(sp.image, 1))
    im = Image.fromarray(stored)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "in" / "exif.jpg"
    path.parent.mkdir()
    im.save(path, exif=exif.tobytes(), quality=92)
    fake_engine._lines = sp.lines
    rep = api.mask([path], tmp_path / "out", fake_options(detect_orientation=True))
    page = rep.files[0].pages[0]
    assert page.rotation == 270
    assert (page.width, page.height) == (sp.image.shape[1], sp.image.shape[0])
    for t in sp.truths:
        assert black_fraction(page.output, t.bbox) >= 0.95


def test_module_entry_point_runs(tmp_path):
    env = dict(os.environ)
    res = subprocess.run([sys.executable, "-m", "zcmask", "--version"], capture_output=True, text=True, env=env)
    assert res.returncode == 0 and "zcmask" in res.stdout


def test_html_report_names_the_issuers_seals_it_left_visible():
    # a reviewer saw "无" on a page whose issuers' seals were found and kept on purpose
    from zcmask.report import render_html

    page = {"index": 1, "output": "o.jpg", "width": 10, "height": 10, "rotation": 0, "regions": [],
            "issues": [], "legibility": {"score": 1.0},
            "seals": [{"text": "中国数学会", "owner": "authority", "masked": False},
                      {"text": "susn oont 田", "owner": "authority", "masked": False},
                      {"text": "巴州供电公司", "owner": "applicant", "masked": True}]}
    data = {"command": "mask", "summary": {"regions": {"seal": 1}}, "files": [
        {"input": "a.jpg", "status": "ok", "pages": [page],
         "issues": [{"code": "renamed_output", "severity": "info", "message": "已改名"}]}]}
    out = render_html(data)
    assert "保留他方公章×2（中国数学会、印文未识读）" in out
    assert "全文件" in out and "renamed_output" in out and "遮盖区域：公章×1" in out
    # a check given no unit (or no applicant) did not judge whose seals they are
    out = render_html({**data, "command": "check", "applicant": None})
    assert "公章×2（未提供工作单位，未判断归属：中国数学会、印文未识读）" in out and "保留他方公章" not in out


def test_html_report_wraps_long_paths_instead_of_squeezing_the_issue_column():
    # at 1366 px a 70-character input path and its output path left the issue column one character
    # wide, its header 问题与处理办法 written downwards
    from zcmask.report import render_html

    long = "benchmarks/data/holdout_ph13/guet_grad_scholarship_2022_sideways_photo.jpg"
    page = {"index": 1, "output": "/tmp/out/" + long, "width": 10, "height": 10, "rotation": 0, "regions": [],
            "issues": [], "legibility": {"score": 1.0}}
    out = render_html({"command": "mask", "summary": {}, "files": [{"input": long, "status": "ok", "pages": [page]}]})
    style = out[out.index("<style>"):out.index("</style>")]
    assert "td{overflow-wrap:anywhere}" in style and "white-space:nowrap" in style
