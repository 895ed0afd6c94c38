"""Long pages (a phone's long screenshot of a 公示 list): read in pieces, every row found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from conftest import black_fraction
from zcmask import api
from zcmask.ocr._engine import TALL, tall_tiles
from zcmask.options import Identity, Options, Unit
from zcmask.pipeline import _distinct
from zcmask.results import Region

NAME = "王建国"
UNIT = "国网新疆电力有限公司巴州供电公司"
OTHERS = ["李明华", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄敏", "周杰", "吴霞", "徐涛"]


def long_list(path: Path, rows: int, name_row: int, *, top_pt: float = 60, width_pt: float = 400,
              row_pt: float = 24, dpi: int = 144) -> tuple[int, int, int, int]:
    """A 公示 list one row per person, as a long screenshot; returns the name's pixel box."""
    height_pt = top_pt + 20 + rows * row_pt
    doc = pymupdf.open()
    page = doc.new_page(width=width_pt, height=height_pt)
    page.insert_text((16, 30), "职称评审推荐人选公示", fontname="china-s", fontsize=15)
    box = (0, 0, 0, 0)
    for i in range(rows):
        y = top_pt + i * row_pt
        who = NAME if i == name_row else OTHERS[i % len(OTHERS)]
        page.insert_text((16, y), f"{i + 1:>3}  {who}  {UNIT}", fontname="china-s", fontsize=11)
        if i == name_row:
            r = page.search_for(NAME)[0]
            k = dpi / 72
            box = (int(r.x0 * k), int(r.y0 * k), int(r.x1 * k) + 1, int(r.y1 * k) + 1)
    pix = page.get_pixmap(dpi=dpi)
    Image.frombytes("RGB", (pix.width, pix.height), pix.samples).save(path)
    return box


def test_pieces_cover_the_page_and_overlap_by_a_tall_line() -> None:
    for h, w in ((6500, 1080), (2400, 1080), (5000, 800), (20000, 300)):
        tile, overlap = tall_tiles(h, w)
        starts = list(range(0, max(1, h - overlap), tile - overlap))
        assert starts[0] == 0 and starts[-1] + tile >= h  # nothing left unread at the end
        assert overlap >= min(tile // 2, 0.3 * w)  # a line up to 0.3 widths tall lies whole in one piece
    assert TALL * 1080 < 2400  # a phone screenshot (1080 x 2400) counts as long


def test_the_same_region_found_twice_is_reported_once() -> None:
    a = Region("unit", (10, 10, 200, 30), UNIT, "ocr", 1.0)
    b = Region("unit", (10, 10, 200, 30), UNIT + UNIT, "ocr", 1.0)  # the occurrence run on with the next line's
    c = Region("name", (10, 10, 200, 30), NAME, "ocr", 1.0)
    assert _distinct([a, b, c, a]) == [a, c]


@pytest.mark.slow
@pytest.mark.parametrize(("name_row", "top_pt"), [(70, 60), (20, 124)])
def test_a_name_in_a_long_screenshot_is_masked(tmp_path: Path, name_row: int, top_pt: float) -> None:
    # 800 x 3800 px: read whole, detection saw the page at 1024 px (11 pt text 6 px tall) and
    # missed rows (the 1080 x 6500 px list of 105 rows lost 118 of its 315 lines, the name's
    # among them). Row 20 at 124 pt is cut by the first piece's lower edge (pieces 1200 px,
    # overlap 240 px): it must come whole from the second piece, and only once.
    src = tmp_path / "in"
    src.mkdir()
    box = long_list(src / "long.png", 75, name_row, top_pt=top_pt)
    if top_pt == 124:
        assert box[1] < 1200 < box[3]
    with Image.open(src / "long.png") as im:
        w, h = im.size
    assert h > TALL * w
    opts = Options.build(identity=Identity(name=NAME, units=(Unit(name=UNIT),)), cache=False, progress=False)
    report = api.mask([src], tmp_path / "out", opts)
    page = report.files[0].pages[0]
    assert page.output is not None
    assert black_fraction(page.output, box) > 0.95
    units = [r for r in page.regions if r.kind == "unit"]
    assert len(units) == 75  # every row's unit, each once
    names = [r for r in page.regions if r.kind == "name"]
    assert len(names) == 1
    # the row's other person names stay readable: nothing but the applicant's row is blacked out
    assert np.mean([r.bbox[3] - r.bbox[1] for r in units]) < 0.02 * h


def test_a_long_page_of_vertical_writing_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # Columns cross the pieces' edges: read in pieces, 是非不得問之人要取之 came back as
    # 是非不得問之 + 之人要取之. A page whose lines are mostly columns is read whole.
    from zcmask.ocr._engine import RapidOcrEngine, _mostly_vertical
    from zcmask.results import TextLine

    column = TextLine("是非不得問之", (100, 0, 140, 900), 0.9, ())
    row = TextLine("是非不得問之人要取之", (0, 100, 900, 140), 0.9, ())
    assert _mostly_vertical([column, column, row]) and not _mostly_vertical([row, row, column])
    eng = RapidOcrEngine()
    calls: list[tuple[int, int]] = []

    def read(image: np.ndarray) -> list[TextLine]:
        calls.append(image.shape[:2])
        return [column] if image.shape[0] > 1000 else [TextLine("之人要取之", (100, 0, 140, 500), 0.9, ())]

    monkeypatch.setattr(eng, "_read", read)
    page = np.full((3000, 1000, 3), 255, np.uint8)
    assert eng.recognize(page) == [column]
    assert calls[-1] == (3000, 1000)  # the whole page, after the pieces
    assert len(calls) > 2


@pytest.mark.slow
def test_a_dark_mode_screenshot_is_read_and_masked(tmp_path: Path) -> None:
    # Light print on a dark ground (a phone in dark mode) was taken for a blank page: the
    # printed area test found no ink darker than the paper, nothing was read, the name stayed.
    src = tmp_path / "in"
    src.mkdir()
    box = long_list(src / "light.png", 30, 12)
    with Image.open(src / "light.png") as im:
        light = np.asarray(im.convert("RGB"))
    dark = (255 - light.astype(np.float32)) * (200 / 255) + 25  # WeChat's dark grey, light grey print
    Image.fromarray(dark.astype(np.uint8)).save(src / "dark.png")
    (src / "light.png").unlink()
    opts = Options.build(identity=Identity(name=NAME, units=(Unit(name=UNIT),)), cache=False, progress=False)
    page = api.mask([src], tmp_path / "out", opts).files[0].pages[0]
    assert page.output is not None
    assert black_fraction(page.output, box, thresh=40) > 0.95  # the light name is under a black box
    assert sum(r.kind == "unit" for r in page.regions) == 30
    assert [i.code for i in page.issues] == []  # read, so not "could not verify"
