"""The web UI's HTTP API (``zcmask serve``), driven with FastAPI's TestClient.

Documents are synthetic text-layer PDFs and JPGs built in code; OCR is the fake
engine, so every case is fast and deterministic.
"""

from __future__ import annotations

import io
import json
import sys
import time
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

with warnings.catch_warnings():
    # starlette warns at import that httpx will be replaced by httpx2 for its TestClient.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from zcmask.cli import main  # noqa: E402
from zcmask.options import Options  # noqa: E402
from zcmask.web import WebLimits, create_app  # noqa: E402
from zcmask.web._safety import UnsafeNameError, safe_relpath  # noqa: E402
from zcmask.web._workspace import turn_box  # noqa: E402
from zcsynth import render  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

NAME = "王建国"
UNIT = "巴州供电公司"
IDENT = {"name": NAME, "units": [UNIT]}
KIND_ZH = {"name": "姓名", "unit": "单位", "seal": "公章", "eyes": "眼睛"}


def web_options(**kw: Any) -> Options:
    base: dict[str, Any] = dict(ocr_engine="fake", eyes=False, seals="none", progress=False)
    base.update(kw)
    return Options.build(**base)


@pytest.fixture(scope="module")
def sample():  # type: ignore[no-untyped-def]
    return render("公示", NAME, UNIT)


@pytest.fixture
def client(fake_engine, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path)
    with TestClient(app) as c:
        yield c


def new_session(c: TestClient) -> str:
    r = c.post("/api/sessions")
    assert r.status_code == 200
    return str(r.json()["id"])


def upload(c: TestClient, sid: str, name: str, data: bytes, path: str | None = None) -> list[dict[str, Any]]:
    extra = {"paths": json.dumps([path])} if path else {}
    r = c.post(f"/api/sessions/{sid}/files", files=[("files", (name, data, "application/octet-stream"))],
               data=extra)
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


def wait(c: TestClient, job: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    t0 = time.time()
    while job["state"] not in ("done", "error"):
        assert time.time() - t0 < timeout, job
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
    return job


def analyse(c: TestClient, sid: str, ident: dict[str, Any] | None = None) -> dict[str, Any]:
    r = c.post(f"/api/sessions/{sid}/analyse", json=ident or IDENT)
    assert r.status_code == 200, r.text
    job = wait(c, r.json())
    assert job["state"] == "done", job
    return c.get(f"/api/sessions/{sid}").json()  # type: ignore[no-any-return]


def export(c: TestClient, sid: str, **body: Any) -> zipfile.ZipFile:
    r = c.post(f"/api/sessions/{sid}/export", json=body or None)
    assert r.status_code == 200, r.text
    job = wait(c, r.json())
    assert job["state"] == "done", job
    r = c.get(f"/api/sessions/{sid}/download")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    assert job["result"]["download"] in r.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(r.content))


def zip_image(zf: zipfile.ZipFile, name: str) -> np.ndarray:
    with Image.open(io.BytesIO(zf.read(name))) as im:
        assert im.format == "JPEG"
        return np.asarray(im.convert("RGB"))


def black(a: np.ndarray, bbox: list[int] | tuple[int, ...], thresh: int = 60) -> float:
    x0, y0, x1, y1 = bbox
    return float((a[y0:y1, x0:x1].max(axis=2) < thresh).mean())


def inner(b: list[int] | tuple[int, ...], m: int = 4) -> tuple[int, int, int, int]:
    return b[0] + m, b[1] + m, b[2] - m, b[3] - m


# --------------------------------------------------------------------------- applicant flow


