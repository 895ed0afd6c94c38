"""Find official seals (公章, 名章), read their text and decide which to mask.

A seal takes one path, each step a function with its own tests:

1. **find** (:func:`zcmask.locate._seal_find.find_all`): geometry only;
   stamp ink by colour (cleaned of tints and long red print, rings clipped by
   the page edge included), ring shapes on gray pages, and whole blue rings
   (the same search on the page with red and blue swapped);
2. **read** (:func:`zcmask.locate._seal_read.read_seal`): the ring unwrapped
   and the centre line, through the OCR engine;
3. **owner** (:func:`zcmask.locate._seal_read.owner_of`): the applicant's unit
   or name, loosely, *before* any authority word; then authority words;
   otherwise ``unknown``;
4. **decide** (:func:`decide`): what to mask and what to report, by policy.

The policy, set by ``Options.seals``:

- ``applicant`` (default): the applicant's unit seals and name seals are
  masked; seals of issuing authorities (人社, 教育, 大学/学院, 公安, 税务,
  发票监制章 ...) stay visible so reviewers can judge authenticity; a seal
  whose text cannot be read is masked with a ``seal_unreadable`` warning, and
  a readable seal of nobody we know is masked too (fail safe: a leak is worse
  than over-masking);
- ``all``: every seal is masked;
- ``none``: nothing is looked for (the pipeline does not call us).

Checking a page (``check``, ``audit``, ``validate``: ``strict``) reports only
seals read as the applicant's as still showing (``unmasked_seal``, an error);
a seal whose owner could not be read is a ``seal_unverified`` warning asking
for a look, never an error claiming it is the unit's.

Every seal seen is returned as a :class:`~zcmask.results.SealSeen`. The mask
covers the whole fitted ellipse or rectangle plus a margin, not just the ink.
This module does not draw.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zcmask._geometry import box_within, centre_within
from zcmask.locate._seal_find import (
    SealCandidate,
    _inside_shape,
    as_red,
    find_all,
    ink_mask,
    is_rect_stamp,
    neutral_paper,
)
from zcmask.locate._seal_read import (
    ISSUER_NAME_CHARS,
    SealReading,
    authority_by_own_words,
    is_association,
    names_unit_in_latin,
    owner_of,
    read_seal,
    reads_like_unit,
    unit_matches,
)
from zcmask.locate._variants import is_han, norm_text
from zcmask.messages import issue
from zcmask.ocr import OcrEngine
from zcmask.options import Identity
from zcmask.results import Issue, Region, SealSeen, TextLine

log = logging.getLogger(__name__)

#: margin around the fitted shape, as a share of its larger side, plus a few pixels
MARGIN = 0.06
MARGIN_PX = 4


def _masked_box(cand: SealCandidate, w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = cand.bbox
    m = int(MARGIN * max(x1 - x0, y1 - y0)) + MARGIN_PX
    return (max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m))


@dataclass(frozen=True)
class Decision:
    """What to do with one seal: mask it, report it as still showing, and which issue to raise."""

    masked: bool  # drawn over by ``mask`` (or, when checking, reported as still showing)
    issue: str | None  # issue code to raise, if any


def decide(owner: str, readable: bool, *, mode: str = "applicant", strict: bool = False,
           identity_known: bool = True) -> Decision:
    """Decide one seal's fate from its owner.

    Parameters
    ----------
    owner : {"applicant", "authority", "unknown"}
        From :func:`~zcmask.locate._seal_read.owner_of`.
    readable : bool
        Whether enough ring text was read to judge the owner.
    mode : {"applicant", "all"}
        ``Options.seals``.
    strict : bool
        Checking a page that may be masked already (``check``, ``audit``,
        ``validate``) rather than masking one.
    identity_known : bool
        Whether the applicant was given; without it a check cannot tell a unit
        seal from anybody else's and says nothing about seals.

    Examples
    --------
    >>> decide("unknown", False)
    Decision(masked=True, issue='seal_unreadable')
    >>> decide("unknown", False, strict=True)
    Decision(masked=False, issue='seal_unverified')
    >>> decide("authority", True)
    Decision(masked=False, issue=None)

    """
    if mode == "all":
        return Decision(True, None)
    if owner == "applicant":
        return Decision(True, None)
    if owner == "authority":
        return Decision(False, None)
    if strict:
        return Decision(False, "seal_unverified" if identity_known else None)
    return Decision(True, None if readable else "seal_unreadable")


def find_seals(image: np.ndarray, lines: Sequence[TextLine], identity: Identity | None, *,
               mode: str = "applicant", engine: OcrEngine | None = None, strict: bool = False,
               ) -> tuple[list[Region], list[SealSeen], list[Issue]]:
    """Locate seals on an upright page and decide which to mask.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page.
    lines : sequence of TextLine
        The page's text (unused for now: ring text is read from the seal itself).
    identity : Identity or None
        The applicant; without it only authority seals can be told apart. Given without a
        unit, a masking run adds one ``unit_not_given`` warning to a page where it keeps a seal
        as an issuer's: nothing tells it from the unit's own.
    mode : {"applicant", "all", "none"}
        Which seals to mask.
    engine : OcrEngine or None
        Reads the ring text; without one every seal is unreadable (masked).
    strict : bool
        Checking a page rather than masking it (``check``, ``audit``,
        ``validate``): only seals read as the applicant's come back as regions;
        a seal of unknown owner is a ``seal_unverified`` warning. A seal found
        by its shape alone (no stamp colour) whose text cannot be read is not
        reported when it lies on a photo, where a blacked-out face and hair
        look like a ring.

    Returns
    -------
    regions : list of Region
        Kind ``seal``, one per masked seal.
    seals : list of SealSeen
        Every seal found, masked or kept, with its read text.
    issues : list of Issue
        ``seal_unreadable`` (masking), ``seal_unverified`` (checking) or ``unit_not_given`` warnings.

    """
    if mode == "none":
        return [], [], []
    regions, seen, issues = judge_seals(image, _candidates(image), lines, identity, mode=mode, engine=engine,
                                        strict=strict)
    if not strict and identity is not None and not identity.unit_names and any(not s.masked for s in seen):
        # No unit given: a seal kept as an issuer's may be the unit's own (a teacher's school reads
        # 大学 like any other school's); the page says so.
        issues.append(issue("unit_not_given"))
    return regions, seen, issues


#: Words that make a rectangular red frame's reading a stamp's (…专用章; 章 lost as the page was
#: shrunk and re-compressed: a library's 论文检测专用章 read 文检测专用 at 1280 px + q75).
STAMP_WORDS = ("章", "专用")


def judge_seals(image: np.ndarray, candidates: Sequence[tuple[SealCandidate, np.ndarray]],
                lines: Sequence[TextLine], identity: Identity | None, *, mode: str = "applicant",
                engine: OcrEngine | None = None, strict: bool = False,
                ) -> tuple[list[Region], list[SealSeen], list[Issue]]:
    """Read and decide seal ``candidates``, each with the page to read it from (see :func:`find_seals`)."""
    h, w = image.shape[:2]
    regions: list[Region] = []
    seen: list[SealSeen] = []
    issues: list[Issue] = []

    def settled(text: str) -> bool:
        # once a seal is known to be the applicant's, reading more cannot change the outcome
        return mode == "all" or owner_of(text, identity, "round") == "applicant"

    photos: list[tuple[int, int, int, int]] | None = None
    judged: list[tuple[SealCandidate, SealReading, tuple[int, int, int, int], str]] = []  # read, not yet decided
    for cand, inked in candidates:
        if covers_the_print(cand, lines, w, h) or inside_a_text_line(cand, lines):
            log.debug("seal candidate %s is print (a watermark, a glyph), not a seal", cand.bbox)
            continue
        reading = read_seal(inked, cand, engine, settled)
        box = _masked_box(cand, w, h)
        if strict and not reading.readable and cand.source != "color":
            if photos is None:
                photos = _photo_areas(image)
            if any(centre_within(cand.bbox, p) for p in photos):
                continue
        owner = owner_of(reading.text, identity, cand.shape) if reading.readable else "unknown"
        if owner == "unknown" and cand.source == "color" and engine is not None:
            # read again from the ink's darkness where it is red: a phone photo's JPEG blurs the
            # colour into blots (a patent certificate's tax seal read 183 R68esan R from redness)
            again = read_seal(inked, cand, engine, settled, dark=True)
            known = owner_of(again.text, identity, cand.shape) if again.readable else "unknown"
            if known != "unknown":
                reading, owner = again, known
        if owner == "authority" and (authority_by_own_words(reading.text, identity)
                                     or _most_han(reading.text) < ISSUER_NAME_CHARS) and signs_for_unit(
                cand, lines, identity) and not is_association(reading.text, identity):
            # a misread of the unit's own seal, stamped over its printed name: read as some other
            # school's by a word the unit's name has, or as an authority by one word of a short,
            # garbled reading (a held-out scan's 福建工程学院 seal read 品注T理学位, over the printed
            # 福建工程学院, was kept visible as an issuer's)
            owner = "applicant"
        if owner == "unknown" and (is_invoice_supervision_seal(cand, lines, h)
                                   or is_licence_authority_seal(cand, lines)
                                   or (is_printed_issuer_seal(cand, lines, identity, image)
                                       and not reads_like_unit(reading.text, identity))):
            owner = "authority"
        if is_rect_stamp(cand) and owner != "applicant" and not any(w in reading.text for w in STAMP_WORDS):
            log.debug("red frame at %s reads %r: print, not a stamp", cand.bbox, reading.text)
            continue
        if owner == "unknown" and not reads_like_unit(reading.text, identity) and is_filled_emblem(image, cand):
            log.debug("filled red disc at %s reads %r: a printed emblem, not a stamp", cand.bbox, reading.text)
            continue
        judged.append((cand, reading, box, owner))
    judged = [j for j in judged if not _round_several(j, judged)]
    issuers = [r.text for _c, r, _b, o in judged if o == "authority"]
    for cand, reading, box, owner in judged:
        if (owner == "unknown" and reading.readable and any(part_of_reading(reading.text, t) for t in issuers)
                and not reads_like_unit(reading.text, identity)):
            # the issuer's own logo or a second seal, read in part (a contest certificate's
            # association logo read 电协会中国育 beside its seal read 中国教育电视协会)
            owner = "authority"
        verdict = decide(owner, reading.readable, mode=mode, strict=strict,
                         identity_known=identity is not None)
        log.debug("seal %s %s at %s: %r -> %s, %s", cand.shape, cand.source, box,
                  reading.text, owner, verdict)
        seen.append(SealSeen(box, reading.text, owner, verdict.masked, cand.shape, cand.score))
        if verdict.masked:
            regions.append(Region("seal", box, reading.text, cand.source, cand.score))
        if verdict.issue is not None:
            issues.append(issue(verdict.issue, bbox=box))
    return regions, seen, issues


#: Least number of seals read inside an unread candidate's box that make it a frame round them.
SEALS_INSIDE = 2


def _round_several(one: tuple[SealCandidate, SealReading, tuple[int, int, int, int], str],
                   judged: Sequence[tuple[SealCandidate, SealReading, tuple[int, int, int, int], str]]) -> bool:
    """Whether an unread candidate is a frame round :data:`SEALS_INSIDE` or more seals read inside it.

    A certificate's block of seals (two rows of issuers' seals, held-out scan turned 90 degrees and
    re-saved as JPEG) can join into one square of stamp ink round four of them: read as nothing,
    it was masked as an unreadable seal and hid the four issuers' seals read inside it. A seal
    holds no other seals.

    >>> from zcmask.locate._seal_find import SealCandidate
    >>> def j(box, text):
    ...     c = SealCandidate(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), (50, 50), 0.0, "round", "color", 1.0, box)
    ...     return (c, SealReading(text, 0.9 if text else 0.0), box, "authority" if text else "unknown")
    >>> seals = [j((0, 0, 100, 100), "中国电子学会"), j((100, 0, 200, 100), "中国软件行业协会"), j((-5, -5, 205, 105), "")]
    >>> [_round_several(x, seals) for x in seals]
    [False, False, True]
    """
    cand, reading, box, _owner = one
    if reading.readable:
        return False
    x0, y0, x1, y1 = box
    area = max(1, (x1 - x0) * (y1 - y0))
    inside = [b for c, r, b, _o in judged
              if c is not cand and r.readable and (b[2] - b[0]) * (b[3] - b[1]) < 0.5 * area and box_within(b, box)]
    return len(inside) >= SEALS_INSIDE


#: Least share of a round candidate's disc that is stamp-coloured ink for a printed emblem: the
#: national emblem on an ID card's back and a business licence, photographed, 0.85 to 0.93; stamped
#: seals on the real corpora at most 0.62 (a close-up's heavy ink 0.59), a square name seal cut in
#: relief 0.71.
FILLED_EMBLEM = 0.75


def is_filled_emblem(image: np.ndarray, cand: SealCandidate) -> bool:
    """Whether a round candidate is a red disc filled with colour (the national emblem), not a stamped ring.

    A stamp leaves a ring, text and a star on paper; the national emblem printed on an ID card's
    back or a business licence is red and gold all over its disc. Read as nothing, it was masked
    as an unreadable seal with a warning on every ID card's back.

    >>> import cv2
    >>> from zcmask.locate._seal_find import SealCandidate
    >>> page = np.full((200, 200, 3), 250, np.uint8)
    >>> cand = SealCandidate((100.0, 100.0), (60.0, 60.0), 0.0, "round", "color", 1.0, (40, 40, 160, 160))
    >>> _ = cv2.circle(page, (100, 100), 58, (210, 30, 30), 5)  # a stamped ring
    >>> is_filled_emblem(page, cand)
    False
    >>> _ = cv2.circle(page, (100, 100), 60, (210, 30, 30), -1)  # a filled disc
    >>> is_filled_emblem(page, cand)
    True
    """
    if cand.shape == "square":
        return False  # a name seal cut in relief is red all over, and it is the applicant's
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in cand.bbox)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return False
    crop = image[y0:y1, x0:x1]
    yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0]
    a, b = (x1 - x0) / 2, (y1 - y0) / 2
    disc = ((xx + 0.5 - a) / a) ** 2 + ((yy + 0.5 - b) / b) ** 2 <= 1.0
    return float(np.asarray(ink_mask(crop), bool)[disc].mean()) >= FILLED_EMBLEM


#: Least Chinese characters of a reading taken as part of an issuer's seal's reading.
PART_OF_ISSUER = 5


def part_of_reading(text: str, whole: str) -> bool:
    """Whether ``text``'s Chinese characters are, in order, part of ``whole`` read round its ring.

    A ring is read from wherever the recogniser starts: ``电协会中国育`` is 中国教育电视协会 read
    from 电, with 教 and 视 lost. At least :data:`PART_OF_ISSUER` characters, and at least
    0.6 of ``whole``'s, taken from ``whole`` or any turn of it.

    >>> part_of_reading("电协会中国育", "中国教育电视协会 大"), part_of_reading("大学", "北京大学")
    (True, False)
    >>> part_of_reading("北京工业大学", "北京大学教务处"), part_of_reading("协会中国电育", "中国教育电视协会")
    (False, False)
    """
    part = "".join(c for c in norm_text(text) if is_han(c))
    ring = "".join(c for c in norm_text(whole) if is_han(c))
    if len(part) < PART_OF_ISSUER or len(part) < 0.6 * len(ring) or len(part) > len(ring):
        return False
    for k in range(len(ring)):
        turned = iter(ring[k:] + ring[:k])
        if all(c in turned for c in part):  # a subsequence of this turn of the ring
            return True
    return False


def _candidates(image: np.ndarray) -> list[tuple[SealCandidate, np.ndarray]]:
    """Every seal candidate, with the page to read it from.

    Seals are read from the page with its paper made grey (:func:`neutral_paper`): on
    tinted paper (a light-blue certificate, a photo under cold light) the thin strokes of a
    red ring are barely redder than the paper, and the ring read as nothing. Red seals are
    read from that page; blue ones (found apart, on the page with red and blue swapped)
    from that page swapped, where their ink is red.
    """
    red, blue = find_all(image)
    if not red and not blue:
        return []
    page = neutral_paper(image)
    swapped = as_red(page) if blue else page
    return [(c, page) for c in red] + [(c, swapped) for c in blue]


#: A shape over a quarter of the page with this many printed lines wholly inside it is a
#: watermark or a pattern, not a seal (a close-up of a seal has only its own text inside).
PRINT_LINES_INSIDE = 8
#: ... or with this many lines inside the inner 0.8 of its ellipse, away from any ring text: a
#: seal's close-up holds at most its centre line there (专用章 and a number), a certificate's
#: red frame the certificate (seven real close-ups: 0 or 1; four framed certificates: 5 to 8).
PRINT_LINES_INNER = 3


def covers_the_print(cand: SealCandidate, lines: Sequence[TextLine], w: int, h: int) -> bool:
    """Whether a candidate is a page-sized ring over the page's own print (a pale watermark).

    Certificates and pink-patterned forms carry large pale rings, emblems and red
    frames; fitted as a seal they would black out the whole page. A candidate
    covering over a quarter of the page with :data:`PRINT_LINES_INSIDE` or more OCR
    lines wholly inside its box, or :data:`PRINT_LINES_INNER` or more wholly inside the
    inner 0.8 of its ellipse, is dropped.
    """
    x0, y0, x1, y1 = max(0, cand.bbox[0]), max(0, cand.bbox[1]), min(w, cand.bbox[2]), min(h, cand.bbox[3])
    if (x1 - x0) * (y1 - y0) < 0.25 * w * h:
        return False
    inside = [ln for ln in lines if x0 <= ln.bbox[0] and y0 <= ln.bbox[1] and ln.bbox[2] <= x1
              and ln.bbox[3] <= y1]
    if len(inside) >= PRINT_LINES_INSIDE:
        return True
    inner = sum(bool(_inside_shape(np.array([(ln.bbox[i], ln.bbox[j]) for i in (0, 2) for j in (1, 3)],
                                           np.float64), cand, 0.8).all())
                for ln in inside)
    return inner >= PRINT_LINES_INNER


def inside_a_text_line(cand: SealCandidate, lines: Sequence[TextLine]) -> bool:
    """Whether a candidate is a loop of a giant printed glyph: centred in a line as tall as it.

    A poster's or certificate's giant title glyphs (a magenta 销 on a promotion)
    hold loops that pass for small seals. A seal stamped over a text line is
    several times taller than the line, and a seal's own ring text read as a
    line is about as wide as the seal; so a candidate whose centre lies in a
    line at least 0.8 times its height and three times its width is print.
    """
    x0, y0, x1, y1 = cand.bbox
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for ln in lines:
        lx0, ly0, lx1, ly1 = ln.bbox
        if (lx0 <= cx <= lx1 and ly0 <= cy <= ly1 and ly1 - ly0 >= 0.8 * (y1 - y0)
                and lx1 - lx0 >= 3 * (x1 - x0)):
            return True
    return False


#: What a printed invoice's title line ends with; lines naming the seller's seal, the code,
#: the number, the date or the copy (发票专用章, 发票代码, 发票联 ...) are not titles.
_NOT_TITLE = ("章", "代码", "号码", "日期", "开票", "联", ":", "：", "张")


def _is_invoice_title(text: str) -> bool:
    """Whether an OCR line is (the readable end of) an invoice's title: …增值税普通发票, 用发票.

    The 监制章 is printed over the title, so the title's first characters are often
    lost under it (``用发票`` of 增值税专用发票); the line must still end with 发票, or
    with 票据 for the 财政部 supervision seal over a hospital's or a school's receipt
    (上海市医疗住院收费票据（电子）), a bracketed 电子 after it left out.

    Examples
    --------
    >>> _is_invoice_title("河南增值税电子普通发票"), _is_invoice_title("用发票")
    (True, True)
    >>> _is_invoice_title("上海市医疗住院收费票据（电子）"), _is_invoice_title("非税收入统一票据")
    (True, True)
    >>> _is_invoice_title("发票专用章"), _is_invoice_title("发票代码:0410019"), _is_invoice_title("附发票3张")
    (False, False, False)

    """
    t = re.sub(r"[（(]电子[)）]$", "", "".join(text.split()).rstrip("。."))
    return (3 <= len(t) <= 16 and t.endswith(("发票", "票据")) and not any(w in t for w in _NOT_TITLE))


def is_invoice_supervision_seal(cand: SealCandidate, lines: Sequence[TextLine], page_h: int) -> bool:
    """Whether an unread seal is the tax bureau's 发票监制章 by where it sits.

    On every Chinese invoice the bureau's oval supervision seal is printed over
    the title (…增值税…发票) at the top of the form; the seller's own seal
    (发票专用章) is at the bottom, by 销售方（章）. Its ring is small and often
    printed over the title, so it is read badly; its place tells who owns it:
    an oval in the upper half of the page over a title line (one that ends with
    发票 and is not 发票专用章, 发票代码 …). The upper half, not the top of the
    page: an invoice photographed inside a screenshot sits anywhere. A ring found
    by shape on a gray copy may be fitted rounder than the oval it is, so a round
    candidate over the title counts too; a company's own seal never sits there.

    The page's OCR may read the seal's middle line (财政部监制) when its ring is lost: a
    line saying 监制 inside the seal settles it.

    The seal often hides the title from OCR (an old blue 监制章 over a blue title).
    On a page with the invoice's own fields (购买方, 密码区, 价税合计 ...), a seal
    whose centre is no lower than the 开票日期 label and left of it is the
    bureau's too: the seller's seal is at the bottom of the form.
    """
    if cand.shape == "square" or cand.center[1] > 0.5 * page_h:
        return False
    x0, y0, x1, y1 = cand.bbox
    for ln in lines:
        lx0, ly0, lx1, ly1 = ln.bbox
        overlaps = lx0 < x1 and x0 < lx1 and ly0 < y1 and y0 < ly1
        if overlaps and _is_invoice_title(ln.text):
            return True
        # the seal's own words read by the page's OCR (财政部监制 across its middle) while its
        # ring was not: a line whose centre lies inside the seal and says 监制
        inside = x0 <= (lx0 + lx1) / 2 <= x1 and y0 <= (ly0 + ly1) / 2 <= y1
        if inside and "监制" in ln.text:
            return True
    texts = ["".join(ln.text.split()) for ln in lines]
    if not any(w in t for t in texts for w in _INVOICE_FIELDS):
        return False
    cx, cy = cand.center
    return any(t.startswith("开票日期") and cy <= ln.bbox[3] and cx < ln.bbox[0] for ln, t in zip(lines, texts, strict=True))


#: Field labels of a printed Chinese invoice, below its title and the 开票日期 line.
_INVOICE_FIELDS = ("购买方", "购货单位", "销售方", "销货单位", "价税合计", "密码区")


#: Labels of the government body that issued a licence or permit; its seal is stamped by them.
AUTHORITY_LABELS = ("登记机关", "发证机关", "签发机关", "批准机关", "审批机关", "颁证机关", "发照机关", "核发机关")
#: The issue-date label, by which the issuer stamps on a licence (with one of :data:`LICENCE_WORDS`).
ISSUE_DATE_LABELS = ("发证日期",)
#: Words that make a page a government licence or permit.
LICENCE_WORDS = ("营业执照", "许可证", "登记证", "执业证", "资格证")


def _label_misread(text: str) -> bool:
    """Whether a short line holds an issuer label read with one character wrong (发任机关（盖章）).

    >>> _label_misread("发任机关(盖章）"), _label_misread("(代开机关)"), _label_misread("国家机关工作人员应当遵守")
    (True, False, False)
    """
    k = text.find("机关")
    if len(text) > 10 or k < 2:
        return False
    head = text[k - 2:k]
    return any(sum(a == b for a, b in zip(head, lab[:2], strict=True)) == 1 for lab in AUTHORITY_LABELS)


def is_licence_authority_seal(cand: SealCandidate, lines: Sequence[TextLine]) -> bool:
    """Whether an unread seal is the issuing authority's on a licence, permit or registration.

    On a 营业执照 the authority's seal is printed over the date beside the label 登记机关;
    on a 食品生产许可证, 开户许可证 … beside or under 发证机关, or over 发证日期. A phone photo
    or a copy blurs the small ring text, and an unread seal used to be masked as maybe the
    unit's. A round or oval seal level with such a label (overlapping the band from 0.6 of
    its height above the label to 0.6 below), starting at most half its width to the right
    of the label's end and not left of its start, is the authority's; by 发证日期 only on a
    page that names a licence (:data:`LICENCE_WORDS`). A company's own seal stamped on a copy
    of its licence lands elsewhere, and if it is read as the applicant's this test is never asked.
    """
    if cand.shape == "square":
        return False
    texts = ["".join(ln.text.split()) for ln in lines]
    labels: tuple[str, ...] = AUTHORITY_LABELS
    if any(w in t for t in texts for w in LICENCE_WORDS):
        labels = AUTHORITY_LABELS + ISSUE_DATE_LABELS
    x0, y0, x1, y1 = cand.bbox
    sw, sh = x1 - x0, y1 - y0
    for ln, t in zip(lines, texts, strict=True):
        if not any(lab in t for lab in labels) and not _label_misread(t):
            continue
        lx0, ly0, lx1, ly1 = ln.bbox
        level = ly0 - 0.6 * sh < y1 and y0 < ly1 + 0.6 * sh
        if level and lx0 < x1 and x0 - lx1 <= 0.5 * sw:
            return True
    return False


#: Endings of an organisation's name printed under the seal that signs a certificate.
ORG_ENDS = ("大学", "学院", "学校", "中学", "小学", "学会", "协会", "委员会", "组委会", "中心", "厅", "局",
            "研究所", "研究院", "医院", "集团", "公司", "联合会", "基金会", "政府", "出版社", "杂志社", "编辑部",
            "党委", "团委", "执委会", "协作组", "研究会")
#: Fewest Chinese characters of such a name: shorter ones are departments (人事处, 办公室, 人力资源部).
ORG_MIN_CHARS = 6


def _org_name(text: str) -> str | None:
    """The Chinese characters of a line when they make an organisation's full name, else None.

    >>> _org_name("中国工业与应用数学学会"), _org_name("共青团沈阳工业大学委员会"), _org_name("人力资源部")
    ('中国工业与应用数学学会', '共青团沈阳工业大学委员会', None)
    >>> _org_name("2023年4月"), _org_name("荣获一等奖，特发此证")
    (None, None)
    """
    han = "".join(c for c in text if is_han(c))
    if len(han) < ORG_MIN_CHARS or not han.endswith(ORG_ENDS):
        return None
    return han


def _lines_at(cand: SealCandidate, lines: Sequence[TextLine], *, running_in: bool = False) -> list[TextLine]:
    """Lines at a seal: centre within its width, overlapping its height grown by a quarter.

    With ``running_in``, also a line that ends (or begins) inside the seal, or within
    :data:`SIGN_REACH` of its width of it: a seal stamped over the end of a name hides what it
    covers from OCR (福建工程 | 学院 under the ring), so the line read stops at its edge.
    """
    x0, y0, x1, y1 = cand.bbox
    grow = 0.25 * (y1 - y0)
    reach = SIGN_REACH * (x1 - x0)

    def at(b: tuple[float, float, float, float]) -> bool:
        if x0 <= (b[0] + b[2]) / 2 <= x1:
            return True
        return running_in and (x0 - reach <= b[2] <= x1 and b[0] < x0 or x0 <= b[0] <= x1 + reach and b[2] > x1)

    return [ln for ln in lines if ln.bbox[1] < y1 + grow and ln.bbox[3] > y0 - grow and at(ln.bbox)]


def signs_for_unit(cand: SealCandidate, lines: Sequence[TextLine], identity: Identity | None) -> bool:
    """Whether a seal is stamped over the applicant's unit's printed name (:func:`_lines_at`, running in).

    The reverse of :func:`is_printed_issuer_seal`: a ring read as some other school's
    name only by a word the unit's own name has (广百海政大学 over the printed
    广西科技大学 / 教务处) is the unit's seal misread.
    """
    if identity is None or not identity.unit_names:
        return False
    return any(unit_matches(ln.text, identity) for ln in _lines_at(cand, lines, running_in=True))


def _most_han(text: str) -> int:
    """The most Chinese characters in one piece of a seal's reading (its readings joined by spaces).

    >>> _most_han("品建T理学位 品建T理学位"), _most_han("福建省教育厅学生资助管理中心")
    (5, 14)
    """
    return max((sum(map(is_han, part)) for part in text.split()), default=0)


#: How far outside a seal a line of the unit's name may end (or begin) and still run into it, in seal widths.
SIGN_REACH = 0.05


def is_printed_issuer_seal(cand: SealCandidate, lines: Sequence[TextLine], identity: Identity | None,
                           image: np.ndarray | None = None) -> bool:
    """Whether an unread seal signs for an organisation printed at it that is not the applicant's unit.

    A certificate or award is signed by its issuer's name printed over or under the seal
    (华南理工大学 / 2023年4月, 中国电机工程学会电工数学专业委员会); a small or faint ring is
    often not read, and the seal was masked as maybe the unit's. When a line at the seal (its
    centre within the seal's width, overlapping the seal's height grown by a quarter) is a
    full organisation name (:func:`_org_name`) read with confidence and none of the lines
    there names the applicant's unit, even loosely (:func:`unit_matches`: a shared piece of
    three characters is enough), the seal is that organisation's and stays visible. A unit
    that signs under its own name is masked as before.

    With the page ``image``, a line inside the ring written in the seal's own ink is the seal's
    centre text, not print beside it (:func:`_seal_own_line`): a held-out photo's 电子科技大学
    学生就业指导中心 seal, shrunk to 1,280 px, read as nothing round its ring, and its centre line
    学生就业指导中心, read by the page's OCR, kept it visible as that centre's.
    """
    if identity is None or not identity.unit_names or is_rect_stamp(cand):
        # a rectangular stamp (…专用章) is a department's: the page's OCR reads its own words into
        # the print round it (a library's 论文检测专用章 at 1280 px + q75: 中国学术期刊网络版 and
        # the stamp's 大学 read as one line, 检测范围：中国学术期刊络版大学, a 大学 at the stamp)
        return False
    near = [ln for ln in _lines_at(cand, lines) if image is None or not _seal_own_line(cand, ln, image)]
    # Chinese lines are matched loosely; an English line only by a Latin name of the unit whole (the
    # loose match finds University of South China's pieces in any English line)
    if any(unit_matches(ln.text, identity) for ln in near if _most_han(ln.text) >= 2) \
            or names_unit_in_latin(" ".join(ln.text for ln in near), identity):
        return False
    return any(score >= _ISSUER_SCORE and (_org_name(text) or _org_name_en(text))
               for text, score in _stacked_texts(near))


def _seal_own_line(cand: SealCandidate, line: TextLine, image: np.ndarray) -> bool:
    """Whether ``line`` lies inside the seal's box and is written in stamp ink, more than in dark print.

    The centre line of a round seal reaches its ring at the corners of its box, so the box is
    the test, with :data:`OWN_LINE_MARGIN` of the seal's size to spare.

    >>> from zcmask.locate._seal_find import SealCandidate
    >>> page = np.full((200, 200, 3), 250, np.uint8)
    >>> seal = SealCandidate((100.0, 100.0), (80.0, 80.0), 0.0, "round", "color", 1.0, (20, 20, 180, 180))
    >>> page[120:140, 60:140:3] = (220, 40, 40)  # red strokes of the seal's centre line
    >>> line = TextLine("学生就业指导中心", (60, 120, 140, 140), 1.0, ())
    >>> _seal_own_line(seal, line, page)
    True
    >>> page[120:140, 60:140:3] = (20, 20, 20)  # black print
    >>> _seal_own_line(seal, line, page)
    False
    """
    x0, y0, x1, y1 = cand.bbox
    tol = OWN_LINE_MARGIN * max(x1 - x0, y1 - y0)
    if not box_within(line.bbox, (x0 - tol, y0 - tol, x1 + tol, y1 + tol)):
        return False  # runs out of the seal's box: print the seal is stamped over
    lx0, ly0, lx1, ly1 = line.bbox
    crop = image[max(0, int(ly0)):int(np.ceil(ly1)), max(0, int(lx0)):int(np.ceil(lx1))]
    if crop.size == 0:
        return False
    red = float(np.asarray(ink_mask(crop), bool).mean())
    dark = float((crop.max(axis=2) < DARK_PRINT).mean())
    return red >= OWN_LINE_RED and red > dark


#: Brightest channel under which a pixel is dark print, not stamp ink (red ink keeps its red channel up).
DARK_PRINT = 110
#: How far a seal's own line may reach past the seal's box, as a share of its size.
OWN_LINE_MARGIN = 0.03
#: Least share of a seal's own line's box in stamp ink (its characters' strokes: the held-out form's
#: centre line 0.51 to 0.56; a ring crossing an empty box a few hundredths).
OWN_LINE_RED = 0.2


#: Words that end or make an English organisation's name printed under the seal that signs an award
#: (Research Association of China). Not University, College or Company: an applicant's unit may be one.
_ISSUER_WORDS_EN = re.compile(r"(?<![A-Za-z])(?:association|society|committee|council|federation|foundation|"
                           r"commission|ministry|bureau|academy)(?![A-Za-z])", re.IGNORECASE)


def _org_name_en(text: str) -> bool:
    """Whether a line is an English organisation's name: three words or more, one of :data:`_ISSUER_WORDS_EN`.

    >>> _org_name_en("Research Association of China"), _org_name_en("FLT Research Association")
    (True, True)
    >>> _org_name_en("Association"), _org_name_en("Xinjiang University School of Software")
    (False, False)
    """
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 3 and _ISSUER_WORDS_EN.search(text) is not None


def _stacked_texts(near: Sequence[TextLine]) -> list[tuple[str, float]]:
    """Each line at the seal, and each two stacked ones read as one (an issuer's name in two lines).

    Two lines are stacked when the second starts within a line height under the first and they
    overlap across; the pair's score is the lower one.
    """
    out = [(ln.text, ln.score) for ln in near]
    by_top = sorted(near, key=lambda ln: ln.bbox[1])
    for a, b in zip(by_top, by_top[1:], strict=False):
        h = a.bbox[3] - a.bbox[1]
        if 0 <= b.bbox[1] - a.bbox[3] <= h and min(a.bbox[2], b.bbox[2]) > max(a.bbox[0], b.bbox[0]):
            out.append((a.text + b.text, min(a.score, b.score)))
    return out


#: Least OCR confidence of the printed issuer's name (a unit's name garbled by stamp ink is not trusted).
_ISSUER_SCORE = 0.85


def _photo_areas(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    import cv2

    from zcmask.locate.faces import photo_blocks

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    return photo_blocks(gray)
