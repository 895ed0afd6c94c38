"""Imported by the process pool's fork server so that every worker starts with RapidOCR loaded.

Importing RapidOCR costs about 0.7 s of CPU (it parses its model table with
OmegaConf); paid once in the fork server, the forked workers share it. This
module only imports: it creates no ONNX Runtime session and starts no thread,
so forking after it stays safe. Without RapidOCR installed it does nothing.
"""

from __future__ import annotations

import contextlib

from zcmask.ocr._engine import import_rapidocr

with contextlib.suppress(ImportError):
    import_rapidocr()
