"""OCR engine interface and implementations."""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from zcmask._geometry import shift_line
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

    def charset(self) -> frozenset[str] | None:
        """The characters this engine can return, or None when it cannot say (any)."""
        return None

    def fingerprint(self) -> str:
        """A string that changes whenever this engine could read a page differently.

        The page cache keys on it. The default is unique to this engine object, so
        results are only reused within its lifetime; real engines return their
        model and settings instead.
        """
        fp = getattr(self, "_fingerprint", None)
        if fp is None:
            import uuid

            fp = f"{type(self).__name__}-{uuid.uuid4().hex}"
            self._fingerprint = fp
        return fp

    def detect(self, image: np.ndarray, side: int) -> list[np.ndarray]:
        """Quads of the text lines in ``image``, found with its longest side scaled to ``side``.

        Each quad is a (4, 2) array in pixels of ``image``: top-left, top-right, bottom-right,
        bottom-left along the line. The default finds none: an engine that cannot detect
        without reading leaves out the search that needs it (a pale watermark's).
        """
        return []

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


#: Default detection side length, chosen on the benchmark (README, "Benchmarks").
DET_SIDE = 1024
#: A page no longer than this on its longest side is detected at its own scale, not shrunk to
#: ``det_side``: it was made small already (an upload shrunk to 1,280 px), and shrinking it once
#: more lost a held-out collage's 17 px ``(Name): 张艳杰`` line once the photo was re-saved at q75.
NATIVE_SIDE = 1280

#: A page more than this many times as tall as it is wide (a phone's long screenshot; A4 is
#: 1.41, a phone's screen 2.2) is read in overlapping pieces (:func:`tall_tiles`).
TALL = 2.0
#: A line at least this many times as tall as wide is a column (RapidOCR's rule).
UPWARD_SHAPE = 1.5
#: How much better a column's upward reading must score to replace RapidOCR's.
UPWARD_MARGIN = 0.05


#: Most rows of missed print read again on one page (a page with more is read as it was).
_MAX_MISSED = 6
#: Print shorter than this at the detection scale, px, is looked for again (:meth:`RapidOcrEngine._read_fine`);
#: the page's rows of it are read again when there are at least :data:`FINE_MIN_ROWS`.
FINE_DET_PX = 9.0
FINE_MIN_ROWS = 3
#: Fine print is enlarged to about this height for the detector, by at most :data:`FINE_GROW` times.
FINE_TARGET_PX = 16.0
FINE_GROW = 2.0
#: Row heights of blank page between two rows of small print beyond which they are read apart.
FINE_BAND_GAP = 4.0


def fine_bands(rows: Sequence[tuple[float, float, float, float]], width: int, height: int,
               tall: int = NATIVE_SIDE) -> list[tuple[int, int, int, int]]:
    """Rows of small print (page px) gathered top to bottom into bands at most ``tall`` px tall.

    Each band spans its rows' columns with a margin of two row heights (one above and
    below), clipped to the page; a row more than :data:`FINE_BAND_GAP` row heights under
    the band starts another (scattered rows are not read with the page between them).

    >>> fine_bands([(100, 10, 300, 20), (120, 40, 400, 50), (100, 900, 200, 910)], 600, 1000, tall=500)
    [(80, 0, 420, 60), (80, 890, 220, 920)]
    >>> len(fine_bands([(100, 10, 300, 20), (100, 200, 300, 210)], 600, 1000))
    2
    """
    out: list[tuple[int, int, int, int]] = []
    band: list[float] | None = None
    for x0, y0, x1, y1 in sorted(rows, key=lambda r: r[1]):
        m = y1 - y0
        box = [max(0.0, x0 - 2 * m), max(0.0, y0 - m), min(float(width), x1 + 2 * m), min(float(height), y1 + m)]
        if (band is not None and max(band[3], box[3]) - band[1] <= tall
                and box[1] - band[3] <= FINE_BAND_GAP * m):
            band = [min(band[0], box[0]), band[1], max(band[2], box[2]), max(band[3], box[3])]
            continue
        if band is not None:
            out.append((int(band[0]), int(band[1]), int(np.ceil(band[2])), int(np.ceil(band[3]))))
        band = box
    if band is not None:
        out.append((int(band[0]), int(band[1]), int(np.ceil(band[2])), int(np.ceil(band[3]))))
    return out


