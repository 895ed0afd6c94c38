"""Remember OCR results by image content, so the web server reads each page once.

The page analysis (``开始识别``) and the notice check (``zcmask.rules.validate``)
both decode the same page the same way and hand the same pixels to the OCR
engine; the second read used to take as long as the first (26 pages: 91 s + 91 s).
:class:`MemoOcrEngine` wraps the process-wide engine and answers a repeated
image from memory. It changes no result: a different pixel gives a different key.

This module does not cache anything on disk and is only installed by ``zcmask
serve`` (a long-lived process reading the same pages several times).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from zcmask.ocr import OcrEngine, get_engine, register_engine
from zcmask.results import TextLine


def _key(image: np.ndarray) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((image.shape, image.dtype.str)).encode())
    h.update(np.ascontiguousarray(image).data)
    return h.digest()


class MemoOcrEngine(OcrEngine):
    """An :class:`OcrEngine` that remembers the last ``size`` answers of ``inner``.

    Parameters
    ----------
    inner : OcrEngine
        The engine that really reads.
    pages : int
        How many page answers to keep (least recently used go first); a page's
        lines with their character boxes take some tens of KB.
    crops : int
        How many single-line crop answers to keep (a few bytes each).

    """

    def __init__(self, inner: OcrEngine, pages: int = 600, crops: int = 20000) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "memo")
        self.sizes = {"pages": pages, "crops": crops}
        self.hits = 0
        self.misses = 0
        self._pages: OrderedDict[bytes, list[TextLine]] = OrderedDict()
        self._crops: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # engine-specific settings (det_side ...)
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def _get(self, store: OrderedDict[bytes, Any], key: bytes) -> Any:
        with self._lock:
            if key in store:
                store.move_to_end(key)
                self.hits += 1
                return store[key]
            self.misses += 1
            return None

    def _put(self, store: OrderedDict[bytes, Any], key: bytes, value: Any) -> None:
        limit = self.sizes["pages"] if store is self._pages else self.sizes["crops"]
        with self._lock:
            store[key] = value
            while len(store) > limit:
                store.popitem(last=False)

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        key = _key(image)
        got = self._get(self._pages, key)
        if got is not None:
            return list(got)
        lines = self.inner.recognize(image)
        self._put(self._pages, key, tuple(lines))
        return lines

    def detect(self, image: np.ndarray, side: int) -> list[np.ndarray]:
        return self.inner.detect(image, side)

    def recognize_lines(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        keys = [_key(c) for c in crops]
        out: list[tuple[str, float] | None] = [self._get(self._crops, k) for k in keys]
        todo = [i for i, r in enumerate(out) if r is None]
        if todo:
            fresh = self.inner.recognize_lines([crops[i] for i in todo])
            for i, r in zip(todo, fresh, strict=True):
                out[i] = r
                self._put(self._crops, keys[i], r)
        return [r for r in out if r is not None]


def install(name: str) -> MemoOcrEngine:
    """Wrap the process-wide engine ``name`` (once) and return the wrapper."""
    eng = get_engine(name)
    if isinstance(eng, MemoOcrEngine):
        return eng
    memo = MemoOcrEngine(eng)
    register_engine(name, memo)
    return memo
