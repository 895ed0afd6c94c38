"""Read a seal's text and decide whose seal it is.

The ring of a round or oval seal is unwrapped into a horizontal strip (angle
along x, radius down y, outer edge on top) so a line recogniser such as PP-OCR
can read it left to right; the strip is tried in both directions. The centre
line (财务专用章, 发票专用章 ...) is read as a plain crop. A square name seal
(名章) is read cell by cell in the traditional order (right column first) and
row by row. Stamp colour is separated from black text first, so print under a
seal does not garble the reading.

Ownership is a text decision: the applicant's unit or name (fuzzy, since
ring OCR is noisy) makes it the applicant's; issuing-authority words make it
an authority's; anything else is ``unknown``. This module draws nothing.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from zcmask.locate._pinyin import latin_unit_forms, leading_pinyin
from zcmask.locate._seal_find import SealCandidate, polar, redness
from zcmask.locate._variants import GENERIC, LEGAL_SUFFIXES, is_han, norm_text
from zcmask.ocr import OcrEngine
from zcmask.options import Identity

log = logging.getLogger(__name__)

#: Words on the seals of issuing authorities, which stay visible by default. Not 发票专用章:
#: that is the seller's own seal (a company's); the tax bureau's is the 发票监制章.
AUTHORITY_WORDS = (
    "人力资源", "社会保障", "人社", "社会保险", "社保", "医疗保障", "教育", "大学", "学院", "学校",
    "公安", "派出所", "税务", "监制", "职称", "评审委员会", "评委会", "人事考试", "考试院",
    "考试中心", "学信", "学位", "卫生健康", "住房和城乡建设", "市场监督", "继续教育", "人事局",
    "组织部", "编委", "公证处", "专业技术人员", "继续教",
    # business registration: 工商行政管理局 (before 2018), 市场监管局, 行政审批局; not 工商 alone
    # (中国工商银行 is a bank an applicant may work for)
    "工商行政管理", "工商局", "市场监管", "行政审批",
    # the government bodies that co-sign provincial contests and awards (山东省工业和信息化厅,
    # 工业和信息化部人才交流中心, 山东省发展和改革委员会), read whole and left masked as unknown
    "工业和信息化", "发展和改革", "科学技术协会", "科学技术厅", "科学技术局", "科学技术部", "科技厅",
    "科技局", "人民政府", "财政厅", "财政局",
    # the public talent service centres that keep personnel files (人事档案) and sign the archive
    # certificates of a 职称 application (洛阳市人才服务中心 档案管理专用章)
    "人才服务", "人才交流",
)

#: Provinces and regions whose name starts an authority's reading that ends in :data:`BODY_ENDS`.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "内蒙古", "广西", "西藏", "宁夏", "新疆", "兵团", "中华人民共和国", "国家", "中国",
)
#: How a province's department, bureau, commission or association ends its name (山东省教育厅
#: read 山东省教自厅, 山东省科学技术协会 read 山东省科学技术终会).
BODY_ENDS = ("厅", "局", "会")

#: Words of a body that signs awards and volunteer certificates (a competition's organising
#: committee, the youth league) but may belong to the applicant's own unit (共青团XX大学委员会,
#: XX公司技能竞赛组委会): they name an issuer only with at least :data:`ISSUER_NAME_CHARS`
#: other characters read, so that the unit, had it been in the ring, would have been matched.
EVENT_WORDS = ("大赛", "竞赛", "组委会", "组织委员会", "共青团", "共产主义")
#: Least length of an event word read with one character wrong (组织委员会).
EVENT_WORD_MISREAD = 5
ISSUER_NAME_CHARS = 6
#: The league's own name, the same on every league seal: none of it counts towards those characters
#: (a university's own league seal read 198中国共产主义青年团造 全 was kept visible as an issuer's).
LEAGUE_NAME = ("中国共产主义青年团", "共产主义青年团", "青年团")
#: The middle of the league's name (中国 | 共产主义 | 青年团), read right on a ring otherwise misread.
LEAGUE_CORE = "共产主义"
#: What the league's central committee rings after its name (中央委员会, read 4央委员 on a photo):
#: a school's or a company's own league committee never has it.
LEAGUE_CENTRAL = ("中央", "央委员")


def _misread_at(text: str, word: str, wrong: int, start: int = 0) -> int:
    """Where ``word`` is first read in ``text`` from ``start``, with at most ``wrong`` characters misread; -1 if nowhere.

    >>> _misread_at("中组共产主义", "中国共产主义", 1), _misread_at("中组共产主义", "中国共产主义", 0)
    (0, -1)
    """
    n = len(word)
    for i in range(start, len(text) - n + 1):
        if sum(a != b for a, b in zip(text[i:i + n], word, strict=True)) <= wrong:
            return i
    return -1


def _without_league(text: str) -> str:
    """``text`` less the league's own name (:data:`LEAGUE_NAME`), read with at most one character wrong.

    A university's own league seal shrunk to 1280 px read 中国共产主义费年团选: with the name
    taken out only when read exactly, 中国费年团选 was an issuer's six characters and the seal was
    kept visible.

    Where 共产主义 itself is read, the places of 中国 before it and 青年团 after it are the
    league's too, whatever was read there: the same seal shrunk and re-compressed at q75 read
    中组共产主义爵年统电, three characters wrong.

    >>> _without_league("中国共产主义费年团选"), _without_league("共青团山东大学委员会")
    ('选', '共青团山东大学委员会')
    >>> _without_league("中组共产主义爵年统电"), _without_league("中国共产主义青年团山东省委员会")
    ('电', '山东省委员会')
    """
    for g in LEAGUE_NAME:
        wrong = 1 if len(g) >= 6 else 0  # 青年团 only as read
        i = 0
        while (i := _misread_at(text, g, wrong, i)) >= 0:
            text = text[:i] + text[i + len(g):]
    while (i := text.find(LEAGUE_CORE)) >= 0:
        text = text[:max(0, i - 2)] + text[i + len(LEAGUE_CORE) + 3:]
    return text


#: A reading shorter than this (folded characters) counts as unreadable.
MIN_CHARS = 3
MIN_SCORE = 0.45


@dataclass(frozen=True)
class SealReading:
    """What was read on one seal, and how sure the recogniser was."""

    text: str
    score: float

    @property
    def readable(self) -> bool:
        """Whether there is enough confident text to decide whose seal it is."""
        return len(norm_text(self.text)) >= MIN_CHARS and self.score >= MIN_SCORE


def _ink_plane(image: np.ndarray, cand: SealCandidate, dark: bool = False) -> np.ndarray:
    """Ink strength in [0, 1] as a full-size float plane around the candidate (0 elsewhere).

    A coloured seal's ink is its redness, or with ``dark`` its darkness where it is red (:func:`stamp_ink`).
    """
    x0, y0, x1, y1 = cand.bbox
    H, W = image.shape[:2]
    pad = int(0.1 * max(x1 - x0, y1 - y0)) + 2
    x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(W, x1 + pad), min(H, y1 + pad)
    crop = image[y0:y1, x0:x1]
    if cand.source == "color" and dark:
        ink = stamp_ink(crop)
    elif cand.source == "color":
        ink = redness(crop)
        ink = np.clip(ink / _red_scale(ink), 0, 1)
    else:
        g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
        ink = np.clip((235.0 - g) / 150.0, 0, 1)
    plane = np.zeros((H, W), np.float32)
    plane[y0:y1, x0:x1] = ink
    return plane


def _red_scale(red: np.ndarray) -> float:
    """A seal's usual redness: the 90th percentile of its red pixels (at least 0.15; 1 with none)."""
    some = red > 0.05
    return max(0.15, float(np.percentile(red[some], 90))) if some.any() else 1.0


