"""Speed work that must not change what is read: recognition width, imports, scheduling."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pymupdf
import pytest

from conftest import NAME, fake_options, mk_line, save_jpeg
from zcmask import api
from zcmask.ocr._engine import REC_MIN_WIDTH, RapidOcrEngine
from zcmask.pipeline import PageContext


def _line_image(text: str, fontsize: int = 14) -> np.ndarray:
    """One printed line at 200 dpi, cropped tight with a small margin, RGB."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=60)
    page.insert_text((10, 35), text, fontname="china-s", fontsize=fontsize)
    pix = page.get_pixmap(dpi=200)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
    ink = np.argwhere(img.min(axis=2) < 128)
    (y0, x0), (y1, x1) = ink.min(axis=0), ink.max(axis=0)
    return np.ascontiguousarray(img[max(0, y0 - 6):y1 + 7, max(0, x0 - 6):x1 + 7])


def test_short_lines_are_padded_to_the_minimum_width_not_to_320():
    eng = RapidOcrEngine()
    assert eng.rec_min_width == REC_MIN_WIDTH < 320
    rec = eng._engine()._load_rec_model()
    assert list(rec.rec_image_shape) == [3, 48, REC_MIN_WIDTH]


def test_recognition_width_is_part_of_the_cache_fingerprint():
    assert RapidOcrEngine(rec_min_width=64).fingerprint() != RapidOcrEngine(rec_min_width=320).fingerprint()


def test_env_sets_the_recognition_width(monkeypatch):
    monkeypatch.setenv("ZCMASK_REC_MIN_WIDTH", "320")
    assert RapidOcrEngine().rec_min_width == 320


@pytest.mark.slow
@pytest.mark.parametrize("text", [NAME, "巴州", "2023-01", "王"])
def test_short_printed_line_reads_the_same_at_both_widths(text):
    crop = _line_image(text)
    narrow = RapidOcrEngine(rec_min_width=REC_MIN_WIDTH).recognize_lines([crop])[0][0]
    wide = RapidOcrEngine(rec_min_width=320).recognize_lines([crop])[0][0]
    assert narrow.replace(" ", "") == text
    assert wide.replace(" ", "") == narrow.replace(" ", "")


def _run_py(code: str, **env: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          check=True, timeout=300, env={**os.environ, **env}).stdout.strip()


_COUNT_TABLE_PARSES = """
    from omegaconf import OmegaConf
    calls = []
    load = OmegaConf.load
    def counting(f):  # RapidOCR's own config.yaml is read too; count the rest
        if not str(f).endswith("config.yaml"):
            calls.append(f)
        return load(f)
    OmegaConf.load = counting
    from zcmask.ocr._engine import import_rapidocr
    cls = import_rapidocr()
    from rapidocr.utils import model_resolver as mr
    fresh = OmegaConf.to_container(load(mr.MODEL_CONFIG_PATH))
    same = OmegaConf.to_container(mr._MODEL_CONFIG) == fresh and type(mr._MODEL_CONFIG).__name__ == "DictConfig"
    print(cls.__name__, len(calls), same)
"""


def test_rapidocr_model_table_is_parsed_once_on_import():
    out = _run_py(_COUNT_TABLE_PARSES, ZCMASK_USER_CACHE_DIR="")  # user cache off
    assert out == "RapidOCR 1 True"


def test_model_table_comes_from_the_user_cache_after_the_first_run(tmp_path):
    first = _run_py(_COUNT_TABLE_PARSES, ZCMASK_USER_CACHE_DIR=str(tmp_path))
    (cached,) = tmp_path.glob("rapidocr-table-*.pickle")
    second = _run_py(_COUNT_TABLE_PARSES, ZCMASK_USER_CACHE_DIR=str(tmp_path))
    assert first == "RapidOCR 1 True"
    assert second == "RapidOCR 0 True"  # not parsed, and the same table as a fresh parse
    assert cached.stat().st_mode & 0o777 == 0o600


