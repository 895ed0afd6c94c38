"""OCR engines: an interface, the RapidOCR (PP-OCR via ONNX Runtime) default, and a fake.

Public names: :class:`OcrEngine`, :class:`RapidOcrEngine`, :class:`FakeOcrEngine`,
:func:`get_engine`, :func:`register_engine`. Engines are built once per process
and load their models lazily on first use. This package never downloads anything.
"""

from __future__ import annotations

from zcmask.ocr._engine import (
    FakeOcrEngine,
    OcrEngine,
    RapidOcrEngine,
    get_engine,
    register_engine,
)

__all__ = ["FakeOcrEngine", "OcrEngine", "RapidOcrEngine", "get_engine", "register_engine"]
