"""Decide whether an upright page is legible (清晰) and, if not, why.

Each check turns one measurement into a factor in [0, 1] that crosses 0.5 at its
calibrated threshold; the page score is the smallest factor and the page is
legible when the score is at least 0.5. The reasons are the contract's codes:

``too_dark`` / ``overexposed`` / ``low_contrast``
    From the grey levels of paper and ink: inside the OCR line boxes when there
    are any, else the page histogram's tails.
``low_resolution``
    From the median height of recognised characters in pixels (an effective
    dpi, assuming 五号/小四 body text); without any text, from the pixel size
    of the page, assuming A4.
``blurry``
    Edge width on text crops rescaled to a fixed line height (ink-to-paper
    contrast over the steepest gradients, in pixels at 32 px per line): Gaussian,
    motion and resampling blur all widen edges. Without text, the same measure
    on the page scaled to A4 at 120 dpi.
``illegible``
    OCR evidence when nothing above explains it: ink on the page but almost
    nothing read, or most characters read at low confidence.

Thresholds come from ``benchmarks/orientation_legibility.py`` (see
the README, "Legibility"); they are set so that clean pages keep a wide margin, because
a false error tells an applicant to rescan a good page. This module does not
OCR; it only reads the lines it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from zcmask.messages import issue
from zcmask.quality._body import BodyText, body_text
from zcmask.quality._luma import luma
from zcmask.results import Issue, Legibility, TextLine

log = logging.getLogger(__name__)

#: Text whose edge width is under this share of ``edge_px_max`` is crisp.
_CRISP = 0.5
#: Least body-text lines, unread, for a page whose read lines are sharp to be judged on its own
#: edges: a blurred sparse notice in Noto Serif CJK had its large title read sharp and its two body
#: lines unread, and passed as legible at 3.
BODY_UNREAD_LINES = 2

__all__ = ["THRESHOLDS", "assess_legibility", "legibility_metrics"]

#: Calibrated thresholds (the point where a factor crosses 0.5), and the soft width.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "paper_min": (60.0, 25.0),        # paper grey level below this: too dark
    "ink_max": (200.0, 25.0),         # ink grey level above this (on light paper): washed out
    "contrast_min": (32.0, 12.0),     # paper minus ink
    "char_px_min": (9.0, 3.0),        # median character height in pixels
    "page_dpi_min": (60.0, 20.0),     # A4-equivalent dpi of a page without readable text
    "edge_px_max": (9.5, 1.5),        # edge width at 32 px line height, worst direction
    "page_edge_px_max": (5.0, 1.0),   # edge width on the page at 120 dpi (no text, or mostly unread)
    "read_share_min": (0.30, 0.0),    # share of the ink inside read lines, below which the page edge decides
    "lowconf_max": (0.55, 0.15),      # share of characters read below 0.5 confidence
    "stroke_min": (10.0, 3.0),        # paper minus stroke grey on the body text's own strokes
    "page_dpi_floor": (36.0, 6.0),    # A4-equivalent dpi under which no body text survives
    "body_line_px_min": (12.0, 2.0),  # line height of unread text lines: under this, too small
    "body_read_min": (0.3, 0.0),      # share of the body text lines read with confidence
    "shadow_max": (1.5, 0.0),         # paper brightness p95/p5 in the margins: a shadow or uneven light
    "glare_paper_max": (225.0, 0.0),  # glare is looked for on photos (paper greyer than this) only
    "glare_min": (0.01, 0.0),         # one blown-out (>= 250) patch of this share of the page: glare
}

#: Unread small lines making up at least this share of the ink lines' length: low resolution.
_SMALL_UNREAD_SHARE = 0.25

_LINE_PX = 32.0      # text crops are rescaled to this line height before measuring edges
_BODY_PT = 11.0      # assumed body text size (五号 10.5 pt .. 小四 12 pt)
_GLYPH_EM = 0.92     # glyph box height of a CJK character, in em


def _factor(value: float, key: str, *, higher_is_better: bool) -> float:
    thr, width = THRESHOLDS[key]
    z = (value - thr) / width if higher_is_better else (thr - value) / width
    return float(np.clip(0.5 + 0.5 * z, 0.0, 1.0))


def _resize(gray: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    h, w = gray.shape
    nw, nh = max(2, round(w * scale)), max(2, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, (nw, nh), interpolation=interp)


def _edge_width(gray: np.ndarray, contrast: float) -> float:
    """Ink-to-paper contrast over the 99th percentile gradient, in pixels, worst direction.

    Gradients are taken along four directions (0, 45, 90, 135 degrees) and the widest
    edge wins: motion blur smears one direction only, while sharp print has steep
    edges in all of them.
    """
    import cv2

    if gray.shape[0] < 3 or gray.shape[1] < 3 or contrast <= 1:
        return float("inf")
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    r = np.float32(np.sqrt(0.5))
    # one percentile call over the four directions (the same order statistics as four calls)
    p99 = np.percentile(np.stack([np.abs(g).reshape(-1) for g in (gx, gy, (gx + gy) * r, (gx - gy) * r)]),
                        99.0, axis=1)
    return float(max(contrast / max(float(p), 1e-3) for p in p99))


def _sharpest_edges(gray: np.ndarray, contrast: float, tile: int = 64) -> float:
    """Edge width of the sharper inked tiles of a page (25th percentile over tiles).

    Working tile by tile keeps a smooth photograph or a large blank area from hiding
    sharp text elsewhere, and a little sharp text from hiding a smeared page.
    Tiles of one shape are measured together (one percentile call over all of them,
    not one per tile), which gives the same figures as :func:`_edge_width` per tile
    at under half the CPU.
    """
    import cv2

    h, w = gray.shape
    groups: dict[tuple[int, ...], list[np.ndarray]] = {}
    for y in range(0, max(1, h - tile // 2), tile):
        for x in range(0, max(1, w - tile // 2), tile):
            t = gray[y:y + tile, x:x + tile]
            if t.shape[0] < 8 or t.shape[1] < 8:
                continue
            groups.setdefault(t.shape, []).append(t)
    r = np.float32(np.sqrt(0.5))
    widths = []
    for tiles in groups.values():
        lo, hi = np.percentile(np.stack(tiles).reshape(len(tiles), -1), [3, 97], axis=1)
        keep = [i for i in range(len(tiles)) if hi[i] - lo[i] >= max(8.0, 0.5 * contrast)]
        if not keep:
            continue
        grads = []
        for i in keep:  # Sobel per tile: its borders are the tile's, as in _edge_width
            gx = cv2.Sobel(tiles[i], cv2.CV_32F, 1, 0, ksize=3) / 8.0
            gy = cv2.Sobel(tiles[i], cv2.CV_32F, 0, 1, ksize=3) / 8.0
            grads += [np.abs(g).reshape(-1) for g in (gx, gy, (gx + gy) * r, (gx - gy) * r)]
        p99 = np.percentile(np.stack(grads), 99.0, axis=1)
        for j, i in enumerate(keep):
            c = float(hi[i] - lo[i])
            widths.append(float(max(c / max(float(p), 1e-3) for p in p99[4 * j:4 * j + 4])))
    return float(np.percentile(widths, 25)) if widths else float("inf")


def _text_boxes(lines: Sequence[TextLine], w: int, h: int) -> list[tuple[int, int, int, int]]:
    out = []
    for ln in lines:
        if len(ln.chars) < 2:
            continue
        x0, y0, x1, y1 = ln.bbox
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1)))
        if x1 - x0 >= 4 and y1 - y0 >= 4 and x1 - x0 > y1 - y0:
            out.append((x0, y0, x1, y1))
    return out


def _page_edge_px(gray: np.ndarray, page_dpi: float, contrast: float) -> float:
    """Edge width of the whole page at A4 120 dpi (:func:`_sharpest_edges`)."""
    sc = 120.0 / max(page_dpi, 1.0)
    return _sharpest_edges(_resize(gray, sc) if abs(sc - 1) > 0.02 else gray, contrast)


def legibility_metrics(image: np.ndarray, lines: Sequence[TextLine], dpi: int = 200,
                       gray: np.ndarray | None = None, *, page_edge: bool = True) -> dict[str, float]:
    """Measure what the legibility decision rests on.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The upright page. Not modified.
    lines : sequence of TextLine
        OCR (or text-layer) lines of that page.
    dpi : int
        The page's nominal resolution (reported only: files often lie about it).
    gray : ndarray, optional
        ``luma(image)`` when the caller has it already.
    page_edge : bool
        Measure ``page_edge_px``, the page-wide edge width (a third of this function's
        time). Without it the figure is measured only for a page with no text lines,
        where it stands in for ``edge_px``, and is otherwise left out.

    Returns
    -------
    dict of str to float
        ``paper``, ``ink``, ``contrast`` (grey levels), ``char_px`` (median
        character height, 0 without text), ``eff_dpi``, ``edge_px`` (edge
        width, ``inf`` when unmeasurable), ``chars``, ``lowconf`` (share of
        characters under 0.5 confidence), ``ink_share`` and ``page_dpi``.

    Examples
    --------
    >>> m = legibility_metrics(np.full((100, 80, 3), 255, np.uint8), [])
    >>> m["chars"], m["ink_share"]
    (0.0, 0.0)

    """
    gray = luma(image) if gray is None else gray
    h, w = gray.shape
    # Page histogram on a bounded copy: cheap and stable.
    s = min(1.0, 1000.0 / max(h, w))
    small = _resize(gray, s) if s < 1 else gray
    page_paper = float(np.percentile(small, 90))
    page_ink = float(np.percentile(small, 0.3))
    ink_share = float(np.mean(small < page_paper - 40)) if page_paper > 40 else 0.0
    page_dpi = min(h, w) / 8.27  # A4 short side in inches

    boxes = _text_boxes(lines, w, h)
    chars = [c for ln in lines for c in ln.chars]
    n_chars = float(len(chars))
    lowconf = float(np.mean([c.score < 0.5 for c in chars])) if chars else 0.0
    heights = [min(b[3] - b[1], b[2] - b[0]) for b in boxes]
    char_px = float(np.median(heights)) * 0.8 if heights else 0.0  # line box ~ 1.25 x glyph

    if boxes:
        inks, papers, edges = [], [], []
        # The largest boxes first: body text, not stamps or footers.
        for b in sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))[:24]:
            crop = gray[b[1]:b[3], b[0]:b[2]]
            lo, hi = np.percentile(crop, [3, 97])
            inks.append(float(lo))
            papers.append(float(hi))
            sc = _LINE_PX / max(1, b[3] - b[1])
            edges.append(_edge_width(_resize(crop, sc), float(hi - lo)))
        ink, paper = float(np.median(inks)), float(np.median(papers))
        edge_px = float(np.median(edges))
    else:
        ink, paper = page_ink, page_paper
        edge_px = float("nan")  # filled from the page measure below
    # Page-wide edge width at A4 120 dpi, and how much of the ink lies inside read lines.
    page_edge_px = _page_edge_px(gray, page_dpi, page_paper - page_ink) if page_edge or not boxes else None
    inkmask = small < page_paper - 40 if page_paper > 40 else np.zeros_like(small, bool)
    covered = np.zeros_like(inkmask)
    for b in boxes:
        covered[int(b[1] * s):int(np.ceil(b[3] * s)) + 1, int(b[0] * s):int(np.ceil(b[2] * s)) + 1] = True
    n_ink = int(inkmask.sum())
    read_share = float((inkmask & covered).sum() / n_ink) if n_ink else 1.0
    if page_edge_px is not None and not boxes:
        edge_px = page_edge_px
    return {
        **({"page_edge_px": page_edge_px} if page_edge_px is not None else {}), "read_share": read_share,
        "paper": paper, "ink": ink, "contrast": paper - ink, "char_px": char_px,
        "eff_dpi": char_px / (_BODY_PT * _GLYPH_EM / 72.0) if char_px else 0.0,
        "edge_px": edge_px, "chars": n_chars, "lowconf": lowconf, "ink_share": ink_share,
        "page_dpi": page_dpi, "page_paper": page_paper, "page_ink": page_ink, "dpi": float(dpi),
    }


def _body_resolution(body: BodyText, m: dict[str, float]) -> tuple[float, float]:
    """Resolution factor from the body text: a readable title does not excuse unreadable small lines.

    Also the height of those small lines (page pixels; 0 when none decided the factor), which
    the message quotes instead of the title's.
    """
    f = _factor(m["page_dpi"], "page_dpi_floor", higher_is_better=True) if m["ink_share"] > 0.002 else 1.0
    total = sum(c[3] for c in body.classes)
    small = [c for c in body.classes if c[2] < 0.35
             and _factor(c[0], "body_line_px_min", higher_is_better=True) < 0.5]
    if total and sum(c[1] for c in small) >= 2 and sum(c[3] for c in small) >= _SMALL_UNREAD_SHARE * total:
        worst = min(small, key=lambda c: c[0])
        f_small = _factor(worst[0], "body_line_px_min", higher_is_better=True)
        if f_small < f:
            return f_small, worst[0]
    return f, 0.0


def assess_legibility(image: np.ndarray, lines: Sequence[TextLine], dpi: int) -> tuple[Legibility, list[Issue]]:
    """Score the legibility of an upright page with its OCR lines.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The upright page. Not modified.
    lines : sequence of TextLine
        Its OCR or text-layer lines (pixels of ``image``).
    dpi : int
        Nominal resolution, reported in the metrics.

    Returns
    -------
    (Legibility, list of Issue)
        ``Legibility.reasons`` holds the issue codes; one :class:`Issue` per reason.

    Examples
    --------
    A black 400 x 300 px image: too dark, and far too few pixels for a page.

    >>> leg, issues = assess_legibility(np.zeros((400, 300, 3), np.uint8), [], 200)
    >>> leg.legible, [i.code for i in issues]
    (False, ['too_dark', 'low_resolution'])

    """
    gray = luma(image)  # once: the metrics, the body text and the light warnings all read it
    # The page-wide edge width is only needed when the lines read do not speak for the page;
    # measured then and only then (it is a third of the metrics' time), and reported when measured.
    m = legibility_metrics(image, lines, dpi, gray, page_edge=False)

    def page_edge_px() -> float:
        if "page_edge_px" not in m:
            m["page_edge_px"] = _page_edge_px(gray, m["page_dpi"], m["page_paper"] - m["page_ink"])
        return m["page_edge_px"]
    factors: dict[str, float] = {}
    has_text = m["chars"] >= 2 and m["char_px"] > 0
    text_layer = bool(lines) and all(ln.source == "text_layer" for ln in lines)
    # The body text as the ink shows it, whether or not OCR read it.
    body = None if text_layer else body_text(gray, lines, m["contrast"] if has_text else 0.0)
    if body is not None:
        m.update(body_lines=float(body.lines), body_line_px=body.height, body_stroke=body.stroke,
                 body_read=body.read, ink_lines=float(body.all_lines))

    # A blank page (both sides of nothing) is empty, not unreadable: no tail of ink at all,
    # and no lines of faint text either.
    blank = (not has_text and m["page_paper"] - m["page_ink"] < 8 and m["page_paper"] >= THRESHOLDS["paper_min"][0]
             and (body is None or body.all_lines + body.rules < 3))
    f_dark = _factor(m["paper"], "paper_min", higher_is_better=True)
    f_wash = _factor(m["ink"], "ink_max", higher_is_better=False) if m["paper"] >= 150 and not blank else 1.0
    f_con = _factor(m["contrast"], "contrast_min", higher_is_better=True) if not blank else 1.0
    if body is not None and body.lines >= 3:
        # Contrast on the body text's strokes: a dark border or a black title must not
        # stand in for text printed a few grey levels from the paper.
        f_con = min(f_con, _factor(body.stroke, "stroke_min", higher_is_better=True))
    if f_dark < 0.5:
        factors["too_dark"] = f_dark
    elif f_wash < 0.5:
        factors["overexposed"] = min(f_wash, f_con)
    elif f_con < 0.5:
        factors["low_contrast"] = f_con

    if has_text:
        f_res = _factor(m["char_px"], "char_px_min", higher_is_better=True)
        f_blur = _factor(m["edge_px"], "edge_px_max", higher_is_better=False)
    elif blank or text_layer:
        f_res = f_blur = 1.0
    else:
        f_res = _factor(m["page_dpi"], "page_dpi_min", higher_is_better=True)
        f_blur = _factor(m["edge_px"], "page_edge_px_max", higher_is_better=False)
    # Lines read sharp and sure: the page is in focus, even where OCR read nothing.
    crisp_text = (has_text and m["edge_px"] <= _CRISP * THRESHOLDS["edge_px_max"][0]
                  and m["lowconf"] < 0.2)
    if has_text and m["read_share"] < THRESHOLDS["read_share_min"][0] and not crisp_text:
        # A few lines read on a page of smeared ink (motion blur): judge the whole page.
        # Not when the lines read are crisp: blur smears a whole page, so the unread
        # ink is then a photo (ID card, 一寸照), which is softer than print.
        f_blur = min(f_blur, _factor(page_edge_px(), "page_edge_px_max", higher_is_better=False))
    body_unread = (body is not None and body.lines >= BODY_UNREAD_LINES
                   and body.read < THRESHOLDS["body_read_min"][0])
    if has_text and body_unread:
        # The lines read (a large title) are sharp, but the body text lines the ink shows
        # were not read: judge the page's own edges, not the title's.
        f_blur = min(f_blur, _factor(page_edge_px(), "page_edge_px_max", higher_is_better=False))
    small_px = 0.0  # the unread small lines' height, when they (not the text read) make the page too coarse
    if body is not None and not blank and f_blur >= 0.5:
        # Small lines left unread on a page in focus: too few pixels (blur explains them otherwise).
        f_body, px = _body_resolution(body, m)
        if f_body < f_res:
            f_res, small_px = f_body, px
    if f_res < 0.5:
        factors["low_resolution"] = f_res
    if f_blur < 0.5 and "low_resolution" not in factors:
        factors["blurry"] = f_blur

    f_ocr = 1.0
    if not text_layer and not blank:
        if m["chars"] >= 10:
            f_ocr = _factor(m["lowconf"], "lowconf_max", higher_is_better=False)
        elif m["ink_share"] >= 0.01 and not crisp_text:
            # Plenty of ink and (almost) nothing read.
            f_ocr = 0.3 + 0.02 * m["chars"]
    if f_ocr < 0.5 and not factors:
        factors["illegible"] = f_ocr

    others = [f_dark, f_wash, f_con, f_res, f_blur, f_ocr]
    score = float(min(others))
    reasons = tuple(sorted(factors, key=lambda k: factors[k]))
    legible = not reasons
    score = max(score, 0.5) if legible else min(score, 0.499)
    issues: list[Issue] = []
    for code in reasons:
        if code == "low_resolution" and small_px:
            # the text read is large enough; small lines beside it are not: quote those, and the page's dpi
            issues.append(issue(code, text_size=f"小字行高仅约 {max(1, round(small_px))} 像素，",
                                dpi=int(round(m["page_dpi"]))))
        elif code == "low_resolution":
            px = int(round(m["char_px"])) if m["char_px"] else 0
            dpi_est = int(round(m["eff_dpi"] if m["char_px"] else m["page_dpi"]))
            text_size = f"文字高度约 {px} 像素，" if px else "文字小到无法识别，"  # nothing read: no height to quote
            issues.append(issue(code, text_size=text_size, dpi=dpi_est))
        else:
            issues.append(issue(code))
    if not text_layer and not blank:
        issues += _light_issues(image, m, gray)
    metrics = tuple((k, float(v)) for k, v in m.items() if np.isfinite(v))
    return Legibility(legible, score, reasons, metrics), issues


def _light_issues(image: np.ndarray, m: dict[str, float], gray: np.ndarray | None = None) -> list[Issue]:
    """Warnings about a photo's light: a shadow or uneven light across the paper, a glare spot.

    They do not make a page illegible by themselves (the text may still read), but they
    say how to take a better photo. A page that is already white (a scan, or a page
    ``check --fix`` evened out) has neither.
    """
    import cv2

    from zcmask.quality._flatten import _margins_are_paper, light_unevenness

    out: list[Issue] = []
    uneven, paper = light_unevenness(image)
    m.update(light_unevenness=uneven)
    gray = luma(image) if gray is None else gray
    drawn: bool | None = None  # whether the picture was made on a computer: asked only when a warning would be given
    if uneven >= THRESHOLDS["shadow_max"][0] and _margins_are_paper(image):
        drawn = _drawn(gray)
        if not drawn:
            out.append(issue("shadow"))
    s = min(1.0, 600.0 / max(gray.shape))
    small = _resize(gray, s) if s < 1 else gray
    if float(np.median(small)) < THRESHOLDS["glare_paper_max"][0]:
        blown = (small >= 250).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(blown)
        # A blown patch that reaches the picture's edge is the scanner's lid or the margin round a
        # scanned sheet (or a sheet photographed on white), not a reflection on the paper.
        sh, sw = small.shape
        inside = [int(a) for x, y, w, h, a in stats[1:]
                  if x > 0 and y > 0 and x + w < sw and y + h < sh]
        biggest = max(inside, default=0) / small.size
        m.update(glare_share=biggest)
        if biggest >= THRESHOLDS["glare_min"][0] and not (_drawn(gray) if drawn is None else drawn):
            out.append(issue("glare"))
    return out


#: Share of a picture's pixels whose 15 x 15 neighbourhood is one grey level exactly, from which it
#: was made on a computer (a screenshot, a PDF page, an e-certificate): 0.36-0.88 on such real
#: pages, at most 0.03 on real phone photos as taken (a photo's paper has sensor noise; JPEG at
#: q30 flattens it to at most 0.45, at q15 to 0.6).
_DRAWN_FLAT = 0.3


def _drawn(gray: np.ndarray) -> bool:
    """Whether a picture was made on a computer, not photographed: it has no light to fix.

    A screenshot of a housing-fund account (grey bars between white panels) and an e-certificate
    with a dark green frame were told to retake the photo in even light.

    >>> flat = np.full((200, 150), 240, np.float32)
    >>> _drawn(flat), _drawn(flat + np.random.default_rng(0).normal(0, 2, flat.shape).astype(np.float32))
    (True, False)
    """
    import cv2

    g = np.clip(np.rint(gray), 0, 255).astype(np.uint8)
    k = np.ones((15, 15), np.uint8)
    return float(np.mean(cv2.dilate(g, k) == cv2.erode(g, k))) >= _DRAWN_FLAT
