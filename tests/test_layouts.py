"""Layouts the locating pages never draw (zcsynth.layout_pages), through the whole pipeline with real OCR."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from zcmask import api
from zcmask.options import Identity, Options, Unit
from zcsynth import layout_pages, score_page


@pytest.mark.slow
def test_every_layout_is_masked_and_bystanders_stay(tmp_path):
    # red 红头 title, underline blanks, white on a banner, a name down a narrow column, grid
    # cells, guilloche, bold, blue ink, light grey, brackets, very wide spacing, hollow and
    # shadowed titles, a name written downwards at the margin
    misses = []
    for i, (sp, facts) in enumerate(layout_pages(2, seed=4)):
        src = tmp_path / f"p{i}.jpg"
        Image.fromarray(sp.image).save(src, quality=92, dpi=(sp.dpi, sp.dpi))
        ident = Identity(name=str(facts["name"]), units=(Unit(name=str(facts["unit"])),))
        rep = api.mask([src], tmp_path / f"out{i}", Options(identity=ident, progress=False, eyes=False,
                                                             seals="none", cache=False))
        page = rep.files[0].pages[0]
        out = np.asarray(Image.open(page.output).convert("RGB"))
        sc = score_page(sp.truths, out, [r.bbox for r in page.regions])
        misses += [(i, t.case, round(share, 3)) for t, ok, share in sc.hits if not ok]
        assert sc.others_hidden == 0
        assert sc.overmask < 0.06
    assert not misses


def test_a_page_whose_font_lacks_a_glyph_of_the_name_is_drawn_in_the_next_font(monkeypatch):
    # GB2312's AR PL SungtiL lacks 玥 and 喆: the page printed 李 and a blank, and the benchmark
    # counted every occurrence of 李玥 on it as a leak
    import random

    import zcsynth._pages as pages

    monkeypatch.setattr(pages, "font_covers", lambda f, facts: f != "gb2312.ttf")
    drawn = []

    def draw(rng, i, font):  # type: ignore[no-untyped-def]
        drawn.append(font)
        return rng.random(), {"name": "李玥"}

    out = pages.pages_in_fonts(random.Random(1), 2, ["gb2312.ttf", "noto.ttc"], draw)
    assert drawn == ["gb2312.ttf", "noto.ttc", "noto.ttc"]
    assert out[0][0] == random.Random(1).random()  # drawn again from the same random state


def test_the_second_held_out_style_set_draws_its_own_names_and_units(monkeypatch):
    # benchmarks.locating --other-names 2: names and units the first set never drew
    import zcsynth._cases as cases
    import zcsynth._layouts as layouts
    from benchmarks import locating

    for mod, attr in ((cases, "HAN_NAMES"), (cases, "UYGHUR_NAMES"), (cases, "UNITS"), (cases, "OTHERS"),
                      (layouts, "HAN"), (layouts, "UYGHUR"), (layouts, "UNITS")):
        monkeypatch.setattr(mod, attr, list(getattr(mod, attr)))
    locating.use_other_names("2")
    facts = [f for _sp, f in layout_pages(6, seed=1)]
    assert {f["name"] for f in facts} <= {*locating.LAYOUT_OTHER_HAN_2, *locating.LAYOUT_OTHER_TRANSLITERATED_2}
    assert {f["unit"] for f in facts} <= set(locating.OTHER_UNITS_2)
    assert not {*locating.OTHER_HAN_2, *locating.LAYOUT_OTHER_HAN_2} & {*locating.OTHER_HAN, *locating.LAYOUT_OTHER_HAN}
