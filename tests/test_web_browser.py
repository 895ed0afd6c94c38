"""End to end in a real headless browser: Debian's chromium driven by Playwright.

The server runs in a thread (uvicorn on a free port) with the fake OCR engine and a
text-layer PDF, so the run is fast and deterministic. The same run saves the
README screenshots under ``docs/screenshots/``. Skipped when ``/usr/bin/chromium``
or the ``playwright`` package is missing (Playwright's own browser download is not
used).
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")

from zcmask.ocr import FakeOcrEngine, register_engine  # noqa: E402
from zcmask.options import Options  # noqa: E402
from zcmask.web import create_app  # noqa: E402
from zcsynth import render  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NAME = "王建国"
UNIT = "巴州供电公司"
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    register_engine("fake", FakeOcrEngine([]))
    opts = Options.build(ocr_engine="fake", eyes=False, seals="none", progress=False)
    app = create_app(opts, temp_root=tmp_path_factory.mktemp("web"),
                     allowed_hosts={"127.0.0.1", "localhost"})
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="on", access_log=False))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    t0 = time.time()
    while not srv.started:
        assert time.time() - t0 < 30 and th.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    th.join(timeout=10)
    register_engine("fake", FakeOcrEngine([]))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _has_cjk_font() -> bool:
    fc = shutil.which("fc-list")
    if fc is None:
        return False
    return bool(subprocess.run([fc, ":lang=zh"], capture_output=True, text=True, check=False).stdout.strip())


# Without a Chinese font the page shows boxes instead of text: keep the committed screenshots then.
SAVE_SHOTS = _has_cjk_font()


def _shot(page: object, name: str) -> Path | None:
    """Save a small PNG screenshot (palette-quantised to stay well under 200 KB)."""
    if not SAVE_SHOTS:
        return None
    page.evaluate("document.getElementById('toast').hidden = true; window.scrollTo(0, 0)")  # type: ignore[attr-defined]
    raw = page.screenshot(full_page=False)  # type: ignore[attr-defined]
    SHOTS.mkdir(parents=True, exist_ok=True)
    dest = SHOTS / name
    out = io.BytesIO()
    with Image.open(io.BytesIO(raw)) as im:
        im.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, format="PNG",
                                                                                   optimize=True)
    if not dest.exists() or not _same_picture(dest, out.getvalue()):
        dest.write_bytes(out.getvalue())  # unchanged pictures are left alone: no churn in git
    return dest


def _same_picture(path: Path, png: bytes) -> bool:
    with Image.open(path) as a, Image.open(io.BytesIO(png)) as b:
        if a.size != b.size:
            return False
        d = np.abs(np.asarray(a.convert("RGB"), np.int16) - np.asarray(b.convert("RGB"), np.int16))
    return bool((d.sum(axis=2) > 30).mean() < 1e-4)


def _in_view(page: object, selector: str) -> bool:
    """True when the element is fully inside the browser window (no scrolling needed)."""
    return bool(page.evaluate("""(s) => { const e = document.querySelector(s); if (!e || e.hidden) return false;
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }""",
                              selector))  # type: ignore[attr-defined]


def _black(a: np.ndarray, bbox: tuple[int, int, int, int], m: int = 3) -> float:
    x0, y0, x1, y1 = bbox
    crop = a[y0 + m:y1 - m, x0 + m:x1 - m]
    return float((crop.max(axis=2) < 60).mean())


def test_upload_see_regions_add_box_download_and_review(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = render("公示", NAME, UNIT)
    src = tmp_path / "公示.pdf"
    src.write_bytes(sample.pdf_bytes)
    other = tmp_path / "职称证书.pdf"
    other.write_bytes(render("职称证书", NAME, UNIT).pdf_bytes)
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#notice option").count() == 6

    # Applicant facts, then the file.
    page.fill("#name", NAME)
    page.fill("#units", UNIT)
    page.set_input_files("#pick-files", [str(src), str(other)])
    page.wait_for_selector("#files li:has-text('公示.pdf')")
    page.wait_for_selector("#files li:has-text('职称证书.pdf')")
    assert _in_view(page, "#analyse") and _in_view(page, "#export")
    page.click("#analyse")

    # Every page is drawn with its regions.
    page.locator("article.page").nth(1).locator("svg rect.r").first.wait_for()
    card = page.locator("article.page", has_text="公示.pdf")
    card.locator("svg rect.r").nth(3).wait_for()
    kinds = sorted(card.locator("svg rect.r").evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert kinds == ["name", "name", "unit", "unit"]
    all_loaded = "() => [...document.querySelectorAll('article.page img')].every(i => i.complete && i.naturalWidth > 0)"
    page.wait_for_function(all_loaded)
    assert "not_jpg" in card.locator("ul.issues").inner_text()
    page.wait_for_function("() => !document.querySelector('#export').disabled")
    assert "zcmask check" not in page.locator("#pages").inner_text()  # no command-line advice in the page
    # Scrolled to the last result, the buttons are still on screen (1366x768).
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert _in_view(page, "#analyse") and _in_view(page, "#export")
    page.evaluate("window.scrollTo(0, 0)")

    # Drag a manual box over blank paper below the text.
    w, h = sample.image.shape[1], sample.image.shape[0]
    svg = card.locator("svg.overlay")
    box = svg.bounding_box()
    assert box is not None

    def to_screen(x: float, y: float) -> tuple[float, float]:
        return box["x"] + x / w * box["width"], box["y"] + y / h * box["height"]

    want = (200, 1500, 700, 1650)  # image pixels
    page.mouse.move(*to_screen(want[0], want[1]))
    page.mouse.down()
    page.mouse.move(*to_screen((want[0] + want[2]) / 2, (want[1] + want[3]) / 2), steps=4)
    page.mouse.move(*to_screen(want[2], want[3]), steps=4)
    page.mouse.up()
    card.locator("svg rect.r[data-kind='manual']").wait_for()
    page.wait_for_function("el => el.dataset.saved", arg=card.element_handle())
    page.wait_for_function(all_loaded)
    _shot(page, "applicant.png")
    manual = card.locator("svg rect.r[data-kind='manual']")
    mx, my = float(manual.get_attribute("x") or 0), float(manual.get_attribute("y") or 0)
    mw, mh = float(manual.get_attribute("width") or 0), float(manual.get_attribute("height") or 0)
    got = (round(mx), round(my), round(mx + mw), round(my + mh))
    assert all(abs(a - b) <= 8 for a, b in zip(got, want, strict=True)), (got, want)

    # Deleting a detected name box asks first, then marks the page.
    other_card = page.locator("article.page", has_text="职称证书.pdf")
    name_box = other_card.locator("svg rect.r[data-kind='name']").first
    name_box.wait_for()
    before = other_card.locator("svg rect.r").count()
    name_box.click()
    other_card.locator("button", has_text="删除所选框").click()
    page.wait_for_function("(el) => el.classList.contains('flagged')", arg=other_card.element_handle())
    assert dialogs and "姓名" in dialogs[-1]
    assert other_card.locator("svg rect.r").count() == before - 1
    assert "removed_detection" in other_card.locator("ul.issues").inner_text()
    assert "无问题" not in other_card.locator("ul.issues").inner_text()

    # Download the zip (confirming the page whose name stays visible) and check the pixels.
    n_dialogs = len(dialogs)
    with page.expect_download() as dl:
        page.click("#export")
    assert len(dialogs) == n_dialogs + 1 and "职称证书.pdf" in dialogs[-1]
    zpath = tmp_path / dl.value.suggested_filename
    dl.value.save_as(zpath)
    assert zpath.name.startswith("zcmask-masked-") and zpath.suffix == ".zip"
    with zipfile.ZipFile(zpath) as zf:
        assert "公示.jpg" in zf.namelist()
        with Image.open(io.BytesIO(zf.read("公示.jpg"))) as im:
            out = np.asarray(im.convert("RGB"))
        report = json.loads(zf.read("报告（不要上传）/zcmask-report.json"))
    for t in sample.truths:
        if t.kind == "name":
            assert _black(out, t.bbox) > 0.98, t
    assert _black(out, got) > 0.98
    assert _black(out, (200, 1800, 700, 1900)) < 0.01
    by_input = {f["input"]: f for f in report["files"]}
    assert set(by_input) == {"公示.pdf", "职称证书.pdf"}
    regions = by_input["公示.pdf"]["pages"][0]["regions"]
    assert [r["bbox"] for r in regions if r["source"] == "manual"] == [list(got)]

    page.check("#preview-mask")
    page.wait_for_function(all_loaded)
    _shot(page, "masked-preview.png")
    page.uncheck("#preview-mask")

    # Reviewer mode on the downloaded output: accept the one sampled page.
    folder = tmp_path / "masked"
    folder.mkdir()
    (folder / "公示.jpg").write_bytes(zipfile.ZipFile(zpath).read("公示.jpg"))
    page.click("#tab-review")
    page.fill("#rv-reviewer", "李审")
    page.fill("#rv-folder", str(folder))
    page.fill("#rv-sample", "1")
    page.fill("#rv-seed", "5")
    page.fill("#rv-name", NAME)
    page.fill("#rv-units", UNIT)
    page.click("#rv-open")
    page.wait_for_selector("#rv-panel:not([hidden])")
    page.wait_for_function("() => document.querySelector('#rv-audit').textContent.includes('未发现残留')")
    page.locator("#rv-img").evaluate("img => img.complete || new Promise(r => img.onload = r)")
    page.fill("#rv-folder", "D:\\职称\\遮盖输出")  # a stable path for the README screenshot
    _shot(page, "reviewer.png")
    page.click("#rv-accept")
    page.wait_for_function("() => document.querySelector('#rv-counts').textContent.includes('通过 1')")
    saved = json.loads((folder / "zcmask-review.json").read_text(encoding="utf-8"))
    assert [(v["verdict"], v["reviewer"]) for v in saved["verdicts"].values()] == [("accept", "李审")]

    assert errors == []
    assert all(u.startswith(server) for u in requests), [u for u in requests if not u.startswith(server)]
    for name in ("applicant.png", "masked-preview.png", "reviewer.png"):
        assert (SHOTS / name).stat().st_size < 200_000
    ctx.close()


def test_bad_file_folder_and_drop_uploads_in_the_page(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "坏文件.jpg"
    bad.write_bytes(b"\xff\xd8 not an image")
    folder = tmp_path / "申报材料"
    (folder / "证书").mkdir(parents=True)
    (folder / "证书" / "职称证书.pdf").write_bytes(render("职称证书", NAME, UNIT).pdf_bytes)
    (folder / ".DS_Store").write_bytes(b"hidden")
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']")

    # A bad file: a message in the list, never a trace.
    page.set_input_files("#pick-files", str(bad))
    item = page.locator("#files li.err", has_text="坏文件.jpg")
    item.wait_for()
    assert "重新扫描" in item.inner_text()
    assert "Traceback" not in page.content()

    # A whole folder keeps its relative paths; hidden files are skipped.
    page.set_input_files("#pick-folder", str(folder))
    page.locator("#files li", has_text="申报材料/证书/职称证书.pdf").wait_for()
    assert "DS_Store" not in page.locator("#files").inner_text()

    # Dropping files on the zone uploads them too.
    pdf = render("承诺书", NAME, UNIT).pdf_bytes
    page.evaluate("""(bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], "承诺书.pdf", {type: "application/pdf"}));
        document.querySelector("#drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", list(pdf))
    page.locator("#files li", has_text="承诺书.pdf").wait_for()

    # The good files are analysed; the bad one does not stop them.
    page.fill("#name", NAME)
    page.click("#analyse")
    page.wait_for_function("() => document.querySelectorAll('article.page svg rect.r').length >= 2")
    page.wait_for_function("() => document.querySelector('#progress-text').textContent.includes('完成')")
    assert page.locator("article.page").count() == 2

    # Choosing a notice runs the validation when zcmask.rules is installed, or says it is not.
    page.select_option("#notice", "bz-dianli-2024")
    if page.evaluate("() => INFO.rules_available"):
        page.wait_for_function("() => { const t = document.querySelector('#findings').textContent;"
                               " return t && !t.includes('正在按通知审核'); }")
        assert "Traceback" not in page.locator("#findings").inner_text()
    else:
        assert "审核模块" in page.locator("#rules-state").inner_text()

    # "清空重来" drops the session (its temporary files) and starts a new one.
    page.on("dialog", lambda d: d.accept())
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('article.page') && !document.querySelector('#files li')")
    assert errors == []
    ctx.close()
