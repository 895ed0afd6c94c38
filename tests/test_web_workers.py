"""The web page reads a session's pages in worker processes (``zcmask serve --jobs``).

The fast cases use the fake engine (its pool is threads, as for ``zcmask mask``);
one slow case runs the real models in real worker processes.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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

from zcmask.cli import main  # noqa: E402
from zcmask.options import Identity, Options, Unit  # noqa: E402
from zcmask.web import create_app  # noqa: E402
from zcmask.web._workspace import JobCancelled, Workspace  # noqa: E402
from zcsynth import render  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

NAME = "王建国"
UNIT = "巴州供电公司"
IDENT = {"name": NAME, "units": [UNIT]}
TEMPLATES = ("公示", "承诺书", "职称证书")


def _client(tmp_path: Path, workers: int, **opts: Any) -> TestClient:
    base: dict[str, Any] = dict(ocr_engine="fake", eyes=False, seals="none", progress=False)
    base.update(opts)
    tmp_path.mkdir(parents=True, exist_ok=True)
    return TestClient(create_app(Options.build(**base), temp_root=tmp_path, workers=workers))


def _wait(c: TestClient, job: dict[str, Any], timeout: float = 300) -> dict[str, Any]:
    t0 = time.time()
    while job["state"] not in ("done", "error", "cancelled"):
        assert time.time() - t0 < timeout, job
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
    return job


def _analysed_session(c: TestClient, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    sid = c.post("/api/sessions").json()["id"]
    for name, data in files:
        r = c.post(f"/api/sessions/{sid}/files", files=[("files", (name, data, "application/octet-stream"))])
        assert r.status_code == 200, r.text
    job = _wait(c, c.post(f"/api/sessions/{sid}/analyse", json=IDENT).json())
    assert job["state"] == "done", job
    assert job["done"] == job["total"] == len(files)
    return c.get(f"/api/sessions/{sid}").json()  # type: ignore[no-any-return]


def _what_was_found(session: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(p["width"], p["height"], sorted((r["kind"], tuple(r["bbox"])) for r in p["regions"]),
             sorted(i["code"] for i in p["issues"])) for p in session["pages"]]


def test_pages_read_by_workers_are_the_pages_read_in_the_server(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = [(f"{t}.pdf", render(t, NAME, UNIT).pdf_bytes) for t in TEMPLATES]
    found = {}
    for workers in (1, 2):
        with _client(tmp_path / str(workers), workers) as c:
            session = _analysed_session(c, files)
            pool = c.app.state.workspace._pool  # type: ignore[attr-defined]
            assert (pool is None) == (workers == 1)
            assert all(p["analysed"] and p["error"] is None for p in session["pages"])
            found[workers] = _what_was_found(session)
    assert found[2] == found[1]
    kinds = [k for _, _, regions, _ in found[2] for k, _ in regions]
    assert kinds.count("name") >= 3 and kinds.count("unit") >= 3


def test_a_cancelled_analysis_hands_out_no_more_pages(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = Workspace(Options.build(ocr_engine="fake", eyes=False, seals="none", progress=False),
                   root=tmp_path, workers=2)
    try:
        s = ws.new_session()
        for t in TEMPLATES:
            src = tmp_path / f"{t}.pdf"
            src.write_bytes(render(t, NAME, UNIT).pdf_bytes)
            s.add_upload(src.name, src, src.stat().st_size)
        calls = []

        def check() -> None:
            calls.append(1)
            if len(calls) > 1:
                raise JobCancelled()

        opts = ws.options_for(Identity(name=NAME, units=(Unit(name=UNIT),)))
        with ThreadPoolExecutor(max_workers=1) as one, pytest.raises(JobCancelled):
            for _ in s.analyse_pages(s.pages, opts, one, check):
                pass
        assert sum(p.analysed for p in s.pages) < len(s.pages)
    finally:
        ws.close()


def test_serve_refuses_a_jobs_count_out_of_range(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["serve", "--jobs", "0", "--no-browser"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_serve_passes_its_jobs_to_the_workspace(tmp_path: Path) -> None:
    from zcmask.cli import build_parser
    from zcmask.web.cli import app_from_args

    args = build_parser().parse_args(["serve", "--jobs", "3", "--no-browser"])
    app = app_from_args(args, temp_root=tmp_path)
    assert app.state.workspace.workers == 3


def _photo_page(template: str) -> bytes:
    page = render(template, NAME, UNIT)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(page.image), "RGB").save(buf, format="JPEG", quality=92)
    return buf.getvalue()


@pytest.mark.slow
def test_real_worker_processes_read_the_pages_the_server_would(tmp_path: Path) -> None:
    files = [(f"{t}.jpg", _photo_page(t)) for t in TEMPLATES[:2]]
    found = {}
    for workers in (1, 2):
        with _client(tmp_path / str(workers), workers, ocr_engine="rapidocr") as c:
            found[workers] = _what_was_found(_analysed_session(c, files))
            pool = c.app.state.workspace._pool  # type: ignore[attr-defined]
            assert isinstance(pool, ProcessPoolExecutor) if workers == 2 else pool is None
    assert found[2] == found[1]
    assert all(any(k == "name" for k, _ in regions) for _, _, regions, _ in found[2])



def test_a_page_turned_by_hand_is_read_again_by_a_worker(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _client(tmp_path, 2) as c:
        session = _analysed_session(c, [("公示.pdf", render("公示", NAME, UNIT).pdf_bytes)])
        sid, page = session["id"], session["pages"][0]
        job = _wait(c, c.post(f"/api/sessions/{sid}/pages/{page['id']}/rotate", json={"degrees": 90}).json())
        assert job["state"] == "done", job
        turned = c.get(f"/api/sessions/{sid}/pages/{page['id']}").json()
        assert (turned["width"], turned["height"]) == (page["height"], page["width"])
        assert turned["version"] > page["version"]


def test_a_reading_abandoned_by_a_cancelled_job_never_replaces_the_page_image(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A cancelled job's reading may finish in a worker after the page was turned and read again."""
    from zcmask.web._workspace import _discard_files, analyse_for_web

    ws = Workspace(Options.build(ocr_engine="fake", eyes=False, seals="none", progress=False),
                   root=tmp_path, workers=2)
    try:
        s = ws.new_session()
        src = tmp_path / "公示.pdf"
        src.write_bytes(render("公示", NAME, UNIT).pdf_bytes)
        s.add_upload(src.name, src, src.stat().st_size)
        (p,) = s.pages
        opts = ws.options_for(Identity(name=NAME, units=(Unit(name=UNIT),)))
        s.analyse(p, opts)
        upright = (p.width, p.height)
        png, preview = s._scratch(p)
        late = analyse_for_web(s._context(p, s.with_cache(opts)), str(png), str(preview))  # the old reading
        s.rotate(p, 90)
        s.analyse(p, opts, ws.analysis_pool())  # read again, turned
        h, w = s.load_image(p).shape[:2]  # what the masks of the new reading will be drawn on
        assert (p.width, p.height) == (w, h) == upright[::-1]
        assert Path(late.image).exists() and Path(late.image) != s.image_path(p)
        fut: Any = ThreadPoolExecutor(max_workers=1).submit(lambda: late)
        fut.result()
        _discard_files(fut)
        assert not Path(late.image).exists() and not Path(late.preview).exists()
    finally:
        ws.close()