#: Grey levels under the stamp's darker strokes where print starts to count as black, and over
#: which it fades out of the stamp's ink (:func:`stamp_ink`).
BLACK_MARGIN = 15.0
BLACK_RAMP = 30.0


def stamp_ink(crop: np.ndarray) -> np.ndarray:
    """Stamp ink strength in [0, 1] around a coloured seal: how dark each pixel is, where it is red.

    Redness alone drew the ring text as smears on a phone photo: a JPEG keeps colour at half
    the resolution of brightness and quantises it hard, so the strokes' redness runs together,
    and a warm cast lifts the paper's redness too. Brightness keeps the strokes sharp, and
    redness (at least half the seal's usual) only says which dark pixels are the stamp's, so black
    print under the ring stays out. The ink is scaled between the paper's brightness and the
    stamp's darker strokes. A patent certificate's tax seal, blurred and saved at q50, read
    ``183 R68esan R`` from redness and 北京市南设区地方税务局 from this. On sharp scans redness
    reads as well or better (a transcript's seal read 专用章 from it, DENR from this), so this is
    the second reading, of a seal whose owner the first left unknown.

    >>> crop = np.full((40, 40, 3), 250, np.uint8)
    >>> crop[10:30, 18:22] = (200, 40, 40)   # a red stroke
    >>> crop[10:30, 5:8] = (20, 20, 20)      # black print
    >>> ink = stamp_ink(crop)
    >>> float(ink[20, 20]), float(ink[20, 6]), float(ink[2, 2])
    (1.0, 0.0, 0.0)
    """
    red = redness(crop)
    scale = _red_scale(red)
    gate = np.clip(red / (0.5 * scale), 0, 1)
    y = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    paper = float(np.percentile(y, 90))
    strong = red > 0.5 * scale
    ink_y = float(np.percentile(y[strong], 20)) if strong.any() else paper - 100.0
    dark = np.clip((paper - y) / max(30.0, paper - ink_y), 0, 1)
    # print much darker than the stamp's own strokes is black print under the ring, whatever
    # redness the colour's blur lent it
    black = np.clip((ink_y - BLACK_MARGIN - y) / BLACK_RAMP, 0, 1)
    return dark * gate * (1 - black)


def _to_rgb(ink: np.ndarray) -> np.ndarray:
    g = (255 - np.clip(ink, 0, 1) * 255).astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=2)