def test_name_unit_and_manual_box_are_black_in_the_downloaded_zip(client: TestClient, sample) -> None:  # type: ignore[no-untyped-def]
    sid = new_session(client)
    assert upload(client, sid, "公示.pdf", sample.pdf_bytes)[0] == {"name": "公示.pdf", "pages": 1, "error": None}
    page = analyse(client, sid)["pages"][0]
    kinds = sorted(r["kind"] for r in page["regions"])
    assert kinds == ["name", "name", "unit", "unit"]
    manual = [100, 1500, 400, 1600]
    wanted = [{"id": r["id"], "kind": r["kind"], "bbox": r["bbox"]} for r in page["regions"]]
    wanted.append({"id": "m-new", "kind": "manual", "bbox": manual})
    r = client.put(f"/api/sessions/{sid}/pages/{page['id']}/regions", json={"regions": wanted})
    assert r.status_code == 200
    zf = export(client, sid)
    assert sorted(zf.namelist()) == ["公示.jpg", "报告（不要上传）/zcmask-report.html", "报告（不要上传）/zcmask-report.json"]
    img = zip_image(zf, "公示.jpg")
    assert img.shape[:2] == (page["height"], page["width"])
    for t in sample.truths:
        assert black(img, inner(t.bbox)) > 0.98, t
    assert black(img, manual) > 0.98
    assert black(img, (100, 1700, 400, 1800)) < 0.01  # untouched paper stays white
    rep = json.loads(zf.read("报告（不要上传）/zcmask-report.json"))
    assert rep["schema"] == "zcmask.report/1" and rep["command"] == "mask"
    p = rep["files"][0]["pages"][0]
    assert p["output"] == "公示.jpg"
    assert {"kind": "manual", "bbox": manual, "text": "", "source": "manual", "score": 1.0} in p["regions"]
    assert rep["summary"]["regions"] == {"manual": 1, "name": 2, "unit": 2}
    assert "遮盖报告" in zf.read("报告（不要上传）/zcmask-report.html").decode("utf-8")


def test_removed_and_resized_boxes_are_recorded_as_manual(client: TestClient, sample) -> None:  # type: ignore[no-untyped-def]
    sid = new_session(client)
    upload(client, sid, "公示.pdf", sample.pdf_bytes)
    page = analyse(client, sid)["pages"][0]
    first, second, *rest = page["regions"]
    grown = [second["bbox"][0] - 20, second["bbox"][1], second["bbox"][2] + 20, second["bbox"][3]]
    wanted = [{"id": second["id"], "kind": second["kind"], "bbox": grown}]
    wanted += [{"id": r["id"], "kind": r["kind"], "bbox": r["bbox"]} for r in rest]
    url = f"/api/sessions/{sid}/pages/{page['id']}/regions"
    asked = client.put(url, json={"regions": wanted})
    assert asked.status_code == 409 and asked.json()["code"] == "confirm_needed"
    assert KIND_ZH[first["kind"]] in asked.json()["message"]
    assert client.get(f"/api/sessions/{sid}").json()["pages"][0]["removed"] == []  # nothing changed yet
    p = client.put(url, json={"regions": wanted, "confirm_removal": True}).json()
    assert [r["source"] for r in p["regions"]][0] == "manual"
    assert p["regions"][0]["bbox"] == grown and p["regions"][0]["kind"] == second["kind"]
    assert p["removed"] == [dict({k: v for k, v in first.items() if k != "id"}, source="manual")]
    assert p["visible"][0]["bbox"] == first["bbox"]
    assert "removed_detection" in {i["code"] for i in p["issues"]}  # never a clean card
    again = client.post(f"/api/sessions/{sid}/export")
    assert again.status_code == 409 and "公示.pdf 第 1 页" in again.json()["message"]
    zf = export(client, sid, confirm_visible=True)
    img = zip_image(zf, "公示.jpg")
    assert black(img, inner(first["bbox"])) < 0.5  # the removed box is not masked
    assert black(img, grown) > 0.98
    rp = json.loads(zf.read("报告（不要上传）/zcmask-report.json"))["files"][0]["pages"][0]
    assert rp["removed_regions"][0]["bbox"] == first["bbox"]
    assert rp["removed_regions"][0]["source"] == "manual"
    assert any(i["code"] == "removed_detection" and i["bbox"] == first["bbox"] for i in rp["issues"])


