"""Find faces in ID-card photos and 一寸照, and return the band across the eyes.

Faces come from OpenCV's YuNet detector (``cv2.FaceDetectorYN`` with
``zcmask/data/face_detection_yunet_2023mar.onnx``, 0.23 MB, MIT, from the
opencv_zoo repository; see ``models/MANIFEST.md``), so nothing is downloaded.
YuNet is a small CNN trained on WIDER FACE: unlike the Haar cascades it does
not fire on texture (ticket serial numbers, lab values, guilloche on a blank
card corner), and it returns the two eye centres, from which the band is drawn.
The whole page is searched at 640 px, and each photo-like block of a larger
page near full size, so that both a 60 px face on a scanned form and a phone
photo filled by one face are found, at about the cost of the old cascades.
A page on which a face is found is searched once more on contrast-equalised
grey (CLAHE), for a faint second portrait such as a passport's ghost image.

The Haar cascades that ship in the OpenCV wheel remain as a fallback, used only
when the YuNet model cannot be loaded (an OpenCV build without the DNN
module); they then search only photo-like blocks of the page.

Pages are upright before this runs, so only upright faces are searched for.
This module does not draw.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import cv2
import numpy as np

from zcmask.results import Region

log = logging.getLogger(__name__)

#: smallest face searched for, in page pixels
MIN_FACE = 60
#: smallest face YuNet's faces are kept at, in page pixels: a web résumé's round photo and a
#: transcript's photo show the face 23-29 px wide (real, holdout9 and holdout_te4); on 195 real
#: pages YuNet found nothing else between 16 and 30 px (docs/topics/names-units-eyes.md). A
#: smaller résumé's round photo (holdout_te10) is 15.97 px wide at 0.82; on 658 real page variants
#: (every held-out set, as stored and shrunk to 1280 px at q75) nothing else under 16 px scored 0.7
MIN_YUNET_FACE = 12
#: pages are searched at most this size (longest side); faces stay >= 40 px
WORK_SIDE = 1400

#: the shipped YuNet model, inside the installed package (package-data)
YUNET_MODEL = "face_detection_yunet_2023mar.onnx"
#: YuNet score needed for a face: real faces on the real corpus score >= 0.9,
#: text, tickets and card guilloche <= 0.55 (docs/topics/names-units-eyes.md)
FACE_SCORE = 0.7
#: checking output (check/audit) asks for a surer face
FACE_SCORE_STRICT = 0.8
#: a face scored this much, under :data:`FACE_SCORE`, counts when a face cascade sees it too
#: (:func:`_votes`): a passport specimen's portrait under security print scores 0.64 to 0.71 as
#: stored, shrunk to 1280 px or re-saved at q75, each time with a cascade's vote; on the real
#: eyes corpora's 170 pages, as stored and shrunk and re-compressed, the two others scored 0.5 to 0.7 had none
FACE_SCORE_CONFIRMED = 0.6
#: YuNet sees faces of about 10-300 px: the page, and each photo-like block of
#: it, is searched at most this size (longest side)
YUNET_SIDE = 640
#: CLAHE clip limit of the second look for faint faces on a page that has a face
#: (a passport's ghost portrait: found at 0.85 after equalising, missed before)
GHOST_CLIP = 3.0

_CASCADES: dict[str, cv2.CascadeClassifier] = {}
_LOCK = threading.Lock()
_YUNET_LOCAL = threading.local()
_YUNET_FAILED: list[str] = []

Box = tuple[int, int, int, int]  # x, y, w, h


def _cascade(name: str) -> cv2.CascadeClassifier:
    with _LOCK:
        c = _CASCADES.get(name)
        if c is None:
            c = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
            if c.empty():  # pragma: no cover - the files ship in the wheel
                raise RuntimeError(f"OpenCV cascade {name} is missing")
            _CASCADES[name] = c
        return c


def _b4(b: Sequence[float]) -> Box:
    return (int(b[0]), int(b[1]), int(b[2]), int(b[3]))


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, a[2] * a[3] + b[2] * b[3] - inter)


def _photo_like(gray: np.ndarray, box: Box) -> bool:
    """A face crop is mid-tone and smooth; a patch of printed text is mostly white paper."""
    x, y, w, h = box
    sub = gray[y + h // 5: y + h - h // 5, x + w // 5: x + w - w // 5]
    if sub.size == 0:
        return False
    white = float((sub > 235).mean())
    mid = float(((sub > 40) & (sub < 225)).mean())
    return white < 0.35 and mid > 0.5


def _eyes(gray: np.ndarray, face: Box) -> list[Box]:
    """Eye boxes (page pixels) in the upper part of a face, best pair first, or []."""
    x, y, w, h = face
    roi = gray[y + int(0.15 * h): y + int(0.6 * h), x: x + w]
    if roi.size == 0:
        return []
    mn = max(8, int(w * 0.12))
    mx = max(mn + 1, int(w * 0.42))
    found: list[Box] = []
    for name in ("haarcascade_eye.xml", "haarcascade_eye_tree_eyeglasses.xml"):
        for ex, ey, ew, eh in _cascade(name).detectMultiScale(roi, 1.1, 3, minSize=(mn, mn),
                                                               maxSize=(mx, mx)):
            b = (int(x + ex), int(y + int(0.15 * h) + ey), int(ew), int(eh))
            if all(_iou(b, f) < 0.3 for f in found):
                found.append(b)
    # a plausible pair: side by side, about level, a sensible distance apart
    best: tuple[float, list[Box]] | None = None
    for i in range(len(found)):
        for j in range(i + 1, len(found)):
            a, b = sorted((found[i], found[j]))
            ca = (a[0] + a[2] / 2, a[1] + a[3] / 2)
            cb = (b[0] + b[2] / 2, b[1] + b[3] / 2)
            dx, dy = cb[0] - ca[0], abs(cb[1] - ca[1])
            if not (0.22 * w <= dx <= 0.65 * w) or dy > 0.15 * h:
                continue
            mid = (ca[0] + cb[0]) / 2
            cost = abs(mid - (x + w / 2)) / w + dy / h
            if best is None or cost < best[0]:
                best = (cost, [a, b])
    return best[1] if best else []


def eye_band(face: Box, eyes: Sequence[Box]) -> Box:
    """The band to black out for one face: across both eyes with a margin.

    Returns ``(x0, y0, x1, y1)`` in the same pixels as ``face`` (``x, y, w, h``).

    Examples
    --------
    >>> eye_band((100, 100, 100, 100), [])
    (108, 122, 192, 152)

    """
    x, y, w, h = face
    fx0, fy0, fx1, fy1 = x + 0.08 * w, y + 0.22 * h, x + 0.92 * w, y + 0.52 * h
    if len(eyes) >= 2:
        ex0 = min(e[0] for e in eyes)
        ex1 = max(e[0] + e[2] for e in eyes)
        ey0 = min(e[1] for e in eyes)
        ey1 = max(e[1] + e[3] for e in eyes)
        eh = ey1 - ey0
        # Haar eye boxes include the brow; keep the whole boxes plus a margin
        bx0 = ex0 - 0.12 * (ex1 - ex0)
        bx1 = ex1 + 0.12 * (ex1 - ex0)
        by0 = ey0 - 0.15 * eh
        by1 = ey1 + 0.15 * eh
        # never less than the fallback band either: a wrong eye pair (brows,
        # nostrils) must not pull the band off the eyes
        fx0, fx1 = min(fx0, max(x + 0.02 * w, bx0)), max(fx1, min(x + 0.98 * w, bx1))
        fy0, fy1 = min(fy0, max(y + 0.1 * h, by0)), max(fy1, min(y + 0.65 * h, by1))
    return (int(fx0), int(fy0), int(np.ceil(fx1)), int(np.ceil(fy1)))


_FACE_CASCADES = ("haarcascade_frontalface_alt2.xml", "haarcascade_frontalface_default.xml",
                  "haarcascade_frontalface_alt.xml")


def _votes(gray: np.ndarray, face: Box) -> int:
    """How many face cascades see a face at ``face`` when asked closely (a local, fine search)."""
    x, y, w, h = face
    m = int(0.3 * w)
    x0, y0 = max(0, x - m), max(0, y - m)
    roi = gray[y0: y + h + m, x0: x + w + m]
    lo, hi = max(24, int(0.7 * w)), max(25, int(1.4 * w))
    n = 0
    for name in _FACE_CASCADES:
        hits = _cascade(name).detectMultiScale(roi, 1.05, 2, minSize=(lo, lo), maxSize=(hi, hi))
        n += any(_iou(face, (int(b[0]) + x0, int(b[1]) + y0, int(b[2]), int(b[3]))) > 0.4 for b in hits)
    return n


def find_faces(gray: np.ndarray, min_face: int = MIN_FACE, *, strict: bool = False) -> list[tuple[Box, list[Box]]]:
    """Faces on a (H, W) uint8 gray image and the eye pair found in each (possibly empty).

    Proposals come from two cascades at a coarse step (and one at a finer step
    when they find nothing); a proposal is kept when it looks like a photo and
    either eyes are found in it or at least two cascades agree on it (three with
    ``strict``: on masked output, cloth and badges below a blacked-out face
    fool two cascades at times, while an unmasked face gets eyes and three).
    """
    # no histogram equalisation: on a page it is dominated by white paper and hurts faces
    mn = (max(24, min_face), max(24, min_face))
    props = [_b4(b) for b in _cascade(_FACE_CASCADES[0]).detectMultiScale(gray, 1.1, 3, minSize=mn)]
    props += [_b4(b) for b in _cascade(_FACE_CASCADES[1]).detectMultiScale(gray, 1.1, 5, minSize=mn)]
    if not props:
        props = [_b4(b) for b in _cascade(_FACE_CASCADES[0]).detectMultiScale(gray, 1.05, 2, minSize=mn)]
    out: list[tuple[Box, list[Box]]] = []
    for face in sorted(props, key=lambda b: -b[2] * b[3]):
        if any(_iou(face, f) > 0.3 for f, _ in out) or not _photo_like(gray, face):
            continue
        eyes = _eyes(gray, face)
        if eyes or _votes(gray, face) >= (3 if strict else 2):
            out.append((face, eyes))
    return out


def photo_blocks(gray: np.ndarray, min_side: int = MIN_FACE) -> list[tuple[int, int, int, int]]:
    """Boxes ``(x0, y0, x1, y1)`` of densely inked, photo-like areas of a (H, W) gray page.

    Printed text leaves most of the paper white even where lines are dense; a
    photo (colour or photocopied) does not. Searching only these areas keeps
    face detection cheap on text pages.
    """
    H, W = gray.shape
    cell = 8
    dens = cv2.resize((gray < 228).astype(np.float32), (max(1, W // cell), max(1, H // cell)),
                      interpolation=cv2.INTER_AREA)
    solid = np.asarray(dens > 0.7, np.uint8)
    solid = np.asarray(cv2.morphologyEx(solid, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)), np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    out = []
    mn = 0.7 * min_side / cell
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < mn or h < mn or area < 0.4 * mn * mn:
            continue
        p = int(0.3 * max(w, h)) + 1
        out.append((max(0, (x - p) * cell), max(0, (y - p) * cell), min(W, (x + w + p) * cell),
                    min(H, (y + h + p) * cell)))
    # merge overlapping boxes so that one face is searched once
    merged: list[tuple[int, int, int, int]] = []
    for b in sorted(out, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1])):
        for k, m in enumerate(merged):
            if b[0] < m[2] and m[0] < b[2] and b[1] < m[3] and m[1] < b[3]:
                merged[k] = (min(b[0], m[0]), min(b[1], m[1]), max(b[2], m[2]), max(b[3], m[3]))
                break
        else:
            merged.append(b)
    return merged


def _faces_in(gray: np.ndarray, min_face: int, strict: bool = False) -> list[tuple[Box, list[Box]]]:
    found = find_faces(gray, min_face, strict=strict)
    if found:
        return found
    # Dark glasses rims can hide a face from the cascades: a gray closing wipes thin dark lines.
    k = max(3, int(min(gray.shape) * 0.012) | 1)
    closed = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return [(f, e or _eyes(gray, f)) for f, e in find_faces(closed, min_face, strict=strict)]


def yunet_path() -> str:
    """Path of the shipped YuNet ONNX file (inside the installed package)."""
    return str(resources.files("zcmask") / "data" / YUNET_MODEL)


def _yunet() -> cv2.FaceDetectorYN | None:
    # A detector holds per-input-size state: one per thread, never shared.
    det = getattr(_YUNET_LOCAL, "det", None)
    if det is None and not _YUNET_FAILED:
        try:
            det = cv2.FaceDetectorYN.create(yunet_path(), "", (320, 320), 0.5, 0.3, 200)
        except (cv2.error, AttributeError) as exc:  # pragma: no cover - OpenCV without DNN
            _YUNET_FAILED.append(str(exc))
            log.warning("YuNet face detector unavailable (%s); using Haar cascades", exc)
            return None
        _YUNET_LOCAL.det = det
    return det


@dataclass(frozen=True)
class Face:
    """One face found by YuNet, in page pixels: its box, both eye centres and its score."""

    box: tuple[float, float, float, float]  # x, y, w, h
    right_eye: tuple[float, float]  # the person's right eye (left in the image)
    left_eye: tuple[float, float]
    score: float


def detect_faces(image: np.ndarray, *, min_score: float = FACE_SCORE,
                 min_face: int = MIN_YUNET_FACE) -> list[Face] | None:
    """Faces on an upright (H, W, 3) uint8 RGB page (or (H, W) gray), best first.

    Returns None when the YuNet model cannot be used (the caller then falls
    back to the cascades). Faces smaller than ``min_face`` page pixels are
    dropped: a 一寸照 on a scanned form is larger, and smaller "faces" are
    texture.
    """
    det = _yunet()
    if det is None:
        return None
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    H, W = bgr.shape[:2]
    if min(H, W) < 16:
        return []
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    # The whole page at a small size (faces of a photo page, a bare 一寸照), then
    # each photo-like block of a large page near full size (a 一寸照 on a form).
    blocks = [b for b in photo_blocks(gray) if (b[2] - b[0]) * (b[3] - b[1]) < 0.8 * H * W] \
        if max(H, W) > YUNET_SIDE else []
    found: list[Face] = []
    _search(det, bgr, blocks, min_score, min_face, found, replace=True)
    if found:
        # A page with a portrait may hold a faint second one: a passport's ghost
        # image, a washed-out copy of the photo. Look again, on contrast-equalised
        # grey, for surer faces that do not overlap those found.
        eq = cv2.createCLAHE(clipLimit=GHOST_CLIP, tileGridSize=(8, 8)).apply(gray)
        _search(det, cv2.cvtColor(eq, cv2.COLOR_GRAY2BGR), blocks, max(min_score, FACE_SCORE_STRICT),
                min_face, found, replace=False)
    return sorted(found, key=lambda f: -f.score)


def _search(det: cv2.FaceDetectorYN, bgr: np.ndarray, blocks: list[tuple[int, int, int, int]],
            min_score: float, min_face: float, found: list[Face], *, replace: bool) -> None:
    """Add YuNet's faces on the page ``bgr`` and inside each of ``blocks`` to ``found``.

    A face overlapping one already found replaces it when ``replace`` and it scores
    higher; otherwise it is dropped.
    """
    passes = [(0, 0, bgr)] + [(x0, y0, bgr[y0:y1, x0:x1]) for x0, y0, x1, y1 in blocks]
    for ox, oy, part in passes:
        ph, pw = part.shape[:2]
        if min(ph, pw) < 16:
            continue
        k = min(1.0, YUNET_SIDE / max(ph, pw))
        im = part if k >= 1.0 else cv2.resize(part, (max(1, round(pw * k)), max(1, round(ph * k))),
                                              interpolation=cv2.INTER_AREA)
        det.setInputSize((im.shape[1], im.shape[0]))
        det.setScoreThreshold(float(min_score))
        _, rows = det.detect(np.ascontiguousarray(im))
        for r in [] if rows is None else rows:
            x, y, w, h = (float(v) / k for v in r[:4])
            x, y = x + ox, y + oy
            if min(w, h) < min_face:
                continue
            f = Face((x, y, w, h), (float(r[4]) / k + ox, float(r[5]) / k + oy),
                     (float(r[6]) / k + ox, float(r[7]) / k + oy), float(r[14]))
            b = _b4((x, y, w, h))
            same = [i for i, g in enumerate(found) if _iou(b, _b4(g.box)) > 0.3]
            if not same:
                found.append(f)
            elif replace and f.score > found[same[0]].score:
                found[same[0]] = f


#: Pixels added on every side of a band around YuNet's eye landmarks.
LANDMARK_SLACK = 2


def landmark_band(face: Face, width: int, height: int) -> tuple[int, int, int, int]:
    """The band ``(x0, y0, x1, y1)`` across both eyes of a YuNet face, clipped to the page.

    The margins are in eye distances ``d``: half a ``d`` beyond each eye
    centre sideways (the outer eye corners sit about 0.3 ``d`` out), 0.45 ``d``
    above (lids and brows) and 0.4 ``d`` below, each plus :data:`LANDMARK_SLACK`
    pixels (a small face's landmarks are a pixel or two off: a 27 px face's lower
    lids were left a row outside). The band is never narrower than 70% of the face
    box, so a badly placed landmark cannot leave an eye out.

    Examples
    --------
    >>> landmark_band(Face((100, 100, 100, 120), (130, 150), (170, 150), 0.9), 400, 400)
    (106, 130, 194, 168)

    """
    (ax, ay), (bx, by) = face.right_eye, face.left_eye
    d = max(1.0, float(np.hypot(bx - ax, by - ay)))
    x, y, w, h = face.box
    cx = (ax + bx) / 2
    half = max(abs(bx - ax) / 2 + 0.55 * d, 0.35 * w) + LANDMARK_SLACK
    x0, x1 = cx - half, cx + half
    y0, y1 = min(ay, by) - 0.45 * d - LANDMARK_SLACK, max(ay, by) + 0.4 * d + LANDMARK_SLACK
    return (int(max(0, np.floor(x0))), int(max(0, np.floor(y0))), int(min(width, np.ceil(x1))),
            int(min(height, np.ceil(y1))))


def eye_core(face: Face, width: int, height: int) -> tuple[int, int, int, int]:
    """The tight box ``(x0, y0, x1, y1)`` around both eye centres (0.25 ``d`` out, 0.15 ``d`` up and down).

    Checking output looks here: on a masked photo YuNet still finds the face
    and guesses the eyes under the black band, and what matters is whether the
    eyes themselves are visible, not whether a wider band would be all black.
    """
    (ax, ay), (bx, by) = face.right_eye, face.left_eye
    d = max(1.0, float(np.hypot(bx - ax, by - ay)))
    x0, x1 = min(ax, bx) - 0.25 * d, max(ax, bx) + 0.25 * d
    y0, y1 = min(ay, by) - 0.15 * d, max(ay, by) + 0.15 * d
    return (int(max(0, np.floor(x0))), int(max(0, np.floor(y0))), int(min(width, np.ceil(x1))),
            int(min(height, np.ceil(y1))))


def find_eyes(image: np.ndarray, *, strict: bool = False) -> list[Region]:
    """Return ``eyes`` regions for every face on an upright page.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
    strict : bool
        Checking output rather than masking input: a face needs a higher
        score, and a face whose eyes (:func:`eye_core`) are blacked out
        already is not reported.

    Returns
    -------
    list of Region
        Kind ``eyes``, source ``face``, one band per face, in page pixels.

    Examples
    --------
    >>> find_eyes(np.full((400, 300, 3), 255, np.uint8))
    []

    """
    H, W = image.shape[:2]
    faces = detect_faces(image, min_score=FACE_SCORE_STRICT if strict else FACE_SCORE_CONFIRMED)
    if faces is not None:
        out: list[Region] = []
        gray = None
        for f in faces:
            if f.score < (FACE_SCORE_STRICT if strict else FACE_SCORE):
                gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if gray is None else gray
                if _votes(gray, _b4(f.box)) < 1:
                    continue  # an unsure face no cascade sees: print or texture
            if strict and _hidden(image, eye_core(f, W, H)):
                continue
            box = landmark_band(f, W, H)
            if box[2] > box[0] and box[3] > box[1] and all(_iou_xyxy(box, r.bbox) < 0.3 for r in out):
                out.append(Region("eyes", box, "", "face", round(f.score, 3)))
        return out
    return _cascade_eyes(image, strict)


def _hidden(image: np.ndarray, box: tuple[int, int, int, int], dark: int = 60) -> bool:
    crop = image[box[1]:box[3], box[0]:box[2]]
    if not crop.size:
        return True
    black = crop.max(axis=2) < dark if crop.ndim == 3 else crop < dark
    return float(black.mean()) >= 0.6


def _cascade_eyes(image: np.ndarray, strict: bool) -> list[Region]:
    """The fallback: Haar cascades inside photo-like blocks (see :func:`find_faces`)."""
    H, W = image.shape[:2]
    page = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    regions: list[Region] = []
    for bx0, by0, bx1, by1 in photo_blocks(page):
        gray = page[by0:by1, bx0:bx1]
        # Cascade cost grows with area: search at most WORK_SIDE, and smaller still
        # as long as the smallest face keeps ~36 px.
        k = min(1.0, WORK_SIDE / max(gray.shape), max(36.0 / MIN_FACE, 420.0 / max(gray.shape)))
        if k < 1.0:
            gray = cv2.resize(gray, (int(gray.shape[1] * k), int(gray.shape[0] * k)),
                              interpolation=cv2.INTER_AREA)
        for face, eyes in _faces_in(gray, max(24, int(MIN_FACE * k * 0.85)), strict):
            x0, y0, x1, y1 = eye_band(face, eyes)
            box = (int(max(0, bx0 + int(x0 / k))), int(max(0, by0 + int(y0 / k))),
                   int(min(W, bx0 + int(np.ceil(x1 / k)))), int(min(H, by0 + int(np.ceil(y1 / k)))))
            if all(_iou_xyxy(box, r.bbox) < 0.3 for r in regions):
                regions.append(Region("eyes", box, "", "face", 1.0 if eyes else 0.7))
    return regions


def _iou_xyxy(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    return _iou((a[0], a[1], a[2] - a[0], a[3] - a[1]), (b[0], b[1], b[2] - b[0], b[3] - b[1]))