def _table_yaml(tmp_path, text="a:\n  b: [1, 2]\n  c: x\n"):
    f = tmp_path / "default_models.yaml"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.fixture
def cached_table(tmp_path, monkeypatch):
    """A small model table loaded once through a fresh user cache: (table file, its cache file)."""
    from zcmask.ocr import _model_table

    cache = tmp_path / "cache"
    monkeypatch.setenv(_model_table.ENV, str(cache))
    src = _table_yaml(tmp_path)
    _model_table.load_table(src)
    (cached,) = cache.glob("*.pickle")
    return src, cached


def test_a_corrupt_cache_file_costs_one_parse_and_is_rewritten(cached_table):
    from omegaconf import OmegaConf

    from zcmask.ocr import _model_table

    src, cached = cached_table
    cached.write_bytes(b"not a pickle")
    table = _model_table.load_table(src)
    assert OmegaConf.to_container(table) == {"a": {"b": [1, 2], "c": "x"}}
    assert _model_table.load_table(src) == table
    assert cached.read_bytes() != b"not a pickle"


def test_a_cache_file_others_may_write_is_not_trusted(cached_table):
    import pickle

    from omegaconf import OmegaConf

    from zcmask.ocr import _model_table

    src, cached = cached_table
    cached.write_bytes(pickle.dumps(OmegaConf.create({"planted": True})))
    cached.chmod(0o666)
    assert OmegaConf.to_container(_model_table.load_table(src)) == {"a": {"b": [1, 2], "c": "x"}}