def test_rotating_a_page_turns_the_output_and_keeps_manual_boxes(client: TestClient, sample) -> None:  # type: ignore[no-untyped-def]
    sid = new_session(client)
    upload(client, sid, "公示.pdf", sample.pdf_bytes)
    page = analyse(client, sid)["pages"][0]
    w, h = page["width"], page["height"]
    box = [100, 1500, 400, 1600]
    wanted = [{"id": r["id"], "kind": r["kind"], "bbox": r["bbox"]} for r in page["regions"]]
    client.put(f"/api/sessions/{sid}/pages/{page['id']}/regions",
               json={"regions": [*wanted, {"id": "m1", "kind": "manual", "bbox": box}]})
    job = wait(client, client.post(f"/api/sessions/{sid}/pages/{page['id']}/rotate", json={"degrees": 90}).json())
    assert job["state"] == "done", job
    p = client.get(f"/api/sessions/{sid}/pages/{page['id']}").json()
    assert (p["width"], p["height"]) == (h, w)
    assert p["orientation"]["source"] == "manual" and p["rotation"] == 270
    turned = list(turn_box(tuple(box), 1, w, h))  # type: ignore[arg-type]
    assert {"kind": "manual", "bbox": turned} in [{"kind": r["kind"], "bbox": r["bbox"]} for r in p["regions"]]
    assert {"manual", "name", "unit"} <= {r["kind"] for r in p["regions"]}  # found again on the turned page
    zf = export(client, sid)
    img = zip_image(zf, "公示.jpg")
    assert img.shape[:2] == (w, h)
    assert black(img, turned) > 0.98
    rp = json.loads(zf.read("报告（不要上传）/zcmask-report.json"))["files"][0]["pages"][0]
    assert rp["rotation"] == 270 and rp["rotation_source"] == "manual"


def test_turn_box_maps_a_quarter_turn_clockwise() -> None:
    # On a 10x20 (w x h) image, the top-left pixel goes to the top-right after a clockwise turn.
    assert turn_box((0, 0, 1, 1), 1, 10, 20) == (19, 0, 20, 1)
    assert turn_box((2, 3, 5, 9), 4, 10, 20) == (2, 3, 5, 9)
    assert turn_box(turn_box((2, 3, 5, 9), 1, 10, 20), 3, 20, 10) == (2, 3, 5, 9)


def test_folder_upload_keeps_names_and_issues_say_what_to_do(client: TestClient, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sid = new_session(client)
    buf = io.BytesIO()
    Image.fromarray(sample.image).save(buf, format="PNG")
    res = upload(client, sid, "公示.png", buf.getvalue(), path="申报材料/公示/公示.png")
    assert res[0]["name"] == "申报材料/公示/公示.png" and res[0]["error"] is None
    page = analyse(client, sid)["pages"][0]
    codes = {i["code"]: i for i in page["issues"]}
    assert "not_jpg" in codes and "JPG" in codes["not_jpg"]["message"]
    zf = export(client, sid)
    assert "申报材料/公示/公示.jpg" in zf.namelist()


def test_bad_file_gets_a_message_and_the_others_are_still_masked(client: TestClient, sample) -> None:  # type: ignore[no-untyped-def]
    sid = new_session(client)
    bad = upload(client, sid, "坏文件.jpg", b"\xff\xd8 this is not really a jpeg")
    assert bad[0]["error"]["code"] == "unreadable_file"
    assert "Traceback" not in bad[0]["error"]["message"]
    empty = upload(client, sid, "空.pdf", b"")
    assert empty[0]["error"]["code"] == "empty_file"
    upload(client, sid, "公示.pdf", sample.pdf_bytes)
    state = analyse(client, sid)
    assert [p["file"] for p in state["pages"]] == ["公示.pdf"]
    zf = export(client, sid)
    assert "公示.jpg" in zf.namelist()
    rep = json.loads(zf.read("报告（不要上传）/zcmask-report.json"))
    by_input = {f["input"]: f for f in rep["files"]}
    assert by_input["坏文件.jpg"]["status"] == "error"
    assert by_input["坏文件.jpg"]["error"]["code"] == "unreadable_file"
    assert by_input["公示.pdf"]["status"] == "ok"


def test_a_page_that_fails_analysis_shows_a_message_and_others_continue(fake_engine, tmp_path: Path, sample) -> None:  # type: ignore[no-untyped-def]
    fake_engine.crash = True  # an image needs OCR, and this engine crashes; the PDF has a text layer
    app = create_app(web_options(), temp_root=tmp_path)
    with TestClient(app) as c:
        sid = new_session(c)
        buf = io.BytesIO()
        Image.fromarray(sample.image).save(buf, format="JPEG")
        upload(c, sid, "扫描件.jpg", buf.getvalue())
        upload(c, sid, "公示.pdf", sample.pdf_bytes)
        pages = {p["file"]: p for p in analyse(c, sid)["pages"]}
        assert pages["扫描件.jpg"]["error"]["code"] == "ocr_failed"
        assert "识别" in pages["扫描件.jpg"]["error"]["message"]
        assert pages["公示.pdf"]["error"] is None and pages["公示.pdf"]["regions"]
        zf = export(c, sid)
        assert zf.namelist()[0] == "公示.jpg" and "扫描件.jpg" not in zf.namelist()
        rep = json.loads(zf.read("报告（不要上传）/zcmask-report.json"))
        assert {f["input"]: f["status"] for f in rep["files"]} == {"扫描件.jpg": "error", "公示.pdf": "ok"}


# --------------------------------------------------------------------------- guards


@pytest.mark.parametrize("name", ["../evil.pdf", "a/../../evil.pdf", "/etc/evil.pdf", "C:\\evil.pdf",
                                  "..\\..\\evil.pdf", ""])
def test_unsafe_upload_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeNameError):
        safe_relpath(name)