def test_a_session_dropped_while_a_worker_reads_its_page_leaves_nothing_on_disk(tmp_path: Path) -> None:
    """The worker finishes after the session's folder is gone and writes the page into it again."""
    import threading

    from conftest import mk_line, save_jpeg
    from zcmask.ocr import FakeOcrEngine, register_engine

    started, go = threading.Event(), threading.Event()

    def slow_read(img: np.ndarray) -> list[Any]:
        started.set()
        assert go.wait(30)
        return [mk_line(f"申报人{NAME}", x=100, y=100, ch=40)]

    register_engine("fake", FakeOcrEngine(slow_read))
    ws = Workspace(Options.build(ocr_engine="fake", eyes=False, seals="none", progress=False,
                                 detect_orientation=False), root=tmp_path, workers=2)
    try:
        s = ws.new_session()
        src = save_jpeg(np.full((600, 800, 3), 250, np.uint8), tmp_path / "page.jpg")
        s.add_upload(src.name, src, src.stat().st_size)
        opts = ws.options_for(Identity(name=NAME, units=(Unit(name=UNIT),)))
        reader = threading.Thread(target=lambda: [None for _ in s.analyse_pages(s.pages, opts, ws.analysis_pool())],
                                  daemon=True)
        reader.start()
        assert started.wait(30)
        ws.drop_session(s.id)
        assert not s.root.exists()
        go.set()
        reader.join(30)
        for _ in range(100):  # the callback runs in the worker thread as it finishes
            if not s.root.exists():
                break
            time.sleep(0.05)
        assert not s.root.exists()
        assert not s.reading
    finally:
        go.set()
        ws.close()
        register_engine("fake", FakeOcrEngine([]))


