"""Faults that lose pages, overwrite a file or leave the name behind (issue 17), each replayed."""

from __future__ import annotations

import errno
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from conftest import NAME, UNIT, fake_options, identity, mk_line, save_jpeg
from zcmask import api
from zcmask.cli import main, mask_exit_code
from zcmask.exceptions import BadArgsError, ExitCode, OverwriteUserFileError
from zcmask.masking._pdf import verify_pdf
from zcmask.options import Options

SRC = Path(__file__).resolve().parents[1] / "src"


def _identity_pdf(path: Path) -> Path:
    """A two-page PDF with the applicant in every place a PDF can hide text."""
    doc = pymupdf.open()
    for i in range(2):
        p = doc.new_page(width=595, height=842)
        p.insert_text((72, 100), f"第{i + 1}页 申报人：{NAME}", fontname="china-s", fontsize=14)
        p.insert_text((72, 140), "工作业绩说明材料", fontname="china-s", fontsize=14)
    doc.set_metadata({"author": NAME, "title": f"{NAME}的申报材料", "subject": UNIT, "keywords": NAME,
                      "creator": NAME, "producer": UNIT})
    doc.set_xml_metadata(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{NAME}</dc:creator>'
        '</rdf:Description></rdf:RDF></x:xmpmeta>')
    doc.set_toc([[1, f"{NAME} 简历", 1], [2, UNIT, 2]])
    doc.embfile_add(f"{NAME}.txt", f"{NAME} {UNIT}".encode(), filename=f"{NAME}.txt", desc=NAME)
    p = doc[0]
    p.add_text_annot((400, 300), f"{NAME} 批注").set_info(title=NAME, subject=UNIT)
    p.add_freetext_annot(pymupdf.Rect(300, 400, 450, 440), "备注", fontsize=10).set_info(title=NAME)
    p.add_file_annot((100, 400), UNIT.encode(), "unit.txt", desc=NAME)
    p.add_highlight_annot(pymupdf.Rect(72, 130, 200, 145)).set_info(content=NAME)
    p.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 600, 200, 620), "uri": f"mailto:{NAME}@x.cn"})
    w = pymupdf.Widget()
    w.field_name, w.field_value, w.field_label = "applicant", NAME, UNIT
    w.field_type, w.rect = pymupdf.PDF_WIDGET_TYPE_TEXT, pymupdf.Rect(72, 500, 300, 530)
    w.script = f"app.alert('{NAME}');"
    doc[1].add_widget(w)
    doc.set_page_labels([{"startpage": 0, "prefix": f"{NAME}-", "style": "D"}])
    ocg = doc.add_ocg(f"{NAME}的图层", on=True)
    doc.xref_set_key(doc.pdf_catalog(), "OCProperties/D/Name", pymupdf.get_pdf_str(NAME))
    doc.xref_set_key(doc.pdf_catalog(), "OCProperties/D/Order", f"[{pymupdf.get_pdf_str(UNIT)} {ocg} 0 R]")
    js = doc.get_new_xref()
    doc.update_object(js, "<</S/JavaScript/JS " + pymupdf.get_pdf_str(f"app.alert('{NAME}')") + ">>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")
    doc.xref_set_key(doc[0].xref, "AA", f"<</O {js} 0 R>>")
    doc.save(path)
    return path


def _raw_identity_hits(path: Path) -> list[int]:
    """Objects whose source or decompressed stream spells the name or unit (UTF-8 or UTF-16)."""
    doc = pymupdf.open(path)
    hits = []
    needles = [s.encode(enc) for s in (NAME, UNIT) for enc in ("utf-8", "utf-16-be")]
    needles += [s.encode("utf-16-be").hex().upper().encode() for s in (NAME, UNIT)]
    for xref in range(1, doc.xref_length()):
        data = doc.xref_object(xref, compressed=False).encode("latin-1", "replace")
        if doc.xref_is_stream(xref):
            data += doc.xref_stream(xref) or b""
        if any(n in data or n.lower() in data for n in needles):
            hits.append(xref)
    return hits