def det_scale(h: int, w: int, det_side: int, max_side: int) -> float:
    """The scale a page of ``h`` x ``w`` px is detected at: shrunk to ``det_side``, unless it is small already.

    >>> [round(det_scale(h, w, 1024, 3508), 3) for h, w in ((3508, 2480), (1400, 1000), (1280, 960), (900, 600))]
    [0.292, 0.731, 1.0, 1.0]
    """
    side = max(h, w)
    target = max(det_side, NATIVE_SIDE) if side <= NATIVE_SIDE else det_side
    return min(1.0, target / side, max_side / side)


def _mostly_vertical(lines: Sequence[TextLine]) -> bool:
    """Whether most characters read lie in lines at least 1.5 times as tall as wide (columns)."""
    total = sum(len(ln.text) for ln in lines)
    tall = sum(len(ln.text) for ln in lines
               if len(ln.text) >= 2 and ln.bbox[3] - ln.bbox[1] > 1.5 * (ln.bbox[2] - ln.bbox[0]))
    return total > 0 and tall > 0.5 * total


def tall_tiles(height: int, width: int) -> tuple[int, int]:
    """Piece height and overlap, in px, for reading a page ``height`` tall and ``width`` wide.

    Pieces are 1.5 times as tall as the page is wide (about A4's shape, so detection sees
    text at the scale of an A4 page), and overlap by 0.3 widths: a line up to that tall
    lies whole in one of two neighbouring pieces.

    Examples
    --------
    >>> tall_tiles(6500, 1080)
    (1620, 324)

    """
    tile = max(64, int(1.5 * width))
    return tile, min(tile // 2, max(32, int(0.3 * width)))

#: Narrowest recognition input, px at the model's 48 px line height. PaddleOCR pads
#: every line to 320 px; two thirds of a page's lines are shorter (table cells, dates),
#: and the padding was 29% of recognition work. 64 px reads the same names and units,
#: with fewer spurious spaces in digits (docs/topics/speed.md).
REC_MIN_WIDTH = 64


def import_rapidocr():  # type: ignore[no-untyped-def]
    """Import and return RapidOCR's ``RapidOCR`` class, reading its model table once.

    Importing ``rapidocr`` parses its 1,600-line ``default_models.yaml`` into
    OmegaConf objects twice (about 0.2 s of CPU each); the second parse is
    served from the first here, and the first from the user cache when an earlier
    run left it there (:mod:`zcmask.ocr._model_table`). The process pool's fork
    server calls this (:mod:`zcmask.ocr._preload`) so that workers inherit the
    import instead of each paying for it. RapidOCR's downloader is replaced by
    :mod:`zcmask.ocr._no_download` (no ``requests`` import, no hashing of the
    models at every start, an error instead of a download when a file is missing).
    """
    if "rapidocr.main" not in sys.modules:
        from omegaconf import OmegaConf

        from zcmask.ocr import _no_download
        from zcmask.ocr._model_table import load_table

        load = OmegaConf.load
        seen: dict[str, object] = {}

        def load_once(file_):  # type: ignore[no-untyped-def]
            key = str(file_)
            if key not in seen:
                table = key.endswith("default_models.yaml") and not hasattr(file_, "read")
                seen[key] = load_table(file_, load) if table else load(file_)
            return seen[key]

        OmegaConf.load = load_once  # type: ignore[method-assign]
        sys.modules.setdefault(_no_download.REPLACES, _no_download)
        try:
            with _no_download.deferred("requests"):
                import rapidocr.main  # noqa: F401
        finally:
            OmegaConf.load = load  # type: ignore[method-assign]
    from rapidocr import RapidOCR

    return RapidOCR


#: ONNX Runtime's session setting that lets idle pool threads spin.
_SPIN = "session.intra_op.allow_spinning"


@contextlib.contextmanager
def _threads_that_sleep() -> Iterator[None]:
    """While active, ONNX Runtime sessions that RapidOCR creates let their idle threads sleep.

    By default the extra threads of a multi-threaded session spin between
    operators. Alone on the machine that gains 3%; with any other program busy
    on a core they fight it: recognition of 164 line crops took 7.0 s on two
    spinning threads against 4.4 s on two sleeping ones (and 4.9 s on one thread)
    while another process kept one of the two cores busy (docs/topics/speed.md).
    Readings do not change: only how the threads wait. RapidOCR builds its own
    session options, so its builder is wrapped for the time the sessions are made.
    """
    try:
        from rapidocr.inference_engine.onnxruntime.main import OrtInferSession
    except ImportError:  # pragma: no cover - another RapidOCR layout: default settings
        yield
        return
    orig = OrtInferSession.__dict__.get("_init_sess_opts")
    if not isinstance(orig, staticmethod):  # pragma: no cover - another RapidOCR layout
        yield
        return

    def init(cfg):  # type: ignore[no-untyped-def]
        so = orig.__func__(cfg)
        so.add_session_config_entry(_SPIN, "0")
        return so

    OrtInferSession._init_sess_opts = staticmethod(init)  # type: ignore[method-assign]
    try:
        yield
    finally:
        OrtInferSession._init_sess_opts = orig  # type: ignore[method-assign]


def _ort_threads() -> int:
    env = os.environ.get("ZCMASK_OCR_THREADS")
    if env and env.isdigit():
        return max(1, int(env))
    return max(1, min(4, os.cpu_count() or 1))


class RapidOcrEngine(OcrEngine):
    """PP-OCRv6 detection and recognition through RapidOCR and ONNX Runtime.

    The models ship inside the ``rapidocr`` wheel (see ``models/MANIFEST.md``).
    Only detection runs on a reduced page: recognition reads its line crops from
    the page at full resolution (up to ``max_side``), so small print stays sharp
    while detection cost, which grows with the square of ``det_side``, stays low.
    The angle classifier never runs: the orientation stage has already turned
    the page upright.

    Parameters
    ----------
    det_side : int
        Longest side the page is scaled to for text detection. Body text at
        200 dpi (12 pt is about 33 px) is still about 15 px tall at 1024 px,
        well inside what the detector finds (see the README, "Benchmarks").
    max_side : int
        Pages with a longer side are scaled down before anything else (phone
        photos); 200 dpi A4 (2339 px) is read as it is.
    threads : int or None
        ONNX Runtime intra-op threads; defaults to ``ZCMASK_OCR_THREADS`` or the CPU count.
    rec_batch : int
        Lines per recognition run. Batching pads every line to the widest one in
        the batch, which on CPU costs more than it saves: 1 measured fastest.
    crop : bool or None
        Detect only inside the printed area (:func:`content_box`), at the scale the
        whole page would get; default on (``ZCMASK_OCR_CROP=0`` turns it off).
    rec_min_width : int or None
        Lines narrower than this (at 48 px height) are padded to it before
        recognition; default :data:`REC_MIN_WIDTH` or ``ZCMASK_REC_MIN_WIDTH``
        (320 is RapidOCR's and PaddleOCR's own setting).

    """

    name = "rapidocr"

    def __init__(self, det_side: int | None = None, threads: int | None = None,
                 max_side: int = 3508, rec_batch: int = 1, crop: bool | None = None,
                 rec_min_width: int | None = None) -> None:
        env = os.environ.get("ZCMASK_DET_SIDE", "")
        self.det_side = det_side or (int(env) if env.isdigit() else DET_SIDE)
        self.max_side = max(max_side, self.det_side)
        self.threads = threads or _ort_threads()
        self.rec_batch = rec_batch
        self.crop = os.environ.get("ZCMASK_OCR_CROP", "1") != "0" if crop is None else crop
        env = os.environ.get("ZCMASK_REC_MIN_WIDTH", "")
        self.rec_min_width = rec_min_width or (int(env) if env.isdigit() else REC_MIN_WIDTH)
        self._ocr: object | None = None
        self._charset: frozenset[str] | None = None
        self._lock = threading.Lock()
        self._call_lock = threading.Lock()  # RapidOCR keeps per-call settings on the instance

    def fingerprint(self) -> str:
        try:
            from importlib.metadata import version

            v = version("rapidocr")
        except Exception:  # noqa: BLE001 - metadata missing in odd installs
            v = "?"
        return (f"rapidocr-{v}-det{self.det_side}-n{NATIVE_SIDE}-max{self.max_side}-crop{int(self.crop)}-rb{self.rec_batch}"
                + (f"-rw{self.rec_min_width}" if self.rec_min_width != 320 else ""))

    def _engine(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._ocr is None:
                try:
                    RapidOCR = import_rapidocr()  # noqa: N806
                except ImportError as e:  # pragma: no cover - dependency always installed
                    raise MissingDependencyError("缺少 rapidocr，请运行 pip install zcmask 重新安装。") from e
                params = {
                    "Global.log_level": "error",
                    "Global.use_cls": False,
                    "Global.max_side_len": self.max_side,
                    "Global.return_word_box": True,
                    "Global.return_single_char_box": True,
                    "Det.limit_type": "max",
                    "Det.limit_side_len": self.det_side,
                    # One line per run: batches pad every line to the widest, which costs more.
                    "Rec.rec_batch_num": self.rec_batch,
                    "Rec.rec_img_shape": [3, 48, self.rec_min_width],
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
                logging.getLogger("RapidOCR").setLevel(logging.ERROR)
                if self.threads > 1:
                    with _threads_that_sleep():
                        ocr = RapidOCR(params=params)
                        ocr._load_det_model()  # RapidOCR makes its sessions on first use: make them now
                        ocr._load_rec_model()
                else:
                    ocr = RapidOCR(params=params)
                    ocr.text_rec = _SplitRecognizer(ocr._load_rec_model())
                _fast_char_boxes(ocr)
                _keep_curved_lines(ocr)
                self._ocr = ocr
            return self._ocr

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        h, w = image.shape[:2]
        if h > TALL * w:
            lines = self._recognize_tall(image)
            # Columns of vertical writing run across the pieces' edges and come back cut in
            # two, a character read on both sides: such a page is read whole, as before.
            return self._read(image) if _mostly_vertical(lines) else lines
        lines = self._read(image)
        lines = lines + self._read_missed(image, lines)
        return lines + self._read_fine(image, lines)

    def _read_missed(self, image: np.ndarray, lines: list[TextLine]) -> list[TextLine]:
        """Rows of dark print the page's detection passed over, each read again on its own.

        On a certificate's patterned background the detector at the page's scale can miss
        whole lines of large black print: a real 荣誉证书's holder line ``蔡文雅 张颖 王琢妍
        同学`` was not found at 1,024 px (it was at 736). Rows of dark ink outside every line
        read (:func:`zcmask.ocr._layer.missed_rows`) are cut out with a margin and read at their own scale;
        each is read with everything lighter than that dark print made white (the pattern),
        and what it holds that was not read already is added. Most pages have none (a
        handwritten signature is one); each costs one small reading.
        """
        from zcmask.ocr._layer import MISSED_INK, missed_rows, new_lines

        out: list[TextLine] = []
        H, W = image.shape[:2]
        covered = [ln.bbox for ln in lines]
        for x0, y0, x1, y1 in missed_rows(image, covered)[:_MAX_MISSED]:
            m = 0.6 * (y1 - y0)
            a0, b0 = max(0, int(x0 - 2 * m)), max(0, int(y0 - m))
            a1, b1 = min(W, int(np.ceil(x1 + 2 * m))), min(H, int(np.ceil(y1 + m)))
            if a1 - a0 < 16 or b1 - b0 < 8:
                continue
            crop = image[b0:b1, a0:a1]
            # only the dark print: a pattern under it (hatching, a guilloche) is what hid the row
            clean = np.where((crop.max(axis=2) < MISSED_INK)[..., None], crop, np.uint8(255))
            out += new_lines([shift_line(ln, a0, b0) for ln in self._read(clean)], covered)
        return out

    def _read_fine(self, image: np.ndarray, lines: list[TextLine]) -> list[TextLine]:
        """Small print the page's detection passed over, read again in bands at a finer scale.

        A page longer than :data:`NATIVE_SIDE` is detected shrunk to ``det_side``: print
        10 px tall on a 1,754 px page is 6 px there, and a held-out contest list's table of
        such print came back a quarter read (its 24 cells naming the applicant's school none).
        Rows of print outside every line read, too small for the detector at the page's
        scale (:func:`zcmask.ocr._layer.fine_rows`), are gathered into bands at most
        :data:`NATIVE_SIDE` tall and each band is read at full resolution, enlarged where the
        print is under :data:`FINE_TARGET_PX` tall (9 px print between a table's rules is
        found by no scale short of that), with the lines read already painted out so nothing
        is read twice. A page with fewer than
        :data:`FINE_MIN_ROWS` such rows is read as it was (a stray row costs more to read
        than it may hold, and most pages have none).
        """
        from zcmask.ocr._layer import fine_rows, new_lines

        h, w = image.shape[:2]
        scale = det_scale(h, w, self.det_side, self.max_side)
        if scale >= 1.0:
            return []
        covered = [ln.bbox for ln in lines]
        rows = fine_rows(image, covered, FINE_DET_PX / scale)
        if len(rows) < FINE_MIN_ROWS:
            return []
        import cv2

        # print under FINE_TARGET_PX tall is enlarged for the detector (at most twice)
        grow = min(FINE_GROW, max(1.0, FINE_TARGET_PX / float(np.median([r[3] - r[1] for r in rows]))))
        out: list[TextLine] = []
        for a0, b0, a1, b1 in fine_bands(rows, w, h):
            crop = image[b0:b1, a0:a1].copy()
            for x0, y0, x1, y1 in covered:  # read already: not read again
                c0, d0 = max(0, int(x0) - a0), max(0, int(y0) - b0)
                c1, d1 = min(a1 - a0, int(np.ceil(x1)) - a0), min(b1 - b0, int(np.ceil(y1)) - b0)
                if c1 > c0 and d1 > d0:
                    crop[d0:d1, c0:c1] = 255
            if grow > 1.0:
                crop = cv2.resize(crop, None, fx=grow, fy=grow, interpolation=cv2.INTER_CUBIC)
            read = self._read(crop, scale=1.0)
            out += new_lines([shift_line(ln, a0, b0, scale=1.0 / grow) for ln in read], covered)
        return out

    def _read(self, image: np.ndarray, scale: float | None = None) -> list[TextLine]:
        """Detect and read ``image``; detected at ``scale`` (default: the scale the whole page would get)."""
        eng = self._engine()
        h, w = image.shape[:2]
        if light_on_dark(image):
            image = 255 - image  # dark mode: the detector and recogniser know dark print on paper
        x0, y0, x1, y1 = content_box(image) if self.crop else (0, 0, w, h)
        if x1 <= x0 or y1 <= y0:
            return []  # a blank page
        bgr = _to_bgr(image[y0:y1, x0:x1])
        # Detect at the scale the whole page would get, so a crop is never read coarser.
        page_scale = det_scale(h, w, self.det_side, self.max_side) if scale is None else scale
        limit = max(32, int(round(max(x1 - x0, y1 - y0) * page_scale)))
        with self._call_lock:
            try:
                eng._load_det_model().limit_side_len = limit  # type: ignore[attr-defined]
                res = eng(bgr, use_det=True, use_cls=False, use_rec=True,  # explicit: recognize_lines turns det off
                          return_word_box=True, return_single_char_box=True)  # type: ignore[operator]
            except Exception as e:  # noqa: BLE001 - engine internals raise anything
                raise OcrEngineError(detail=repr(e)) from e
        lines = self._read_upward(_lines_from_rapid(res), image[y0:y1, x0:x1])
        return [shift_line(ln, x0, y0) for ln in lines] if (x0 or y0) else lines

    def _read_upward(self, lines: list[TextLine], image: np.ndarray) -> list[TextLine]:
        """Read each column-shaped line again as text running upwards, keeping the better reading.

        RapidOCR turns a line at least 1.5 times as tall as wide a quarter turn to the left
        before reading it: right for a line turned clockwise (it reads top to bottom), upside
        down for one turned the other way (a landscape table or a margin note on an upright
        page, read bottom to top), which then comes back as a few wrong characters
        (``申报人王建国`` read ``电王国``). Such lines are read again turned to the right;
        the reading with the clearly higher score is kept, its characters laid out from the
        bottom of the column up. A page whose lines are mostly columns (vertical writing, or a
        page turned as a whole, which orientation turns back) is left as read.
        """
        if _mostly_vertical(lines):
            return lines
        out = list(lines)
        for i, ln in enumerate(lines):
            bx0, by0, bx1, by1 = (int(round(v)) for v in ln.bbox)
            bx0, by0 = max(0, bx0), max(0, by0)
            bx1, by1 = min(image.shape[1], bx1), min(image.shape[0], by1)
            if by1 - by0 < UPWARD_SHAPE * (bx1 - bx0) or bx1 - bx0 < 4:
                continue
            crop = np.ascontiguousarray(np.rot90(image[by0:by1, bx0:bx1], k=-1))
            ((text, score),) = self.recognize_lines([crop])
            vis = [ch for ch in text if not ch.isspace()]
            if not vis or score < ln.score + UPWARD_MARGIN:
                continue
            step = (by1 - by0) / len(vis)
            chars = tuple(Char(ch, (bx0, by1 - (k + 1) * step, bx1, by1 - k * step), score)
                          for k, ch in enumerate(vis))
            out[i] = TextLine(text, ln.bbox, score, chars, ln.source)
        return out

    def _recognize_tall(self, image: np.ndarray) -> list[TextLine]:
        """Read a long page (a phone's long screenshot) in overlapping pieces of A4-like shape.

        Read whole, a 1080 x 6500 px screenshot is scaled to 1024 px for detection (text
        26 px tall becomes 4 px, most lines are never found) and to 3508 px for recognition.
        Each piece is read as a page of its own at full resolution; a line is kept from the
        piece whose core (the piece less half the overlap at each inner end) holds its
        centre, so a line cut by one piece's edge comes whole from the next.
        """
        h, w = image.shape[:2]
        tile, overlap = tall_tiles(h, w)
        out: list[TextLine] = []
        starts = list(range(0, max(1, h - overlap), tile - overlap))
        for i, a in enumerate(starts):
            b = min(h, a + tile)
            lo = a + overlap / 2 if i else 0
            hi = b - overlap / 2 if i < len(starts) - 1 else b
            for ln in self._read(np.ascontiguousarray(image[a:b])):
                if lo <= a + (ln.bbox[1] + ln.bbox[3]) / 2 < hi:
                    out.append(shift_line(ln, 0, a))
        return out

    def detect(self, image: np.ndarray, side: int) -> list[np.ndarray]:
        eng = self._engine()
        with self._call_lock:
            det = eng._load_det_model()  # type: ignore[attr-defined]
            try:
                det.limit_side_len = side
                res = eng(_to_bgr(image), use_det=True, use_cls=False, use_rec=False)  # type: ignore[operator]
            except Exception as e:  # noqa: BLE001 - engine internals raise anything
                raise OcrEngineError(detail=repr(e)) from e
            finally:
                det.limit_side_len = self.det_side
        boxes = getattr(res, "boxes", None)
        return [np.asarray(b, np.float32).reshape(4, 2) for b in boxes] if boxes is not None else []

    def charset(self) -> frozenset[str] | None:
        """The recogniser's dictionary (PP-OCRv6: 18,710 characters), read once."""
        if self._charset is None:
            rec = self._engine()._load_rec_model()  # type: ignore[attr-defined]
            chars = getattr(getattr(rec, "postprocess_op", None), "character", None)
            self._charset = frozenset(c for c in chars if len(c) == 1) if chars else frozenset()
        return self._charset or None

    def recognize_lines(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        eng = self._engine()
        out: list[tuple[str, float]] = []
        for c in crops:
            bgr = _to_bgr(c)
            try:
                with self._call_lock:
                    res = eng(bgr, use_det=False, use_cls=False, use_rec=True)  # type: ignore[operator]
            except Exception as e:  # noqa: BLE001
                raise OcrEngineError(detail=repr(e)) from e
            txts = getattr(res, "txts", None) or ()
            scores = getattr(res, "scores", None) or ()
            out.append(("".join(txts), float(np.mean(scores)) if len(scores) else 0.0))
        return out


class _SplitRecognizer:
    """RapidOCR's recogniser, with a second thread joining in whenever a CPU of the pool is idle.

    In a pool worker every ONNX Runtime session has one thread, so that the workers
    share the CPUs without fighting. Inside a pool the crops of a page are read one
    at a time, widest first, from a shared queue; before each one the worker asks
    whether a CPU of the pool is idle (:func:`zcmask._pool.spare_cpus`: the other
    worker has finished the batch, or the web page reads a single upload), and if so
    the worker's helper thread (:func:`zcmask._pool.beside`) starts taking crops from
    the same queue, on the same session (``run`` is thread-safe); when the helper is
    busy with other work of the page, the worker reads every crop itself. Every crop
    is read alone (batch 1, as RapidOCR does with ``rec_batch_num=1``) by the same
    session, so the readings are exactly those of one thread, put back in their order.
    """

    def __init__(self, rec: Callable[..., object]) -> None:
        self._rec = rec

    def __getattr__(self, name: str) -> object:
        return getattr(self._rec, name)

    def __call__(self, args):  # type: ignore[no-untyped-def]
        from zcmask import _pool

        imgs = args.img
        if not isinstance(imgs, list) or len(imgs) < 2 or not _pool.in_pool():
            return self._rec(args)
        one = type(args)
        todo = collections.deque(sorted(range(len(imgs)), key=lambda i: -imgs[i].shape[1] / max(1, imgs[i].shape[0])))
        outs: dict[int, object] = {}

        def read_next() -> bool:
            """Read the next crop of the queue; False when the queue is empty."""
            try:
                i = todo.popleft()  # atomic: the helper takes from the same queue
            except IndexError:
                return False
            outs[i] = self._rec(one(img=[imgs[i]], return_word_box=args.return_word_box))
            return True

        def drain() -> None:
            while read_next():
                pass

        helper = None
        while True:
            if helper is None and len(todo) >= 2:
                helper = _pool.beside(drain)
            if not read_next():
                break
        if helper is not None:
            helper.result()
        return _merge_rec(args, [outs[i] for i in range(len(imgs))])


def _merge_rec(args, outs):  # type: ignore[no-untyped-def]
    """One recognition output from the outputs of single crops, in their order."""
    first = outs[0]
    words = tuple(o.word_results[0] if o.word_results is not None else None for o in outs)
    return type(first)(imgs=args.img, txts=tuple(o.txts[0] for o in outs), scores=tuple(o.scores[0] for o in outs),
                       word_results=words, elapse=sum(o.elapse or 0.0 for o in outs), viser=first.viser)


def _to_bgr(rgb: np.ndarray) -> np.ndarray:
    """A contiguous BGR copy of an RGB uint8 image (OpenCV's swap: 3x faster than NumPy's, same bytes)."""
    import cv2

    if rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.shape[0] and rgb.shape[1]:
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return np.ascontiguousarray(rgb[:, :, ::-1])


#: A detected text region this many times longer than it is tall is a line of text ...
CURVED_ASPECT = 6.0
#: ... and is kept when the detector's mean score over its own outline reaches this, even where
#: the mean over its straight box is under RapidOCR's 0.5 (a title bent with the page).
CURVED_SCORE = 0.6


def _keep_curved_lines(ocr) -> None:  # type: ignore[no-untyped-def]
    """Keep long text lines that are bent or slanted, which RapidOCR's box score drops.

    RapidOCR scores a detected region by the mean text probability over its minimum-area
    rectangle and drops it under ``box_thresh`` (0.5). A line bent with the paper of a phone
    photo, or a heavy title with a slant, fills only a third of that rectangle: the bold title
    山东科技大学学业及学分绩点成绩单 of a photographed transcript scored 0.32 and was never
    read, so the unit in it stayed visible. Every region is still scored as before; one
    that falls short is kept only when it is long (:data:`CURVED_ASPECT`) and the
    probability over its own outline (RapidOCR's "slow" score) reaches
    :data:`CURVED_SCORE`. Every region the plain score keeps is kept with the same score,
    and short curved pieces (the arcs of a seal's ring text) are not added.
    """
    det = getattr(ocr, "text_det", None)
    if det is not None:
        _score_outlines(det)
        return
    load = getattr(ocr, "_load_det_model", None)
    if load is None:
        return

    def load_and_patch():  # type: ignore[no-untyped-def]
        # RapidOCR makes its detector on first use (one-thread workers): patch it then
        made = load()
        _score_outlines(made)
        return made

    ocr._load_det_model = load_and_patch


def _score_outlines(det) -> None:  # type: ignore[no-untyped-def]
    """Patch one RapidOCR ``TextDetector``'s post-processing (see :func:`_keep_curved_lines`); once."""
    import cv2

    post = getattr(det, "postprocess_op", None)
    if post is None or getattr(post, "_zcmask_outlines", False) or not all(
            hasattr(post, a) for a in ("box_score_fast", "box_score_slow", "get_mini_boxes")):
        return
    fast, slow = post.box_score_fast, post.box_score_slow

    def score(bitmap: np.ndarray, contour: np.ndarray) -> float:
        points, _ = post.get_mini_boxes(contour)
        s = float(fast(bitmap, points.reshape(-1, 2)))
        if s >= post.box_thresh:
            return s
        w, h = cv2.minAreaRect(contour)[1]
        if max(w, h) < CURVED_ASPECT * max(1.0, min(w, h)):
            return s
        outline = float(slow(bitmap, contour))
        return outline if outline >= CURVED_SCORE else s

    post.score_mode = "slow"  # RapidOCR then passes the outline: scored above, plain score first
    post.box_score_slow = score
    post._zcmask_outlines = True


def _fast_char_boxes(ocr) -> None:  # type: ignore[no-untyped-def]
    """Map RapidOCR's character boxes back to the page with one matrix product per line.

    RapidOCR maps every corner of every character box through the line's inverse
    perspective one point at a time and then re-orders the four corners in Python
    (``CalRecBoxes.reverse_rotate_crop_image``): 6% of a page's CPU. This does the
    same arithmetic without the Python re-ordering and keeps the corners in their
    drawing order; zcmask only reads their extent (:func:`_quad_bbox`), which the
    order does not change. Identical character boxes on 52 benchmark pages
    (docs/topics/speed.md).
    """
    import math

    import cv2

    cal = getattr(ocr, "cal_rec_boxes", None)
    if cal is None or not hasattr(cal, "reverse_rotate_crop_image"):
        return
    cos_, sin_ = math.cos(math.radians(-90)), math.sin(math.radians(-90))

    def reverse(bbox_points, word_points_list, direction):  # type: ignore[no-untyped-def]
        if not word_points_list:
            return []
        bp = np.array(bbox_points, dtype=np.float32)
        left, top = int(np.min(bp[:, 0])), int(np.min(bp[:, 1]))
        bp[:, 0] = bp[:, 0] - left
        bp[:, 1] = bp[:, 1] - top
        w = int(np.linalg.norm(bp[0] - bp[1]))
        h = int(np.linalg.norm(bp[0] - bp[3]))
        std = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        _, im = cv2.invert(cv2.getPerspectiveTransform(bp, std))
        pts = np.asarray(word_points_list, dtype=np.float64).reshape(-1, 2)
        px, py = pts[:, 0], pts[:, 1]
        if getattr(direction, "value", direction) == "vertical_direct":
            px, py = px * cos_ + py * sin_ + w, py * cos_ - px * sin_
        # np.dot per point, as RapidOCR does: a batched product sums in another order and can
        # move a corner across a pixel boundary.
        xyz = np.array([np.dot(im, p) for p in np.stack([px, py, np.ones_like(px)], axis=1)])
        x, y = xyz[:, 0] / xyz[:, 2], xyz[:, 1] / xyz[:, 2]
        out = np.stack([np.trunc(x + left), np.trunc(y + top)], axis=1).astype(np.int64)
        return out.reshape(-1, 4, 2).tolist()

    cal.reverse_rotate_crop_image = reverse


def flipped_scores(engine: OcrEngine, image: np.ndarray,
                   runs: Sequence[tuple[tuple[float, float, float, float], float]]) -> list[tuple[float, float]]:
    """Read boxes of ``image`` flipped left to right: ``(score as read, score flipped)`` for each.

    ``runs`` are ``(bbox, score)`` pairs in page pixels; boxes under 8 px a side are
    skipped. What tells a mirrored page, or the back of a sheet showing through,
    from coloured or doubtful print: mirrored text reads better flipped.
    """
    h, w = image.shape[:2]
    crops, before = [], []
    for (x0, y0, x1, y1), score in runs:
        a0, b0, a1, b1 = max(0, int(x0)), max(0, int(y0)), min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1)))
        if a1 - a0 >= 8 and b1 - b0 >= 8:
            crops.append(np.ascontiguousarray(image[b0:b1, a0:a1][:, ::-1]))
            before.append(score)
    if not crops:
        return []
    after = [score for _text, score in engine.recognize_lines(crops)]
    return list(zip(before, after, strict=True))


def light_on_dark(image: np.ndarray) -> bool:
    """Whether a page is light print on a dark ground (a phone's dark-mode screenshot).

    Most of the page is dark (its 75th percentile under 90, of each pixel's brightest
    channel), a minority is far lighter (the 99th at least 90 levels above it), and
    almost nothing is darker than the ground (the 1st percentile within 25 levels of the
    75th). An under-exposed photo is dark too, but its print is darker than its paper.

    Examples
    --------
    >>> page = np.full((200, 100, 3), 30, np.uint8)
    >>> page[50:60, 10:90] = 235
    >>> light_on_dark(page), light_on_dark(255 - page)
    (True, False)

    """
    g = image[::8, ::8]
    g = g.max(axis=2) if g.ndim == 3 else g
    # a 75th percentile under 90 leaves a mean under 0.75 * 90 + 0.25 * 255 = 131: a page
    # brighter than that on average (every paper page) is answered without percentiles
    if g.size == 0 or float(g.mean()) >= 135:
        return False
    darkest, ground, light = np.percentile(g, [1, 75, 99])
    return bool(ground < 90 and light >= ground + 90 and ground - darkest < 25)


def content_box(image: np.ndarray, *, margin: int = 24) -> tuple[int, int, int, int]:
    """The box ``(x0, y0, x1, y1)`` around everything printed on a page, plus ``margin`` px.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        An RGB page. Not modified.

    Returns
    -------
    tuple of int
        Pixel box of ``image``; ``(0, 0, 0, 0)`` for a blank page. Anything darker
        than the paper by a clear step counts, seal ink and pale print included, so
        only empty margins are cut: detection then spends no time on blank paper.

    Examples
    --------
    >>> page = np.full((400, 300, 3), 255, np.uint8)
    >>> page[100:120, 50:200] = 0
    >>> content_box(page)
    (28, 76, 224, 144)

    """
    h, w = image.shape[:2]
    step = 4
    small = image[::step, ::step].min(axis=2)
    paper = float(np.percentile(small, 75))
    ink = small < paper - max(24.0, 0.12 * paper)
    rows = np.flatnonzero(ink.sum(axis=1) >= 2)
    cols = np.flatnonzero(ink.sum(axis=0) >= 2)
    if rows.size == 0 or cols.size == 0:
        return (0, 0, 0, 0)
    x0 = max(0, int(cols[0]) * step - margin)
    y0 = max(0, int(rows[0]) * step - margin)
    x1 = min(w, (int(cols[-1]) + 1) * step + margin)
    y1 = min(h, (int(rows[-1]) + 1) * step + margin)
    return (x0, y0, x1, y1)


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
    for box, txt, score, wr in zip(boxes, txts, scores, words, strict=False):
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
