"""Page templates drawn with PyMuPDF, with ground-truth boxes for every instance."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pymupdf

from zcmask.results import TextLine

FONT = "china-s"


@dataclass(frozen=True)
class Truth:
    """A true instance on a page: what it is, where (pixels), and which case it exercises.

    ``mask`` optionally holds the instance's own ink pixels inside ``bbox`` (bool,
    shape of the box); scoring then asks for those pixels only, as the judge does.
    """

    kind: str  # name | unit | seal | eyes | other (must stay visible)
    bbox: tuple[int, int, int, int]
    case: str
    text: str = ""
    mask: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass
class SynthPage:
    """A rendered page plus its labels and text layer (pixels at ``dpi``)."""

    image: np.ndarray
    dpi: int
    truths: list[Truth]
    lines: list[TextLine]
    pdf_bytes: bytes = b""
    template: str = ""
    meta: dict[str, object] = field(default_factory=dict)


class _Writer:
    """Draws text on a PyMuPDF page and records ground truth for marked spans."""

    def __init__(self, page, dpi: int, fontfile: str | None = None) -> None:  # type: ignore[no-untyped-def]
        import os

        import pymupdf

        self.page = page
        self.scale = dpi / 72.0
        self.truths: list[Truth] = []
        # ZCSYNTH_FONT draws every synthetic page in another face (a benchmark run in 宋体 or 楷体)
        fontfile = fontfile or os.environ.get("ZCSYNTH_FONT") or None
        self.fontfile = fontfile
        self.fontname = "zcf" if fontfile else FONT
        self._font = pymupdf.Font(fontfile=fontfile) if fontfile else None

    def length(self, s: str, size: float) -> float:
        """The advance width of ``s`` in this writer's font, in points, drawing nothing."""
        import pymupdf

        if self._font is not None:
            return float(self._font.text_length(s, fontsize=size))
        return float(pymupdf.get_text_length(s, fontname=FONT, fontsize=size))

    def put(self, x: float, y: float, s: str, size: float, **kw: object) -> float:
        """Insert ``s`` at baseline (x, y) in this writer's font; return its advance width.

        ``kw`` goes to PyMuPDF's ``insert_text`` (``color``, ``render_mode``, ``morph`` ...).
        """
        if self._font is not None:
            self.page.insert_text((x, y), s, fontname=self.fontname, fontfile=self.fontfile,
                                  fontsize=size, **kw)
        else:
            self.page.insert_text((x, y), s, fontname=FONT, fontsize=size, **kw)
        return self.length(s, size)

    def text(self, x: float, y: float, s: str, size: float = 11, kind: str | None = None,
             case: str = "", color: tuple[float, float, float] = (0, 0, 0)) -> float:
        """Write ``s`` at baseline (x, y) pt; label it when ``kind`` is given. Returns the end x."""
        w = self.put(x, y, s, size, color=color)
        if kind:
            # china-s glyphs sit between about 0.88 em above and 0.12 em below the baseline.
            box = (x, y - 0.9 * size, x + w, y + 0.15 * size)
            sc = self.scale
            self.truths.append(Truth(kind, (int(box[0] * sc), int(box[1] * sc),
                                            int(np.ceil(box[2] * sc)), int(np.ceil(box[3] * sc))), case, s))
        return x + w

    def spaced(self, x: float, y: float, s: str, size: float, gap: float, kind: str, case: str) -> float:
        """Write ``s`` one character at a time with ``gap`` pt between characters."""
        sc = self.scale
        x0 = x
        for ch in s:
            x += self.put(x, y, ch, size) + gap
        box = (x0, y - 0.9 * size, x - gap, y + 0.15 * size)
        self.truths.append(Truth(kind, (int(box[0] * sc), int(box[1] * sc), int(np.ceil(box[2] * sc)),
                                        int(np.ceil(box[3] * sc))), case, s))
        return x


def _finish(doc, page, w: _Writer, dpi: int, template: str) -> SynthPage:  # type: ignore[no-untyped-def]
    import pymupdf

    from zcmask.documents._read import _text_layer

    pix = page.get_pixmap(dpi=dpi, alpha=False, colorspace=pymupdf.csRGB)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3].copy()
    lines = _text_layer(page, page.rotation_matrix * pymupdf.Matrix(dpi / 72.0, dpi / 72.0))
    data = doc.tobytes()
    return SynthPage(img, dpi, w.truths, lines, data, template)


