"""The page cache: re-running ``mask`` on a folder skips pages that did not change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import black_fraction, fake_options, scanned_pages
from zcmask import api
from zcmask._cache import PageCache, options_hash
from zcmask.ocr import FakeOcrEngine, register_engine


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict[str, object], FakeOcrEngine]:
    """Two scanned pages and a fake OCR engine that reads each page's text layer."""
    src = tmp_path / "in"
    pages, eng = scanned_pages(src)
    yield src, pages, eng
    register_engine("fake", FakeOcrEngine([]))


def _name_boxes(report) -> list[tuple[str, tuple[int, int, int, int]]]:  # type: ignore[no-untyped-def]
    return [(p.output, r.bbox) for f in report.files for p in f.pages for r in p.regions if r.kind == "name"]


def test_rerun_reuses_unchanged_pages(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    first = api.mask([src], out, fake_options())
    calls = eng.calls
    assert calls == 2
    before = {p.name: p.read_bytes() for p in out.glob("*.jpg")}
    second = api.mask([src], out, fake_options())
    assert eng.calls == calls  # nothing was read again
    assert {p.name: p.read_bytes() for p in out.glob("*.jpg")} == before
    assert _name_boxes(second) == _name_boxes(first)
    for output, bbox in _name_boxes(second):
        assert black_fraction(output, bbox) > 0.95


def test_deleted_output_is_restored_from_cache(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    calls = eng.calls
    (out / "gongshi.jpg").unlink()
    report = api.mask([src], out, fake_options())
    assert eng.calls == calls
    assert (out / "gongshi.jpg").exists()
    assert all(p.output and Path(p.output).exists() for f in report.files for p in f.pages)


def test_changed_file_is_processed_again(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    calls = eng.calls
    img = np.asarray(Image.open(src / "chengnuo.jpg").convert("RGB")).copy()
    img[:20, :20] = 0
    Image.fromarray(img).save(src / "chengnuo.jpg", quality=95)
    api.mask([src], out, fake_options())
    assert eng.calls == calls + 1  # only the changed page


def test_changed_options_process_every_page_again(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    first = api.mask([src], out, fake_options())
    calls = eng.calls
    second = api.mask([src], out, fake_options(pad=0.4))
    # every page is located and masked again with the new padding, from the stored
    # analysis (zcmask._analysis_cache): the text is not read a second time
    assert eng.calls == calls
    wide = dict(_name_boxes(second))
    for output, (x0, y0, x1, y1) in _name_boxes(first):
        w0, v0, w1, v1 = wide[output]
        assert w1 - w0 > x1 - x0 and v1 - v0 > y1 - y0
        assert black_fraction(output, wide[output]) > 0.95


def test_jobs_and_progress_do_not_change_the_key() -> None:
    assert options_hash(fake_options(jobs=1, progress=False)) == options_hash(fake_options(jobs=4, progress=True))
    assert options_hash(fake_options()) != options_hash(fake_options(seals="all"))


def test_cache_off_writes_no_cache_and_rereads(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options(cache=False))
    api.mask([src], out, fake_options(cache=False))
    assert eng.calls == 4
    assert not (out / ".zcmask-cache").exists()


def test_damaged_entry_is_a_miss(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    entries = list((out / ".zcmask-cache").rglob("*.pkl"))
    assert len(entries) == 2
    analyses = list((out / ".zcmask-cache").rglob("*.zca"))
    assert len(analyses) == 2
    for e in entries + analyses:
        e.write_bytes(b"not a pickle")
    report = api.mask([src], out, fake_options())
    assert eng.calls == 4
    for output, bbox in _name_boxes(report):
        assert black_fraction(output, bbox) > 0.95


def test_another_engine_does_not_reuse_results(folder, tmp_path: Path) -> None:
    src, pages, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    other = FakeOcrEngine([])
    register_engine("fake", other)
    report = api.mask([src], out, fake_options())
    assert other.calls == 2
    assert _name_boxes(report) == []


def test_missing_entry_reads_as_none(tmp_path: Path) -> None:
    assert PageCache(tmp_path).get("0" * 64) is None


def test_changed_code_never_meets_the_old_entries(folder, tmp_path: Path, monkeypatch) -> None:
    """A working copy whose modules changed (same version) reads the pages again."""
    from zcmask import _analysis_cache

    src, pages, eng = folder
    out = tmp_path / "out"
    api.mask([src], out, fake_options())
    calls = eng.calls
    monkeypatch.setattr(_analysis_cache, "code_fingerprint", lambda: "edited")
    api.mask([src], out, fake_options())
    assert eng.calls == calls + 2  # both pages processed again, not served from the page cache