def test_path_traversal_upload_writes_nothing_outside(client: TestClient, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sid = new_session(client)
    res = upload(client, sid, "x.pdf", sample.pdf_bytes, path="../../逃逸.pdf")
    assert res[0]["error"]["code"] == "unsafe_name"
    assert "非法路径" in res[0]["error"]["message"]
    assert not list(tmp_path.rglob("逃逸.pdf"))
    assert client.get(f"/api/sessions/{sid}").json()["files"] == []


def test_zip_upload_refuses_traversal_members_and_keeps_the_rest(client: TestClient, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("材料/公示.pdf", sample.pdf_bytes)
        zf.writestr("../../escape.pdf", sample.pdf_bytes)
        zf.writestr("/abs/escape2.pdf", sample.pdf_bytes)
        zf.writestr("readme.txt", "ignored")
    sid = new_session(client)
    res = upload(client, sid, "申报.zip", buf.getvalue())
    ok = [r for r in res if r["error"] is None]
    refused = [r for r in res if r["error"] is not None]
    assert [r["name"] for r in ok] == ["申报/材料/公示.pdf"]
    assert len(refused) == 2 and all(r["error"]["code"] == "archive_member" for r in refused)
    assert not list(tmp_path.rglob("escape*.pdf"))
    zf2 = export(client, sid) if analyse(client, sid)["pages"] else None
    assert zf2 is not None and "申报/材料/公示.jpg" in zf2.namelist()


def test_upload_size_and_page_limits_are_enforced(fake_engine, tmp_path: Path, sample) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path, limits=WebLimits(max_file_mb=0.05, max_pages=1))
    with TestClient(app) as c:
        sid = new_session(c)
        big = c.post(f"/api/sessions/{sid}/files",
                     files=[("files", ("大.pdf", b"%PDF" + b"0" * 200_000, "application/pdf"))])
        assert big.status_code == 413
        assert "MB" in big.json()["message"]
        small = render("承诺书", NAME, UNIT).pdf_bytes
        assert len(small) < 0.05 * (1 << 20)
        assert upload(c, sid, "a.pdf", small)[0]["error"] is None
        second = upload(c, sid, "b.pdf", small)[0]
        assert second["error"]["code"] == "too_many_pages"
        assert len(c.get(f"/api/sessions/{sid}").json()["pages"]) == 1


def test_unsupported_upload_type_is_refused_with_a_message(client: TestClient) -> None:
    sid = new_session(client)
    res = upload(client, sid, "简历.docx", b"PK\x03\x04 not really")
    assert res[0]["error"]["code"] == "unsupported_format"
    assert "JPG" in res[0]["error"]["message"] and "另存为" in res[0]["error"]["message"]  # how to convert it
    res = upload(client, sid, "电子发票.ofd", b"PK\x03\x04 not really")
    assert res[0]["error"]["code"] == "unsupported_format" and "OFD 阅读器" in res[0]["error"]["message"]


def test_token_is_required_on_every_api_call(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), token="s3cret-token", temp_root=tmp_path)
    with TestClient(app) as c:
        assert c.get("/").status_code == 200  # the page itself holds nothing private
        r = c.post("/api/sessions")
        assert r.status_code == 401 and r.json()["code"] == "bad_token"
        assert c.post("/api/sessions", headers={"X-Zcmask-Token": "wrong"}).status_code == 401
        assert c.post("/api/sessions", headers={"X-Zcmask-Token": "s3cret-token"}).status_code == 200
        assert c.get("/api/info?token=s3cret-token").status_code == 200