# -- 1. --pdf keeps nothing of the applicant --------------------------------------------------

def test_masked_pdf_keeps_no_identity_outside_the_page(tmp_path, fake_engine):
    src = _identity_pdf(tmp_path / "材料.pdf")
    assert _raw_identity_hits(src), "the fixture must carry the name in raw objects"
    places = verify_pdf(src, [NAME, UNIT])
    for where in ("文档属性 author", "XMP 元数据", "书签", "附件", "图层名称", "第 1 页批注", "第 2 页表单"):
        assert where in places
    rep = api.mask([src], tmp_path / "out", fake_options(write_pdf=True))
    fr = rep.files[0]
    assert fr.status == "ok", fr.error
    out = tmp_path / "out" / "材料.masked.pdf"
    doc = pymupdf.open(out)
    assert not any(v for k, v in doc.metadata.items() if k not in ("format", "encryption"))
    assert not doc.get_xml_metadata()
    assert doc.get_toc() == [] and doc.embfile_count() == 0
    assert doc.get_page_labels() == []
    assert all(NAME not in o["name"] for o in doc.get_ocgs().values())
    for page in doc:
        assert page.first_annot is None and page.first_widget is None and not page.get_links()
        assert NAME not in page.get_text().replace(" ", "")
        assert "工作业绩说明材料" in page.get_text()
    cat = doc.pdf_catalog()
    for key in ("OpenAction", "AA", "Names", "AcroForm", "Outlines", "PageLabels", "Metadata"):
        assert doc.xref_get_key(cat, key)[0] == "null", key
    assert doc.xref_get_key(-1, "Info")[0] == "null"
    assert _raw_identity_hits(out) == []
    assert verify_pdf(out, [NAME, UNIT]) == []


def test_a_pdf_that_still_leaks_is_removed_and_reported(tmp_path, fake_engine, monkeypatch):
    from zcmask.masking import _pdf

    monkeypatch.setattr(_pdf, "scrub_document", lambda doc: None)  # a scrub that misses everything
    src = _identity_pdf(tmp_path / "材料.pdf")
    rep = api.mask([src], tmp_path / "out", fake_options(write_pdf=True))
    assert rep.files[0].status == "error" and rep.files[0].error[0] == "redaction_incomplete"
    assert "文档属性" in rep.files[0].error[1]
    assert not (tmp_path / "out" / "材料.masked.pdf").exists()


def _mid_line_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), f"姓名：{NAME}  性别：男  出生年月：1980年5月", fontname="china-s", fontsize=12)
    page.insert_text((72, 140), f"本人{NAME}同志在{UNIT}工作期间表现良好，特此证明。", fontname="china-s", fontsize=12)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def _page_pixels(path: Path, dpi: int) -> np.ndarray:
    pix = pymupdf.open(path)[0].get_pixmap(dpi=dpi, alpha=False, colorspace=pymupdf.csRGB)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3).astype(int)


def test_masked_pdf_with_the_name_mid_line_keeps_the_rest_of_the_line_in_place(tmp_path, fake_engine):
    # PyMuPDF 2.0 (MuPDF 1.28.5) drops a removed glyph's advance in Chinese (CID font) text,
    # so everything after the name slid left under the black box: the check found text under
    # the box, deleted the PDF and failed the file (redaction_incomplete) for any Chinese PDF
    # with the name or unit mid-line. Such a page is now written as the masked image.
    src = _mid_line_pdf(tmp_path / "in" / "证明.pdf")
    rep = api.mask([src], tmp_path / "out", fake_options(write_pdf=True))
    fr = rep.files[0]
    assert fr.status == "ok", fr.error
    out = tmp_path / "out" / "证明.masked.pdf"
    assert verify_pdf(out, [NAME, UNIT]) == []
    page = fr.pages[0]
    before, after = _page_pixels(src, page.dpi), _page_pixels(out, page.dpi)
    assert before.shape == after.shape
    hidden = np.zeros(before.shape[:2], bool)
    for r in page.regions:
        x0, y0, x1, y1 = r.bbox
        assert (after[y0 + 2:y1 - 2, x0 + 2:x1 - 2].max(axis=2) < 40).mean() > 0.95  # black where it hid
        hidden[max(0, y0 - 3):y1 + 3, max(0, x0 - 3):x1 + 3] = True
    changed = np.abs(before - after).max(axis=2) > 100
    assert changed[~hidden].mean() < 0.0005  # "同志在", "工作期间…" still where they were
    kept = pymupdf.open(out)[0].get_text().replace(" ", "")
    if kept:  # a PyMuPDF that keeps the advance keeps the text layer, minus the identity
        assert "特此证明" in kept and NAME not in kept
    else:
        assert [i.code for i in fr.issues] == ["pdf_pages_as_images"]
        # and the replaced page's text is gone from the file, not only from the page (its content
        # stream and font are no longer kept as unreferenced objects)
        doc = pymupdf.open(out)
        assert not any("/Font" in doc.xref_object(x) for x in range(1, doc.xref_length()))