def ring_strips(image: np.ndarray, cand: SealCandidate, dark: bool = False) -> list[np.ndarray]:
    """Unwrap the ring text band of a round or oval seal.

    Returns
    -------
    list of ndarray, shape (h, w, 3) uint8
        Black ink on white. The first strip starts at the bottom of the seal and
        runs clockwise (how ring text is laid out); the second is the first
        turned 180 degrees, for text laid out the other way round.

    """
    ink = _ink_plane(image, cand, dark)
    ax = cand.axes
    r_out, r_in = 0.95, 0.55
    mean_r = (ax[0] + ax[1]) / 2
    h = max(24, int((r_out - r_in) * mean_r))
    w = max(64, int(2 * math.pi * 0.75 * mean_r))
    # rows = angles, columns = radius from r_in to r_out; angle 90 = bottom of the seal.
    # On screen (y down) increasing angle runs clockwise, i.e. left to right over the top.
    P = polar(ink, cand.center, ax, cand.angle, n_ang=w, rho=(r_in, r_out), n_rho=h,
              start_deg=90.0 - cand.angle)
    strip = P.T[::-1]  # outer edge (character tops) on top, angle along x
    rgb = _to_rgb(strip)
    # a white margin helps the recogniser with characters cut at the strip ends
    rgb = cv2.copyMakeBorder(rgb, 6, 6, 12, 12, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return [rgb, np.ascontiguousarray(rgb[::-1, ::-1])]


def centre_crop(image: np.ndarray, cand: SealCandidate, dark: bool = False) -> np.ndarray:
    """The horizontal line inside the ring (专用章 lines), as black ink on white.

    Only ink well inside the ring counts; of the horizontal bands of ink there,
    the lowest is taken for a round seal (its star sits above the text) and the
    heaviest for an oval one.
    """
    ink = _ink_plane(image, cand, dark)
    cx, cy = cand.center
    a, b = cand.axes
    H, W = ink.shape
    x0, x1 = max(0, int(cx - 0.75 * a)), min(W, int(cx + 0.75 * a))
    y0, y1 = max(0, int(cy - 0.75 * b)), min(H, int(cy + 0.75 * b))
    sub = ink[y0:y1, x0:x1].copy()
    if sub.size == 0:
        return _to_rgb(np.zeros((8, 8), np.float32))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    th = math.radians(cand.angle)
    dx, dy = xx - cx, yy - cy
    u = (dx * math.cos(th) + dy * math.sin(th)) / max(1e-6, a)
    v = (-dx * math.sin(th) + dy * math.cos(th)) / max(1e-6, b)
    sub[u * u + v * v > 0.66 ** 2] = 0
    prof = (sub > 0.3).sum(axis=1)
    on = prof > max(2, 0.02 * sub.shape[1])
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(on):
        if on[k]:
            j = k
            while j + 1 < len(on) and on[j + 1]:
                j += 1
            if j - k >= 3:
                runs.append((k, j + 1))
            k = j + 1
        else:
            k += 1
    if not runs:
        return _to_rgb(np.zeros((8, 8), np.float32))
    if cand.shape == "round":
        r0, r1 = runs[-1]
    else:
        r0, r1 = max(runs, key=lambda r: int(prof[r[0]:r[1]].sum()))
    band = sub[max(0, r0 - 3): r1 + 3]
    cols = np.flatnonzero((band > 0.3).any(axis=0))
    band = band[:, max(0, cols[0] - 3): cols[-1] + 4] if len(cols) else band
    return cv2.copyMakeBorder(_to_rgb(band), 8, 8, 12, 12, cv2.BORDER_CONSTANT, value=(255, 255, 255))


def square_strips(image: np.ndarray, cand: SealCandidate, dark: bool = False) -> list[np.ndarray]:
    """A name seal's four cells laid in a row: right column first (traditional), then row by row."""
    ink = _ink_plane(image, cand, dark)
    (cx, cy), (hx, hy), ang = cand.center, cand.axes, cand.angle
    m = cv2.getRotationMatrix2D((cx, cy), ang, 1.0)
    m[0, 2] += hx - cx
    m[1, 2] += hy - cy
    sub = cv2.warpAffine(ink, m, (max(8, int(2 * hx)), max(8, int(2 * hy))))
    H, W = sub.shape
    bx, by = int(0.1 * W), int(0.1 * H)
    sub = sub[by: H - by, bx: W - bx]
    H, W = sub.shape
    cells = {(c, r): sub[r * H // 2:(r + 1) * H // 2, c * W // 2:(c + 1) * W // 2]
             for c in (0, 1) for r in (0, 1)}
    hh = min(x.shape[0] for x in cells.values())
    ww = min(x.shape[1] for x in cells.values())

    def row(order: Sequence[tuple[int, int]]) -> np.ndarray:
        strip = np.hstack([cells[k][:hh, :ww] for k in order])
        return cv2.copyMakeBorder(_to_rgb(strip), 6, 6, 12, 12, cv2.BORDER_CONSTANT,
                                  value=(255, 255, 255))

    whole = cv2.copyMakeBorder(_to_rgb(sub), 6, 6, 6, 6, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return [row([(1, 0), (1, 1), (0, 0), (0, 1)]), row([(0, 0), (1, 0), (0, 1), (1, 1)]), whole]


def read_seal(image: np.ndarray, cand: SealCandidate, engine: OcrEngine | None,
              enough: Callable[[str], bool] | None = None, *, dark: bool = False) -> SealReading:
    """Read a candidate's text with ``engine``; an empty reading when there is none or it fails.

    Crops are read one at a time, most telling first, and reading stops as soon
    as ``enough(text so far)`` says the owner is settled (ring OCR is the
    costly part of seal handling). ``dark`` reads a coloured seal's ink as its darkness
    where it is red (:func:`stamp_ink`) instead of its redness.
    """
    if engine is None:
        return SealReading("", 0.0)
    if cand.shape == "square":
        crops = square_strips(image, cand, dark)
    else:
        fwd, back = ring_strips(image, cand, dark)
        crops = [fwd, back, centre_crop(image, cand, dark)]
    got: list[tuple[str, float]] = []
    for k, crop in enumerate(crops):
        if cand.shape != "square" and k == 1 and SealReading(*got[0]).readable:
            got.append(("", 0.0))  # the forward strip read well: skip the reversed one
            continue
        try:
            got += engine.recognize_lines([crop])[:1] or [("", 0.0)]
        except Exception as e:  # noqa: BLE001 - a failed reading must fail safe, not stop the page
            log.warning("seal text could not be read: %r", e)
            break
        reading = _combine(got, cand.shape)
        if enough is not None and reading.readable and enough(reading.text):
            return reading
    return _combine(got, cand.shape)


def _combine(got: list[tuple[str, float]], shape: str) -> SealReading:
    if not got:
        return SealReading("", 0.0)
    if shape == "square":
        # a name is short and the reading order is uncertain: keep every good reading
        good = [t for t in got if len(norm_text(t[0])) >= 2 and t[1] >= MIN_SCORE]
        if not good:
            return SealReading("", 0.0)
        return SealReading(" ".join(t[0] for t in good), max(t[1] for t in good))
    ring = max(got[:2], key=lambda t: t[1] * min(1.0, len(norm_text(t[0])) / 4))
    centre = got[2] if len(got) > 2 else ("", 0.0)
    text = ring[0] + (" " + centre[0] if centre[0] and centre[1] >= MIN_SCORE else "")
    score = ring[1]
    if not SealReading(*ring).readable and SealReading(*centre).readable:
        # a worn ring but a clear centre line (国家税务总局 on an invoice's 监制章, a unit's
        # name across an oval seal): the centre alone may tell the owner
        score = centre[1]
    return SealReading(text.strip(), score)


# --- ownership ---------------------------------------------------------------------------


def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def reads_like_unit(text: str, identity: Identity | None) -> bool:
    """Whether a seal's reading holds three characters of one of the unit's names, in order.

    Too little to call the seal the unit's, enough not to call it another body's by the name
    printed at it: a college's seal read 长作工大 over its printed 水利与环境工程学院 is
    长沙理工大学's own (a held-out phone photo kept it visible as an issuer's).

    >>> from zcmask.options import Unit
    >>> csust = Identity(name="陈楚峰", units=(Unit(name="长沙理工大学"),))
    >>> reads_like_unit("长作工大 は", csust), reads_like_unit("susn oont 田", csust)
    (True, False)
    """
    if identity is None:
        return False
    han = "".join(c for c in norm_text(text) if is_han(c))
    return any(_lcs(han, norm_text(u)) >= 3 for u in identity.unit_names)


def _core(unit: str) -> str:
    s = norm_text(unit)
    for g in GENERIC:
        s = s.replace(g, "")
    for suf in LEGAL_SUFFIXES:
        s = s.replace(suf, "")
    return s or norm_text(unit)


def fuzzy_contains(hay: str, needle: str) -> float:
    """Share of ``needle``'s characters found in order in ``hay`` (both folded), in [0, 1].

    Examples
    --------
    >>> fuzzy_contains("巴州某某电力有限公司财务专用章", "巴州某某电力有限公司")
    1.0

    """
    h, n = norm_text(hay), norm_text(needle)
    if not n:
        return 0.0
    return _lcs(n, h) / len(n)


def loose_match(hay: str, needle: str) -> bool:
    """Whether ``needle`` appears in ``hay`` with the slips of a ring reading.

    Ring OCR misreads about one character in three on worn or photographed
    seals, so a needle of ``n >= 4`` folded characters matches when at least
    ``n - n // 3`` of them are found in order inside a window of ``hay`` not
    much longer than the needle (the characters must stay together, so common
    characters scattered over a long reading do not add up). Shorter needles
    must appear exactly.

    Examples
    --------
    >>> loose_match("新疆某杲职业技木学院", "新疆某某职业技术学院")
    True
    >>> loose_match("新疆维吾尔自治区教育厅", "新疆大学")
    False

    """
    h, n = norm_text(hay), norm_text(needle)
    if len(n) < 2:
        return False
    if n in h:
        return True
    if len(n) < 4:
        return False
    need = len(n) - len(n) // 3
    width = len(n) + 2
    if len(h) <= width:
        return _lcs(n, h) >= need
    return any(_lcs(n, h[i:i + width]) >= need for i in range(len(h) - width + 1))


def unit_matches(text: str, identity: Identity) -> bool:
    """Whether a seal reading names one of the applicant's units (full name, short form or core)."""
    folded = norm_text(text)
    for unit in identity.unit_names:
        core = _core(unit)
        if len(core) >= 2 and (core in folded or fuzzy_contains(folded, core) >= 0.7):
            return True
        if len(norm_text(unit)) >= 4 and fuzzy_contains(folded, unit) >= 0.75:
            return True
        if loose_match(folded, core) or loose_match(folded, unit):
            return True
        if _fragment_of(folded, unit):
            return True
    return False


#: Words that say nothing about which organisation a fragment of a ring belongs to.
_PLAIN_WORDS = (*GENERIC, *LEGAL_SUFFIXES, *AUTHORITY_WORDS, *EVENT_WORDS, "研究院", "研究所", "医院", "中心", "委员会",
                "管理局", "专用章", "发票", "财务", "合同", "人民", "中国", "省", "市", "县", "区", "局", "厅",
                "印", "章")
_REGION_ENDS = ("省", "市", "县", "区", "州", "盟", "旗")
_PLAIN_SORTED = sorted(_PLAIN_WORDS, key=len, reverse=True)


def _fragment_of(folded: str, unit: str) -> bool:
    """Whether a partial ring reading holds a piece of the unit's own name.

    A worn or half-read ring often yields only a few characters of the name
    (``华大学`` of 清华大学国情研究院, ``業务办公室`` of a school office). A piece
    of three characters or more that the reading shares with the unit's name
    names the unit as well, unless all it holds is the unit's region (which its
    authorities share: 乌鲁木齐市) or words common to any organisation (大学,
    有限公司, 人力资源 …).

    Examples
    --------
    >>> _fragment_of("华大学", "清华大学国情研究院")
    True
    >>> _fragment_of("大学公业务華大学业务办公室", "清华大学软件学院业务办公室")
    True
    >>> _fragment_of("有限公司", "北京某某科技有限公司")
    False
    >>> _fragment_of("乌鲁木齐市", "乌鲁木齐市第一人民医院")
    False
    >>> _fragment_of("乌鲁木齐市人力资源和社会保障局", "乌鲁木齐市人力资源服务中心")
    False

    A piece of a Latin name needs :data:`LATIN_FRAGMENT` letters: three letters say nothing (a
    transcript's seal read DENR was the unit's because School of Resource and Environmental
    Sciences holds ``den``).

    >>> _fragment_of("denr", "School of Resource and Environmental Sciences")
    False
    >>> _fragment_of("wuhanunive", "Wuhan University")
    True

    """
    u = norm_text(unit)
    if len(folded) < 3 or len(u) < 3:
        return False
    region = next((i + 1 for i, ch in enumerate(u[:10]) if ch in _REGION_ENDS), 0)
    # the maximal pieces the reading shares with the name
    run = np.zeros((len(folded) + 1, len(u) + 1), np.int32)
    for i, a in enumerate(folded, 1):
        for j, b in enumerate(u, 1):
            if a == b:
                run[i, j] = run[i - 1, j - 1] + 1
    for i in range(1, len(folded) + 1):
        for j in range(1, len(u) + 1):
            n = int(run[i, j])
            if n < 3 or (i < len(folded) and j < len(u) and run[i + 1, j + 1] > n):
                continue
            piece = u[max(j - n, region):j]
            for w in _PLAIN_SORTED:
                piece = piece.replace(w, "")
            if piece and (any(map(is_han, piece)) or len(piece) >= LATIN_FRAGMENT):
                return True
    return False


#: Least letters of a piece of a Latin unit name that name the unit (:func:`_fragment_of`).
LATIN_FRAGMENT = 6


#: Characters of a name's region or kind that two different organisations share.
_SHARED_CHARS = frozenset("省市县区州中国学院校")


def _like_own(folded: str, words: Sequence[str], identity: Identity) -> bool:
    """Whether a reading that ends like the unit's name (…大学) may be the unit's, misread.

    The characters read before that ending share one with the unit's own name before it
    (广百海政 | 大学 and 广西科技 | 大学, not 北京 | 大学 and 清华 | 大学), region and kind
    characters (:data:`_SHARED_CHARS`) aside.
    """
    for w in words:
        head = set(folded[:folded.rfind(w)]) - _SHARED_CHARS
        for unit in identity.unit_names:
            u = norm_text(unit)
            if w in u and head & (set(u[:u.find(w)]) - _SHARED_CHARS):
                return True
    return False


def _provincial_body(folded: str, own: str) -> bool:
    """Whether a reading is a province's department, bureau or commission (山东省教自厅).

    Its name holds a province or a city early on (a name of :data:`PROVINCES`, or 省, 市 or
    自治区 after a character or more, within the first ten characters read: 元南省 is 云南省
    misread, and a league's 中国共产主义青年团云南省委员会 names it ninth) and ends in
    :data:`BODY_ENDS`, with at least :data:`ISSUER_NAME_CHARS` Chinese characters, and its
    ending is not one the applicant's own unit has.

    >>> _provincial_body("山东省人力盗源和社会员陷厅", "中国海洋大学"), _provincial_body("元南省劫自厅", "")
    (True, True)
    >>> _provincial_body("山东省科学技术终会", ""), _provincial_body("新疆维吾尔自治区地矿局", "新疆维吾尔自治区地质矿产勘查开发局")
    (True, False)
    >>> _provincial_body("科学技术终会", ""), _provincial_body("国家知识产权局利审查业务", "南京信息工程大学")
    (False, True)
    """
    han = "".join(c for c in folded if is_han(c))
    end = next((e for e in BODY_ENDS if han.endswith(e)), None)
    if end is None:
        # a bureau's or department's seal for one purpose: its name, then the purpose across
        # the middle (国家知识产权局 / 专利审查业务章 read 国家知识产权局 利审查业务)
        cut = next((i for i, c in enumerate(han) if c in _PURPOSE_ENDS and i + 1 >= ISSUER_NAME_CHARS), None)
        if cut is not None and len(han) - cut - 1 <= _PURPOSE_CHARS:
            han, end = han[:cut + 1], han[cut]
    if end is None or end in own or len(han) < ISSUER_NAME_CHARS:
        return False
    head = han[:10]
    return any(p in head for p in PROVINCES) or any(head.find(r) > 0 for r in _REGION_WORDS)


#: How the seal of a ministry or a national administration begins (中华人民共和国教育部).
NATION = "中华人民共和国"
#: Least characters of a body's own name read after :data:`NATION` (教育部, 国家版权局).
NATION_BODY_CHARS = 2
#: Most characters of :data:`NATION` misread where four of them in a row are read as printed.
NATION_WRONG = 3
#: Least characters of a nationwide body's name after 全国 on its ring (全国冶金焦化信息网: 7).
NATIONWIDE_BODY_CHARS = 5


def _national_body(folded: str, own: str) -> bool:
    """Whether a reading is a ministry's or a national administration's seal (中华人民共和国教育部).

    Such a seal begins with :data:`NATION`, here read with at most one character wrong
    (a phone photo's 中华人民共超国教真第) or from 人民共和国 on (a scan's 人民共和国国家夜权民的,
    国家版权局), and names a body after it; not when the applicant's own unit holds that name (a
    customs house, 中华人民共和国乌鲁木齐海关, is a unit an applicant may work for).
    Up to :data:`NATION_WRONG` of its characters may be misread where 中华人民 or 人民共和 is read
    whole in its place: a phone photo of a 软考 certificate read its two ministries' seals
    中华人民兵提据人力各画观社会国康器 (人力资源和社会保障部) and 中海人民共和期工业检集息化您
    (工业和信息化部).

    >>> _national_body("中华人民共超国教真第", ""), _national_body("人民共和国国家夜权民的", "南京信息工程大学")
    (True, True)
    >>> _national_body("中华人民兵提据人力各画观社会国康器", ""), _national_body("中海人民共和期工业检集息化您", "")
    (True, True)
    >>> _national_body("中华人民共和国", ""), _national_body("中华人民共和国乌鲁木齐海关", "中华人民共和国乌鲁木齐海关")
    (False, False)
    >>> _national_body("中国人民银行新疆分行", ""), _national_body("中华民族团结进步促进会", "")
    (False, False)

    A ring that begins with 全国 and names a body of :data:`NATIONWIDE_BODY_CHARS` characters or
    more after it is a nationwide body's too (a scanned appraisal certificate's 全国冶金焦化信息网,
    read 全国治金集化伤量员, was masked as unknown), unless the unit's own name has 全国:

    >>> _national_body("全国治金集化伤量员", ""), _national_body("全国治金", ""), _national_body("全国治金集化伤量员", "全国冶金焦化信息网")
    (True, False, False)
    """
    han = "".join(c for c in folded if is_han(c))
    if han.startswith("全国") and "全国" not in own and len(han) - 2 >= NATIONWIDE_BODY_CHARS:
        return True
    if "人民共和国" in own:
        return False
    for word, wrong in ((NATION, 1), (NATION[2:], 0)):  # whole, or its first two characters unread
        i = _misread_at(han, word, wrong)
        if i >= 0:
            return len(han) - i - len(word) >= NATION_BODY_CHARS
    i = 0
    while (i := _misread_at(han, NATION, NATION_WRONG, i)) >= 0:
        if han[i:i + 4] == NATION[:4] or han[i + 2:i + 6] == NATION[2:6]:
            return len(han) - i - len(NATION) >= NATION_BODY_CHARS
        i += 1
    return False


#: Endings of a body's name that a seal's purpose may follow (:func:`_provincial_body`), and
#: how many characters that purpose has at most (专利审查业务章).
_PURPOSE_ENDS = ("局", "厅", "会")
_PURPOSE_CHARS = 8

#: What follows a province's or city's name (:func:`_provincial_body`).
_REGION_WORDS = ("省", "市", "自治区")


def authority_by_own_words(text: str, identity: Identity | None) -> bool:
    """Whether a reading :func:`owner_of` named an authority rests only on words the unit has too.

    Asked by the caller of :func:`owner_of` once it answered ``authority`` (not read again here).

    A ring of 广西科技大学's own seal misread as 武像大学 ends in 大学 like another
    university's name (:func:`_like_own` finds nothing of the unit's in 武像); the caller
    then looks at what is printed under the seal.

    >>> from zcmask.options import Unit
    >>> ident = Identity(name="梁慧", units=(Unit(name="广西科技大学"),))
    >>> authority_by_own_words("武像大学", ident), authority_by_own_words("广西壮族自治区教育厅", ident)
    (True, False)
    >>> owner_of("广百海政大学", ident, "round"), owner_of("北京大学", ident, "round")
    ('unknown', 'authority')
    """
    if identity is None:
        return False
    folded = norm_text(text)
    own = "".join(norm_text(u) for u in identity.unit_names)
    words = [w for w in AUTHORITY_WORDS if w in folded]
    return (bool(words) and all(w in own for w in words)
            and not _provincial_body(folded, own) and not _national_body(folded, own)
            and not any(w in folded and w not in own for w in EVENT_WORDS))


#: How the name of an alliance or a society ends (示范性软件学院联盟, 中国计算机学会).
ASSOCIATION_ENDS = ("联盟", "协会", "学会", "研究会", "联合会", "基金会", "促进会")
#: Who a unit's own union is of, just before :data:`ASSOCIATION_ENDS` (学生联合会, 研究生联合会).
OWN_MEMBERS = ("学生", "研究生")


#: How a nationwide society's or association's name starts (中国数学会, 全国…协作组).
NATIONWIDE = ("中国", "中华", "全国")


def _national_society(text: str, own: str) -> bool:
    """Whether a piece of a reading is a nationwide society, association or foundation (中国数学会).

    It starts with :data:`NATIONWIDE`, ends in :data:`ASSOCIATION_ENDS` and has five Chinese
    characters or more; such bodies sign contest awards and training certificates and employ
    few applicants, whose own unit's name is matched first (:func:`owner_of`). The start's first
    character may be misread where its second is right (a scanned award's 中国电子学会 read
    出国由子学会 was masked as unknown). Not when the unit's own name has that start or that
    ending: a blurred 中国集邮公司 seal reads 中国聚爱公益联盟, and is masked as unknown.

    >>> _national_society("中国数学会", ""), _national_society("中国半导体行业协会 0", "")
    (True, True)
    >>> _national_society("出国由子学会", ""), _national_society("出国由子学会", "中国电子学会"), _national_society("出国学会", "")
    (True, False, False)
    >>> _national_society("中国学会", ""), _national_society("中国化学会", "中国化学会"), _national_society("新疆数学会", "")
    (False, False, False)
    >>> _national_society("中国聚爱公益联盟", "中国集邮公司")
    False
    """
    for piece in text.split():
        han = "".join(c for c in piece if is_han(c))
        end = next((w for w in ASSOCIATION_ENDS if han.endswith(w)), None)
        start = next((w for w in NATIONWIDE if han[1:2] == w[1]), None)  # 中 misread: 国 or 华 still right
        if end and start and end not in own and start not in own and len(han) >= 5:
            return True
    return False


#: English words of an organisation's name, as a Hong Kong or foreign body's seal rings it.
_ORG_WORDS_EN = ("school", "university", "college", "education", "association", "society", "committee",
                 "institute", "foundation", "council", "limited", "company", "corporation", "academy",
                 "centre", "center", "federation", "professional", "continuing", "international", "department")


def _near_word(word: str, vocabulary: Sequence[str]) -> bool:
    """Whether ``word`` is one of ``vocabulary`` with at most one letter left out, added or wrong."""
    w = word.lower()
    for v in vocabulary:
        if w == v or (len(v) >= 6 and abs(len(w) - len(v)) <= 1 and _edit_at_most_one(w, v)):
            return True
    return False


def _edit_at_most_one(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _foreign_ring(text: str, identity: Identity | None) -> bool:
    """Whether a ring reads as an organisation's English name, none of the applicant's.

    A mainland unit's official seal is in Chinese (with Uyghur, Kazakh … in the autonomous
    regions); an English ring is a Hong Kong or foreign issuer's (a held-out photo's HKU
    SPACE seal read ``U SCHOL OF PROFESSIONAL & CONTINUIG EDUCATION H``). Two words of
    :data:`_ORG_WORDS_EN` or more, each read with at most one letter wrong, hardly any Chinese
    character, and no Latin name the applicant gave for a unit.

    >>> _foreign_ring("U SCHOL OF PROFESSIONAL & CONTINUIG EDUCATION H", None)
    True
    >>> _foreign_ring("SYKXTK 國", None), _foreign_ring("新疆大学 UNIVERSITY", None)
    (False, False)
    """
    if sum(map(is_han, text)) >= 2:
        return False
    words = re.findall(r"[A-Za-z]{4,}", text)
    if sum(_near_word(w, _ORG_WORDS_EN) for w in words) < 2:
        return False
    return not (identity is not None and names_unit_in_latin(text, identity))


#: Words of a company's name (an applicant's unit that holds one may be a company).
COMPANY_WORDS = ("公司", "集团", "企业", "有限", "银行", "事务所", "厂", "合作社", "商行")
#: How the name of a unit that is no company ends: schools, hospitals, institutes, public bodies.
PUBLIC_ENDS = ("大学", "学院", "学校", "中学", "小学", "幼儿园", "学部", "系", "医院", "卫生院", "研究院",
               "研究所", "科学院", "局", "厅", "部", "委员会", "政府", "法院", "检察院", "党校", "馆")
#: How a company's ring ends its name (北京百度网讯科技有限公司).
COMPANY_ENDS = ("有限责任公司", "股份有限公司", "有限公司")
#: Least Chinese characters of a company's own name read before :data:`COMPANY_ENDS`.
COMPANY_NAME_CHARS = 4


def _company_of_other_kind(text: str, identity: Identity | None) -> bool:
    """Whether a reading is a company's full name while the applicant's unit is no company.

    A training provider's or a contest sponsor's seal (北京百度网讯科技有限公司 on an AI
    engineer certificate, 北京统计之都数据科技有限公司 co-signing a conference invitation)
    is an issuer's. Read whole, no rule named it, and it was masked as unknown. A company's
    ring is kept only where the applicant's unit cannot be a company (a school, a hospital, a
    bureau: every unit's full name ends in :data:`PUBLIC_ENDS`, and none of its names holds
    :data:`COMPANY_WORDS`): a misread ring of the unit's own seal does not end in 有限公司.
    For a unit that is or may be a company (a short name typed in, 嘉华), another company's
    name may be its own ring misread, and it stays masked (fail safe).

    >>> from zcmask.options import Unit
    >>> tyut = Identity(name="曹轩瑜", units=(Unit(name="太原理工大学"),))
    >>> _company_of_other_kind("0北京百度网讯科技有限公司 大", tyut), _company_of_other_kind("科技有限公司", tyut)
    (True, False)
    >>> grid = Identity(name="王建国", units=(Unit(name="国网新疆电力有限公司巴州供电公司"),))
    >>> _company_of_other_kind("北京百度网讯科技有限公司", grid), _company_of_other_kind("北京百度网讯科技有限公司", None)
    (False, False)
    >>> _company_of_other_kind("嘉毕实业有限公司", Identity(name="张三", units=(Unit(name="嘉华"),)))
    False
    """
    if identity is None or not identity.units:
        return False
    if not all(norm_text(u.name).endswith(PUBLIC_ENDS) for u in identity.units):
        return False
    if any(w in norm_text(u) for u in identity.unit_names for w in COMPANY_WORDS):
        return False
    for piece in text.split():
        han = "".join(c for c in norm_text(piece) if is_han(c))
        end = next((e for e in COMPANY_ENDS if han.endswith(e)), None)
        if end is not None and len(han) - len(end) >= COMPANY_NAME_CHARS:
            return True
    return False


def names_unit_in_latin(text: str, identity: Identity) -> bool:
    """Whether ``text`` may print a Latin name of the applicant's unit.

    A Latin name given for it, a school's pinyin name (:func:`latin_unit_forms`), or the pinyin
    of the unit's first two characters (its place: Xinjiang, Bazhou): a unit's English name is
    seldom given, and it mostly starts with its place. Letters only, case and spaces ignored.
    """
    letters = re.sub(r"[^a-z]", "", text.lower())
    for name in identity.unit_names:
        for latin in (re.sub(r"[^a-z]", "", name.lower()), *latin_unit_forms(name), leading_pinyin(name)):
            if len(latin) >= 4 and latin in letters:
                return True
    return False


def is_association(text: str, identity: Identity | None) -> bool:
    """Whether a reading is the full name of an alliance or a society named after the applicant's unit.

    An alliance's name may hold a unit name the applicant gave (a competition's organiser,
    示范性软件学院联盟, on the award of a 新疆大学软件学院 student who gave 软件学院: it matched the
    unit, and the issuer's seal was masked as the applicant's). The reading ends in
    :data:`ASSOCIATION_ENDS`, has at least :data:`ISSUER_NAME_CHARS` Chinese characters and holds
    one of the applicant's unit names, as given, before that ending; a unit that is itself such a
    body keeps its seal. A reading that only resembles the unit (a blurred 中国集邮公司 read
    中国聚爱公益联盟) is left to the unit's loose match.

    >>> from zcmask.options import Unit
    >>> se = Identity(name="王菡悦", units=(Unit(name="新疆大学软件学院", aliases=("新疆大学", "软件学院")),))
    >>> is_association("示范性软件学院联盟", se), is_association("共青团新疆大学委员会", se)
    (True, False)
    >>> stamps = Identity(name="张三", units=(Unit(name="中国集邮公司"),))
    >>> is_association("中国聚爱公益联盟", stamps), is_association("学院联盟", se)
    (False, False)
    >>> is_association("新疆软件行业协会", Identity(name="张三", units=(Unit(name="新疆软件行业协会"),)))
    False

    The unit's own students' union is the unit's (四川大学锦江学院学生联合会 signs a writing
    contest's honour for that college's student), as a league committee is:

    >>> is_association("四川大学锦江学院学生联合会", Identity(name="张三", units=(Unit(name="四川大学锦江学院"),)))
    False
    """
    if identity is None:
        return False
    han = "".join(c for c in norm_text(text) if is_han(c))
    own = "".join(norm_text(u) for u in identity.unit_names)
    end = next((w for w in ASSOCIATION_ENDS if han.endswith(w) and w not in own), None)
    if end is None or len(han) < ISSUER_NAME_CHARS:
        return False
    head = han[:-len(end)]
    forms = [f for f in (norm_text(u) for u in identity.unit_names) if len(f) >= 2]
    if head.endswith(OWN_MEMBERS) and any(len(f) >= 4 and f in head for f in forms):
        return False
    return any(f in head for f in forms)


def _whole_provincial_body(text: str, folded: str, identity: Identity, own: str) -> bool:
    """Whether one piece of the reading is a province's department read whole, the unit's name not in it.

    A scholarship's 河南省教育厅 seal, read 河南省教育厅 大 with the ring's last character apart,
    was matched loosely with 河南大学 (河, 南 and 大 in order) and masked as the applicant's. A
    piece that is a provincial body by itself (:func:`_provincial_body`) names the issuer,
    unless the reading holds one of the unit's names (or its core) whole.

    >>> from zcmask.options import Unit
    >>> ident = Identity(name="彭心一", units=(Unit(name="河南大学"),))
    >>> [_whole_provincial_body(t, norm_text(t), ident, "河南大学") for t in ("河南省教育厅 大", "河南大学 河南省教育厅")]
    [True, False]
    """
    if any(n in folded for u in identity.unit_names for n in (norm_text(u), _core(u)) if len(n) >= 2):
        return False
    return any(_provincial_body(norm_text(p), own) for p in text.split() if len(norm_text(p)) < len(folded))


def owner_of(text: str, identity: Identity | None, shape: str) -> str:
    """``applicant``, ``authority`` or ``unknown`` for a seal reading ``text``.

    The applicant is tried first and loosely (:func:`unit_matches`), so a unit
    that is itself a school, hospital or bureau is not taken for an authority
    because its ring reading holds 学院 or 局; authority words decide only
    when the reading does not match the applicant; a word the applicant's own unit
    holds counts only where it ends the reading (北京大学 is an authority for a
    university institute's applicant, the institute's own misread ring 武像大学会 is
    unknown and masked).

    >>> from zcmask.options import Unit
    >>> ident = Identity(name="张三", units=(Unit(name="清华大学国情研究院"),))
    >>> owner_of("武像大学会", ident, "round"), owner_of("新疆维吾尔自治区教育厅", ident, "round")
    ('unknown', 'authority')
    """
    folded = norm_text(text)
    if not folded:
        return "unknown"
    own = "".join(norm_text(u) for u in identity.unit_names) if identity is not None else ""
    if is_association(folded, identity):
        return "authority"  # an alliance or a society of its own, named after a unit like the applicant's
    if identity is not None and _whole_provincial_body(text, folded, identity, own):
        return "authority"
    if identity is not None:
        if unit_matches(folded, identity):
            return "applicant"
        for name in (identity.name, *identity.aliases):
            n = norm_text(name)
            if not n:
                continue
            need = len(n) if len(n) <= 2 else len(n) - 1
            if n in folded or (shape == "square" and _lcs(n, folded) >= need):
                return "applicant"
    # A word the applicant's own unit has (大学 for 清华大学国情研究院) names an authority only
    # where it ends the reading, as another university's full name does (北京大学): 武像大学会,
    # read off that institute's own seal, is not an authority.
    words = [w for w in AUTHORITY_WORDS if w in folded and (w not in own or folded.endswith(w))]
    if words and all(w in own for w in words) and identity is not None and _like_own(folded, words, identity):
        return "unknown"  # 广百海政大学 off 广西科技大学's own ring: masked, not kept as another school's
    if words:
        return "authority"
    if _provincial_body(folded, own) or _national_body(folded, own) or _national_society(text, own):
        return "authority"
    if _foreign_ring(text, identity) or _company_of_other_kind(text, identity):
        return "authority"
    named = _without_league(folded)
    if named != folded and any(w in named for w in LEAGUE_CENTRAL):
        return "authority"  # 共青团中央 (中国共产主义青年团中央委员会, 中 read 4): no unit's own league
    for w in EVENT_WORDS:
        if w in own:
            continue
        if w in folded:
            rest = named.replace(w, "")
        elif len(w) >= EVENT_WORD_MISREAD and (i := _misread_at(named, w, 1)) >= 0:
            rest = named[:i] + named[i + len(w):]  # 组织委员会 read 用织委员会 off a contest's ring
        else:
            continue
        if sum(map(is_han, rest)) >= ISSUER_NAME_CHARS:
            return "authority"
    return "unknown"
