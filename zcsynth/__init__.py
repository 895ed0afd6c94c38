"""Synthetic, labelled 职称 documents built in code (PyMuPDF ``china-s`` font).

Used by the tests, the bundled samples and the benchmarks. Every person and unit
here is fictional. Public names: :class:`SynthPage`, :class:`Truth`, :func:`render`,
:func:`TEMPLATES`.
"""

from __future__ import annotations

from zcsynth._cases import PageScore, distort, locating_pages, score_page
from zcsynth._layouts import layout_pages
from zcsynth._pages import TEMPLATES, SynthPage, Truth, render, text_page

__all__ = ["TEMPLATES", "PageScore", "SynthPage", "Truth", "distort", "layout_pages", "locating_pages", "render",
           "score_page", "text_page"]
