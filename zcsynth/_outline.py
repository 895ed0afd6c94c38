"""Text drawn as vector outlines, and text layers without a Unicode map (digital PDFs).

A certificate exported from a design program often has its fonts converted to
curves: the text shows but is in no text layer. A font embedded without a
``/ToUnicode`` map makes the layer name glyph numbers instead of characters.
Both are built here from PyMuPDF's own ``china-s`` font (glyph outlines read with
fontTools), so tests need no system font.
"""

from __future__ import annotations

import io

import pymupdf
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

_FONT: TTFont | None = None


class _ShapePen(BasePen):  # type: ignore[misc]
    """Draws a glyph's outline into a PyMuPDF shape (font units, y up → PDF points, y down)."""

    def __init__(self, glyphset, shape, x: float, y: float, k: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(glyphset)
        self.shape, self.x, self.y, self.k = shape, x, y, k
        self.cur = self.start = pymupdf.Point(x, y)

    def _p(self, pt: tuple[float, float]) -> pymupdf.Point:
        return pymupdf.Point(self.x + pt[0] * self.k, self.y - pt[1] * self.k)

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.cur = self.start = self._p(pt)

    def _lineTo(self, pt: tuple[float, float]) -> None:
        p = self._p(pt)
        self.shape.draw_line(self.cur, p)
        self.cur = p

    def _curveToOne(self, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> None:
        pc = self._p(c)
        self.shape.draw_bezier(self.cur, self._p(a), self._p(b), pc)
        self.cur = pc

    def _closePath(self) -> None:
        if self.cur != self.start:
            self.shape.draw_line(self.cur, self.start)
        self.cur = self.start


def outlined_text(page: pymupdf.Page, x: float, y: float, text: str, size: float) -> float:
    """Draw ``text`` on ``page`` as filled outlines (baseline at ``y``, PDF points); returns the end x."""
    global _FONT
    if _FONT is None:
        _FONT = TTFont(io.BytesIO(bytes(pymupdf.Font("china-s").buffer)))
    cmap, glyphs = _FONT.getBestCmap(), _FONT.getGlyphSet()
    k = size / _FONT["head"].unitsPerEm
    for ch in text:
        name = cmap.get(ord(ch))
        if name is None:
            x += size / 2
            continue
        shape = page.new_shape()
        glyphs[name].draw(_ShapePen(glyphs, shape, x, y, k))
        shape.finish(color=None, fill=(0, 0, 0), even_odd=False)
        shape.commit()
        x += glyphs[name].width * k
    return x


def without_unicode_map(doc: pymupdf.Document, page: pymupdf.Page, fontname: str) -> None:
    """Remove the ``/ToUnicode`` map of the page's font ``fontname`` (as inserted by ``insert_font``)."""
    for f in page.get_fonts():
        if f[4] == fontname:
            doc.xref_set_key(f[0], "ToUnicode", "null")
