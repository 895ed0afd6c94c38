"""iPhone HEIC/HEIF photos are read (pi-heif), masked upright, and converted by ``check --fix``.

The two fixtures are the only committed binaries (no test dependency can write HEIC);
see ``tests/resources/README``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import NAME, black_fraction
from zcmask.cli import main
from zcmask.documents import load_page, page_count
from zcmask.exceptions import ExitCode

HEIC = Path(__file__).parent / "resources" / "heic"


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(HEIC / "declaration.heic", src / "承诺书.heic")
    shutil.copy(HEIC / "declaration_turned.heic", src / "侧拍.HEIC")  # upper-case suffix, as iPhones write it
    return src


def test_a_heic_photo_reads_as_the_phone_shows_it():
    flat = load_page(HEIC / "declaration.heic")
    turned = load_page(HEIC / "declaration_turned.heic")
    assert page_count(HEIC / "declaration.heic") == 1
    assert flat.format == "heif" and flat.image.shape == (585, 827, 3)
    assert turned.image.shape == flat.image.shape and turned.exif_rotation == 0  # the turn is applied on decoding
    diff = np.abs(turned.image.astype(int) - flat.image.astype(int)).mean()
    assert diff < 3, diff  # the same page, only re-encoded


def test_heic_photos_are_masked_into_upright_jpgs(tmp_path):
    out = tmp_path / "out"
    rc = main(["mask", str(_folder(tmp_path)), "-o", str(out), "--name", NAME, "--unit", "巴州供电公司",
               "--no-progress", "--jobs", "1"])
    assert rc == ExitCode.ok
    rep = json.loads((out / "zcmask-report.json").read_text("utf-8"))
    assert {f["status"] for f in rep["files"]} == {"ok"}
    for f in rep["files"]:
        (page,) = f["pages"]
        assert Path(page["output"]).suffix == ".jpg" and page["rotation"] == 0
        with Image.open(page["output"]) as im:
            assert im.format == "JPEG" and im.size == (827, 585)
        names = [r["bbox"] for r in page["regions"] if r["kind"] == "name"]
        assert len(names) == 2 and [r["kind"] for r in page["regions"]].count("unit") == 1
        for box in names:
            assert black_fraction(page["output"], tuple(box)) > 0.9


def test_check_says_how_to_convert_a_heic_photo_and_fix_converts_it(tmp_path):
    fix = tmp_path / "fix"
    rc = main(["check", str(_folder(tmp_path)), "--fix", str(fix), "--report", str(tmp_path / "r.json"),
               "--no-progress", "--jobs", "1"])
    assert rc == 1  # not JPG
    rep = json.loads((tmp_path / "r.json").read_text("utf-8"))
    for f in rep["files"]:
        msg = next(i["message"] for i in f["pages"][0]["issues"] if i["code"] == "not_jpg")
        assert "HEIC" in msg and "--fix" in msg
    assert sorted(p.name for p in fix.glob("*.jpg")) == ["侧拍.jpg", "承诺书.jpg"]
    with Image.open(fix / "侧拍.jpg") as im:
        assert im.size == (827, 585)  # upright, as the phone showed it


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_web_page_takes_a_heic_upload_and_exports_a_masked_jpg(tmp_path):
    pytest.importorskip("fastapi")
    pytest.importorskip("multipart")
    from test_web_api import (
        TestClient,
        analyse,
        export,
        new_session,
        upload,
        web_options,
        zip_image,
    )
    from zcmask.web import create_app

    app = create_app(web_options(ocr_engine="rapidocr", jobs=1), temp_root=tmp_path)
    with TestClient(app) as c:
        sid = new_session(c)
        (res,) = upload(c, sid, "IMG_0001.HEIC", (HEIC / "declaration_turned.heic").read_bytes())
        assert res["error"] is None, res
        (page,) = analyse(c, sid, {"name": NAME, "units": ["巴州供电公司"]})["pages"]
        assert [r["kind"] for r in page["regions"]].count("name") == 2
        assert "原文件不是 JPG（HEIF），下载的文件已转换为 JPG" in str(page["issues"])
        zf = export(c, sid)
        assert "IMG_0001.jpg" in zf.namelist()
        assert zip_image(zf, "IMG_0001.jpg").shape == (585, 827, 3)
