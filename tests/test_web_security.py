"""``zcmask serve`` as a shared office server: what an attacker with the shared token gets.

The held-out check starts ``zcmask serve --host 0.0.0.0 --token …``, uploads an
original as an applicant and tries every reviewer and session endpoint. These
tests do the same through :func:`zcmask.web.cli.app_from_args` (exactly the app
``serve`` runs, with the fake OCR engine), then check the request guards:
origin, content type, body size, framing, ZIP limits and odd names.
"""

from __future__ import annotations

import io
import json
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
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from zcmask.cli import build_parser  # noqa: E402
from zcmask.exceptions import BadArgsError  # noqa: E402
from zcmask.options import Options  # noqa: E402
from zcmask.web import WebLimits, create_app  # noqa: E402
from zcmask.web.cli import app_from_args  # noqa: E402
from zcsynth import render  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

NAME = "王建国"
UNIT = "巴州供电公司"
IDENT = {"name": NAME, "units": [UNIT]}
TOKEN = "applicant-shared-token"
REVIEWER = "reviewer-only-token"


def web_options() -> Options:
    return Options.build(ocr_engine="fake", eyes=False, seals="none", progress=False)


def serve_app(tmp_path: Path, *argv: str) -> Any:
    (tmp_path / "server-tmp").mkdir(exist_ok=True)
    args = build_parser().parse_args(["serve", "--no-browser", *argv])
    return app_from_args(args, options=web_options(), temp_root=tmp_path / "server-tmp")


def client(app: Any, token: str | None = TOKEN) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8765", headers={"X-Zcmask-Token": token} if token else {})