def test_a_page_whose_kept_text_moved_is_caught():
    from zcmask.masking._pdf import _char_places, _moved

    def page_at(x: float):  # type: ignore[no-untyped-def]
        doc = pymupdf.open()
        p = doc.new_page(width=400, height=200)
        p.insert_text((x, 100), "工作期间表现良好", fontname="china-s", fontsize=12)
        return doc, p

    doc, page = page_at(72)
    kept = _char_places(page, [])
    assert not _moved(page, kept)
    doc2, moved = page_at(60)  # one 12 pt character to the left, as MuPDF 1.28.5 leaves it
    assert _moved(moved, kept)


# -- 2. every frame of a multi-page TIFF, GIF or WebP ------------------------------------------

def _frames(n: int, blank_first: bool = False) -> list[Image.Image]:
    out = []
    for i in range(n):
        a = np.full((900, 700, 3), 255, np.uint8)
        if not (blank_first and i == 0):
            a[100 + 60 * i:160 + 60 * i, 100:600] = 0  # a bar at a different height per frame
        out.append(Image.fromarray(a))
    return out


@pytest.mark.parametrize("fmt", ["tiff", "gif", "webp"])
def test_every_frame_becomes_a_page(tmp_path, fake_engine, fmt):
    frames = _frames(3, blank_first=True)
    src = tmp_path / "in" / f"扫描.{fmt}"
    src.parent.mkdir()
    kw = {"lossless": True} if fmt == "webp" else {}
    frames[0].save(src, save_all=True, append_images=frames[1:], **kw)
    rep = api.mask([src], tmp_path / "out", fake_options())
    pages = rep.files[0].pages
    assert [Path(p.output).name for p in pages] == ["扫描-1.jpg", "扫描-2.jpg", "扫描-3.jpg"]
    for i, p in enumerate(pages):
        a = np.asarray(Image.open(p.output).convert("L"))
        if i == 0:
            assert a.min() > 200, "frame 1 is blank"
        else:
            assert a[130 + 60 * i, 350] < 80 and a[130 + 60 * (i - 1), 350] > 200, f"frame {i + 1} written"
    assert [i.code for i in pages[0].issues] == ["empty_page"]
    rep = api.check([src], fake_options(fix_outdir=tmp_path / "fix"))
    assert sorted(p.name for p in (tmp_path / "fix").glob("*.jpg")) == ["扫描-1.jpg", "扫描-2.jpg", "扫描-3.jpg"]
    msg = next(i.message for i in rep.files[0].pages[0].issues if i.code == "not_jpg")
    assert "--fix" in msg


# -- 3. kill -9 takes the workers with it -----------------------------------------------------

def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for d in pathlib.Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out.update(kids)
        todo += kids
    return out


