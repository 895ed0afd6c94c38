"""A second look for a faint seal stamped over the applicant's unit's printed name.

A unit signs a letter or a certificate with its name printed at the foot and its seal stamped
over that name and the date. On a phone photo the seal can be too faint for the page-wide
search (:mod:`zcmask.locate._seal_find`): under glare, or on orange award paper nearly as red as
the ink. Its ring text still shows the unit's name to a reader. Where the unit's name is printed
as a signature (much of a short line) and no seal was found over it, a window around it
is searched again for a ring of faint stamp ink (ink a few levels redder than its
surroundings), and a ring found there that overlaps the name is masked as the unit's seal.
Only there: page-wide, so loose a test finds rings in every pink pattern and red flower.

A second place is beside a round seal that was found: two bodies signing a certificate stamp
two seals of one size side by side, and one of them can be too faint (:func:`faint_seals_beside`).

A ring's evidence holds only within a few percent of its radius of its true centre, so
centres are proposed by a ring filter (faint ink on an annulus less ink just outside it),
not only by a grid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap
from zcmask.locate._seal_find import (
    FAINT_RED,
    RingEvidence,
    SealCandidate,
    _clean_ring,
    _dark_mask,
    _drop_lines,
    _over_smaller,
    faint_ink,
    grey_paper,
    is_grayish,
    paper_table,
    ring_evidence,
    stamp_inks,
)
from zcmask.locate._variants import is_han
from zcmask.results import Region, TextLine

log = logging.getLogger(__name__)

#: Longest side of a window, in px, at which it is searched.
WINDOW_SIDE = 480
#: How far around the unit's printed name to look, in heights of that line.
REACH = 7.0
#: A seal's radius, in heights of the line it is stamped over.
RADIUS = (1.2, 6.0)
#: Least share of a window that is faint stamp ink for a ring to be looked for (the faint seals
#: of real photos: 0.10 to 0.18 of their windows; a page's red title or rule: about 0.02).
MIN_INK = 0.04
#: Side, in heights of the unit's line, of the square in which a seal's ink is also measured: a
#: small seal fills a fiftieth of its 14-line-height window (a real scan's faint pink party seal,
#: 4.6 line heights across: 0.014 of the window, 0.16 of the densest square of three line heights).
LOCAL_SIDE = 3.0
#: Least share of faint stamp ink in the densest such square.
LOCAL_MIN_INK = 0.08
#: How much redder than grey a ring's ink may be round the unit's own printed signature when no
#: ring shows at :data:`zcmask.locate._seal_find.FAINT_RED` (grey levels): a scanned invitation's
#: faded grey-violet 华东师范大学统计学院 seal is only 6 to 11 levels redder, its ring about half
#: under 8. Searched at 6 first, a held-out photo's seal on red guilloche was fitted worse; searched
#: again wherever no ring showed, a synthetic folder's pages cost 33 ms more each: only a window with
#: too little ink at 8 to be searched at all is searched at 6 instead.
SIGNATURE_RED = 6
#: A proposed centre whose ring shows at least this much is moved to where its ring is best
#: (:func:`_climb`, in both searches, when no proposed centre makes a ring): a faint ring broken in
#: places pulls the ring filter's peak off by a tenth of its radius, and the ring's evidence holds
#: only a few percent from its centre (a real faint seal re-saved at JPEG q75: 0.41 at the filter's
#: best centre, 0.74 at its own).
CLIMB_RING = 0.35
#: Share of its line the unit's name must fill, and most characters of that line, for a signature
#: (共青团成都信息工程大学委员会 signs for a university's youth league; body text runs longer).
SIGNATURE_SHARE = 0.4
SIGNATURE_CHARS = 24
#: Radii tried over a second signature of the unit, as shares of the faint seal found over the first.
SIBLING_RADII = (0.8, 0.9, 1.0, 1.1, 1.25)
#: Where a seal's neighbour is looked for: its centre this many of the found seal's radii away.
SIDE = (1.6, 4.5)
#: Least share of faint stamp ink in a window beside a seal (the found seal's own ink left out): a
#: neighbour of its size fills about a seventh of the window (real faint ones: 0.024 and 0.036).
BESIDE_MIN_INK = 0.02
#: Most share of faint stamp ink in that window for :func:`_beside_ok`: more is the paper's own
#: pattern (pink guilloche paper measured 0.14 to 0.20 round real pages' seals, and half rings were
#: traced in its waves: ring 0.45 to 0.56). There a ring must be as whole as a faint seal's
#: (:func:`_ring_ok`; a faded seal beside a found one on that paper: ring 0.88).
BESIDE_MAX_INK = 0.1
#: A ring beside a seal thicker than this share of its radius must show :data:`BESIDE_THICK_RING` of
#: itself or ring text round :data:`BESIDE_THICK_TEXT` of it. Real faint seals found beside one
#: measured 0.09 to 0.17 thick; thicker, 0.30 with 0.74 of the ring, and 0.39 with 0.47 of the ring
#: but ring text round 0.68. What was taken for one and was not: a scroll printed in a certificate's
#: corner (ring 0.52, text 0.44, 0.33 thick), red print on a transcript photo and on a thesis cover
#: (ring 0.45 and 0.54, text 0.43 and 0.52, 0.37 and 0.36 thick).
BESIDE_THICKNESS = 0.25
BESIDE_THICK_RING = 0.7
BESIDE_THICK_TEXT = 0.6
#: At most this many seals of a page are looked beside.
MAX_BESIDE = 6
#: A seal is round, and looked beside, when its box is at most this much longer than wide.
ROUND = 1.15
#: Centres proposed per radius by the ring filter (:func:`_ring_centres`).
CENTRES = 3
#: Radii tried are 1.25 apart; a ring proposed at one is also measured this much smaller.
HALF_STEP = float(np.sqrt(1.25))



def _ring_ok(ev: RingEvidence) -> bool:
    # a clean ring: the faint seals found on real photos measure ring 0.73 to 0.79 with no ink just
    # outside; rings traced in invoices' red print and table rules 0.60 to 0.65, most with ink outside
    return _clean_ring(ev, ring=0.7, outside=0.1, text=0.2)


def _starred_ok(ev: RingEvidence) -> bool:
    # round the seal's solid star the prior is strong too: part of the ring lost to a light stamp
    # with clean paper around it (a real scan's pale 平顶山学院 seal, its lower right faded: ring
    # 0.67, nothing outside, text 0.51, a ring 0.06 of its radius thick; 0.53 once re-saved at JPEG
    # q75); a thin ring only (an invoice's red labels and rules round a bold character: 0.27 thick)
    # Less still of a thinner ring with ring text round more of it and nothing outside: the same
    # diploma shrunk to 1280 px and re-saved at q75, ring 0.46, text 0.42, 0.05 thick
    return ((_clean_ring(ev, ring=0.5, outside=0.05, text=0.3) and ev.thickness <= STAR_RING_THICKNESS)
            or (_clean_ring(ev, ring=0.4, outside=0.02, text=0.4) and ev.thickness <= 0.1))


def _bare_ring_ok(ev: RingEvidence) -> bool:
    # over the unit's own signature, a ring of a seal's size nearly whole, thin, with nothing just
    # outside it and not filled, even with no characters showing: a phone photo of a scholarship
    # certificate, the 学生处 seal's ring red (0.79 of the angles, 0.73 re-saved at q75; nothing
    # outside, 0.09 to 0.13 thick as its centre is found), its characters a pale grey-violet that is
    # not faint stamp ink (text 0.03 to 0.05); as whole a ring as a faint seal's with its characters
    # (:func:`_ring_ok`). A 〇 in the date is smaller than the radii tried (1.2 line heights and up)
    return ev.ring >= 0.7 and ev.outside <= 0.02 and ev.thickness <= 0.15 and ev.fill <= 0.2


def _blurred_star_ok(ev: RingEvidence) -> bool:
    # round a star blurred by re-compression (:data:`BLURRED_STAR`, the solidity of an invoice's
    # bold red characters too), a thin ring with no ink outside and text inside: a real pale HR
    # seal shrunk to 1280 px and re-saved at q75 showed ring 0.62, outside 0, text 0.53, 0.07 thick
    return _clean_ring(ev, ring=0.55, outside=0.02, text=0.4) and ev.thickness <= 0.1


def _beside_ok(ev: RingEvidence) -> bool:
    # beside a seal of its size the prior is strong: half a ring (the rest under print or lost to
    # uneven light, as on a real photo's faint 教务处 seal: ring 0.49) with clean paper around it,
    # and ring text around much of it (real faint seals 0.44 to 0.74; a certificate's printed
    # border crossing text on a photo of two certificates: 0.36)
    return _clean_ring(ev, ring=0.45, outside=0.15, text=0.4) and (
        ev.thickness <= BESIDE_THICKNESS or ev.ring >= BESIDE_THICK_RING or ev.text >= BESIDE_THICK_TEXT)


#: On a page with no colour (a grey scan, a photocopy) a seal's ink is grey like the print's, so the
#: search round the unit's signature looks for a ring of dark ink instead (:meth:`PageWindows.grey_ring`):
#: ink found at full size is kept where it is at least this share of a pixel of the window searched
#: (a faint seal's dotted ring, a phone photo's grey copy, vanished when the window was shrunk first).
GREY_INK_SHARE = 0.2
#: Dark ink in pieces at least this many heights of the signing line thick (a desk, a shadow, a
#: photo's dark border round the sheet) is no ink of a ring: it is left out.
GREY_SOLID = 1 / 3
#: Whether a page has colour is told from every few pixels, about this many along its longer side.
GREY_SAMPLE_SIDE = 300
#: Thickest ring of dark ink, as a share of its radius (:func:`_grey_ring_ok`).
GREY_THICKNESS = 0.2


def _grey_ring_ok(ev: RingEvidence) -> bool:
    # the same clean ring as a faint seal's (:func:`_ring_ok`: grey copies of two held-out phone
    # photos' seals over the unit's signature measured ring 0.85 and 0.96, nothing outside), and
    # thin (theirs 0.11 and 0.14 of the radius; print traced as a ring, 0.37); a function of its
    # own, so that the looser tests round a star or of a bare ring, which are for stamp ink alone,
    # are not tried on grey ink, which holds the print as well
    return _ring_ok(ev) and ev.thickness <= GREY_THICKNESS


def faint_unit_seals(image: np.ndarray, unit_boxes: Sequence[tuple[float, float, float, float]],
                     lines: Sequence[TextLine], known: Sequence[tuple[int, int, int, int]], *,
                     page: PageWindows | None = None) -> list[Region]:
    """``seal`` regions for faint rings stamped over the unit's name printed as a signature.

    Once one is found, the unit's other signatures on the page (its league committee, its student
    union and a club signing one award side by side, each stamping its own seal) are searched
    again as a found seal's neighbour is: half a ring of about its size, a few levels greyer
    (a held-out phone capture's three faint seals: the first found, the third only so).

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    unit_boxes : sequence of (x0, y0, x1, y1)
        Where the unit's name was found printed.
    lines : sequence of TextLine
        The page's lines (a unit box that is much of a short line is a signature).
    known : sequence of (x0, y0, x1, y1)
        Seals found already; a name under one is not searched again.
    page : PageWindows or None
        The page's windows, shared with :func:`faint_seals_beside` (its paper measured once).

    """
    H, W = image.shape[:2]
    out: list[Region] = []
    rings: list[float] = []  # the radii of the faint seals found
    # the signatures searched in vain: window, area of centres, side of the densest square
    unsealed: list[tuple[tuple[int, int, int, int], tuple[float, float, float, float], float]] = []
    paper = page or PageWindows(image)
    for x0, y0, x1, y1 in dict.fromkeys(tuple(b) for b in unit_boxes):  # a unit matched twice: once
        lh = y1 - y0
        signing = _signature(x0, y0, x1, y1, lines) if lh >= 6 and x1 - x0 >= 2 * lh else None
        if signing is None:
            continue
        if any(boxes_overlap(b, (x0, y0, x1, y1)) for b in known) or any(boxes_overlap(r.bbox, (x0, y0, x1, y1)) for r in out):
            continue
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        reach = LOCAL_SIDE * lh  # round the whole signing line too
        window = (int(max(0, min(x0, cx - REACH * lh, signing[0] - reach))), int(max(0, cy - REACH * lh)),
                  int(min(W, max(x1, cx + REACH * lh, signing[1] + reach))), int(min(H, cy + REACH * lh)))
        radii = RADIUS[0] * lh * 1.25 ** np.arange(int(np.log(RADIUS[1] / RADIUS[0]) / np.log(1.25)) + 1)
        # centres along the signing line (the seal of 华中科技大学启明学院 is stamped over 启明学院,
        # past the unit's name) and up to two line heights above and below it
        area = (signing[0], y0 - 2 * lh, signing[1], y1 + 2 * lh)
        # too little ink as red as the search asks over the unit's own signature: look for a greyer ring
        red = SIGNATURE_RED if paper.too_grey(window, LOCAL_SIDE * lh) else FAINT_RED
        ring = paper.ring(window, area, radii, grid=lh, local=LOCAL_SIDE * lh, red=red)
        if ring is None and paper.grey:
            # no stamp ink on a page with no colour (a grey scan, a photocopy): a ring of dark ink
            ring = paper.grey_ring(window, area, radii, lines, lh)
        if ring is None:
            unsealed.append((window, area, LOCAL_SIDE * lh))
            continue
        b = _circle_box(*ring, W, H)
        if any(boxes_overlap(b, kb) for kb in known):
            continue  # a seal found already (an issuer's, kept), not a faint one
        log.debug("faint seal over the unit at %s", b)
        out.append(Region("seal", b, "", "faint", 1.0))
        rings.append(ring[2])
    if rings:
        # the unit's bodies signing side by side (its league committee, its student union, a
        # club), each its own faint seal: one found, the others are looked for as a seal's
        # neighbour is (:func:`_beside_ok`), of the found one's size and down to LONE_RED
        r = float(np.median(rings))
        for window, area, local in unsealed:
            found = paper.greyer_ring(window, area, r * np.array(SIBLING_RADII), ok=_beside_ok,
                                      min_ink=BESIDE_MIN_INK, local=local)
            if found is None:
                continue
            sib = _circle_box(*found, W, H)
            if any(boxes_overlap(sib, kb) for kb in (*known, *(o.bbox for o in out))):
                continue
            log.debug("faint seal over a second signature of the unit at %s", sib)
            out.append(Region("seal", sib, "", "faint", 1.0))
    return out


def faint_seals_beside(image: np.ndarray, seals: Sequence[tuple[int, int, int, int]],
                       lines: Sequence[TextLine], *, page: PageWindows | None = None) -> list[SealCandidate]:
    """Faint round seals stamped beside a round seal that was found, in its row, over print.

    A certificate is often signed by two bodies, their seals side by side and of one size (a
    university and its 教务处, a school and its branch). On a phone photo one of them can be too
    faint for the page-wide search while the other is found. Beside each round seal found (at
    1.6 to 4.5 of its radius from its centre, up to half a radius above or below) a ring of faint
    stamp ink of about its size (0.8 to 1.25 times) is looked for. A seal signs something: the
    ring must lie over a printed line (the issuer's name, the date), which a rose printed in a
    certificate's corner or a letterhead's logo beside an emblem does not. What is found is
    read and decided like any seal (:func:`zcmask.locate.seals.judge_seals`).

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    seals : sequence of (x0, y0, x1, y1)
        The round seals found on the page (masked or kept).
    lines : sequence of TextLine
        The page's lines.
    page : PageWindows or None
        The page's windows, shared with :func:`faint_unit_seals`.

    Returns
    -------
    list of SealCandidate
        Round, source ``faint``, in page pixels.

    """
    H, W = image.shape[:2]
    out: list[SealCandidate] = []
    paper = page or PageWindows(image)
    # the largest seals first, and a bounded number (a page of many seals is no pair's signature)
    for x0, y0, x1, y1 in sorted(seals, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))[:MAX_BESIDE]:
        w, h = x1 - x0, y1 - y0
        if min(w, h) < 24 or max(w, h) > ROUND * min(w, h):
            continue  # round seals only: an invoice's oval 发票专用章 sits among red print
        R, cx, cy = (w + h) / 4, (x0 + x1) / 2, (y0 + y1) / 2
        for sign in (-1, 1):
            near, far = cx + sign * SIDE[0] * R, cx + sign * SIDE[1] * R
            area = (min(near, far), cy - 0.5 * R, max(near, far), cy + 0.5 * R)
            window = (int(max(0, area[0] - 1.5 * R)), int(max(0, cy - 1.9 * R)),
                      int(min(W, area[2] + 1.5 * R)), int(min(H, cy + 1.9 * R)))
            if window[2] - window[0] < 2 * R or window[3] - window[1] < 2 * R:
                continue
            ring = paper.ring(window, area, R * np.array([0.8, 0.9, 1.0, 1.1, 1.25]), grid=None, ok=_beside_ok,
                              blank=(x0, y0, x1, y1), min_ink=BESIDE_MIN_INK, patterned=(BESIDE_MAX_INK, _ring_ok))
            if ring is None:
                continue
            b = _circle_box(*ring, W, H)
            if any(boxes_overlap(b, kb) and not _part_of(kb, b) for kb in (*seals, *(c.bbox for c in out))):
                continue  # a seal found already; but one found only in part is covered whole
            if not _over_print(ring, lines):
                log.debug("faint ring beside the seal at %s over no print: %s", (x0, y0, x1, y1), b)
                continue
            log.debug("faint seal beside the seal at %s: %s", (x0, y0, x1, y1), b)
            (px, py), r = ring[:2], ring[2]
            out.append(SealCandidate((px, py), (r, r), 0.0, "round", "faint", 1.0, b))
    return out


#: A third place: the page's only stamp ink, too little for the page-wide search. It is looked
#: for on a copy :data:`LONE_SIDE` px long. Least share of the page that is stamp ink (a real
#: transcript's faint pink seal: 3.6e-4 of a 716 x 1,014 px scan, 1.6e-4 once re-saved at JPEG
#: q92), and most size of the place it lies in (the 5th to 95th percentile of its positions), as a
#: share of the page's shorter side and as width to height (what shows of a faded ring is often
#: one side of it: 76 x 37 px of a ring 136 px across).
LONE_MIN_INK = 6e-5
LONE_SIDE = 640
LONE_MAX_SIZE = 0.3
LONE_MAX_ASPECT = 3.0
#: Least share of the window round that place that is faint stamp ink (the window is 4 of its
#: sizes across, a ring's ink bounding the place: the transcript's seal 0.05 at the greyer redness).
LONE_MIN_SHARE = 0.02
#: Last, how much redder than grey its ring may be: the transcript's seal re-saved at JPEG q92
#: shows ring 0.58 at :data:`SIGNATURE_RED` and 0.84 at 4 (nothing outside either way).
LONE_RED = 4
#: Radii tried round the place, as shares of half its size (what shows may be part of the ring).
LONE_RADII = (0.8, 1.0, 1.25, 1.56, 1.95)


def faint_lone_seal(image: np.ndarray, *, page: PageWindows | None = None) -> list[SealCandidate]:
    """A faint seal where the page's only stamp ink lies, on a page where no seal was found.

    A scanned transcript's 教务科 seal, pink and faded, stamped over the table's last rules:
    its stamp ink (:func:`zcmask.locate._seal_find.stamp_inks`) is 260 pixels, too few and too
    broken for the page-wide search to fit a ring, and no printed unit name signs under it for
    :func:`faint_unit_seals`. When all of a page's stamp ink lies in one place of a seal's size
    (:data:`LONE_MAX_SIZE`, :data:`LONE_MAX_ASPECT`), a ring of faint stamp ink is looked for
    there, at the usual redness and then greyer (:data:`SIGNATURE_RED`, :data:`LONE_RED`); a red
    title or rules spread along the page are no such place, and a ring round no paper is no seal
    (:func:`_paper_inside`: a face in a résumé's photo). What is found is read and decided like
    any seal (:func:`zcmask.locate.seals.judge_seals`); call it only where the page-wide search
    found nothing. The page is looked at every few pixels (:data:`LONE_SIDE`): 3 ms a page.

    Returns
    -------
    list of SealCandidate
        At most one, round, source ``faint``, in page pixels.

    """
    H, W = image.shape[:2]
    step = max(1, int(np.ceil(max(H, W) / LONE_SIDE)))  # resizing the page would cost more than the test
    k = 1.0 / step
    ink = stamp_inks(np.ascontiguousarray(image[::step, ::step]))[0]
    ys, xs = np.nonzero(ink)
    if xs.size < max(8.0, LONE_MIN_INK * ink.size):
        return []
    x0, x1 = (float(v) / k for v in np.percentile(xs, [5, 95]))
    y0, y1 = (float(v) / k for v in np.percentile(ys, [5, 95]))
    w, h = x1 - x0, y1 - y0
    size = max(w, h)
    if size < 8 or size > LONE_MAX_SIZE * min(H, W) or size > LONE_MAX_ASPECT * max(1.0, min(w, h)):
        return []
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    window = (int(max(0, cx - 2 * size)), int(max(0, cy - 2 * size)),
              int(min(W, cx + 2 * size)), int(min(H, cy + 2 * size)))
    area = (cx - 0.5 * size, cy - 0.5 * size, cx + 0.5 * size, cy + 0.5 * size)
    paper = page or PageWindows(image)
    ring = paper.greyer_ring(window, area, size / 2 * np.array(LONE_RADII), min_ink=LONE_MIN_SHARE)
    if ring is None:
        return []
    (px, py, r), b = ring, _circle_box(*ring, W, H)
    if not _paper_inside(image, px, py, r):
        log.debug("faint lone ring at %s round no paper", b)
        return []
    log.debug("faint lone seal at %s", b)
    return [SealCandidate((px, py), (r, r), 0.0, "round", "faint", 1.0, b)]


#: Most a lone ring's inside may be darker than the page's paper, grey levels, at its median.
LONE_PAPER_DROP = 40


def _paper_inside(image: np.ndarray, px: float, py: float, r: float) -> bool:
    """Whether the inside of a ring (0.8 of its radius) is mostly paper, as a seal's is.

    A résumé photo's face is not: its lips and cheeks make a ring of faint stamp ink at the
    greyer redness, round skin (median grey 192 on a page whose paper is 255; a faint seal over a
    transcript's table: 250).

    >>> page = np.full((100, 100, 3), 250, np.uint8); _paper_inside(page, 50, 50, 20)
    True
    >>> page[30:70, 30:70] = 180; _paper_inside(page, 50, 50, 20)
    False
    """
    def grey(a: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(np.ascontiguousarray(a), cv2.COLOR_RGB2GRAY) if a.ndim == 3 else a

    H, W = image.shape[:2]
    x0, x1 = max(0, int(px - 0.8 * r)), min(W, int(np.ceil(px + 0.8 * r)))
    y0, y1 = max(0, int(py - 0.8 * r)), min(H, int(np.ceil(py + 0.8 * r)))
    if x1 <= x0 or y1 <= y0:
        return False
    yy, xx = np.mgrid[y0:y1, x0:x1]
    inside = grey(image[y0:y1, x0:x1])[(xx - px) ** 2 + (yy - py) ** 2 <= (0.8 * r) ** 2]
    paper = float(np.percentile(grey(image[::4, ::4]), 90))  # the page's paper, from every 4th pixel
    return inside.size > 0 and float(np.median(inside)) >= paper - LONE_PAPER_DROP


def _over_print(ring: tuple[float, float, float], lines: Sequence[TextLine]) -> bool:
    """Whether a printed line of two or more characters runs through the middle of the ring.

    The middle is the square of 0.7 radius around its centre.
    """
    px, py, r = ring
    m = 0.7 * r
    for ln in lines:
        a0, b0, a1, b1 = ln.bbox
        if len(ln.text.replace(" ", "")) >= 2 and a0 < px + m and a1 > px - m and b0 < py + m and b1 > py - m:
            return True
    return False


def _circle_box(px: float, py: float, r: float, w: int, h: int) -> tuple[int, int, int, int]:
    return (int(max(0, px - r)), int(max(0, py - r)), int(min(w, np.ceil(px + r))), int(min(h, np.ceil(py + r))))


def _part_of(part: tuple[int, int, int, int], ring: tuple[int, int, int, int]) -> bool:
    """Whether a seal found as ``part`` is a piece of the larger ``ring``: most of it inside, and smaller.

    A faint seal's ring can fall apart into arcs, and only the piece with its star is fitted
    (a real photo's second seal, 138 x 134 px of a 190 x 230 px ring whose top, over a printed
    frame, was lost).
    """
    area = (part[2] - part[0]) * (part[3] - part[1])
    return (ring[2] - ring[0]) * (ring[3] - ring[1]) >= 1.3 * area and _over_smaller(part, ring) >= 0.8


class PageWindows:
    """A page searched for faint rings window by window, its paper made grey in each window only.

    The paper's colour (:func:`zcmask.locate._seal_find.paper_table`) is measured once, when a
    window first needs it, and serves every window and :meth:`neutral`.
    """

    def __init__(self, image: np.ndarray) -> None:
        self.image = image
        self._lut: np.ndarray | None = None
        self._measured = False
        self._grey: bool | None = None

    @property
    def grey(self) -> bool:
        """Whether the page has no colour (a grey scan, a photocopy): its seals are grey ink."""
        if self._grey is None:
            # every few pixels: about 300 px along the longer side (1 ms; at 600 px, 7 ms)
            step = max(1, max(self.image.shape[:2]) // GREY_SAMPLE_SIDE)
            self._grey = is_grayish(np.ascontiguousarray(self.image[::step, ::step]))
        return self._grey

    def grey_ring(self, window: tuple[int, int, int, int], area: tuple[float, float, float, float],
                  radii: np.ndarray, lines: Sequence[TextLine], lh: float) -> tuple[float, float, float] | None:
        """The best ring of dark ink in ``window`` centred in ``area`` (page pixels), on a page with no colour.

        A grey copy's seal is as grey as its print, so there is no stamp ink to tell apart. Dark
        ink is found at full size against the paper around it (:func:`zcmask.locate._seal_find._dark_mask`),
        dark areas thicker than a stroke left out (:data:`GREY_SOLID`), then the window is shrunk
        (:data:`GREY_INK_SHARE`). Centres are proposed by the ring filter on that ink with the
        page's read lines left out (the unit's name and the date under the seal would outweigh
        its ring), and measured on all of it (:func:`_grey_ring_ok`): the ring crosses that
        print, and print round it shows as ink just outside.
        """
        wx0, wy0, wx1, wy1 = window
        gray = cv2.cvtColor(np.ascontiguousarray(self.image[wy0:wy1, wx0:wx1]), cv2.COLOR_RGB2GRAY)
        dark = _drop_lines(_dark_mask(gray)).astype(np.uint8)  # a table's rules are no ring
        n = max(3, int(GREY_SOLID * lh) | 1)
        solid = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (n, n)))
        dark[cv2.dilate(solid, np.ones((5, 5), np.uint8)) > 0] = 0
        k = min(1.0, WINDOW_SIDE / max(dark.shape[:2]))
        size = (max(1, round(dark.shape[1] * k)), max(1, round(dark.shape[0] * k)))
        ink = (cv2.resize(dark.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= GREY_INK_SHARE
               ).astype(np.float32)
        seeds = ink.copy()
        for ln in lines:
            bx0, by0, bx1, by1 = ((v - o) * k for v, o in zip(ln.bbox, (wx0, wy0, wx0, wy0), strict=True))
            if bx1 > 0 and by1 > 0 and bx0 < size[0] and by0 < size[1]:
                seeds[max(0, int(by0)):int(np.ceil(by1)), max(0, int(bx0)):int(np.ceil(bx1))] = 0.0
        a0, b0, a1, b1 = area
        found = _best_ring(ink, ((a0 - wx0) * k, (b0 - wy0) * k, (a1 - wx0) * k, (b1 - wy0) * k),
                           radii * k, None, _grey_ring_ok, seeds=seeds)
        if found is None:
            return None
        (ccx, ccy), outer = found
        return wx0 + ccx / k, wy0 + ccy / k, outer / k

    def _table(self) -> np.ndarray | None:
        if not self._measured:
            self._lut, self._measured = paper_table(self.image), True
        return self._lut

    def neutral(self) -> np.ndarray:
        """The whole page with its paper made grey (:func:`zcmask.locate._seal_find.neutral_paper`)."""
        return grey_paper(self.image, self._table())

    def _coarse_ink(self, window: tuple[int, int, int, int], blank: tuple[int, int, int, int] | None,
                    min_ink: float, local: float | None, red: int) -> tuple[bool, bool]:
        """Whether a window holds too little stamp ink as a whole, and whether a square in it holds enough.

        Told from every fourth pixel; the square has side ``local`` and must hold
        :data:`LOCAL_MIN_INK` (see :meth:`ring`).
        """
        wx0, wy0, wx1, wy1 = window
        sample = _redder(grey_paper(self.image[wy0:wy1:4, wx0:wx1:4], self._table()), window, 0.25, blank, red=red)
        dense = bool(local) and _densest(sample, (local or 0.0) / 4) >= LOCAL_MIN_INK
        return bool(sample.mean() < min_ink / 2), dense

    def too_grey(self, window: tuple[int, int, int, int], local: float) -> bool:
        """Whether :meth:`ring` would not search ``window`` for want of stamp ink at its usual redness."""
        sparse, dense = self._coarse_ink(window, None, MIN_INK, local, FAINT_RED)
        return sparse and not dense

    def greyer_ring(self, window: tuple[int, int, int, int], area: tuple[float, float, float, float],
                    radii: np.ndarray, *, ok: Callable[[RingEvidence], bool] = _ring_ok,
                    min_ink: float = MIN_INK, local: float | None = None) -> tuple[float, float, float] | None:
        """The first ring :meth:`ring` finds (no grid) at :data:`FAINT_RED`, :data:`SIGNATURE_RED`, :data:`LONE_RED`.

        Searched greyer only where a strong prior says a seal is there (a seal's sibling, a page's
        only stamp ink); None when there is none at any.
        """
        for red in (FAINT_RED, SIGNATURE_RED, LONE_RED):
            found = self.ring(window, area, radii, grid=None, ok=ok, red=red, min_ink=min_ink, local=local)
            if found is not None:
                return found
        return None

    def ring(self, window: tuple[int, int, int, int], area: tuple[float, float, float, float],
             radii: np.ndarray, *, grid: float | None,
             ok: Callable[[RingEvidence], bool] = _ring_ok,
             blank: tuple[int, int, int, int] | None = None, min_ink: float = MIN_INK,
             local: float | None = None, red: int = FAINT_RED,
             patterned: tuple[float, Callable[[RingEvidence], bool]] | None = None,
             ) -> tuple[float, float, float] | None:
        """The best faint ring in ``window`` centred in ``area`` (page pixels): its centre and outer radius, or None.

        ``radii`` are tried in page pixels; ``grid``, when given, adds centres that far apart;
        ``ok`` says which ring evidence makes a seal. The ink of the seal whose box is ``blank``
        (the one a neighbour is looked for beside) is left out; stamp ink is ``red`` levels redder
        than grey (:func:`zcmask.locate._seal_find.faint_ink`). A window with less faint stamp ink
        than ``min_ink`` is not searched (most windows: told first from every fourth pixel), unless
        ``local`` (page pixels) is given and a square of that side somewhere in it holds
        :data:`LOCAL_MIN_INK` (a seal small beside its window). ``patterned``, when given, is a share
        of faint ink above which the window is patterned paper, and the test a ring must pass there
        instead of ``ok``.
        """
        wx0, wy0, wx1, wy1 = window
        lut = self._table()
        sparse, dense = self._coarse_ink(window, blank, min_ink, local, red)
        side = local or 0.0  # the square's side, page pixels (none: the window as a whole only)
        if sparse and not dense:
            return None  # clearly too little red to hold a seal, told before the window is scaled
        win = grey_paper(self.image[wy0:wy1, wx0:wx1], lut)
        k = min(1.0, WINDOW_SIDE / max(win.shape[:2]))
        small = win if k >= 1.0 else cv2.resize(win, (max(1, round(win.shape[1] * k)), max(1, round(win.shape[0] * k))),
                                                 interpolation=cv2.INTER_AREA)
        off = None if blank is None else _blanked(small.shape[:2], window, k, blank)
        sparse = sparse or _redder(small, window, k, blank, off, red=red).mean() < min_ink
        if sparse and not dense:
            return None  # faint ink is a part of this: too little red to hold a seal (most pages)
        ink = faint_ink(small, red).astype(np.float32)
        if off is not None:
            ink[off > 0] = 0.0
        log.debug("faint search in %s: mean ink %.4f", window, float(ink.mean()))
        sparse = sparse or float(ink.mean()) < min_ink
        if patterned is not None and float(ink.mean()) > patterned[0]:
            ok = patterned[1]
        if sparse and not (dense and _densest(ink, side * k) >= LOCAL_MIN_INK):
            return None
        a0, b0, a1, b1 = area
        if sparse:
            # searched for its densest square only: a small seal (radius up to that square's side),
            # at the ring filter's centres without the grid (on the synthetic folder the grid and the
            # large radii cost 140-400 ms in each of three such windows, for nothing)
            radii, grid = radii[radii <= side], None
        found = _best_ring(ink, ((a0 - wx0) * k, (b0 - wy0) * k, (a1 - wx0) * k, (b1 - wy0) * k),
                           radii * k, None if grid is None else grid * k, ok)
        if found is None:
            return None
        (ccx, ccy), outer = found
        return wx0 + ccx / k, wy0 + ccy / k, outer / k


def _blanked(shape: tuple[int, ...], window: tuple[int, int, int, int], k: float,
             box: tuple[int, int, int, int]) -> np.ndarray:
    """(H, W) uint8: 1 inside the ellipse of ``box`` (page pixels) grown by a tenth, on a window scaled by ``k``."""
    off = np.zeros(shape[:2], np.uint8)
    bx0, by0, bx1, by1 = ((v - o) * k for v, o in zip(box, (window[0], window[1], window[0], window[1]), strict=True))
    cv2.ellipse(off, (round((bx0 + bx1) / 2), round((by0 + by1) / 2)),
                (round(0.55 * (bx1 - bx0)), round(0.55 * (by1 - by0))), 0, 0, 360, 1, -1)
    return off


def _redder(small: np.ndarray, window: tuple[int, int, int, int], k: float,
            blank: tuple[int, int, int, int] | None, off: np.ndarray | None = None, *,
            red: int = FAINT_RED) -> np.ndarray:
    """(H, W) float32: 1 where a window (scaled by ``k``) is at least ``red`` levels redder than grey, outside ``blank``."""
    redder = small[..., 0].astype(np.int16) - np.maximum(small[..., 1], small[..., 2]) >= red
    if blank is not None:
        redder &= (_blanked(small.shape, window, k, blank) if off is None else off) == 0
    return redder.astype(np.float32)


def _densest(mask: np.ndarray, side: float) -> float:
    """The largest share of ``mask`` (float32, 0 or 1) in any square of ``side`` px inside it.

    >>> m = np.zeros((40, 40), np.float32); m[5:10, 5:10] = 1
    >>> round(_densest(m, 10), 2), round(float(m.mean()), 3)
    (0.25, 0.016)
    """
    n = max(1, min(int(round(side)), *mask.shape[:2]))
    return float(cv2.blur(mask, (n, n), borderType=cv2.BORDER_CONSTANT).max())


def _best_ring(ink: np.ndarray, area: tuple[float, float, float, float], radii: np.ndarray,
               grid: float | None, ok: Callable[[RingEvidence], bool] = _ring_ok,
               seeds: np.ndarray | None = None) -> tuple[tuple[float, float], float] | None:
    """The best ring of faint ink centred in ``area``, or None.

    Returns its centre and outer radius in window pixels. A ring's evidence holds only within a
    few percent of its radius of the true centre, so centres are proposed, then each is measured
    (``ok``, :func:`_ring_ok` by default) and the best refined: for each radius the centres around which the ink
    best makes a ring (:func:`_ring_centres`), which a grid coarser than a tenth of the radius
    would pass between, and, when ``grid`` is given, a grid that far apart. ``seeds``, when
    given, is the ink centres are proposed on (``ink`` less what would mislead the ring filter).
    """
    seeds = ink if seeds is None else seeds
    ax0, ay0, ax1, ay1 = area
    accept = ok  # the test a ring must pass; looser round a star (:func:`_starred_ok`)
    # (ring less ink outside it, centre, radius tried, outer radius of the ring found)
    best: tuple[float, tuple[float, float], float, float] | None = None

    def look(cx: float, cy: float, r: float) -> None:
        nonlocal best
        ev = ring_evidence(ink, (cx, cy), (r, r), 0.0)
        if accept(ev) and (best is None or ev.ring - ev.outside > best[0]):
            best = (ev.ring - ev.outside, (cx, cy), r, r * (ev.rho + ev.thickness / 2))
            log.debug("faint ring at (%.0f, %.0f) r %.0f: %s", cx, cy, r, ev)

    if grid is not None:
        for cx in np.arange(ax0, ax1 + 1e-6, grid):
            for cy in np.arange(ay0, ay1 + 1e-6, grid):
                for r in radii:
                    look(float(cx), float(cy), float(r))
    proposed: list[tuple[float, float, float]] = []  # (cx, cy, r) of the ring filter's centres
    for r in radii:
        centres = _ring_centres(seeds, float(r), area)
        for cx, cy in centres:
            look(cx, cy, float(r))
            proposed.append((cx, cy, float(r)))
        if centres and best is None:  # none is a ring yet: the filter's best, moved to its ring
            look(*_climb(ink, *centres[0], float(r), area), float(r))
    if best is None:
        # a ring between two radii tried (they are 1.25 apart): at the larger its own stroke falls in
        # the band just outside (a real certificate's seal on red guilloche paper, re-saved at JPEG
        # q92: ring 1.0 but 0.14 outside at the radius above, clean at the one between)
        for cx, cy, r in proposed:
            look(cx, cy, r / HALF_STEP)
    stars = _star_centres(seeds) if best is None else []
    # a seal's star marks its centre, which may lie beside the name it is stamped over
    for (cx, cy), _size, _starry in stars:
        for r in radii:
            look(cx, cy, float(r))
    if best is None and ok is _ring_ok:
        # round its own star, a ring of its size may show less of itself; round a star blurred
        # out of shape, only a cleaner ring
        for (cx, cy), size, starry in stars:
            accept = _starred_ok if starry == STAR else _blurred_star_ok
            # a blurred star is also tried at the next radius up (radii are 1.25 apart): its
            # cleaner ring may lie between two radii tried (a small star: 0.43 of its ring)
            least = STAR_SIZE[0] * (1.0 if starry == STAR else 0.8)
            for r in radii:
                if starry and least * r <= size <= STAR_SIZE[1] * r:
                    look(cx, cy, float(r))
    if best is None and ok is _ring_ok:
        # a whole, clean, thin ring whose characters are too pale to show even as faint ink
        accept = _bare_ring_ok
        for cx, cy, r in proposed:
            look(*_climb(ink, cx, cy, r, area), r)
    if best is None:
        return None
    (bx, by), br = best[1], best[2]
    d = 0.05 * br if grid is None else grid / 2
    for dx in (-d, 0.0, d):
        for dy in (-d, 0.0, d):
            for f in (0.9, 1.0, 1.1):
                look(bx + dx, by + dy, br * f)
    return best[1], best[3]


#: Most blobs of a window tried as a seal's star (:func:`_star_centres`).
STARS = 4
#: A seal's star is this wide, in radii of its ring (a 42 mm seal's 14 mm star: 0.67; a real pale seal: 0.62 to 0.78).
STAR_SIZE = (0.4, 1.0)
#: Share of its convex hull a five-pointed star fills (0.5 drawn; a real pale seal's: 0.57; the
#: bold characters of an invoice's red print: 0.70 to 0.92).
STAR_SOLIDITY = (0.4, 0.68)
#: Thickest ring, in radii, taken round a star with less of the ring showing (:func:`_starred_ok`).
STAR_RING_THICKNESS = 0.2
#: Most a star blurred by JPEG fills of its hull, still five-cornered (a real pale HR seal's star,
#: shrunk to 1280 px and re-saved at q75: 0.79); round it :func:`_blurred_star_ok` asks a cleaner ring.
BLURRED_STAR_SOLIDITY = 0.82
#: What :func:`_star_centres` says of a blob: a star, a star blurred out of shape, neither.
STAR, BLURRED_STAR, NO_STAR = 2, 1, 0


def _star_centres(ink: np.ndarray) -> list[tuple[tuple[float, float], int, int]]:
    """Centres of the largest compact blobs of faint ink (a seal's star), largest first.

    A faint seal stamped at the end of the unit's printed name, over the date, has its centre
    beyond the name, outside the centres searched; its solid star still prints (a real photo
    of a college's ranking letter: ring 0.85 around the star, found nowhere else). A blob
    counts when it is at least 6 px each way, no more than 1.4 times as long as wide and fills
    0.3 to 0.75 of its box; each is only proposed, and tried as every ring. Each comes with its
    larger side in pixels and whether it has a star's shape (:func:`_five_pointed`: :data:`STAR`,
    :data:`BLURRED_STAR` or :data:`NO_STAR`).
    """
    n, lab, stats, cent = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    blobs = []
    for i in range(1, n):
        _x, _y, w, h, a = (int(v) for v in stats[i])
        if min(w, h) >= 6 and max(w, h) <= 1.4 * min(w, h) and 0.3 <= a / (w * h) <= 0.75:
            blobs.append((a, i, max(w, h)))
    out = []
    for _a, i, size in sorted(blobs, key=lambda b: -b[0])[:STARS]:
        x, y, w, h = (int(v) for v in stats[i][:4])
        out.append(((float(cent[i][0]), float(cent[i][1])), size, _five_pointed(lab[y:y + h, x:x + w] == i)))
    return out


def _five_pointed(blob: np.ndarray) -> int:
    """How star-like a blob (bool mask) is: :data:`STAR`, :data:`BLURRED_STAR` or :data:`NO_STAR`.

    A star fills :data:`STAR_SOLIDITY` of its convex hull, a pentagon; a blurred star up to
    :data:`BLURRED_STAR_SOLIDITY` of it.
    """
    pts = cv2.findNonZero(blob.astype(np.uint8))
    hull = cv2.convexHull(pts)
    area = cv2.contourArea(hull)
    solidity = float(blob.sum()) / area if area > 0 else 0.0
    if not STAR_SOLIDITY[0] <= solidity <= BLURRED_STAR_SOLIDITY:
        return NO_STAR
    if len(cv2.approxPolyDP(hull, 0.06 * cv2.arcLength(hull, True), True)) != 5:
        return NO_STAR
    return STAR if solidity <= STAR_SOLIDITY[1] else BLURRED_STAR


def _climb(ink: np.ndarray, cx: float, cy: float, r: float,
           area: tuple[float, float, float, float]) -> tuple[float, float]:
    """The centre near (``cx``, ``cy``), inside ``area``, around which ``ink`` best makes a ring of radius ``r``.

    A ring that shows less than :data:`CLIMB_RING` of itself is left where it is; otherwise the
    centre moves in steps of a tenth, a twentieth and a fortieth of ``r`` while ring less outside
    ink grows (at most 8 moves a step).
    """
    ev = ring_evidence(ink, (cx, cy), (r, r), 0.0)
    if ev.ring < CLIMB_RING:
        return cx, cy
    score = ev.ring - ev.outside
    for step in (0.1 * r, 0.05 * r, 0.025 * r):
        for _ in range(8):
            moves = [(cx + dx, cy + dy) for dx, dy in ((step, 0), (-step, 0), (0, step), (0, -step))
                     if area[0] <= cx + dx <= area[2] and area[1] <= cy + dy <= area[3]]
            scored = [(e.ring - e.outside, p) for p in moves for e in (ring_evidence(ink, p, (r, r), 0.0),)]
            top = max(scored, default=(score, (cx, cy)))
            if top[0] <= score + 1e-9:
                break
            score, (cx, cy) = top
    return cx, cy


def _ring_centres(ink: np.ndarray, r: float, area: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Up to :data:`CENTRES` centres in ``area`` around which ``ink`` best fills a ring of radius ``r``.

    The ink averaged over an annulus (0.85 to 1.1 ``r``, where :func:`ring_evidence` looks for the
    ring) less that averaged just outside it (1.15 to 1.35 ``r``: a seal has clean paper around it,
    a printed pattern has ink everywhere) is measured at every centre; the strongest local maxima at
    least half a radius apart are returned, strongest first.
    """
    h, w = ink.shape[:2]
    a0, b0 = int(max(0, np.floor(area[0]))), int(max(0, np.floor(area[1])))
    a1, b1 = int(min(w, np.ceil(area[2]) + 1)), int(min(h, np.ceil(area[3]) + 1))
    if a1 <= a0 or b1 <= b0 or r < 3:
        return []
    n = int(np.ceil(1.35 * r))
    yy, xx = np.mgrid[-n:n + 1, -n:n + 1]
    rr = np.hypot(xx, yy)
    ring = ((rr >= 0.85 * r) & (rr <= 1.1 * r)).astype(np.float32)
    around = ((rr >= 1.15 * r) & (rr <= 1.35 * r)).astype(np.float32)
    kern = ring / max(1.0, float(ring.sum())) - around / max(1.0, float(around.sum()))
    # only the centres that may be used, with the ink a ring around them reaches
    c0, d0, c1, d1 = max(0, a0 - n), max(0, b0 - n), min(w, a1 + n), min(h, b1 + n)
    acc = cv2.filter2D(ink[d0:d1, c0:c1], cv2.CV_32F, kern, borderType=cv2.BORDER_CONSTANT)
    acc = acc[b0 - d0:b1 - d0, a0 - c0:a1 - c0]
    out: list[tuple[float, float]] = []
    sep = max(2, int(r / 2))
    peaks = acc == cv2.dilate(acc, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero(peaks & (acc > 0))
    for i in np.argsort(-acc[ys, xs]):
        x, y = int(xs[i]), int(ys[i])
        if all(abs(x - a + a0) > sep or abs(y - b + b0) > sep for a, b in out):
            out.append((float(x + a0), float(y + b0)))
            if len(out) >= CENTRES:
                break
    return out


def _signature(x0: float, y0: float, x1: float, y1: float,
               lines: Sequence[TextLine]) -> tuple[float, float] | None:
    """Where the signing line runs (its left and right), or None.

    None unless the unit's name at this box is much of a short line (a signature, not body text).
    """
    for ln in lines:
        a0, b0, a1, b1 = ln.bbox
        if a0 <= x1 and a1 >= x0 and b0 <= y1 and b1 >= y0 and min(b1, y1) - max(b0, y0) > 0.5 * (y1 - y0):
            ok = (x1 - x0) >= SIGNATURE_SHARE * (a1 - a0) and _width_in_chars(ln.text) <= SIGNATURE_CHARS
            return (min(a0, x0), max(a1, x1)) if ok else None
    return None


def _width_in_chars(text: str) -> float:
    """A line's length in Chinese characters: a Latin letter or digit counts half of one.

    >>> _width_in_chars("Harbin Institute of Technology"), _width_in_chars("华东师范大学统计学院")
    (13.5, 10.0)
    """
    return sum(1.0 if is_han(ch) else 0.5 for ch in text if not ch.isspace())