def wait(c: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    t0 = time.time()
    while job["state"] not in ("done", "error", "cancelled"):
        assert time.time() - t0 < 60, job
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
    return job


@pytest.fixture(scope="module")
def original() -> bytes:
    page = render("公示", NAME, UNIT)
    out = io.BytesIO()
    Image.fromarray(page.image).save(out, format="JPEG", quality=92)
    return out.getvalue()


def victim_session(c: TestClient, original: bytes, fake_engine: Any) -> dict[str, Any]:
    """An applicant uploads an original, analyses and exports it; returns its ids."""
    fake_engine._lines = list(render("公示", NAME, UNIT).lines)
    sid = c.post("/api/sessions").json()["id"]
    r = c.post(f"/api/sessions/{sid}/files", files=[("files", ("王建国_公示.jpg", original, "image/jpeg"))])
    assert r.status_code == 200 and r.json()["results"][0]["error"] is None, r.text
    job = wait(c, c.post(f"/api/sessions/{sid}/analyse", json=IDENT).json())
    assert job["state"] == "done"
    ex = wait(c, c.post(f"/api/sessions/{sid}/export", json={}).json())
    assert ex["state"] == "done"
    assert c.get(f"/api/sessions/{sid}/pages/0/image").status_code == 200  # the owner sees it
    return {"sid": sid, "job": job["id"], "export_job": ex["id"]}


def assert_nothing_private(r: Any) -> None:
    """No image, no archive, no report, no applicant name in the answer."""
    assert r.status_code >= 400, (r.request.method, r.request.url, r.status_code, r.text[:200])
    assert r.headers.get("content-type", "").startswith("application/json")
    assert NAME not in r.text and UNIT not in r.text
    assert "Traceback" not in r.text


def test_shared_token_reaches_nothing_of_another_applicant(fake_engine, tmp_path: Path, original: bytes) -> None:  # type: ignore[no-untyped-def]
    app = serve_app(tmp_path, "--host", "0.0.0.0", "--token", TOKEN)
    ws = app.state.workspace
    with client(app) as victim:
        v = victim_session(victim, original, fake_engine)
        sid = v["sid"]
        attacker = client(app)  # same token, another browser: no session cookie
        for method, url, kw in [
            ("GET", f"/api/sessions/{sid}", {}),
            ("GET", f"/api/sessions/{sid}/pages/0", {}),
            ("GET", f"/api/sessions/{sid}/pages/0/image", {}),
            ("GET", f"/api/sessions/{sid}/download", {}),
            ("GET", f"/api/sessions/{sid}/report", {}),
            ("POST", f"/api/sessions/{sid}/export", {"json": {"confirm_visible": True}}),
            ("POST", f"/api/sessions/{sid}/analyse", {"json": IDENT}),
            ("POST", f"/api/sessions/{sid}/validate", {"json": {"notice": "bz-dianli-2024"}}),
            ("PUT", f"/api/sessions/{sid}/pages/0/regions", {"json": {"regions": [], "confirm_removal": True}}),
            ("POST", f"/api/sessions/{sid}/pages/0/rotate", {"json": {"degrees": 90}}),
            ("DELETE", f"/api/sessions/{sid}/files?name=王建国_公示.jpg", {}),
            ("DELETE", f"/api/sessions/{sid}", {}),
            ("GET", f"/api/jobs/{v['job']}", {}),
            ("GET", f"/api/jobs/{v['export_job']}", {}),
            ("POST", f"/api/jobs/{v['job']}/cancel", {}),
            ("GET", "/api/sessions", {}),
            ("GET", f"/api/sessions/{sid}/../{sid}", {}),
            ("GET", "/static/..%2f_workspace.py", {}),
            ("GET", "/static/%2e%2e/%2e%2e/options.py", {}),
            ("GET", f"/static/..%2f..%2f..%2f..%2f{ws.root.relative_to('/')}/{sid}/uploads/王建国_公示.jpg", {}),
            ("GET", f"/api/sessions/{sid[:-1]}x", {}),
        ]:
            assert_nothing_private(attacker.request(method, url, **kw))
        # A forged cookie and the session header with a wrong secret read as "not found".
        attacker.cookies.set(f"zcmask_s_{sid}", "guess")
        assert_nothing_private(attacker.get(f"/api/sessions/{sid}/download"))
        assert_nothing_private(attacker.get(f"/api/sessions/{sid}", headers={"X-Zcmask-Session": sid}))
        # Reviewer mode is off on a shared server without --review-root: even the
        # server's own temp folder, with every sample size and path trick.
        tmp = tmp_path / "server-tmp"
        for folder in [str(tmp), str(ws.root), str(ws.root / sid), str(ws.root / sid / "uploads"),
                       f"{tmp}/x/../{ws.root.name}", f"{ws.root}/{sid}/uploads/../uploads", "/", ".", "..",
                       "/tmp", "~", str(tmp_path)]:
            for sample in ("100%", "1", ""):
                r = attacker.post("/api/review", json={"folder": folder, "sample": sample, "seed": 1})
                assert_nothing_private(r)
                assert "id" not in r.json()
        assert_nothing_private(attacker.get("/api/review/anything/image/0"))
        assert attacker.get("/api/info").json()["review"]["enabled"] is False
        # The victim still has everything.
        assert victim.get(f"/api/sessions/{sid}/download").status_code == 200


def test_reviewer_sees_only_masked_output_under_the_review_roots(fake_engine, tmp_path: Path, original: bytes) -> None:  # type: ignore[no-untyped-def]
    roots = tmp_path / "reviews"
    out = roots / "批次1"
    out.mkdir(parents=True)
    # A mask run's output: one masked page listed in the report, an original beside it.
    Image.fromarray(np.full((700, 600, 3), 255, np.uint8)).save(out / "公示.jpg", quality=90)
    (out / "原件_王建国.jpg").write_bytes(original)
    (out / "zcmask-report.json").write_text(json.dumps({
        "schema": "zcmask.report/1", "command": "mask",
        "files": [{"input": "in/公示.jpg", "pages": [{"index": 1, "output": "relative/out/公示.jpg"}]}]}),
        encoding="utf-8")
    (out / "link.jpg").symlink_to(out / "原件_王建国.jpg")
    app = serve_app(tmp_path, "--host", "0.0.0.0", "--token", TOKEN, "--reviewer-token", REVIEWER,
                    "--review-root", str(roots), "--review-root", str(tmp_path / "server-tmp"))
    ws = app.state.workspace
    with client(app) as victim:
        sid = victim_session(victim, original, fake_engine)["sid"]
        # The applicant token does not open reviewer mode once a reviewer token exists.
        r = victim.post("/api/review", json={"folder": str(out)})
        assert r.status_code == 401
        rev = client(app, REVIEWER)
        assert rev.get("/api/info").json()["review"]["enabled"] is True
        for folder in [str(ws.root), str(ws.root / sid / "uploads"), str(tmp_path / "server-tmp"),
                       str(tmp_path), str(roots / ".." / "server-tmp"), "batch/../.."]:
            assert_nothing_private(rev.post("/api/review", json={"folder": folder, "sample": "100%"}))
        rv = rev.post("/api/review", json={"folder": str(out), "sample": "100%", "seed": 1}).json()
        assert [s["name"] for s in rv["sample"]] == ["公示.jpg#1"]  # no original, no symlink
        img = rev.get(f"/api/review/{rv['id']}/image/0")
        assert img.status_code == 200 and img.content == (out / "公示.jpg").read_bytes()
        assert_nothing_private(rev.get(f"/api/review/{rv['id']}/image/1"))
        # The applicant (or anyone with only the applicant token) gets none of it.
        assert victim.get(f"/api/review/{rv['id']}/image/0").status_code == 401


def test_a_folder_of_originals_is_not_reviewable_on_a_server(tmp_path: Path, original: bytes) -> None:
    roots = tmp_path / "reviews"
    (roots / "原件").mkdir(parents=True)
    (roots / "原件" / "王建国_公示.jpg").write_bytes(original)
    app = serve_app(tmp_path, "--host", "0.0.0.0", "--token", TOKEN, "--review-root", str(roots))
    with client(app) as c:
        r = c.post("/api/review", json={"folder": str(roots / "原件"), "sample": "100%"})
        assert r.status_code == 400 and "zcmask-report.json" in r.json()["message"]


def test_serve_refuses_a_reviewer_token_equal_to_the_applicant_token(tmp_path: Path) -> None:
    with pytest.raises(BadArgsError):
        serve_app(tmp_path, "--host", "0.0.0.0", "--token", TOKEN, "--reviewer-token", TOKEN)


def test_a_loopback_server_still_never_reviews_its_own_temp_folder(fake_engine, tmp_path: Path, original: bytes) -> None:  # type: ignore[no-untyped-def]
    app = serve_app(tmp_path)  # 127.0.0.1, no token: reviews may open any other folder
    with client(app, None) as c:
        sid = victim_session(c, original, fake_engine)["sid"]
        root = app.state.workspace.root
        for folder in (root, root / sid, root / sid / "uploads", root.parent):
            r = c.post("/api/review", json={"folder": str(folder), "sample": "100%"})
            assert r.status_code == 403 and "临时文件夹" in r.json()["message"], r.text


# --------------------------------------------------------------------------- request guards


@pytest.fixture
def local(fake_engine, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path, limits=WebLimits(max_file_mb=1, max_zip_entries=5))
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c


def test_cross_site_requests_are_refused(local: TestClient) -> None:
    assert local.post("/api/sessions", headers={"Origin": "http://evil.example"}).status_code == 403
    assert local.post("/api/sessions", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert local.post("/api/sessions", headers={"Origin": "null"}).status_code == 403
    ok = local.post("/api/sessions", headers={"Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 200


def test_json_sent_as_text_plain_is_refused(local: TestClient) -> None:
    sid = local.post("/api/sessions").json()["id"]
    r = local.post(f"/api/sessions/{sid}/analyse", content=json.dumps(IDENT).encode(),
                   headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "JSON" in r.json()["message"]


def test_pages_cannot_be_framed(local: TestClient) -> None:
    for url in ("/", "/api/info"):
        r = local.get(url)
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_oversized_bodies_are_refused_before_they_are_read(local: TestClient) -> None:
    sid = local.post("/api/sessions").json()["id"]
    read = []

    def body() -> Iterator[bytes]:
        for _ in range(400):  # 400 MB if it were all read
            read.append(1)
            yield b"x" * (1 << 20)

    r = local.post(f"/api/sessions/{sid}/analyse", content=b"{}" + b" " * (3 << 20),
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = local.post(f"/api/sessions/{sid}/analyse", content=body(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = local.post(f"/api/sessions/{sid}/files", content=b"x" * 10,
                   headers={"Content-Length": str(300 << 20), "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413


def test_a_streamed_body_is_stopped_at_the_limit() -> None:
    import asyncio

    from zcmask.web.app import BodyLimit

    chunks = 0

    async def receive() -> dict[str, Any]:
        nonlocal chunks
        chunks += 1
        return {"type": "http.request", "body": b"x" * (1 << 20), "more_body": chunks < 400}

    async def inner(scope: Any, rcv: Any, send: Any) -> None:
        while (await rcv()).get("more_body"):
            pass

    async def send(msg: Any) -> None:
        pass

    guard = BodyLimit(inner, lambda path: 2 << 20)
    with pytest.raises(Exception, match="过大"):
        asyncio.run(guard({"type": "http", "path": "/api/x", "headers": []}, receive, send))
    assert chunks == 3  # stopped at 3 MB of a 400 MB stream


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    return buf.getvalue()


def test_zip_with_too_many_entries_is_refused_whole(local: TestClient, original: bytes) -> None:
    sid = local.post("/api/sessions").json()["id"]
    data = _zip({f"p{i}.jpg": original for i in range(6)})
    r = local.post(f"/api/sessions/{sid}/files", files=[("files", ("many.zip", data, "application/zip"))])
    assert r.status_code == 200
    assert "上限" in r.json()["results"][0]["error"]["message"]
    assert local.get(f"/api/sessions/{sid}").json()["files"] == []


def test_zip_member_named_like_an_earlier_upload_keeps_both(local: TestClient, original: bytes) -> None:
    sid = local.post("/api/sessions").json()["id"]
    first = local.post(f"/api/sessions/{sid}/files", files=[("files", ("公示.jpg", original, "image/jpeg"))],
                       data={"paths": json.dumps(["材料/公示.jpg"])}).json()
    assert first["results"][0]["error"] is None
    other = io.BytesIO()
    Image.fromarray(np.full((700, 600, 3), 200, np.uint8)).save(other, format="JPEG")
    r = local.post(f"/api/sessions/{sid}/files",
                   files=[("files", ("材料.zip", _zip({"公示.jpg": other.getvalue()}), "application/zip"))]).json()
    res = r["results"][0]
    assert res["error"] is None and res["name"] == "材料/公示 (2).jpg" and "两份都已保留" in res["note"]
    names = [f["name"] for f in r["session"]["files"]]
    assert names == ["材料/公示 (2).jpg", "材料/公示.jpg"]
    ws_root = local.app.state.workspace.sessions[sid].uploads  # type: ignore[attr-defined]
    assert (ws_root / "材料" / "公示.jpg").read_bytes() == original  # not replaced


def test_overlong_names_and_file_folder_clashes_are_messages_not_500(local: TestClient, original: bytes) -> None:
    sid = local.post("/api/sessions").json()["id"]
    long = "很长的文件名" * 20 + ".jpg"  # 360 bytes in UTF-8
    r = local.post(f"/api/sessions/{sid}/files", files=[("files", (long, original, "image/jpeg"))])
    assert r.status_code == 200 and "过长" in r.json()["results"][0]["error"]["message"]
    r = local.post(f"/api/sessions/{sid}/files",
                   files=[("files", ("clash.zip", _zip({"f.jpg": original, "f.jpg/g.jpg": original,
                                                         long: original}), "application/zip"))])
    assert r.status_code == 200, r.text
    res = {x["name"]: x["error"] for x in r.json()["results"]}
    assert res["clash/f.jpg"] is None
    assert "已跳过" in res["f.jpg/g.jpg"]["message"]
    assert "过长" in res[long]["message"]
    # The same clash across two uploads.
    r = local.post(f"/api/sessions/{sid}/files", files=[("files", ("g.jpg", original, "image/jpeg"))],
                   data={"paths": json.dumps(["clash/f.jpg/g.jpg"])})
    assert r.status_code == 200 and r.json()["results"][0]["error"]["code"] == "unsafe_name"


def test_idle_sessions_expire_with_their_files(fake_engine, tmp_path: Path, original: bytes) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path, limits=WebLimits(idle_minutes=1))
    with TestClient(app) as c:
        sid = c.post("/api/sessions").json()["id"]
        c.post(f"/api/sessions/{sid}/files", files=[("files", ("a.jpg", original, "image/jpeg"))])
        ws = app.state.workspace
        folder = ws.sessions[sid].root
        assert folder.exists()
        assert ws.expire_idle(time.monotonic() + 30) == []
        assert ws.expire_idle(time.monotonic() + 61) == [sid]
        assert not folder.exists()
        assert c.get(f"/api/sessions/{sid}").status_code == 404


def test_page_images_are_kept_compressed(fake_engine, tmp_path: Path, original: bytes) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path)
    with TestClient(app) as c:
        v = victim_session(c, original, fake_engine)
        work = app.state.workspace.sessions[v["sid"]].work
        assert not list(work.glob("*.npy"))
        png = next(work.glob("p*.page"))  # a few hundred bytes of recipe (a PNG only for a flattened page)
        h, w = render("公示", NAME, UNIT).image.shape[:2]
        assert png.stat().st_size < 0.5 * h * w * 3


def test_a_queued_job_says_so_and_can_be_cancelled(fake_engine, tmp_path: Path, original: bytes) -> None:  # type: ignore[no-untyped-def]
    import threading

    app = create_app(web_options(), temp_root=tmp_path)
    ws = app.state.workspace
    gate = threading.Event()
    with TestClient(app) as c:
        sid = c.post("/api/sessions").json()["id"]
        c.post(f"/api/sessions/{sid}/files", files=[("files", ("a.jpg", original, "image/jpeg"))])
        blocker = ws.submit("block", lambda job: gate.wait(10), f"s:{sid}")
        r = c.post(f"/api/sessions/{sid}/analyse", json=IDENT).json()
        assert r["state"] == "queued" and r["ahead"] >= 1
        cancelled = c.post(f"/api/jobs/{r['id']}/cancel").json()
        assert cancelled["state"] == "cancelled"
        gate.set()
        assert wait(c, c.get(f"/api/jobs/{blocker.id}").json())["state"] == "done"
        assert c.get(f"/api/jobs/{r['id']}").json()["state"] == "cancelled"
        assert not c.get(f"/api/sessions/{sid}").json()["pages"][0]["analysed"]


def test_page_messages_carry_no_command_line_advice() -> None:
    from zcmask.messages import ISSUE_CODES, issue, not_jpg_issue, rotated_issue
    from zcmask.results import Orientation
    from zcmask.web._workspace import PageState, UploadedFile, web_issue

    page = PageState(0, UploadedFile("a.pdf", Path("a.pdf")), 0, format="pdf")
    fmt = dict(text="王建国", rotation=90, fmt="PNG", px=8, dpi=60, w=300, h=400, mb=12.0, limit=10.0)
    every = [issue(c, **fmt) for c in ISSUE_CODES] + [not_jpg_issue("pdf"), rotated_issue(90, 90)]
    for i in every:
        msg = web_issue(i, page).message
        assert "zcmask" not in msg and "--fix" not in msg and "逆时针旋转" not in msg, (i.code, msg)
        assert msg
    page.orientation = Orientation(90, 1.0, "manual")
    assert "手工" in web_issue(rotated_issue(90), page).message


def test_the_number_of_sessions_is_bounded(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(web_options(), temp_root=tmp_path, limits=WebLimits(max_sessions=2))
    with TestClient(app) as c:
        assert c.post("/api/sessions").status_code == 200
        assert c.post("/api/sessions").status_code == 200
        r = c.post("/api/sessions")
        assert r.status_code == 413 and "会话过多" in r.json()["message"]


def test_the_ocr_memo_answers_repeats_and_forgets_the_oldest() -> None:
    from zcmask.ocr import FakeOcrEngine
    from zcmask.web._memo import MemoOcrEngine

    inner = FakeOcrEngine([])
    memo = MemoOcrEngine(inner, pages=2)
    a, b, c = (np.full((20, 30, 3), v, np.uint8) for v in (1, 2, 3))
    for img in (a, a, b, a, c, b):
        memo.recognize(img)
    assert (memo.hits, memo.misses) == (2, 4)  # a again, a again; b was dropped when c came in
    memo.recognize(b.copy())  # the same pixels in another array
    assert memo.hits == 3
    memo.recognize(np.full((20, 31, 3), 2, np.uint8))  # another size: another key
    assert memo.misses == 5
    assert memo.fingerprint() == inner.fingerprint()
