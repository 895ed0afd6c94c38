"""PyMuPDF, imported without its page-layout add-on, which zcmask never uses.

PyMuPDF 2.0 depends on ``pymupdf_layout`` and imports ``pymupdf.layout`` (a
layout-analysis model and its imports) from ``import pymupdf`` whenever it is
installed: about 0.22 s of the 0.33 s the import costs in a pool worker, paid
by every process that reads a PDF (each worker, the main process counting
pages, the web server). zcmask renders pages and reads text layers; the add-on
only serves ``Page.get_layout()``, which zcmask does not call. PyMuPDF imports
the add-on inside ``try: ... except ImportError``, so it is kept out of that one
import (an entry of ``None`` in ``sys.modules`` makes importing it raise
ImportError) and made importable again right after: a program that uses zcmask
and imports ``pymupdf.layout`` itself still gets it. Older PyMuPDF versions,
without the add-on, import exactly as before.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

#: The optional package ``import pymupdf`` loads when it is installed.
LAYOUT_ADDON = "pymupdf.layout"

_LOCK = threading.Lock()


def load_pymupdf() -> Any:
    """The ``pymupdf`` module, imported (once) without :data:`LAYOUT_ADDON`.

    Examples
    --------
    >>> load_pymupdf().open  # doctest: +ELLIPSIS
    <class ...Document...>

    """
    with _LOCK:
        mod = sys.modules.get("pymupdf")
        if mod is not None:
            return mod
        blocked = LAYOUT_ADDON not in sys.modules
        if blocked:
            sys.modules[LAYOUT_ADDON] = None  # type: ignore[assignment]
        try:
            import pymupdf
        finally:
            if blocked and LAYOUT_ADDON in sys.modules and sys.modules[LAYOUT_ADDON] is None:
                del sys.modules[LAYOUT_ADDON]
        return pymupdf