def test_unknown_host_header_is_refused_on_a_loopback_server(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), allowed_hosts={"127.0.0.1", "localhost"}, temp_root=tmp_path)
    with TestClient(app, base_url="http://evil.example") as c:
        assert c.get("/api/info").status_code == 403
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        assert c.get("/api/info").status_code == 200


def test_uploads_are_removed_when_the_server_stops(fake_engine, tmp_path: Path, sample) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path)
    with TestClient(app) as c:
        sid = new_session(c)
        upload(c, sid, "公示.pdf", sample.pdf_bytes)
        root = app.state.workspace.root
        assert list(root.rglob("公示.pdf"))
    assert not root.exists()


def test_errors_are_json_messages_never_tracebacks(client: TestClient) -> None:
    r = client.get("/api/sessions/nope")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    sid = new_session(client)
    r = client.post(f"/api/sessions/{sid}/analyse", content=b"{not json",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["message"]
    r = client.post(f"/api/sessions/{sid}/analyse", json={"name": "  "})
    assert r.status_code == 400 and "姓名" in r.json()["message"]
    r = client.post(f"/api/sessions/{sid}/analyse", json=IDENT)
    assert r.status_code == 400 and "上传" in r.json()["message"]
    r = client.put(f"/api/sessions/{sid}/pages/0/regions", json={"regions": []})
    assert r.status_code == 404
    assert "Traceback" not in r.text


def test_profile_yaml_fills_the_applicant(client: TestClient) -> None:
    sid = new_session(client)
    yml = ("name: 王建国\naliases: [王建國]\nunits:\n  - name: 国网新疆电力有限公司巴州供电公司\n"
           "    aliases: [巴州供电公司]\n").encode()
    r = client.post(f"/api/sessions/{sid}/profile", files=[("file", ("profile.yaml", yml, "text/yaml"))])
    assert r.status_code == 200
    assert r.json()["identity"] == {"name": "王建国", "aliases": ["王建國"],
                                    "units": ["国网新疆电力有限公司巴州供电公司", "巴州供电公司"]}
    bad = client.post(f"/api/sessions/{sid}/profile", files=[("file", ("p.yaml", b"units: [x]\n", "text/yaml"))])
    assert bad.status_code == 400 and "name" in bad.json()["message"]
    assert "/tmp" not in bad.json()["message"]


def test_validation_says_unavailable_without_the_rules_package(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import zcmask.web.app as web_app

    monkeypatch.setattr(web_app, "rules_validator", lambda: None)
    sid = new_session(client)
    r = client.post(f"/api/sessions/{sid}/validate", json={"notice": "bz-dianli-2024"})
    assert r.status_code == 400 and "zcmask.rules" in r.json()["message"]
    assert client.get("/api/info").json()["rules_available"] is False


def test_validation_calls_the_rules_package_when_present(client: TestClient, sample, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import zcmask.web.app as web_app

    seen: dict[str, Any] = {}

    def fake_validate(app_dir: Path, notice: str) -> dict[str, Any]:
        seen["files"] = sorted(p.name for p in Path(app_dir).rglob("*") if p.is_file())
        seen["yaml"] = (Path(app_dir) / "application.yaml").read_text(encoding="utf-8")
        return {"schema": "zcmask.validation/1", "notice": notice, "findings": [
            {"code": "missing_material", "rule": "r1", "severity": "error", "message": "缺少身份证", "files": []}]}

    monkeypatch.setattr(web_app, "rules_validator", lambda: fake_validate)
    sid = new_session(client)
    upload(client, sid, "公示.pdf", sample.pdf_bytes, path="公示/公示.pdf")
    analyse(client, sid)
    job = wait(client, client.post(f"/api/sessions/{sid}/validate", json={"notice": "bz-dianli-2024"}).json())
    assert job["state"] == "done", job
    assert job["result"]["findings"][0]["code"] == "missing_material"
    assert seen["files"] == ["application.yaml", "公示.pdf"]
    assert NAME in seen["yaml"]


# --------------------------------------------------------------------------- reviewer mode


def _masked_folder(root: Path, n: int = 5) -> Path:
    out = root / "masked"
    out.mkdir()
    for i in range(n):
        Image.fromarray(np.full((700, 600, 3), 255, np.uint8)).save(out / f"页{i}.jpg", quality=90)
    return out


def test_review_records_verdicts_in_the_folder_and_resumes(client: TestClient, tmp_path: Path) -> None:
    folder = _masked_folder(tmp_path)
    r = client.post("/api/review", json={"folder": str(folder), "sample": "2", "seed": 7,
                                         "name": NAME, "units": [UNIT]})
    assert r.status_code == 200, r.text
    rv = r.json()
    assert rv["total"] == 5 and len(rv["sample"]) == 2 and rv["seed"] == 7
    img = client.get(f"/api/review/{rv['id']}/image/0")
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    assert client.post(f"/api/review/{rv['id']}/verdict", json={"index": 0, "verdict": "maybe"}).status_code == 400
    r = client.post(f"/api/review/{rv['id']}/verdict", json={"index": 1, "verdict": "reject", "note": "单位可见"})
    assert r.json()["counts"] == {"accept": 0, "reject": 1}
    saved = json.loads((folder / "zcmask-review.json").read_text(encoding="utf-8"))
    assert saved["schema"] == "zcmask.review/1"
    assert saved["verdicts"][rv["sample"][1]["name"]]["verdict"] == "reject"
    assert saved["verdicts"][rv["sample"][1]["name"]]["note"] == "单位可见"
    again = client.post("/api/review", json={"folder": str(folder), "sample": "2"}).json()
    assert [s["name"] for s in again["sample"]] == [s["name"] for s in rv["sample"]]
    assert again["sample"][1]["verdict"] == "reject"
    # Another sample size is honoured: the sampled pages stay, verdicts too, more are drawn.
    bigger = client.post("/api/review", json={"folder": str(folder), "sample": "4"}).json()
    assert len(bigger["sample"]) == 4 and bigger["seed"] == 7
    assert {s["name"] for s in rv["sample"]} <= {s["name"] for s in bigger["sample"]}
    assert [s["verdict"] for s in bigger["sample"] if s["name"] == rv["sample"][1]["name"]] == ["reject"]


def test_review_audit_finds_a_name_left_visible(client: TestClient, fake_engine, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "out"
    folder.mkdir()
    Image.fromarray(sample.image).save(folder / "公示.jpg", quality=92)  # not masked at all
    fake_engine._lines = list(sample.lines)
    rv = client.post("/api/review", json={"folder": str(folder), "sample": "1", "seed": 1}).json()
    r = client.post(f"/api/review/{rv['id']}/audit/0", json={})
    assert r.status_code == 400 and "姓名" in r.json()["message"]
    job = wait(client, client.post(f"/api/review/{rv['id']}/audit/0", json=IDENT).json())
    assert job["state"] == "done", job
    assert {"name", "unit"} <= {x["kind"] for x in job["result"]["regions"]}


def test_review_of_a_missing_folder_is_a_message(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/review", json={"folder": str(tmp_path / "nowhere")})
    assert r.status_code == 400 and "找不到文件夹" in r.json()["message"]
    empty = tmp_path / "empty"
    empty.mkdir()
    r = client.post("/api/review", json={"folder": str(empty)})
    assert r.status_code == 400 and "没有" in r.json()["message"]


def test_review_falls_back_to_local_sampling_without_the_audit_package(client: TestClient, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import zcmask.web._review as review

    real = review.importlib.import_module

    def no_audit(name: str, *a: Any) -> Any:
        if name == "zcmask.audit":
            raise ImportError(name)
        return real(name, *a)

    monkeypatch.setattr(review.importlib, "import_module", no_audit)
    folder = _masked_folder(tmp_path, 4)
    rv = client.post("/api/review", json={"folder": str(folder), "sample": "50%", "seed": 3}).json()
    assert rv["sampler"] == "local" and len(rv["sample"]) == 2
    assert all(s["name"].endswith(".jpg#1") for s in rv["sample"])


# --------------------------------------------------------------------------- command line


def test_serve_without_fastapi_tells_how_to_install_and_exits_5(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "fastapi", None)  # import fastapi now raises ImportError
    assert main(["serve", "--no-browser"]) == 5
    err = capsys.readouterr().err
    assert 'pip install "zcmask[web]"' in err and "网页" in err


def test_serve_on_a_public_address_requires_a_token(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["serve", "--host", "0.0.0.0", "--no-browser"]) == 2
    assert "--token" in capsys.readouterr().err


APPLICATION_YAML = """applicant:
  name: 王建国
  units:
    - name: 巴州供电公司
  employer_type: 国有企业
  status: 在职
application:
  series: 工程系列
  specialty: 电力
  level: 中级
  route: 评审
  submitted: 2024-09-20
education:
  - degree: 本科
    graduated: 2012-07-01
    full_time: true
current_title:
  name: 助理工程师
  obtained: 2019-12-01
  region: 新疆
appraisals: {2021: 合格, 2022: 优秀, 2023: 合格}
"""


def test_validation_with_the_real_rules_lists_missing_materials(client: TestClient, sample) -> None:  # type: ignore[no-untyped-def]
    rules = pytest.importorskip("zcmask.rules")
    if not callable(getattr(rules, "validate", None)):
        pytest.skip("zcmask.rules has no validate()")
    sid = new_session(client)
    r = client.post(f"/api/sessions/{sid}/profile",
                    files=[("file", ("application.yaml", APPLICATION_YAML.encode(), "text/yaml"))])
    assert r.status_code == 200 and r.json()["application"] is True
    upload(client, sid, "公示.pdf", sample.pdf_bytes, path="公示/公示.pdf")
    job = wait(client, client.post(f"/api/sessions/{sid}/validate", json={"notice": "bz-dianli-2024"}).json())
    assert job["state"] == "done", job
    res = job["result"]
    assert res["schema"] == "zcmask.validation/1"
    assert [a["category"] for a in res["attachments"]] == ["公示"]
    assert "missing_material" in {f["code"] for f in res["findings"]}


def test_serve_starts_answers_and_removes_uploads_on_ctrl_c(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "zcmask", "serve", "--port", str(port), "--no-browser"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.time()
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.time() - t0 < 60, "server did not start"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=2) as r:
                    info = json.loads(r.read())
                break
            except OSError:
                time.sleep(0.2)
        assert info["version"]
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/sessions", method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert json.loads(r.read())["id"]
        assert list(tmp_path.glob("zcmask-web-*"))
    finally:
        proc.send_signal(signal.SIGINT)
        err = proc.communicate(timeout=30)[1]
    assert "已启动" in err and f"127.0.0.1:{port}" in err
    assert not list(tmp_path.glob("zcmask-web-*"))


def test_review_of_a_batch_output_records_verdicts_in_its_database(client: TestClient, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = pytest.importorskip("zcmask.batch")
    pytest.importorskip("zcmask.audit")
    root = tmp_path / "in"
    (root / "王建国").mkdir(parents=True)
    (root / "王建国" / "profile.yaml").write_text(f"name: {NAME}\nunits: [{UNIT}]\n", encoding="utf-8")
    (root / "王建国" / "公示.pdf").write_bytes(sample.pdf_bytes)
    out = tmp_path / "out"
    batch.run_batch(root, out, web_options(), executor=batch.LocalExecutor(1))
    rv = client.post("/api/review", json={"folder": str(out), "seed": 2}).json()
    assert rv["batch"] is True and rv["sampler"] == "zcmask.audit"
    assert [s["name"] for s in rv["sample"]] == ["王建国/公示.pdf#1"]
    assert rv["sample"][0]["has_identity"] is True
    job = wait(client, client.post(f"/api/review/{rv['id']}/audit/0", json={}).json())
    assert job["state"] == "done", job
    assert job["result"]["regions"] == []  # the batch masked everything
    r = client.post(f"/api/review/{rv['id']}/verdict", json={"index": 0, "verdict": "accept", "reviewer": "李审"})
    assert r.status_code == 200, r.text
    with batch.BatchState.open(out) as state:
        v = state.verdicts()["王建国/公示.pdf#1"]
    assert v["verdict"] == "accept" and v["reviewer"] == "李审"
    assert json.loads((out / "zcmask-review.json").read_text(encoding="utf-8"))["verdicts"]["王建国/公示.pdf#1"]


def test_review_of_a_batch_made_with_a_relative_output_folder_shows_its_pages(client: TestClient, sample, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    batch = pytest.importorskip("zcmask.batch")
    pytest.importorskip("zcmask.audit")
    work = tmp_path / "work"
    (work / "in" / "王建国").mkdir(parents=True)
    (work / "in" / "王建国" / "profile.yaml").write_text(f"name: {NAME}\nunits: [{UNIT}]\n", encoding="utf-8")
    (work / "in" / "王建国" / "公示.pdf").write_bytes(sample.pdf_bytes)
    monkeypatch.chdir(work)
    batch.run_batch(Path("in"), Path("out"), web_options(), executor=batch.LocalExecutor(1))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the server runs from another folder
    rv = client.post("/api/review", json={"folder": str(work / "out"), "seed": 2}).json()
    assert [s["name"] for s in rv["sample"]] == ["王建国/公示.pdf#1"]
    img = client.get(f"/api/review/{rv['id']}/image/0")
    assert img.status_code == 200, img.text
    with Image.open(io.BytesIO(img.content)) as im:
        assert im.format == "JPEG" and im.size == sample.image.shape[1::-1]


def test_the_notice_check_reuses_the_ocr_of_the_analysis(client: TestClient, fake_engine, sample) -> None:  # type: ignore[no-untyped-def]
    rules = pytest.importorskip("zcmask.rules")
    if not callable(getattr(rules, "validate", None)):
        pytest.skip("zcmask.rules has no validate()")
    from zcmask.web._memo import install

    calls: list[int] = []
    real = fake_engine.recognize

    def counted(image: np.ndarray) -> Any:
        calls.append(1)
        return real(image)

    fake_engine.recognize = counted  # type: ignore[method-assign]
    fake_engine._lines = list(sample.lines)
    memo = install("fake")
    sid = new_session(client)
    r = client.post(f"/api/sessions/{sid}/profile",
                    files=[("file", ("application.yaml", APPLICATION_YAML.encode(), "text/yaml"))])
    assert r.status_code == 200
    jpg = io.BytesIO()
    Image.fromarray(sample.image).save(jpg, format="JPEG", quality=92)
    upload(client, sid, "公示.jpg", jpg.getvalue(), path="公示/公示.jpg")
    analyse(client, sid)
    first = len(calls)
    assert first >= 1
    job = wait(client, client.post(f"/api/sessions/{sid}/validate", json={"notice": "bz-dianli-2024"}).json())
    assert job["state"] == "done", job
    assert len(calls) == first  # the page was not read again
    # its analysis came from the session's own cache folder (zcmask._analysis_cache)
    session = client.app.state.workspace.sessions[sid]  # type: ignore[attr-defined]
    assert list((session.root / ".zcmask-cache").rglob("*.zca"))
    assert memo.hits + memo.misses >= 1
