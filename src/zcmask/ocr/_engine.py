"""OCR engine interface and implementations."""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from zcmask.exceptions import MissingDependencyError, OcrEngineError
from zcmask.results import Char, TextLine

log = logging.getLogger(__name__)


class OcrEngine(ABC):
    """Recognise text lines, with a box per character, on an RGB page.

    Implementations must be safe to call repeatedly in one process and should
    load their models lazily, on the first call.
    """

    name = "abstract"

    @abstractmethod
    def recognize(self, image: np.ndarray) -> list[TextLine]:
        """Return the text lines of ``image``, shape (H, W, 3) uint8 RGB.

        Coordinates are pixels of ``image``. Whitespace is not returned as chars.
        """

    def recognize_lines(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise single-line crops without detection (used for seal ring strips).

        The default runs :meth:`recognize` on each crop and joins what it finds.
        """
        out = []
        for c in crops:
            lines = self.recognize(c)
            text = "".join(ln.text for ln in lines)
            score = float(np.mean([ln.score for ln in lines])) if lines else 0.0
            out.append((text, score))
        return out


def _ort_threads() -> int:
    env = os.environ.get("ZCMASK_OCR_THREADS")
    if env and env.isdigit():
        return max(1, int(env))
    return max(1, min(4, os.cpu_count() or 1))


class RapidOcrEngine(OcrEngine):
    """PP-OCRv6 detection and recognition through RapidOCR and ONNX Runtime.

    The models ship inside the ``rapidocr`` wheel (see ``models/MANIFEST.md``).

    Parameters
    ----------
    det_side : int
        Longest side the page is scaled to for text detection. Document text at
        200 dpi is still several pixels tall at 1600, and detection cost grows
        with the square of this number.
    threads : int or None
        ONNX Runtime intra-op threads; defaults to ``ZCMASK_OCR_THREADS`` or the CPU count.
    """

    name = "rapidocr"

    def __init__(self, det_side: int = 1600, threads: int | None = None) -> None:
        self.det_side = det_side
        self.threads = threads or _ort_threads()
        self._ocr: object | None = None
        self._lock = threading.Lock()

    def _engine(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._ocr is None:
                try:
                    from rapidocr import RapidOCR
                except ImportError as e:  # pragma: no cover - dependency always installed
                    raise MissingDependencyError("缺少 rapidocr，请运行 pip install zcmask 重新安装。") from e
                params = {
                    "Global.log_level": "error",
                    "Global.use_cls": False,
                    "Global.max_side_len": self.det_side,
                    "Global.return_word_box": True,
                    "Global.return_single_char_box": True,
                    "Det.limit_type": "max",
                    "Det.limit_side_len": self.det_side,
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
                logging.getLogger("RapidOCR").setLevel(logging.ERROR)
                self._ocr = RapidOCR(params=params)
            return self._ocr

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        eng = self._engine()
        bgr = np.ascontiguousarray(image[:, :, ::-1])
        try:
            res = eng(bgr, use_cls=False, return_word_box=True, return_single_char_box=True)  # type: ignore[operator]
        except Exception as e:  # noqa: BLE001 - engine internals raise anything
            raise OcrEngineError(detail=repr(e)) from e
        return _lines_from_rapid(res)

    def recognize_lines(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        eng = self._engine()
        out: list[tuple[str, float]] = []
        for c in crops:
            bgr = np.ascontiguousarray(c[:, :, ::-1])
            try:
                res = eng(bgr, use_det=False, use_cls=False, use_rec=True)  # type: ignore[operator]
            except Exception as e:  # noqa: BLE001
                raise OcrEngineError(detail=repr(e)) from e
            txts = getattr(res, "txts", None) or ()
            scores = getattr(res, "scores", None) or ()
            out.append(("".join(txts), float(np.mean(scores)) if len(scores) else 0.0))
        return out


def _quad_bbox(q) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    a = np.asarray(q, dtype=np.float64).reshape(-1, 2)
    return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 0].max()), float(a[:, 1].max()))


def _lines_from_rapid(res) -> list[TextLine]:  # type: ignore[no-untyped-def]
    boxes = getattr(res, "boxes", None)
    txts = getattr(res, "txts", None)
    if boxes is None or txts is None:
        return []
    scores = res.scores or [1.0] * len(txts)
    words = getattr(res, "word_results", None) or [()] * len(txts)
    lines: list[TextLine] = []
    for box, txt, score, wr in zip(boxes, txts, scores, words):
        chars: list[Char] = []
        for item in wr or ():
            t, s, q = item[0], item[1], item[2]
            if not t:
                continue
            cb = _quad_bbox(q)
            vis = [ch for ch in t if not ch.isspace()]
            if len(vis) <= 1:
                if vis:
                    chars.append(Char(vis[0], cb, float(s)))
                continue
            # A multi-character word box (Latin runs): split it evenly.
            w = (cb[2] - cb[0]) / len(vis)
            for k, ch in enumerate(vis):
                chars.append(Char(ch, (cb[0] + k * w, cb[1], cb[0] + (k + 1) * w, cb[3]), float(s)))
        lb = _quad_bbox(box)
        if not chars:
            vis = [ch for ch in txt if not ch.isspace()]
            if vis:
                w = (lb[2] - lb[0]) / len(vis)
                chars = [Char(ch, (lb[0] + k * w, lb[1], lb[0] + (k + 1) * w, lb[3]), float(score))
                         for k, ch in enumerate(vis)]
        if chars:
            lines.append(TextLine(txt, lb, float(score), tuple(chars)))
    return lines


class FakeOcrEngine(OcrEngine):
    """A test engine: returns fixed lines, or whatever a callable makes of the image.

    ``FakeOcrEngine(crash=True)`` raises like a broken model would.
    """

    name = "fake"

    def __init__(self, lines: Sequence[TextLine] | Callable[[np.ndarray], list[TextLine]] = (),
                 *, crash: bool = False) -> None:
        self._lines = lines
        self.crash = crash
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        self.calls += 1
        if self.crash:
            raise OcrEngineError(detail="fake engine crash")
        if callable(self._lines):
            return list(self._lines(image))
        return list(self._lines)


_ENGINES: dict[str, OcrEngine] = {}
_FACTORIES: dict[str, Callable[[], OcrEngine]] = {"rapidocr": RapidOcrEngine}
_LOCK = threading.Lock()


def register_engine(name: str, engine: OcrEngine) -> None:
    """Make ``engine`` the process-wide engine called ``name`` (tests use ``fake``)."""
    with _LOCK:
        _ENGINES[name] = engine


def get_engine(name: str = "rapidocr") -> OcrEngine:
    """Return the process-wide engine ``name``, building it on first use."""
    with _LOCK:
        eng = _ENGINES.get(name)
        if eng is None:
            factory = _FACTORIES.get(name)
            if factory is None:
                raise MissingDependencyError(f"未知的 OCR 引擎：{name}")
            eng = _ENGINES[name] = factory()
        return eng
