"""Names and units as real scans show them: traditional forms, units under seals, handwriting."""

from __future__ import annotations

import pytest

from conftest import identity, mk_line
from zcmask.locate import find_identity
from zcmask.locate._variants import T2S, norm_text

SIZE = (2000, 3000)


def kinds(regions, kind):
    return [r for r in regions if r.kind == kind]


def covers(regions, line, start, end) -> bool:
    for c in line.chars[start:end]:
        x0, y0, x1, y1 = c.bbox
        if not any(r.bbox[0] <= x0 and r.bbox[1] <= y0 and r.bbox[2] >= x1 and r.bbox[3] >= y1
                   for r in regions):
            return False
    return True


@pytest.mark.parametrize(("trad", "simp"), [("眾", "众"), ("緣", "缘"), ("衆", "众"), ("燁", "烨"),
                                            ("團", "团"), ("鑒", "鉴"), ("啟", "启"), ("龜", "龟")])
def test_traditional_characters_fold_to_simplified(trad, simp):
    assert norm_text(trad) == simp


def test_the_table_is_opencc_complete_not_a_hand_list():
    assert len(T2S) > 3000


def test_traditional_unit_name_in_text_is_masked():
    ln = mk_line("茲證明：新疆眾緣建設工程有限公司")
    regs = kinds(find_identity([ln], identity(units=("新疆众缘建设工程有限公司",)), SIZE), "unit")
    assert covers(regs, ln, 5, 17)