def test_page_images_are_kept_losslessly_as_png(tmp_path: Path) -> None:
    """The kept page is a PNG whose pixels are exactly the analysed ones (what masks are drawn on)."""
    from zcmask.web._workspace import _save_png

    rng = np.random.default_rng(7)
    page = rng.integers(0, 256, (301, 203, 3), dtype=np.uint8)  # noise: no filter or colour swap may hide
    page[:40] = (200, 30, 10)  # a red band: RGB order must survive OpenCV's BGR
    dest = tmp_path / "p1.png"
    _save_png(page, dest)
    assert dest.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(dest) as im:
        assert im.mode == "RGB"
        assert np.array_equal(np.asarray(im), page)


@contextlib.contextmanager
def _turned_page_read(tmp_path: Path) -> Iterator[tuple[Any, Any, Options]]:
    """A session holding one 公示 page uploaded as a JPG lying on its side, read (fake engine).

    Yields the session, its page and the options it was read with; the kept page is
    then a turned decode of the upload.
    """
    page = render("公示", NAME, UNIT)
    src = tmp_path / "公示.jpg"
    Image.fromarray(np.rot90(page.image)).save(src, quality=90)
    ws = Workspace(Options.build(ocr_engine="fake", eyes=False, seals="none", progress=False), root=tmp_path)
    try:
        s = ws.new_session()
        s.add_upload(src.name, src, src.stat().st_size)
        (p,) = s.pages
        opts = ws.options_for(Identity(name=NAME, units=(Unit(name=UNIT),)))
        s.analyse(p, opts)
        yield s, p, opts
    finally:
        ws.close()


def test_a_page_is_kept_as_a_recipe_and_rebuilt_pixel_for_pixel(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from zcmask.pipeline import analyse_page

    with _turned_page_read(tmp_path) as (s, p, opts):
        kept = s.image_path(p).read_bytes()
        assert kept.startswith(b"{") and len(kept) < 1000  # not 3.7 MB of PNG
        analysed = analyse_page(s._context(p, opts.model_copy(update={"cache": False}))).image
        assert p.rotation != 0 and np.array_equal(s.load_image(p), analysed)


def test_nothing_is_masked_on_a_page_whose_upload_changed_after_reading(fake_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from zcmask.exceptions import InputFileError

    with _turned_page_read(tmp_path) as (s, p, _):
        img = np.asarray(Image.open(p.file.path).convert("RGB")).copy()
        img[:40] = 0
        Image.fromarray(img).save(p.file.path, format="JPEG", quality=90)  # the same size, other pixels
        with pytest.raises(InputFileError, match="重新上传"):
            s.load_image(p)