def test_a_changed_table_file_is_never_served_from_the_old_entry(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from zcmask.ocr import _model_table

    monkeypatch.setenv(_model_table.ENV, str(tmp_path / "cache"))
    src = _table_yaml(tmp_path)
    _model_table.load_table(src)
    src.write_text("a:\n  b: [3]\n", encoding="utf-8")
    assert OmegaConf.to_container(_model_table.load_table(src)) == {"a": {"b": [3]}}


def test_an_unwritable_cache_folder_is_skipped(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from zcmask.ocr import _model_table

    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(_model_table.ENV, str(blocker / "sub"))  # a folder under a file: cannot exist
    assert OmegaConf.to_container(_model_table.load_table(_table_yaml(tmp_path))) == {"a": {"b": [1, 2], "c": "x"}}


def test_fork_server_preload_imports_rapidocr_and_starts_no_thread():
    out = _run_py("""
        import os, sys
        import zcmask.pipeline
        before = len(os.listdir("/proc/self/task"))
        import zcmask.ocr._preload
        after = len(os.listdir("/proc/self/task"))
        print("rapidocr.main" in sys.modules, "onnxruntime" in sys.modules, after - before)
    """)
    assert out == "True False 0"


def test_rapidocr_is_imported_without_its_network_code_and_reads_a_line():
    out = _run_py("""
        import sys
        from zcmask.ocr._engine import import_rapidocr, RapidOcrEngine
        import_rapidocr()
        from rapidocr.utils import download_file, load_image
        loaded = sorted(m for m in ("requests", "urllib3", "tqdm") if m in sys.modules)
        print(download_file.__name__, loaded or "-")
        import numpy as np, cv2
        img = np.full((200, 600, 3), 255, np.uint8)
        cv2.putText(img, "2024 09", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 4)
        print("".join(ln.text for ln in RapidOcrEngine(threads=1).recognize(img)).replace(" ", ""))
        print(load_image.requests.get.__module__, type(sys.modules["requests"]).__name__)
    """)
    replaced, text, used = out.splitlines()
    assert replaced == "zcmask.ocr._no_download -"
    # both models loaded through the stand-in: nothing fetched, no network module imported
    assert text == "202409"
    assert used == "requests.api module"  # RapidOCR's URL loader still finds the real requests when used


def test_a_missing_model_file_is_an_error_not_a_download(tmp_path):
    import hashlib
    import logging

    from zcmask.ocr._no_download import DownloadFile, DownloadFileException, DownloadFileInput

    present = tmp_path / "rec.onnx"
    present.write_bytes(b"model")
    missing = tmp_path / "det.onnx"
    log = logging.getLogger("test")
    DownloadFile.run(DownloadFileInput("https://example.invalid/rec.onnx", present, log, sha256="0" * 64))
    with pytest.raises(DownloadFileException, match="模型文件缺失.*pip install --force-reinstall rapidocr"):
        DownloadFile.run(DownloadFileInput("https://example.invalid/det.onnx", missing, log))
    assert not missing.exists()
    assert DownloadFile.check_file_sha256(present, hashlib.sha256(b"model").hexdigest())
    assert not DownloadFile.check_file_sha256(present, hashlib.sha256(b"other").hexdigest())


def test_a_deferred_module_becomes_the_real_one_on_first_use():
    out = _run_py("""
        import sys
        from zcmask.ocr._no_download import deferred
        with deferred("json"):
            print("json" in sys.modules)  # json is imported at start-up already: nothing to defer
        sys.modules.pop("colorsys", None)
        with deferred("colorsys"):
            import colorsys
        print("colorsys" in sys.modules, colorsys.rgb_to_hsv(1, 0, 0), "colorsys" in sys.modules)
        import colorsys as again
        print(again is sys.modules["colorsys"], again.hls_to_rgb is colorsys.hls_to_rgb)
    """)
    assert out.splitlines() == ["True", "False (0.0, 1.0, 1) True", "True True"]


def test_heaviest_pages_are_scheduled_first(tmp_path):
    small = tmp_path / "small.jpg"
    big = tmp_path / "big.jpg"
    small.write_bytes(b"x" * 100)
    big.write_bytes(b"x" * 1000)
    two = tmp_path / "two.pdf"
    two.write_bytes(b"x" * 1400)  # two pages: 700 bytes each
    opts = fake_options()
    ctxs = [PageContext(str(small), 0, opts), PageContext(str(two), 0, opts), PageContext(str(big), 0, opts),
            PageContext(str(two), 1, opts)]
    assert api.heaviest_first(ctxs) == [2, 1, 3, 0]


def test_pool_results_keep_input_order_whatever_the_schedule(tmp_path, fake_engine):
    fake_engine._lines = [mk_line(f"姓名：{NAME}")]
    for i, size in enumerate((200, 900, 400, 1200)):
        img = np.full((size, 600, 3), 255, np.uint8)
        save_jpeg(img, tmp_path / "in" / f"p{i}.jpg")
    opts = fake_options(jobs=2)
    rep = api.mask([tmp_path / "in"], tmp_path / "out", opts)
    assert [f.input.rsplit("/", 1)[-1] for f in rep.files] == ["p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg"]
    assert [f.pages[0].height for f in rep.files] == [200, 900, 400, 1200]
    assert all(any(r.kind == "name" for r in f.pages[0].regions) for f in rep.files)


# --------------------------------------------------------------------------- third pass

@pytest.mark.parametrize("shape", [(5, 7, 3), (5, 7), (5, 7, 1), (4, 9, 4), (1, 6, 3)])
def test_turning_a_page_gives_numpys_bytes(shape):
    from zcmask._geometry import rotate_to_stored, upright

    a = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    for r in (0, 90, 180, 270, -90, 450):
        k = (r // 90) % 4
        out = upright(a, r)
        assert np.array_equal(out, np.rot90(a, k)) and out.flags.c_contiguous
        assert np.array_equal(rotate_to_stored(a, r), np.rot90(a, -k))
    f = a.astype(np.float32)  # not uint8: NumPy's path
    assert np.array_equal(upright(f, 90), np.rot90(f, 1))


def test_bgr_copy_is_numpys_channel_swap():
    from zcmask.ocr._engine import _to_bgr

    a = np.random.default_rng(2).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    for view in (a, a[3:20, 5:17]):  # a page and a crop of it (not contiguous)
        out = _to_bgr(view)
        assert np.array_equal(out, view[:, :, ::-1]) and out.flags.c_contiguous


@pytest.mark.parametrize("vertical", [False, True])
def test_character_boxes_map_back_to_rapidocrs_corners(vertical):
    """The vectorised mapping gives the same corners as RapidOCR's, up to their order."""
    from rapidocr.cal_rec_boxes.main import CalRecBoxes, Direction

    from zcmask.ocr._engine import _fast_char_boxes

    class Holder:
        cal_rec_boxes = CalRecBoxes()

    fast = Holder()
    _fast_char_boxes(fast)
    stock = CalRecBoxes()
    rng = np.random.default_rng(3)
    direction = Direction.VERTICAL if vertical else Direction.HORIZONTAL
    for _ in range(50):
        x0, y0 = rng.uniform(0, 1500, 2)
        w, h = (rng.uniform(20, 60), rng.uniform(200, 900)) if vertical else (rng.uniform(200, 900),
                                                                              rng.uniform(20, 60))
        tilt = rng.uniform(-8, 8)
        box = np.array([[x0, y0], [x0 + w, y0 + tilt], [x0 + w, y0 + h + tilt], [x0, y0 + h]], np.float32)
        cw, ch = (h, w) if vertical else (w, h)
        cells = []
        for k in range(int(rng.integers(1, 12))):
            a = k * cw / 12 + rng.uniform(0, 3)
            b = a + rng.uniform(5, cw / 12)
            cells.append([[a, 0.0], [b, 0.0], [b, ch], [a, ch]])
        want = stock.reverse_rotate_crop_image(box.copy(), [[p[:] for p in c] for c in cells], direction)
        got = fast.cal_rec_boxes.reverse_rotate_crop_image(box.copy(), cells, direction)
        assert [sorted(map(tuple, g)) for g in got] == [sorted(map(tuple, w_)) for w_ in want]


def test_likely_pool_looks_at_names_only(tmp_path):
    from zcmask._pool import likely_pool

    (tmp_path / "a.jpg").write_bytes(b"")
    assert likely_pool(2, [tmp_path])                      # a folder
    assert likely_pool(2, [tmp_path / "a.jpg", tmp_path / "b.jpg"])
    assert likely_pool(2, [tmp_path / "x.pdf"])            # may hold several pages
    assert not likely_pool(2, [tmp_path / "a.jpg"])        # one page: runs in process
    assert not likely_pool(1, [tmp_path])                  # --jobs 1


def test_mask_and_check_parse_their_arguments_without_the_pipeline():
    """So the fork server can start while the API is still being imported."""
    code = textwrap.dedent("""
        import sys
        from zcmask.cli import build_parser
        build_parser(other_verbs=False).parse_args(["mask", "d", "-o", "o", "--name", "王建国"])
        print("zcmask.api" in sys.modules, "zcmask.pipeline" in sys.modules, "pydantic" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]  # nor the options models (pydantic, 0.15 s)


def test_pool_workers_log_at_the_command_lines_level():
    """-v shows what happens inside pages: workers come from the fork server, not from the CLI."""
    out = _run_py("""
        import logging
        from zcmask import api
        for level in (logging.DEBUG, logging.WARNING):
            logging.getLogger().setLevel(level)
            with api.process_pool(1) as ex:
                root = logging.getLogger()
                print(ex.submit(root.getEffectiveLevel).result(), ex.submit(root.hasHandlers).result())
    """)
    assert out.split("\n") == ["10 True", "30 False"]


_SPIN_SETTING = """
    from zcmask.ocr import get_engine
    from rapidocr.inference_engine.onnxruntime.main import OrtInferSession
    o = get_engine("rapidocr")._engine()
    out = []
    for m in (o._load_det_model(), o._load_rec_model()):
        so = m.session.session.get_session_options()
        try:
            out.append(so.get_session_config_entry("session.intra_op.allow_spinning"))
        except Exception:
            out.append("default")
    out.append(OrtInferSession.__dict__["_init_sess_opts"].__func__.__qualname__)  # RapidOCR's own, restored
    print(*out)
"""


@pytest.mark.parametrize(("threads", "want"), [("2", "0 0"), ("1", "default default")])
def test_sessions_on_several_threads_let_idle_threads_sleep(threads, want):
    """Spinning threads fight any other busy program for the cores (7.0 s instead of 4.4 s)."""
    out = _run_py(_SPIN_SETTING, ZCMASK_OCR_THREADS=threads)
    assert out == f"{want} OrtInferSession._init_sess_opts"


# ------------------------------------------------------------------ a second thread for an idle CPU

class _SlowRec:
    """A stand-in for RapidOCR's recogniser: reads a crop as its width, slowly, noting the thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []  # (crops in the call, thread id)

    def __call__(self, args):
        import threading
        import time

        from rapidocr.ch_ppocr_rec.typings import TextRecOutput

        self.calls.append((len(args.img), threading.get_ident()))
        time.sleep(0.01 * len(args.img))
        return TextRecOutput(imgs=args.img, txts=tuple(f"w{im.shape[1]}" for im in args.img),
                             scores=tuple(0.5 for _ in args.img),
                             word_results=tuple((f"w{im.shape[1]}",) for im in args.img))


def _crops(n: int = 12) -> list[np.ndarray]:
    return [np.zeros((48, 50 + 37 * ((i * 5) % n), 3), np.uint8) for i in range(n)]


@pytest.mark.parametrize(("in_pool", "spare", "threads"), [(True, 1, 2), (True, 0, 1), (False, 1, 1)])
def test_recognition_takes_a_second_thread_only_when_a_pool_cpu_is_idle(monkeypatch, in_pool, spare, threads):
    import threading

    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    from zcmask import _pool
    from zcmask.ocr._engine import _SplitRecognizer

    monkeypatch.setattr(_pool, "in_pool", lambda: in_pool)
    monkeypatch.setattr(_pool, "spare_cpus", lambda: spare)
    fake = _SlowRec()
    crops = _crops()
    out = _SplitRecognizer(fake)(TextRecInput(img=crops, return_word_box=True))
    want = tuple(f"w{c.shape[1]}" for c in crops)
    assert out.txts == want                                     # every reading at its own crop
    assert [w[0] for w in out.word_results] == list(want)
    assert len(out.scores) == len(crops) and out.imgs is crops
    assert len({t for _, t in fake.calls}) == threads
    assert threading.get_ident() in {t for _, t in fake.calls}  # the caller always reads too
    if in_pool:
        assert {n for n, _ in fake.calls} == {1}                # one crop per run, as batch 1 does
    else:
        assert fake.calls[0][0] == len(crops)                   # outside a pool: RapidOCR's own call


@pytest.mark.slow
def test_recognition_on_two_threads_reads_exactly_what_one_thread_reads(monkeypatch):
    from zcmask import _pool

    doc = pymupdf.open()
    page = doc.new_page(width=420, height=300)
    for k, text in enumerate([f"申请人：{NAME}", "工作单位：巴州供电公司", "2023年11月30日", "专业技术职务任职资格",
                              "年度考核 合格", "继续教育 90 学时"]):
        page.insert_text((30, 40 + 40 * k), text, fontname="china-s", fontsize=11 + k % 3)
    pix = page.get_pixmap(dpi=200)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3].copy()
    eng = RapidOcrEngine(threads=1)
    monkeypatch.setattr(_pool, "in_pool", lambda: False)
    one = eng.recognize(img)
    monkeypatch.setattr(_pool, "in_pool", lambda: True)
    monkeypatch.setattr(_pool, "spare_cpus", lambda: 1)
    two = eng.recognize(img)
    assert len(one) == 6 and NAME in "".join(ln.text for ln in one)
    assert two == one  # texts, scores and every character box


def test_pool_workers_count_how_many_of_them_are_busy():
    out = _run_py("""
        from zcmask import _pool, api
        with api.process_pool(1) as ex:
            print(ex.submit(_pool.in_pool).result(), ex.submit(_pool.spare_cpus).result(), _pool.usable_cpus())
        print(_pool.in_pool(), _pool.spare_cpus())
    """)
    inside, outside = out.split("\n")
    flag, spare, cpus = inside.split()
    assert flag == "True" and int(spare) == int(cpus) - 1  # the worker asking is busy itself
    assert outside == "False 0"


def test_legibility_runs_beside_locating_when_a_pool_cpu_is_idle(tmp_path, fake_engine, monkeypatch):
    import threading

    from zcmask import _pool, pipeline

    fake_engine._lines = [mk_line(f"姓名：{NAME}"), mk_line("单位：巴州供电公司", y=200)]
    img = np.full((900, 700, 3), 250, np.uint8)
    img[100:140, 100:400] = 30
    src = save_jpeg(img, tmp_path / "p.jpg")
    threads: list[int] = []
    measure = pipeline.page_legibility

    def noting(an):
        threads.append(threading.get_ident())
        return measure(an)

    monkeypatch.setattr(pipeline, "page_legibility", noting)
    results = []
    for spare in (0, 1):
        monkeypatch.setattr(_pool, "spare_cpus", lambda spare=spare: spare)
        ctx = PageContext(str(src), 0, fake_options(), output_path=str(tmp_path / f"o{spare}.jpg"))
        results.append(pipeline.process_page(ctx))
    alone, beside = results
    assert threads[0] == threading.get_ident() != threads[1]  # measured on the helper the second time
    assert beside.error is None and beside.legibility == alone.legibility
    assert beside.regions == alone.regions and beside.issues == alone.issues
    assert any(r.kind == "name" for r in beside.regions)


def test_reading_a_pdf_page_leaves_pymupdfs_layout_addon_out(tmp_path):
    """PyMuPDF 2.0 imports its layout add-on (a model and its imports) on ``import pymupdf``.

    zcmask never uses it: reading a PDF page must not import it, must read the page
    (pixels and text layer) all the same, and must leave the add-on importable.
    """
    import importlib.util

    if importlib.util.find_spec("pymupdf.layout") is None:
        pytest.skip("this PyMuPDF has no layout add-on")
    pdf = tmp_path / "one.pdf"
    _run_py(f"""
        import pymupdf
        doc = pymupdf.open()
        page = doc.new_page(width=300, height=200)
        page.insert_text((40, 100), "王建国 巴州供电公司", fontname="china-s", fontsize=20)
        doc.save({str(pdf)!r})
    """)
    out = _run_py(f"""
        import sys
        from zcmask.documents import load_page
        page = load_page({str(pdf)!r}, 0)
        print("pymupdf" in sys.modules, "pymupdf.layout" in sys.modules, page.image.shape[2],
              "".join(c.text for ln in page.text_lines for c in ln.chars))
        import pymupdf.layout
        print(callable(sys.modules["pymupdf"]._get_layout))
    """)
    assert out.splitlines() == ["True False 3 王建国巴州供电公司", "True"]


_MALLOC_PROBE = """
    from zcmask._memory import keep_freed_memory
    print(keep_freed_memory())
    import numpy as np

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    base = rss_mb()
    np.ones(48 << 20, np.uint8).sum()  # a 48 MB buffer (a float copy of an A4 page), freed
    kept = rss_mb() - base
    for _ in range(5):
        np.ones(48 << 20, np.uint8).sum()  # allocated and freed again
    print(round(kept), round(rss_mb() - base))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_page_buffers_are_kept_for_the_next_page():
    """A freed 48 MB buffer stays in the process (and is reused) instead of going back to the kernel.

    glibc's defaults unmap it on ``free``, so the next page faults all of it in again
    (about 16,000 page faults per page on `a1`).
    """
    tuned = _run_py(_MALLOC_PROBE).splitlines()
    default = _run_py(_MALLOC_PROBE, ZCMASK_KEEP_FREED_MEMORY="0").splitlines()
    assert tuned[0] == "True" and default[0] == "False"
    kept, after = (int(v) for v in tuned[1].split())
    assert kept >= 40 and after <= kept + 8  # kept once, then reused: no growth
    kept, after = (int(v) for v in default[1].split())
    assert kept <= 8 and after <= 8  # returned each time


def test_users_own_malloc_settings_win(monkeypatch):
    from zcmask import _memory

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert _memory.keep_freed_memory() is False


def test_pool_workers_and_the_command_line_keep_freed_memory(monkeypatch, tmp_path):
    import zcmask._memory as memory
    from zcmask import api, cli

    calls: list[int] = []
    monkeypatch.setattr(memory, "keep_freed_memory", lambda: calls.append(1) or True)
    monkeypatch.setattr(api, "_init_worker", lambda threads: None)  # leave this process's threads alone
    api._init_pool_worker(1, None)
    assert calls == [1]
    assert cli.main(["template", "profile", "-o", str(tmp_path / "p.yaml")]) == 0
    assert calls == [1, 1]


def test_curved_lines_are_kept_and_every_plain_box_keeps_its_score():
    """Only long regions under the plain box score are re-scored on their outline."""
    import cv2
    from rapidocr.ch_ppocr_det.utils import DBPostProcess

    from zcmask.ocr._engine import _keep_curved_lines

    pred = np.zeros((1, 1, 400, 800), np.float32)
    cv2.rectangle(pred[0, 0], (50, 40), (700, 70), 0.9, -1)                 # a straight line
    xs = np.arange(50, 750)
    for x, y in zip(xs, (200 + 80 * np.sin((xs - 50) / 700 * np.pi)).astype(int), strict=True):
        pred[0, 0, y - 12:y + 12, x] = 0.9                                   # a long bowed line
    cv2.ellipse(pred[0, 0], (600, 380), (60, 60), 0, 200, 340, 0.9, 14)      # a seal's short arc

    def run(patched: bool) -> list[tuple[int, float]]:
        class Det:
            postprocess_op = DBPostProcess(box_thresh=0.5, unclip_ratio=1.6, use_dilation=True)

        class Ocr:
            text_det = Det()

        ocr = Ocr()
        if patched:
            _keep_curved_lines(ocr)
        boxes, scores = ocr.text_det.postprocess_op(pred, (400, 800))
        return sorted((int(b[:, 1].mean()), round(float(s), 4)) for b, s in zip(boxes, scores, strict=True))

    plain, kept = run(False), run(True)
    assert [y for y, _ in plain] == [55]                    # the bowed line and the arc are dropped
    assert plain[0] in kept                                  # the straight line: same box, same score
    assert len(kept) == 2 and 150 < kept[1][0] < 300 and kept[1][1] >= 0.6  # the bowed line, not the arc


@pytest.mark.parametrize("threads", [1, 2])
def test_curved_lines_are_kept_by_engines_that_make_their_detector_late(threads):
    # a one-thread engine (each worker of a folder) makes RapidOCR's detector on first use: the
    # patch must reach it there too (a bent title was read in process but not by the workers)
    eng = RapidOcrEngine(threads=threads)
    ocr = eng._engine()
    eng.recognize(_line_image("巴州供电公司"))
    post = ocr.text_det.postprocess_op
    assert post.score_mode == "slow" and getattr(post, "_zcmask_outlines", False)


@pytest.mark.parametrize("shape", [(700, 333, 3), (257, 40, 4), (256, 9, 3), (31, 17)])
def test_luma_by_bands_equals_the_whole_page_product(shape):
    from zcmask.quality._flatten import _gray as gray8
    from zcmask.quality._luma import luma

    img = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    if img.ndim == 2:
        want = img.astype(np.float32)
    else:
        want = img[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    got = luma(img)
    assert got.dtype == np.float32 and np.array_equal(got, want)
    if img.ndim == 3:
        assert np.array_equal(gray8(img), want.clip(0, 255).astype(np.uint8))
