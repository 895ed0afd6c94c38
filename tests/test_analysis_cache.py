"""The analysis cache: a page read once is not read again by another verb or with other options."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from conftest import NAME, UNIT, black_fraction, fake_options, scanned_pages
from zcmask import _analysis_cache as ac
from zcmask import api
from zcmask.cli import main
from zcmask.ocr import FakeOcrEngine, register_engine
from zcmask.pipeline import PageContext, analyse_page
from zcmask.results import Char, Orientation, TextLine
from zcsynth import render


@pytest.fixture
def folder(tmp_path: Path):
    """Two scanned pages in ``tmp/app`` and a fake OCR engine that reads each page's text."""
    src = tmp_path / "app"
    _pages, eng = scanned_pages(src)
    yield src, eng
    register_engine("fake", FakeOcrEngine([]))


@pytest.fixture
def fresh_code_fingerprint():
    ac.code_fingerprint.cache_clear()
    yield
    ac.code_fingerprint.cache_clear()


def _without_timings(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_timings(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_without_timings(v) for v in data]
    return data


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _entries(root: Path) -> list[Path]:
    return sorted(root.rglob("*.zca"))


# --------------------------------------------------------------------------- across verbs


def test_check_after_mask_reads_no_page_again_and_reports_the_same(folder, tmp_path: Path) -> None:
    src, eng = folder
    out = tmp_path / "app-masked"  # beside the application folder, as users name it
    api.mask([src], out, fake_options())
    assert eng.calls == 2
    assert len(_entries(out / ".zcmask-cache" / "analysis")) == 2
    cache_before = _files(out / ".zcmask-cache")
    cached = api.check([src], fake_options())
    assert eng.calls == 2  # both pages came from the mask run's analyses
    assert _files(out / ".zcmask-cache") == cache_before  # check only reads a cache it found
    plain = api.check([src], fake_options(cache=False))
    assert eng.calls == 4
    assert _without_timings(cached.to_json()) == _without_timings(plain.to_json())
    assert any(i["code"] == "unmasked_name" for f in cached.to_json()["files"] for p in f["pages"]
               for i in p["issues"])


def test_a_cached_page_is_not_measured_for_legibility_again(folder, tmp_path: Path, monkeypatch) -> None:
    """Legibility depends on the analysis only, so it is kept with it (and comes back the same)."""
    from zcmask.quality import legibility as leg_mod

    src, _eng = folder
    out = tmp_path / "app-masked"
    calls = []
    real = leg_mod.assess_legibility

    def counting(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(leg_mod, "assess_legibility", counting)
    monkeypatch.setattr("zcmask.quality.assess_legibility", counting)
    monkeypatch.setattr("zcmask.pipeline.assess_legibility", counting)
    first = api.mask([src], out, fake_options())
    assert len(calls) == 2  # measured once per page, by the cache, not again by the pipeline
    cached = api.check([src], fake_options())
    assert len(calls) == 2
    plain = api.check([src], fake_options(cache=False))
    assert len(calls) == 4
    leg = [[p.to_json()["legibility"] for p in f.pages] for f in cached.files]
    assert leg == [[p.to_json()["legibility"] for p in f.pages] for f in plain.files]
    assert leg == [[p.to_json()["legibility"] for p in f.pages] for f in first.files]
    entry = ac.Entry.from_bytes(_entries(out / ".zcmask-cache" / "analysis")[0].read_bytes())
    assert entry.legibility is not None


def test_other_options_reuse_the_analysis_and_still_mask(folder, tmp_path: Path) -> None:
    src, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    ident = fake_options().identity.model_copy(update={"aliases": ("王建國",)})
    again = api.mask([src], out, fake_options(identity=ident, seals="all"))
    assert eng.calls == 2
    names = [(p.output, r.bbox) for f in again.files for p in f.pages for r in p.regions if r.kind == "name"]
    assert names
    for output, bbox in names:
        assert black_fraction(output, bbox) > 0.95
    plain = api.mask([src], tmp_path / "plain", fake_options(cache=False, identity=ident, seals="all"))
    assert _without_timings([[p.to_json() | {"output": None} for p in f.pages] for f in again.files]) == \
        _without_timings([[p.to_json() | {"output": None} for p in f.pages] for f in plain.files])


def test_validate_after_mask_reads_no_page_again(tmp_path: Path, monkeypatch) -> None:
    from zcmask.ocr._engine import _ENGINES
    from zcmask.rules import _collect
    from zcsynth.application import build_application, sample_ocr_engine

    eng = sample_ocr_engine()
    monkeypatch.setitem(_ENGINES, "rapidocr", eng)
    monkeypatch.setattr(_collect, "_CACHE", {})  # the in-process memo would hide the disk cache
    app = tmp_path / "app"
    build_application(app, "bz-dianli-2024")
    fast = ["--no-orientation", "--no-progress", "--jobs", "1", "--seals", "none", "--no-eyes"]
    rc = main(["mask", str(app), "-o", str(tmp_path / "app-masked"), "--profile", str(app / "application.yaml"),
               *fast])
    assert rc == 0
    calls = eng.calls
    assert calls > 0
    rc = main(["validate", str(app), "--notice", "bz-dianli-2024", "--report", str(tmp_path / "cached.json"), *fast])
    assert rc == 0
    assert eng.calls == calls  # every page came from the mask run's analyses
    monkeypatch.setattr(_collect, "_CACHE", {})
    rc = main(["validate", str(app), "--notice", "bz-dianli-2024", "--report", str(tmp_path / "plain.json"),
               "--no-cache", *fast])
    assert rc == 0
    assert eng.calls > calls
    cached, plain = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("cached.json", "plain.json"))
    assert _without_timings(cached) == _without_timings(plain)


# --------------------------------------------------------------------------- never a wrong reuse


def _ctx(path: Path, **opts: Any) -> PageContext:
    return PageContext(str(path), 0, fake_options(**opts))


def test_key_ignores_identity_and_masking_but_not_how_the_page_is_read(tmp_path: Path) -> None:
    p = tmp_path / "a.jpg"
    base = ac.analysis_key(_ctx(p), "s" * 64, "eng-1")
    same = [_ctx(p, identity=None), _ctx(p, seals="all"), _ctx(p, eyes=True), _ctx(p, pad=0.5),
            _ctx(p, jobs=4), _ctx(p, cache_dir=tmp_path), _ctx(p, min_side_px=10), _ctx(p, jpeg_quality=95)]
    assert all(ac.analysis_key(c, "s" * 64, "eng-1") == base for c in same)
    assert replace(_ctx(p), command="check") != _ctx(p)
    assert ac.analysis_key(replace(_ctx(p), command="check"), "s" * 64, "eng-1") == base
    other = [ac.analysis_key(_ctx(p), "t" * 64, "eng-1"),  # other bytes
             ac.analysis_key(_ctx(p), "s" * 64, "eng-2"),  # other OCR engine or settings
             ac.analysis_key(replace(_ctx(p), page_index=1), "s" * 64, "eng-1"),
             ac.analysis_key(replace(_ctx(p), rotation_override=90), "s" * 64, "eng-1"),
             ac.analysis_key(_ctx(p, dpi=300), "s" * 64, "eng-1"),
             ac.analysis_key(_ctx(p, flatten=True), "s" * 64, "eng-1"),
             ac.analysis_key(_ctx(p, detect_orientation=True), "s" * 64, "eng-1"),
             ac.analysis_key(_ctx(p, max_pixels=2_000_000), "s" * 64, "eng-1")]
    assert base not in other and len(set(other)) == len(other)


def test_another_version_or_code_misses(folder, tmp_path: Path, monkeypatch, fresh_code_fingerprint) -> None:
    src, eng = folder
    api.mask([src], tmp_path / "out", fake_options())
    monkeypatch.setattr(ac, "__version__", "99.0")
    ac.code_fingerprint.cache_clear()
    api.check([src], fake_options())
    assert eng.calls == 4


def test_another_engine_misses(folder, tmp_path: Path) -> None:
    src, eng = folder
    api.mask([src], tmp_path / "out", fake_options())
    other = FakeOcrEngine([])
    register_engine("fake", other)
    report = api.check([src], fake_options())
    assert other.calls == 2
    assert not any(i.code == "unmasked_name" for f in report.files for p in f.pages for i in p.issues)


def test_rotation_override_has_its_own_entry(folder, tmp_path: Path) -> None:
    src, eng = folder
    cache = tmp_path / "c"
    page = src / "gongshi.jpg"
    opts = fake_options(cache_dir=cache)
    up = analyse_page(PageContext(str(page), 0, opts))
    turned = analyse_page(PageContext(str(page), 0, opts, rotation_override=90))
    assert eng.calls == 2
    again = analyse_page(PageContext(str(page), 0, opts, rotation_override=90))
    assert eng.calls == 2
    assert again.orientation == turned.orientation == Orientation(90, 1.0, "manual")
    assert np.array_equal(again.image, turned.image) and again.image.shape[:2] == up.image.shape[1::-1]
    assert again.lines == turned.lines


def test_damaged_entry_is_a_miss_and_is_written_again(folder, tmp_path: Path) -> None:
    src, eng = folder
    cache = tmp_path / "c"
    ctx = PageContext(str(src / "gongshi.jpg"), 0, fake_options(cache_dir=cache))
    first = analyse_page(ctx)
    [entry] = _entries(cache)
    for damage in (b"", b"ZCA1\nnot zlib", entry.read_bytes()[:40]):
        entry.write_bytes(damage)
        again = analyse_page(ctx)
        assert again.lines == first.lines and np.array_equal(again.image, first.image)
    assert eng.calls == 4
    assert ac.Entry.from_bytes(entry.read_bytes()).lines == first.lines  # sound again
    analyse_page(ctx)
    assert eng.calls == 4


def test_entry_of_another_page_is_a_miss(folder, tmp_path: Path) -> None:
    src, eng = folder
    cache = tmp_path / "c"
    a = PageContext(str(src / "gongshi.jpg"), 0, fake_options(cache_dir=cache))
    b = PageContext(str(src / "chengnuo.jpg"), 0, fake_options(cache_dir=cache))
    analyse_page(a)
    analyse_page(b)
    ea, eb = (p for p in _entries(cache))
    eb.write_bytes(ea.read_bytes())  # a file moved under another key
    analyse_page(a)
    analyse_page(b)
    assert eng.calls == 3


def test_pixels_that_decode_differently_are_a_miss(folder, tmp_path: Path) -> None:
    src, eng = folder
    cache = tmp_path / "c"
    ctx = PageContext(str(src / "gongshi.jpg"), 0, fake_options(cache_dir=cache))
    analyse_page(ctx)
    [path] = _entries(cache)
    entry = ac.Entry.from_bytes(path.read_bytes())
    path.write_bytes(replace(entry, digest="0" * 40).to_bytes())  # as if a decoder had changed
    analyse_page(ctx)
    assert eng.calls == 2


def test_values_come_back_with_their_types() -> None:
    line = TextLine("王建国", (1.5, 2, np.float32(3.25), np.float64(4.1)), np.float32(0.9),
                    (Char("王", (1.5, 2.0, 2.5, 3.0), np.float32(0.7)),), "text_layer")
    e = ac.Entry("k", Orientation(270, np.float32(0.8), "classifier"), (line,), "d", (10, 20, 3), 200, "jpeg")
    back = ac.Entry.from_bytes(e.to_bytes())
    assert back == e
    assert type(back.lines[0].score) is np.float32 and type(back.lines[0].bbox[1]) is int
    assert type(back.lines[0].bbox) is tuple and type(back.orientation.confidence) is np.float32


def test_entries_are_not_pickles(folder, tmp_path: Path) -> None:
    src, _ = folder
    api.mask([src], tmp_path / "out", fake_options())
    for p in _entries(tmp_path / "out"):
        assert p.read_bytes().startswith(b"ZCA1\n")


# --------------------------------------------------------------------------- where the cache lives


def test_no_cache_reads_and_writes_nothing(folder, tmp_path: Path, monkeypatch) -> None:
    src, eng = folder
    ident = ["--name", NAME, "--unit", UNIT, "--no-orientation", "--no-progress", "--jobs", "1"]
    from zcmask.ocr._engine import _ENGINES

    monkeypatch.setitem(_ENGINES, "rapidocr", eng)  # the command line uses the default engine
    assert main(["mask", str(src), "-o", str(tmp_path / "a-masked"), *ident]) == 0
    assert eng.calls == 2
    assert main(["check", str(src), *ident, "--no-cache", "--report", str(tmp_path / "r.json")]) == 1
    assert eng.calls == 4  # the mask run's cache is not read
    assert main(["mask", str(src), "-o", str(tmp_path / "b"), *ident, "--no-cache"]) == 0
    assert eng.calls == 6
    assert not (tmp_path / "b" / ".zcmask-cache").exists()
    with pytest.raises(SystemExit) as e:
        main(["check", str(src), *ident, "--no-cache", "--cache", str(tmp_path)])
    assert e.value.code == 2


def test_check_alone_writes_no_cache(folder, tmp_path: Path) -> None:
    src, eng = folder
    before = _files(tmp_path)
    api.check([src], fake_options())
    api.check([src], fake_options())
    assert eng.calls == 4
    assert _files(tmp_path) == before


def test_environment_variable_names_a_cache_for_every_verb(folder, tmp_path: Path, monkeypatch) -> None:
    src, eng = folder
    monkeypatch.setenv(ac.ENV, str(tmp_path / "shared"))
    api.check([src], fake_options())
    assert len(_entries(tmp_path / "shared")) == 2
    api.check([src], fake_options())
    api.mask([src], tmp_path / "out", fake_options())
    assert eng.calls == 2
    assert not (tmp_path / "out" / ".zcmask-cache" / "analysis").exists()


def test_cache_option_may_name_the_mask_output_folder(folder, tmp_path: Path) -> None:
    src, eng = folder
    out = tmp_path / "elsewhere" / "masked"
    api.mask([src], out, fake_options())
    assert ac.cache_root(out) == out / ".zcmask-cache"
    opts = ac.cache_options(fake_options(cache_dir=out), [src])
    assert opts.cache_dir == out / ".zcmask-cache"
    api.check([src / "gongshi.jpg"], fake_options(cache_dir=out))
    assert eng.calls == 2


def test_only_the_cache_of_a_mask_run_of_the_same_input_is_found(folder, tmp_path: Path, monkeypatch) -> None:
    src, eng = folder
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.jpg").write_bytes((src / "gongshi.jpg").read_bytes())
    api.mask([other], tmp_path / "other-masked", fake_options())
    assert ac.find_mask_caches([src]) == []
    api.mask([src], tmp_path / "app-masked", fake_options())
    assert ac.find_mask_caches([src]) == [tmp_path / "app-masked" / ".zcmask-cache"]
    assert ac.find_mask_caches([src / "gongshi.jpg"]) == [tmp_path / "app-masked" / ".zcmask-cache"]
    assert ac.find_mask_caches([other]) == [tmp_path / "other-masked" / ".zcmask-cache"]


def test_a_web_session_keeps_analyses_in_its_own_folder(folder, tmp_path: Path) -> None:
    from zcmask.web._workspace import Workspace

    src, eng = folder
    ws = Workspace(fake_options(), root=tmp_path)
    try:
        s = ws.new_session()
        opts = s.with_cache(fake_options())
        assert opts.cache_dir == s.root / ".zcmask-cache"
        assert s.with_cache(fake_options(cache=False)).cache_dir is None
        analyse_page(PageContext(str(src / "gongshi.jpg"), 0, opts))
        analyse_page(PageContext(str(src / "gongshi.jpg"), 0, opts))
        assert eng.calls == 1
        assert len(_entries(s.root)) == 1
        ws.drop_session(s.id)
        assert not s.root.exists()  # the analyses go with the session
    finally:
        ws.close()


@pytest.mark.slow
def test_real_ocr_of_a_turned_page_comes_back_the_same(tmp_path: Path) -> None:
    """Real OCR and orientation: the cached analysis gives the very report a fresh read gives."""
    src = tmp_path / "app"
    src.mkdir()
    page = render("公示", NAME, UNIT)
    Image.fromarray(page.image).rotate(-90, expand=True).save(src / "gongshi.jpg", quality=92)
    opts = dict(identity=fake_options().identity, jobs=1, progress=False)
    from zcmask.options import Options

    api.mask([src], tmp_path / "app-masked", Options(**opts))
    hits = ac.STATS["hits"]
    cached = api.check([src], Options(**opts))
    assert ac.STATS["hits"] == hits + 1
    plain = api.check([src], Options(**opts, cache=False))
    assert cached.files[0].pages[0].rotation == 90
    assert _without_timings(cached.to_json()) == _without_timings(plain.to_json())


def test_options_left_out_of_the_key_exist_and_new_ones_are_in_it() -> None:
    from zcmask.options import Options

    assert set(ac.NOT_ANALYSIS) <= set(Options.model_fields)  # a renamed option must not drop out silently
    keyed = set(ac.analysis_options(fake_options()))
    assert keyed == set(Options.model_fields) - ac.NOT_ANALYSIS
    assert {"dpi", "max_pixels", "flatten", "detect_orientation", "ocr_engine"} <= keyed


def test_batch_rerun_with_other_options_reads_no_page_again(folder, tmp_path: Path) -> None:
    from zcmask.batch import run_batch

    src, eng = folder
    root = tmp_path / "root"
    (root / "wang").mkdir(parents=True)
    for p in src.iterdir():
        (root / "wang" / p.name).write_bytes(p.read_bytes())
    (root / "wang" / "profile.yaml").write_text(f"name: {NAME}\nunits:\n  - name: {UNIT}\n", encoding="utf-8")
    out = tmp_path / "out"
    run_batch(root, out, fake_options(identity=None, jobs=1))
    assert eng.calls == 2
    assert len(_entries(out / ".zcmask-cache")) == 2
    res = run_batch(root, out, fake_options(identity=None, jobs=1, pad=0.4))  # new options: files run again
    assert len(res.processed) == 2
    assert eng.calls == 2
    run_batch(root, tmp_path / "plain", fake_options(identity=None, jobs=1, cache=False))
    assert eng.calls == 4
    assert not (tmp_path / "plain" / ".zcmask-cache").exists()