def text_page(rows: list[tuple[str, str | None, str]], *, dpi: int = 200, size: float = 12,
              template: str = "custom") -> SynthPage:
    """A page of rows, each ``(text, kind or None, case)``; ``text`` may hold one ``[marked]`` span."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    w = _Writer(page, dpi)
    y = 80.0
    for text, kind, case in rows:
        x = 60.0
        if "[" in text and kind:
            pre, rest = text.split("[", 1)
            mid, post = rest.split("]", 1)
            x = w.text(x, y, pre, size)
            x = w.text(x, y, mid, size, kind, case)
            w.text(x, y, post, size)
        else:
            w.text(x, y, text.replace("[", "").replace("]", ""), size)
        y += size * 2.2
    return _finish(doc, page, w, dpi, template)


def _gongshi(w: _Writer, name: str, unit: str) -> None:
    w.text(200, 90, "公  示", 22)
    x = w.text(60, 140, "经单位推荐，", 12)
    x = w.text(x, 140, name, 12, "name", "running_text")
    w.text(x, 140, "同志申报工程系列电力专业中级职称，", 12)
    w.text(60, 165, "现将其基本情况予以公示，公示期为5个工作日。", 12)
    x = w.text(60, 200, "工作单位：", 12)
    w.text(x, 200, unit, 12, "unit", "field")
    x = w.text(60, 225, "姓名：", 12)
    w.spaced(x, 225, name, 12, 10, "name", "spaced")
    w.text(60, 260, "如有异议，请与单位人事部门联系。联系人：张伟", 12)
    w.text(330, 360, unit, 12, "unit", "signature_block")
    w.text(380, 385, "2024年9月2日", 12)


def _chengnuo(w: _Writer, name: str, unit: str) -> None:
    w.text(230, 90, "承 诺 书", 20)
    w.text(60, 140, "本人承诺所提交的申报材料真实有效，如有弄虚作假，", 12)
    w.text(60, 162, "自愿承担相应责任。", 12)
    x = w.text(300, 260, "承诺人：", 12)
    w.text(x + 4, 262, name, 15, "name", "signature")


def _zhengshu(w: _Writer, name: str, unit: str) -> None:
    w.text(150, 120, "专业技术资格证书", 28)
    x = w.text(100, 200, "姓    名  ", 14)
    w.text(x, 200, name, 26, "name", "large_font")
    x = w.text(100, 250, "工作单位  ", 14)
    w.text(x, 250, unit, 14, "unit", "field")
    w.text(100, 300, "资格名称  工程师", 14)


TEMPLATES: dict[str, Callable[[_Writer, str, str], None]] = {
    "公示": _gongshi,
    "承诺书": _chengnuo,
    "职称证书": _zhengshu,
}


def render(template: str, name: str, unit: str, *, dpi: int = 200) -> SynthPage:
    """Render one of :data:`TEMPLATES` for a fictional applicant."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    w = _Writer(page, dpi)
    TEMPLATES[template](w, name, unit)
    return _finish(doc, page, w, dpi, template)


def pages_in_fonts(rng: random.Random, n: int, fontfiles: Sequence[str | None],
                   draw: Callable[[random.Random, int, str | None], tuple[SynthPage, dict[str, object]]],
                   ) -> list[tuple[SynthPage, dict[str, object]]]:
    """``n`` pages from ``draw(rng, i, font)``, with ``fontfiles`` in turn (None: ``china-s``).

    A font without a glyph of the page's name, alias or unit (GB2312's 玥 and 喆) prints nothing
    for it, and the page would hold no name to find: that page is drawn again, from the same
    random state, in the next font that has them all.
    """
    out = []
    for i in range(n):
        font = fontfiles[i % len(fontfiles)]
        state = rng.getstate()
        page, facts = draw(rng, i, font)
        if font is not None and not font_covers(font, facts):
            rng.setstate(state)
            page, facts = draw(rng, i, next((f for f in fontfiles if f is None or font_covers(f, facts)), None))
        out.append((page, facts))
    return out


def font_covers(fontfile: str, facts: dict[str, object]) -> bool:
    """Whether ``fontfile`` has a glyph for every character of the page's name, alias and unit."""
    font = pymupdf.Font(fontfile=fontfile)
    text = "".join(str(facts.get(k) or "") for k in ("name", "alias", "unit"))
    return all(font.has_glyph(ord(c)) for c in text if not c.isspace())