def _running(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("verb", ["mask", "batch"])
def test_kill_9_leaves_no_worker_running(tmp_path, verb):
    doc = pymupdf.open()
    for i in range(8):
        doc.new_page().insert_text((72, 100 + i), f"第{i + 1}页 {NAME} 工作总结", fontname="china-s", fontsize=20)
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    doc.save(root / "app" / "six.pdf")
    (root / "app" / "profile.yaml").write_text(f"name: {NAME}\n", encoding="utf-8")
    out = tmp_path / "out"
    args = (["mask", str(root / "app" / "six.pdf"), "--name", NAME] if verb == "mask" else ["batch", str(root)])
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.Popen([sys.executable, "-m", "zcmask", *args, "-o", str(out), "--jobs", "2",
                             "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        kids: set[int] = set()
        while time.time() < deadline and len(kids) < 3:  # fork server + 2 workers
            kids = _descendants(proc.pid)
            time.sleep(0.2)
        assert len(kids) >= 3, "the run never started its workers"
        time.sleep(1.0)
        kids |= _descendants(proc.pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 5
    while time.time() < deadline and any(_running(k) for k in kids):
        time.sleep(0.1)
    alive = [k for k in kids if _running(k)]
    for k in alive:
        os.kill(k, signal.SIGKILL)
    assert alive == []
    before = sorted(str(p) for p in out.rglob("*") if p.is_file())
    time.sleep(2.0)
    assert sorted(str(p) for p in out.rglob("*") if p.is_file()) == before


# -- 4. a file zcmask did not write is never replaced -----------------------------------------

def test_user_file_in_the_output_folder_is_not_overwritten(tmp_path, fake_engine):
    f = tmp_path / "f"
    f.mkdir()
    Image.fromarray(np.full((700, 600, 3), 255, np.uint8)).save(f / "scan.png")
    mine = f / "scan.jpg"
    mine.write_bytes(b"the user's own photo")
    with pytest.raises(OverwriteUserFileError) as e:
        api.mask([f / "scan.png"], f, fake_options())
    assert e.value.exit_code == ExitCode.output_file and "不是 zcmask 写的" in e.value.message
    assert mine.read_bytes() == b"the user's own photo"
    assert not (f / "zcmask-report.json").exists()


def test_rerun_rewrites_zcmask_own_outputs(tmp_path, fake_engine):
    src = tmp_path / "in" / "a.png"
    src.parent.mkdir()
    Image.fromarray(np.full((700, 600, 3), 255, np.uint8)).save(src)
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    first = (out / "a.jpg").read_bytes()
    api.mask([src], out, fake_options(cache=False))
    assert (out / "a.jpg").read_bytes() == first
    assert "a.jpg" in json.loads((out / ".zcmask-written.json").read_text())["files"]


def test_folder_written_before_the_manifest_is_still_zcmask_own(tmp_path, fake_engine):
    src = tmp_path / "in" / "a.png"
    src.parent.mkdir()
    Image.fromarray(np.full((700, 600, 3), 255, np.uint8)).save(src)
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    (out / ".zcmask-written.json").unlink()  # as an older zcmask left it
    assert api.mask([src], out, fake_options()).files[0].status == "ok"


def test_cli_exit_code_4_when_a_user_file_would_be_replaced(tmp_path, fake_engine, monkeypatch, capsys):
    f = tmp_path / "f"
    f.mkdir()
    Image.fromarray(np.full((700, 600, 3), 255, np.uint8)).save(f / "scan.png")
    (f / "scan.jpg").write_bytes(b"x")
    monkeypatch.setattr("zcmask.cli.options_from_args",
                        lambda args, ident, **kw: fake_options(identity=ident, **kw))
    assert main(["mask", str(f / "scan.png"), "-o", str(f), "--name", NAME]) == ExitCode.output_file
    assert "overwrite_user_file" in capsys.readouterr().err


# -- 5. identities too short to match safely --------------------------------------------------

@pytest.mark.parametrize("args", [["--name", "王"], ["--name", "a"], ["--name", NAME, "--unit", "局"],
                                  ["--name", NAME, "--alias", "A"], ["--name", " · 王 "]])
def test_short_identity_is_a_usage_error(tmp_path, args, capsys):
    img = save_jpeg(np.full((700, 600, 3), 255, np.uint8), tmp_path / "a.jpg")
    code = main(["mask", str(img), "-o", str(tmp_path / "out"), "--no-progress", *args])
    assert code == ExitCode.bad_args
    err = capsys.readouterr().err
    assert "short_identity" in err and "--allow-short-identity" in err
    assert not (tmp_path / "out").exists()


def test_two_character_chinese_name_works_and_short_names_need_the_flag():
    assert Options.build(identity=identity(name="王五", units=("电力",))).identity is not None
    with pytest.raises(BadArgsError):
        Options.build(identity=identity(name="王"))
    assert Options.build(identity=identity(name="王"), allow_short_identity=True).identity.name == "王"
    with pytest.raises(BadArgsError):
        api.mask([], "unused", fake_options(identity=identity(name="王")))


def test_batch_refuses_an_applicant_with_a_one_character_name(tmp_path, fake_engine):
    from zcmask.batch import run_batch

    root = tmp_path / "root"
    for folder, name in (("a", "王"), ("b", NAME)):
        save_jpeg(np.full((700, 600, 3), 255, np.uint8), root / folder / "x.jpg")
        (root / folder / "profile.yaml").write_text(f"name: {name}\n", encoding="utf-8")
    res = run_batch(root, tmp_path / "out", fake_options(identity=None))
    assert res.applicant_errors == ("a",)
    assert (tmp_path / "out" / "b" / "x.jpg").is_file() and not (tmp_path / "out" / "a" / "x.jpg").exists()


# -- 6. a truncated PDF is not a clean success ------------------------------------------------

def test_truncated_pdf_is_reported_as_repaired(tmp_path, fake_engine):
    doc = pymupdf.open()
    for i in range(6):
        doc.new_page().insert_text((72, 100), f"Page {i + 1} of the appraisal form", fontsize=14)
    data = doc.tobytes(garbage=0, deflate=True)
    src = tmp_path / "in" / "cut.pdf"
    src.parent.mkdir()
    src.write_bytes(data[: int(len(data) * 0.9)])
    rep = api.mask([src], tmp_path / "out", fake_options())
    codes = [i.code for i in rep.files[0].issues]
    assert "repaired_file" in codes
    assert mask_exit_code(rep) == ExitCode.input_file
    rep = api.check([src], fake_options())
    assert any(i.code == "repaired_file" and i.severity == "error" for i in rep.files[0].issues)
    assert rep.error_issues >= 1


# -- 7. disk full halfway through a multi-page PDF --------------------------------------------

def test_disk_full_removes_the_partial_set_and_exits_4(tmp_path, fake_engine, monkeypatch):
    doc = pymupdf.open()
    for i in range(5):
        doc.new_page().insert_text((72, 100), f"Page {i + 1}", fontsize=14)
    src = tmp_path / "in" / "long.pdf"
    src.parent.mkdir()
    doc.save(src)
    real = pathlib.Path.write_bytes
    calls = {"n": 0}

    def full_disk(self, data):  # type: ignore[no-untyped-def]
        if self.name.startswith(".long-") and self.name.endswith(".part"):
            calls["n"] += 1
            if calls["n"] >= 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full_disk)
    rep = api.mask([src], tmp_path / "out", fake_options(cache=False))
    fr = rep.files[0]
    assert fr.status == "error" and fr.error[0] == "disk_full" and "磁盘空间已满" in fr.error[1]
    assert all(p.output is None for p in fr.pages)
    assert list((tmp_path / "out").glob("long*")) == [] and list((tmp_path / "out").glob(".*.part")) == []
    failed = [p for p in fr.pages if p.error]
    assert failed and all(i.code == "disk_full" for p in failed for i in p.issues)
    assert mask_exit_code(rep) == ExitCode.output_file


# -- 8. empty_page ----------------------------------------------------------------------------

def test_blank_page_raises_empty_page_in_check_and_mask(tmp_path, fake_engine):
    blank = save_jpeg(np.full((2339, 1654, 3), 250, np.uint8), tmp_path / "in" / "blank.jpg")
    rep = api.check([blank], fake_options())
    assert "empty_page" in [i.code for i in rep.files[0].pages[0].issues]
    rep = api.mask([blank], tmp_path / "out", fake_options())
    assert "empty_page" in [i.code for i in rep.files[0].pages[0].issues]


def test_page_with_text_is_not_empty(tmp_path, fake_engine):
    img = np.full((2339, 1654, 3), 250, np.uint8)
    img[100:140, 100:400] = 20
    fake_engine._lines = [mk_line("工作业绩说明", 100, 100)]
    src = save_jpeg(img, tmp_path / "in" / "t.jpg")
    assert "empty_page" not in [i.code for i in api.check([src], fake_options()).files[0].pages[0].issues]


# -- 9b. mask_unverified: an illegible page is masked, and says it could not be checked ---------

def _declaration(width: int) -> Image.Image:
    doc = pymupdf.open()
    pg = doc.new_page(width=595, height=842)
    pg.insert_text((72, 100), f"申报人：{NAME}  单位：{UNIT}", fontname="china-s", fontsize=12)
    pix = pg.get_pixmap(dpi=200)
    img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    return img.resize((width, round(width * 1.414)), Image.LANCZOS)


def test_an_illegible_page_is_masked_with_a_warning_that_it_could_not_be_checked(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    _declaration(200).save(src / "tiny.jpg", quality=90)  # 24 dpi: the text is 4 px high
    _declaration(1654).save(src / "page.jpg", quality=90)
    rc = main(["mask", str(src), "-o", str(tmp_path / "out"), "--name", NAME, "--unit", UNIT, "--no-progress",
               "--jobs", "1"])
    assert rc == ExitCode.ok  # a warning: the file was masked and written
    rep = json.loads((tmp_path / "out" / "zcmask-report.json").read_text("utf-8"))
    pages = {Path(f["input"]).name: f["pages"][0] for f in rep["files"]}
    tiny = [i for i in pages["tiny.jpg"]["issues"] if i["code"] == "mask_unverified"]
    assert [i["severity"] for i in tiny] == ["warning"]
    assert "分辨率过低" in tiny[0]["message"] and "无法确认" in tiny[0]["message"]
    assert pages["tiny.jpg"]["output"]
    assert "mask_unverified" not in [i["code"] for i in pages["page.jpg"]["issues"]]
    assert {r["kind"] for r in pages["page.jpg"]["regions"]} == {"name", "unit"}
    err = capsys.readouterr().err
    assert "tiny.jpg 第1页: [mask_unverified]" in err and "page.jpg 第1页" not in err


def _check_report(path: Path) -> None:
    tool = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_report.py"
    if tool.exists():
        res = subprocess.run([sys.executable, str(tool), str(path)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_a_mask_report_lists_only_written_pages_and_names_the_failed_ones(tmp_path, fake_engine, monkeypatch):
    from zcmask import pipeline
    from zcmask.exceptions import InputFileError

    src = tmp_path / "in"
    src.mkdir()
    doc = pymupdf.open()
    for _ in range(4):
        doc.new_page().insert_text((72, 100), "工作业绩说明", fontname="china-s", fontsize=14)
    doc.save(src / "业绩.pdf")
    good = save_jpeg(np.full((700, 600, 3), 250, np.uint8), src / "a.jpg")
    (src / "cut.jpg").write_bytes(good.read_bytes()[:400])  # a JPG cut off halfway
    analyse = pipeline.analyse_page

    def failing(ctx, engine=None):  # type: ignore[no-untyped-def]
        if ctx.input_path.endswith(".pdf") and ctx.page_index in (1, 3):
            raise InputFileError("该页无法渲染。")
        return analyse(ctx, engine)

    monkeypatch.setattr(pipeline, "analyse_page", failing)
    rep = api.mask([src], tmp_path / "out", fake_options())
    data = json.loads((tmp_path / "out" / "zcmask-report.json").read_text("utf-8"))
    files = {Path(f["input"]).name: f for f in data["files"]}
    pdf = files["业绩.pdf"]
    assert pdf["status"] == "error" and pdf["error"]["message"].startswith("第 2、4 页：")
    assert pdf["pages"] == []  # a failed document is not half written: its good pages were removed too
    assert not list((tmp_path / "out").glob("业绩*.jpg"))
    assert files["cut.jpg"]["status"] == "error" and files["cut.jpg"]["pages"] == []
    assert [p["index"] for p in files["a.jpg"]["pages"]] == [1] and files["a.jpg"]["pages"][0]["output"]
    assert data["summary"]["pages"] == 1
    assert data["summary"]["error_issues"] == rep.error_issues == 0
    assert sum(len(f.pages) for f in rep.files) == 5  # the API keeps every page it read (the cut JPG has none)
    _check_report(tmp_path / "out" / "zcmask-report.json")


# -- 10. the umask is honoured ----------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_outputs_honour_the_umask(tmp_path, fake_engine, umask):
    src = save_jpeg(np.full((700, 600, 3), 255, np.uint8), tmp_path / "in" / "a.jpg")
    old = os.umask(umask)
    try:
        api.mask([src], tmp_path / "out", fake_options())
    finally:
        os.umask(old)
    for name in ("a.jpg", "zcmask-report.json"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o666 & ~umask


# -- 11. output names never carry the identity ------------------------------------------------

def test_output_names_replace_the_name_and_unit(tmp_path, fake_engine):
    d = tmp_path / "in" / f"{NAME}材料"
    for n in (f"{NAME}_职称证书.png", "申报人_职称证书.png", f"巴州供电公司-{NAME}.jpg", "公示.jpg"):
        save_jpeg(np.full((700, 600, 3), 255, np.uint8), d / n)
    ident = identity(units=(UNIT, "巴州供电公司"))
    rep = api.mask([tmp_path / "in"], tmp_path / "out", fake_options(identity=ident))
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.jpg"))
    assert len(written) == 4 and not any(NAME in w or "巴州" in w for w in written)
    assert "申报人材料/公示.jpg" in written and "申报人材料/单位-申报人.jpg" in written
    outs = {Path(f.input).name: Path(f.pages[0].output).name for f in rep.files}
    assert outs[f"{NAME}_职称证书.png"] != outs["申报人_职称证书.png"]
    renamed = {Path(f.input).name for f in rep.files if any(i.code == "renamed_output" for i in f.issues)}
    assert renamed == set(outs)  # the folder carries the name, so every file was renamed


def test_multi_part_names_are_replaced_with_any_separator():
    from zcmask._naming import clean_part
    from zcmask.options import Identity, Unit

    ident = Identity(name="艾尔肯·吐尔逊", aliases=("王建國",), units=(Unit(name="巴州供电公司"),))
    assert clean_part("艾尔肯·吐尔逊_证书.jpg", ident) == "申报人_证书.jpg"
    assert clean_part("艾尔肯-吐尔逊.pdf", ident) == "申报人.pdf"
    assert clean_part("艾尔肯 吐尔逊 巴州供电公司.png", ident) == "申报人 单位.png"
    assert clean_part("艾尔肯的证书.jpg", ident) == "申报人的证书.jpg"
    assert clean_part("吐尔逊.jpg", ident) == "申报人.jpg"
    assert clean_part("王建國-学历.jpg", ident) == "申报人-学历.jpg"
    assert clean_part("学历证书.jpg", ident) == "学历证书.jpg"
    assert clean_part("ＬＩ ＷＥＩ.jpg", Identity(name="Li Wei")) == "申报人.jpg"


def test_the_units_automatic_short_forms_are_replaced_in_file_names():
    # only the full unit was given: 巴州供电公司-公示.jpg kept the short form the pages had masked
    from zcmask._naming import clean_part
    from zcmask.options import Identity, Unit

    ident = Identity(name=NAME, units=(Unit(name="国网新疆电力有限公司巴州供电公司"),))
    assert clean_part("巴州供电公司-公示.jpg", ident) == "单位-公示.jpg"
    assert clean_part("国网新疆电力有限公司巴州供电公司考核表.jpg", ident) == "单位考核表.jpg"
    assert clean_part("供电公司考核表.jpg", ident) == "供电公司考核表.jpg"  # too generic to be the unit
    assert clean_part("新疆电力考核表.jpg", ident) == "新疆电力考核表.jpg"


def test_batch_keeps_the_applicant_folder_but_renames_files(tmp_path, fake_engine):
    from zcmask.batch import run_batch

    root = tmp_path / "root"
    save_jpeg(np.full((700, 600, 3), 255, np.uint8), root / NAME / f"{NAME}_学历.jpg")
    (root / NAME / "profile.yaml").write_text(f"name: {NAME}\n", encoding="utf-8")
    run_batch(root, tmp_path / "out", fake_options(identity=None))
    assert (tmp_path / "out" / NAME / "申报人_学历.jpg").is_file()
    rep = json.loads((tmp_path / "out" / NAME / "zcmask-report.json").read_text(encoding="utf-8"))
    f = rep["files"][0]
    assert Path(f["pages"][0]["output"]).name == "申报人_学历.jpg"
    assert "renamed_output" in [i["code"] for i in f["issues"]]
    # the report a person reads says so too (file notes were in the JSON only), and its totals
    # are in words, not a JSON object
    page = (tmp_path / "out" / NAME / "zcmask-report.html").read_text(encoding="utf-8")
    assert "renamed_output" in page and "申报人_学历.jpg" in page
    assert "遮盖区域：无" in page or "遮盖区域：姓名" in page
    assert "{&quot;" not in page


def test_web_export_names_do_not_carry_the_identity(tmp_path):
    from zcmask.api import InputFile, output_names

    files = [InputFile(Path(f"/x/{NAME}_证书.jpg"), "", Path(f"{NAME}_证书.jpg")),
             InputFile(Path("/x/申报人_证书.jpg"), "", Path("申报人_证书.jpg"))]
    names = output_names(files, {f.path: 1 for f in files}, Path(), identity=identity())
    assert sorted(n.as_posix() for n in names.values()) == ["申报人_证书.jpg", "申报人_证书_2.jpg"]


def test_batch_disk_full_exits_4_and_leaves_no_partial_set(tmp_path, fake_engine, monkeypatch):
    from zcmask.batch import run_batch

    doc = pymupdf.open()
    for i in range(4):
        doc.new_page().insert_text((72, 100), f"Page {i + 1}", fontsize=14)
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    doc.save(root / "app" / "long.pdf")
    (root / "app" / "profile.yaml").write_text(f"name: {NAME}\n", encoding="utf-8")
    real = pathlib.Path.write_bytes

    def full_disk(self, data):  # type: ignore[no-untyped-def]
        if self.name.startswith(".long-3.jpg."):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full_disk)
    res = run_batch(root, tmp_path / "out", fake_options(identity=None))
    assert res.exit_code == ExitCode.output_file
    assert list((tmp_path / "out" / "app").glob("long*.jpg")) == []


def test_stale_partials_of_own_outputs_are_removed_on_rerun(tmp_path, fake_engine):
    src = save_jpeg(np.full((700, 600, 3), 255, np.uint8), tmp_path / "in" / "a.jpg")
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".a.jpg.x1y2z3.part"
    stale.write_bytes(b"half")
    foreign = out / ".notes.txt.part"
    foreign.write_bytes(b"keep")
    api.mask([src], out, fake_options())
    assert not stale.exists() and foreign.exists()


def test_gif_not_jpg_advice_is_true(tmp_path, fake_engine):
    src = tmp_path / "动图.gif"
    _frames(2)[0].save(src, save_all=True, append_images=_frames(2)[1:])
    rep = api.check([src], fake_options(fix_outdir=tmp_path / "fix"))
    msg = next(i.message for i in rep.files[0].pages[0].issues if i.code == "not_jpg")
    assert "--fix" in msg and "每一帧" in msg
    assert len(list((tmp_path / "fix").glob("*.jpg"))) == 2
    assert "multi_frame" in [i.code for i in rep.files[0].issues]
