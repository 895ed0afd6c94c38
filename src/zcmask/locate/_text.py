"""Find the applicant's name and work unit in recognised text lines.

Matching runs on one character stream built from every line in reading order,
so that spaced names, names split across lines or table cells, middle-dot
variants and one OCR confusion are all found. A match becomes one region per
line it touches. This module does not look at pixels; signature areas that OCR
could not read are located from their labels' geometry.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from zcmask._geometry import boxes_overlap
from zcmask.locate._pinyin import (
    COMPOUND_SURNAMES,
    HONORIFIC,
    initials_patterns,
    latin_forms,
    latin_given_forms,
    latin_name_parts,
    latin_unit_forms,
    lines_with,
    surname_length,
    transliterated,
)
from zcmask.locate._variants import (
    AUTHORITY_WORDS,
    CONFUSABLE,
    DOT_JUNK,
    DOTS,
    FIELD_LABELS,
    GENERIC,
    LEGAL_SUFFIXES,
    NAME_DOTS,
    OTHER_SIGNERS,
    OWN_FIELDS,
    REGION_SHORT,
    SIGNATURE_LABELS,
    UNIT_STOPWORDS,
    in_signature_word,
    is_han,
    looks_alike,
    name_parts,
    norm_char,
    norm_text,
    numeral_forms,
)
from zcmask.options import Identity
from zcmask.results import Char, Region, TextLine

# A low-confidence character may stand for any name character (not the surname).
_LOW_SCORE = 0.75
# A character read with less confidence than this may stand for the unit character at its place
# in a piece of the unit name (a font's 门 read as 内 at 0.74), one per piece.
_UNIT_WILD_SCORE = 0.9
# Shortest run of a long unit name that is masked when the rest is not visible.
UNIT_NGRAM = 6


@dataclass(frozen=True)
class _S:
    """One character of the stream."""

    ch: str
    score: float
    line: int
    char: Char


def _side_by_side(a: TextLine, b: TextLine) -> bool:
    """Whether two lines can share a row: their x-ranges overlap by < 30 % of the narrower.

    A line's x-range is its characters' where it has them: a detected box may run on over blank
    paper into the next line's (姓名卜 boxed to 625 px, its 卜 ending at 576 and the 凡 of 卜　　凡
    read alone from 611, at 120 dpi), which put 凡 on another row and split the name.
    """
    (a0, a1), (b0, b1) = _x_range(a), _x_range(b)
    overlap = min(a1, b1) - max(a0, b0)
    narrower = max(1.0, min(a1 - a0, b1 - b0))
    return overlap < 0.3 * narrower


def _x_range(ln: TextLine) -> tuple[float, float]:
    """Where ``ln``'s characters lie across the page (its box's when it has none)."""
    if not ln.chars:
        return float(ln.bbox[0]), float(ln.bbox[2])
    return float(min(c.bbox[0] for c in ln.chars)), float(max(c.bbox[2] for c in ln.chars))


def _reading_order(lines: Sequence[TextLine]) -> list[TextLine]:
    """Sort lines into rows (by vertical overlap), then left to right.

    Lines of one row stand side by side. On a tilted or curled photo the boxes
    of two consecutive paragraph lines overlap vertically by more than half; they
    are still two rows, or a unit wrapped from the end of one line to the start
    of the next (清华大学国 | 情研究院) would be read in the wrong order.
    """
    items = sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2)
    rows: list[list[TextLine]] = []
    for ln in items:
        cy = (ln.bbox[1] + ln.bbox[3]) / 2
        h = max(1.0, ln.bbox[3] - ln.bbox[1])
        if rows:
            last = rows[-1]
            ry0 = np.median([r.bbox[1] for r in last])
            ry1 = np.median([r.bbox[3] for r in last])
            if ry0 - 0.1 * h <= cy <= ry1 + 0.1 * h and all(_side_by_side(ln, r) for r in last):
                last.append(ln)
                continue
        rows.append([ln])
    out: list[TextLine] = []
    for r in rows:
        out.extend(sorted(r, key=lambda ln: ln.bbox[0]))
    return out


#: Dashes OCR reads a lone 一 as (于一 read 于—); :func:`build_stream` skips them as dots.
YI_DASHES = frozenset("-－—–_~")


def build_stream(lines: Sequence[TextLine], *, dash_as_yi: bool = False) -> tuple[list[TextLine], list[_S]]:
    """Return lines in reading order and the folded character stream over them.

    Dots and dashes are left out (a name's dot may be read as either); with ``dash_as_yi``
    a dash stands in the stream as 一 instead, for a name that holds 一.
    """
    ordered = _reading_order(lines)
    stream: list[_S] = []
    for li, ln in enumerate(ordered):
        for c in ln.chars:
            for part in c.text:
                n = norm_char(part)
                if dash_as_yi and n in YI_DASHES:
                    n = "一"
                elif not n or n.isspace() or n in DOTS:
                    continue
                stream.append(_S(n, c.score, li, c))
    return ordered, _latin_lookalikes(stream)


#: Latin letters (folded to lower case) a Chinese character drawn like them is read as, with doubt
#: (丁 standing alone as T; 丫 alone as Y, 0.9-1.0 sure in all eight fonts the layout pages use).
LATIN_LOOKALIKES = {"t": "丁", "y": "丫"}


def _latin_lookalikes(stream: list[_S]) -> list[_S]:
    """``stream`` with a doubtful lone Latin letter beside a Chinese character read as the one it looks like.

    丁 | 丁 down a 姓名 cell in a system font came back ``丁T``, the T at 0.53: the name was matched
    only as its first 丁. A letter of :data:`LATIN_LOOKALIKES` read under :data:`_LOW_SCORE`, with a
    Chinese character next to it on its line and no Latin letter either side, stands for that
    character; English words (ATTENTION) are left as they are. So is a line of two or three such
    letters alone between Chinese characters, one of them doubtful (a blank's 丁丁 read ``TT``).

    >>> from zcmask.results import Char
    >>> st = [_S(ch, sc, 0, Char(ch, (0, 0, 1, 1), sc)) for ch, sc in (("丁", 0.5), ("t", 0.53))]
    >>> "".join(s.ch for s in _latin_lookalikes(st))
    '丁丁'
    >>> st = [_S(ch, sc, ln, Char(ch, (0, 0, 1, 1), sc)) for ch, sc, ln in
    ...       (("明", 1.0, 0), ("t", 0.57, 1), ("t", 0.93, 1), ("同", 1.0, 2))]
    >>> "".join(s.ch for s in _latin_lookalikes(st))
    '明丁丁同'
    """
    def latin(k: int) -> bool:
        return 0 <= k < len(stream) and stream[k].line == stream[i].line and stream[k].ch.isascii() \
            and stream[k].ch.isalpha()

    def han(k: int) -> bool:
        return 0 <= k < len(stream) and stream[k].line == stream[i].line and is_han(stream[k].ch)

    out = list(stream)
    for i, s in enumerate(stream):
        look = LATIN_LOOKALIKES.get(s.ch)
        if look and s.score < _LOW_SCORE and not latin(i - 1) and not latin(i + 1) and (han(i - 1) or han(i + 1)):
            out[i] = _S(look, s.score, s.line, s.char)
    # a line of nothing but such letters, one of them doubtful, between Chinese characters: a blank
    # filled in with 丁丁 read ``TT`` (T at 0.57) between 兹证明 and 同志
    i = 0
    while i < len(stream):
        j = i
        while j < len(stream) and stream[j].line == stream[i].line:
            j += 1
        run = stream[i:j]
        if 2 <= len(run) <= 3 and all(c.ch in LATIN_LOOKALIKES for c in run) and min(c.score for c in run) < _LOW_SCORE \
                and i > 0 and j < len(stream) and is_han(stream[i - 1].ch) and is_han(stream[j].ch):
            out[i:j] = [_S(LATIN_LOOKALIKES[c.ch], c.score, c.line, c.char) for c in run]
        i = j
    return out


def lookalike_lines(lines: Sequence[TextLine], identity: Identity) -> list[TextLine]:
    """The page's lines with each lone Latin letter drawn like a character of the name read as it, or [].

    At 120 dpi in JPEG noise the recogniser reads every 丁 standing by itself as ``T``, sure (0.87
    to 1.0): 申报人：TT, 经办人：TT, 姓名T, 姓：T 名：T and T | T down a margin, on one layout page
    for 丁丁. For a name that holds such a character (:data:`LATIN_LOOKALIKES`), a run of at most as
    many of its letters as the name holds, with no Latin letter beside it on its line (ATTENTION
    stays), is that character whatever its confidence. Only OCR lines change; [] when none does,
    or the name holds no such character.

    >>> from zcmask.options import Identity
    >>> [ln.text for ln in lookalike_lines([TextLine("经办人：TT", (0, 0, 6, 1), 1.0, ()),
    ...                                     TextLine("ATTENTION T", (0, 2, 6, 3), 1.0, ())], Identity(name="丁丁"))]
    ['经办人：丁丁', 'ATTENTION 丁']
    >>> lookalike_lines([TextLine("经办人：TT", (0, 0, 6, 1), 1.0, ())], Identity(name="王一"))
    []
    """
    names = [norm_text(n) for n in (identity.name, *identity.aliases)]
    letters = {k: v for k, v in LATIN_LOOKALIKES.items() if any(v in n for n in names)}
    if not letters:
        return []
    most = max(n.count(v) for n in names for v in letters.values())

    def swap(text: str) -> str:
        out = list(text)
        i = 0
        while i < len(text):
            j = i
            while j < len(text) and norm_char(text[j]) in letters:
                j += 1
            if j == i:
                i += 1
                continue
            beside = [text[k] for k in (i - 1, j) if 0 <= k < len(text)]
            if j - i <= most and not any(c.isascii() and c.isalpha() for c in beside):
                out[i:j] = [letters[norm_char(c)] for c in text[i:j]]
            i = j
        return "".join(out)

    changed = False
    out: list[TextLine] = []
    for ln in lines:
        text = swap(ln.text) if ln.source == "ocr" else ln.text
        if text == ln.text:
            out.append(ln)
            continue
        changed = True
        # the characters take the line's letters in order (its spaces have no character)
        seen = "".join(c for c in text if not c.isspace())
        it = iter(seen if len(seen) == sum(len(c.text) for c in ln.chars) else swap("".join(c.text for c in ln.chars)))
        out.append(TextLine(text, ln.bbox, ln.score,
                            tuple(Char("".join(next(it) for _ in c.text), c.bbox, c.score) for c in ln.chars),
                            ln.source))
    return out if changed else []


def _match_at(stream: Sequence[_S], i: int, pat: str, fuzzy: bool, junk: bool,
              max_any: int = 0, dropped: list[tuple[int, str]] | None = None, tolerate: int = 1) -> int | None:
    """Match ``pat`` at stream position ``i``; return the end index or None.

    ``fuzzy`` tolerates ``tolerate`` confusable, low-confidence or dropped characters; ``max_any``
    tolerates that many arbitrary substitutions after the first character (long
    unit names, where a few misread characters cannot make another unit).
    On a match, ``dropped`` (when given) receives the stream index before which
    a character of ``pat`` that OCR did not read was skipped, and that character;
    a tolerated character that begins a new line is reported the same way, since
    the real one may be an unread character ending the line before (a widely
    spaced ``司　马　云`` whose lone 云 the detector missed, matched with the 工
    that starts the next line).
    """
    n = len(stream)
    j = i
    subs = 0
    if pat[:1] == WILDCARD and not is_han(stream[i].ch):
        return None
    anys = 0
    skipped: tuple[int, str] | None = None
    for k, pc in enumerate(pat):
        if j >= n:
            return None
        sc = stream[j]
        if pc == WILDCARD:  # a character the recogniser cannot return: any Chinese character stands for it
            if not is_han(sc.ch):
                return None
            j += 1
            continue
        if k > 0 and junk and sc.ch != pc and sc.ch in DOT_JUNK and j + 1 < n:
            j += 1
            sc = stream[j]
        if sc.ch == pc:
            if k == len(pat) - 1 and k >= 5 and skipped is None and stream[j - 1].line != sc.line:
                # a long name's last character read only as the start of another line: the real
                # one may be an unread character ending this one (a calligraphic 北京林業大[學]
                # whose 學 the detector left out, matched with the 学 of 学号 on the line below)
                skipped = (j, pc)
            j += 1
            continue
        if fuzzy and subs < tolerate and (
            sc.ch in CONFUSABLE.get(pc, ()) or (k > 0 and sc.score < _LOW_SCORE)
        ):
            subs += 1
            if k > 0 and stream[j - 1].line != sc.line:
                skipped = (j, pc)
            if k > 0 and j + 1 < n and stream[j + 1].ch == pc:
                j += 1  # a doubtful mark read in the gap before the real character (叶 未 ☑央): both
            j += 1
            continue
        # One character OCR dropped inside a long name (4+), or an inner 一 inside a name of three
        # (李一鸣 in light grey read 李鸣: one stroke is the character most easily lost): the
        # neighbours' boxes still span the dropped character's pixels.
        if fuzzy and subs < tolerate and (len(pat) >= 4 or (len(pat) == 3 and pc in LOST_STROKES)) \
                and 0 < k < len(pat) - 1 and sc.ch == pat[k + 1]:
            subs += 1
            skipped = (j, pc)
            continue
        if k > 0 and anys < max_any:
            anys += 1
            if skipped is None and stream[j - 1].line != sc.line:
                skipped = (j, pc)
            j += 1
            continue
        return None
    if dropped is not None and skipped is not None:
        dropped.append(skipped)
    return j


def _find_all(stream: Sequence[_S], pat: str, *, fuzzy: bool, junk: bool,
              max_any: int = 0, breaks: list[tuple[_S, _S, str]] | None = None,
              tolerate: int = 1) -> list[tuple[int, int]]:
    """Spans of ``pat`` in ``stream`` (``tolerate``: see :func:`_match_at`).

    ``breaks`` (when given) receives, for each character of ``pat`` skipped
    between two lines (:func:`_match_at`), its two neighbours and the character.
    """
    spans: list[tuple[int, int]] = []
    if not pat:
        return spans
    first = pat[0]
    alts = CONFUSABLE.get(first, frozenset()) if fuzzy else frozenset()
    dropped: list[tuple[int, str]] = []
    for i, s in enumerate(stream):
        if s.ch != first and s.ch not in alts and first != WILDCARD:
            continue
        end = _match_at(stream, i, pat, fuzzy, junk, max_any, dropped, tolerate)
        if end is not None:
            spans.append((i, end))
    if breaks is not None:
        breaks += [(stream[j - 1], stream[j], ch) for j, ch in dropped if stream[j - 1].line != stream[j].line]
    return spans


#: Stands in a name pattern for a character the recogniser cannot return (not in its dictionary).
WILDCARD = "\uffff"


def name_patterns(identity: Identity, unreadable: frozenset[str] = frozenset()) -> list[str]:
    """The folded forms of the name and its aliases.

    A character in ``unreadable`` (one the recogniser cannot return) becomes :data:`WILDCARD`,
    which any Chinese character matches, in a form that keeps at least two other characters;
    a form with fewer cannot be told from other text and is left out.

    >>> from zcmask.options import Identity
    >>> [p.replace(WILDCARD, "?") for p in name_patterns(Identity(name="王𠮷祥"), frozenset("𠮷"))]
    ['王?祥']
    """
    out: list[str] = []
    for s in (identity.name, *identity.aliases):
        n = norm_text(s)
        if unreadable and any(c in unreadable for c in n):
            n = "".join(WILDCARD if c in unreadable else c for c in n)
            if len(n) - n.count(WILDCARD) < 2:
                continue
        if n and n not in out:
            out.append(n)
    return out


def reversed_names(identity: Identity) -> list[str]:
    """A Chinese name of three characters or more given name first, as a foreign certificate prints it.

    Matched exactly only: the fuzzy rules take a name's first character for its surname.

    >>> from zcmask.options import Identity
    >>> reversed_names(Identity(name="曹轩瑜", aliases=("欧阳娜娜", "王伟", "艾尔肯·吐尔逊")))
    ['轩瑜曹', '娜娜欧阳']
    """
    out: list[str] = []
    for s in (identity.name, *identity.aliases):
        n = norm_text(s)
        if 3 <= len(n) <= 4 and all(is_han(c) for c in n) and len(name_parts(s)) == 1:
            k = 2 if n[:2] in COMPOUND_SURNAMES else 1
            if n[k:] + n[:k] not in out:
                out.append(n[k:] + n[:k])
    return out


def unreadable_name_chars(identity: Identity, charset: frozenset[str] | None) -> frozenset[str]:
    """Characters of the applicant's names that the recogniser cannot return (none when unknown).

    >>> from zcmask.options import Identity
    >>> sorted(unreadable_name_chars(Identity(name="王𠮷祥", aliases=("艾尔肯·吐尔逊",)), frozenset("王祥艾尔肯吐逊")))
    ['𠮷']
    """
    if not charset:
        return frozenset()
    return frozenset(c for s in (identity.name, *identity.aliases) for c in norm_text(s) if c not in charset)


def unit_patterns(identity: Identity) -> list[str]:
    """Every unit value plus its automatic short forms, folded, longest first.

    Short forms drop legal suffixes (有限公司, 集团 ...), shorten 巴音郭楞蒙古自治州 to
    巴州 and 新疆维吾尔自治区 to 新疆, and keep the part after the last 公司 of a
    branch name, and that part without its 分公司. Numbers are also written the other way (第13中学, 第十三中学:
    :func:`numeral_forms`). Automatic forms shorter than four characters are too generic to
    use; a value the applicant typed in is used from two characters (嘉华), unless it is a
    word every unit has (:data:`UNIT_STOPWORDS`).
    """
    out: set[str] = set()

    def add(s: str) -> None:
        n = norm_text(s)
        if len(n) >= 4 and n not in GENERIC:
            out.add(n)

    for u in identity.unit_names:
        given = norm_text(u)
        if len(given) >= 2 and given not in GENERIC and given not in UNIT_STOPWORDS:
            out.add(given)  # typed in by the applicant (嘉华 for 嘉华实业有限公司): matched as it is
        forms = {given}
        for long, short in REGION_SHORT:
            forms |= {f.replace(long, short) for f in forms}
        forms |= {g for f in forms for g in numeral_forms(f)}
        for f in list(forms):
            for suf in LEGAL_SUFFIXES:
                if f.endswith(suf) and len(f) - len(suf) >= 4:
                    forms.add(f[: -len(suf)])
                if suf in f[:-1] and suf != "公司":
                    forms.add(f.replace(suf, ""))
                    head, _, tail = f.rpartition(suf)
                    if len(tail) >= 4:
                        forms.add(tail)
                    if len(head) >= 4:
                        forms.add(head)
        # a branch is named without its 分公司 (塔里木油田 for …塔里木油田分公司)
        forms |= {f[: -len(BRANCH)] for f in forms if f.endswith(BRANCH) and len(f) - len(BRANCH) >= 4}
        for f in forms:
            add(f)
    return sorted(out, key=len, reverse=True)


def _doubtful_han(s: _S) -> bool:
    """A Chinese character read with little confidence: it may stand for a unit character."""
    return s.score < _UNIT_WILD_SCORE and is_han(s.ch)


def _unit_ngram_spans(stream: Sequence[_S], units: Iterable[str]) -> list[tuple[int, int]]:
    """Runs of >= UNIT_NGRAM characters that also occur in a unit name."""
    grams: dict[str, list[tuple[str, int]]] = {}
    wild: dict[str, list[tuple[str, int]]] = {}  # one character left out ("\0"): a doubtful read
    for u in units:
        for i in range(len(u) - UNIT_NGRAM + 1):
            g = u[i : i + UNIT_NGRAM]
            if not any(is_han(c) for c in g):
                # six letters of an English alias (Power Supply Company) are a word of any
                # English text (company, supply): only Chinese pieces stand for the unit
                continue
            grams.setdefault(g, []).append((u, i))
            for q in range(UNIT_NGRAM):
                wild.setdefault(g[:q] + "\0" + g[q + 1 :], []).append((u, i))
    if not grams:
        return []
    text = "".join(s.ch for s in stream)
    spans = []
    for i in range(len(text) - UNIT_NGRAM + 1):
        g = text[i : i + UNIT_NGRAM]
        hits = grams.get(g)
        if not hits:
            # one character unlike the unit's, read with doubt: the rest must match exactly
            # (others read with doubt too still count: 山东科技长學, a calligraphic 大 read 长)
            hits = next((h for q in range(UNIT_NGRAM) if _doubtful_han(stream[i + q])
                         for h in (wild.get(g[:q] + "\0" + g[q + 1 :]),) if h), None)
            if not hits:
                continue
            g = hits[0][0][hits[0][1] : hits[0][1] + UNIT_NGRAM]  # the unit's own characters
        # A piece made only of a generic region name (新疆维吾尔自治区 ...) is still a
        # visible piece of the unit, unless an issuing authority's name follows it.
        if any(g in gen for gen in GENERIC):
            ahead = text[i + UNIT_NGRAM : i + UNIT_NGRAM + 14]
            if any(a in ahead for a in AUTHORITY_WORDS) or any(
                    a in text[i : i + UNIT_NGRAM + 14] for a in ("人力资源和社会保障", "人民政府")):
                continue
            # 社会保险/社会保障 with the rest under a seal's ink (…自治州社会 | 里局).
            k = ahead.find("社会")
            if 0 <= k <= 4 and all(c in "自治州区地市县" for c in ahead[:k]):
                continue
        for unit, k in hits:
            spans.append(_extend_piece(stream, i, i + UNIT_NGRAM, unit, k))
    return spans


#: Unit characters OCR may lose between two read pieces (seal ink, a fold).
_MAX_DROPPED = 3
#: How a branch company's name ends (中国石油天然气股份有限公司塔里木油田分公司).
BRANCH = "分公司"
#: Lengths of a unit's head taken before a later piece of it (:func:`_extend_piece`).
UNIT_HEAD_MIN, UNIT_HEAD_MAX = 2, 4


def _extend_piece(stream: Sequence[_S], i: int, j: int, unit: str, k: int) -> tuple[int, int]:
    """Grow the piece ``stream[i:j]`` (= ``unit[k:k+j-i]``) over neighbouring pieces of the unit.

    A unit name printed under a seal often comes back in fragments (巴州 | 电力工程有限)
    with the characters under the ring ink lost. Characters of the same row that
    continue the unit in order, skipping up to ``_MAX_DROPPED`` lost ones, are taken in;
    so are the unit's first two to four characters right before the piece, the middle
    left out, as abbreviations drop it (国网巴州供电公司).
    """
    a, b = k, k + (j - i)

    def fits(s: _S, u: str) -> bool:
        return s.ch == u or s.ch in CONFUSABLE.get(u, ()) or _doubtful_han(s)

    def same_row(s: _S, t: _S, skipped: int) -> bool:
        sb, tb = s.char.bbox, t.char.bbox
        hh = max(1.0, min(sb[3] - sb[1], tb[3] - tb[1]))
        overlap = min(sb[3], tb[3]) - max(sb[1], tb[1])
        gap = max(tb[0] - sb[2], sb[0] - tb[2])
        return overlap > 0.5 * hh and gap < (skipped + 1.5) * 1.6 * hh

    while i > 0 and a > 0:
        s = stream[i - 1]
        u = next((a - 1 - d for d in range(min(_MAX_DROPPED + 1, a))
                  if fits(s, unit[a - 1 - d]) and same_row(s, stream[i], d)), None)
        if u is None:
            break
        i, a = i - 1, u
    # the unit's head written right before a later part of it, the middle left out (国网 |
    # 巴州供电公司 for 国网新疆电力有限公司巴州供电公司, 中国石油 | 塔里木油田分公司)
    for h in range(min(UNIT_HEAD_MAX, a, i), UNIT_HEAD_MIN - 1, -1):
        if "".join(t.ch for t in stream[i - h:i]) == unit[:h] and all(
                same_row(stream[m], stream[m + 1], 0) for m in range(i - h, i)):
            i, a = i - h, 0
            break
    while j < len(stream) and b < len(unit):
        s = stream[j]
        u = next((b + d for d in range(min(_MAX_DROPPED + 1, len(unit) - b))
                  if fits(s, unit[b + d]) and same_row(stream[j - 1], s, d)), None)
        if u is None:
            break
        j, b = j + 1, u + 1
    return i, j


def _merge_spans(spans: list[tuple[int, int]], gap: int = 0) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _padded(x0: float, y0: float, x1: float, y1: float, p: float,
            size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box grown by ``p`` on every side, in whole pixels, clipped to the page."""
    w, h = size
    return (int(max(0, np.floor(x0 - p))), int(max(0, np.floor(y0 - p))),
            int(min(w, np.ceil(x1 + p))), int(min(h, np.ceil(y1 + p))))


def _spans_to_regions(kind: str, spans: Sequence[tuple[int, int]], stream: Sequence[_S],
                      lines: Sequence[TextLine], pad: float, size: tuple[int, int]) -> list[Region]:
    """One region per (span, line): the union of its character boxes plus padding."""
    regions: list[Region] = []
    for a, b in spans:
        by_line: dict[int, list[_S]] = {}
        for s in stream[a:b]:
            by_line.setdefault(s.line, []).append(s)
        text = "".join(s.ch for s in stream[a:b])
        for items in _rows(by_line, lines):
            # OCR character boxes already span the detected (unclipped) line
            # height, which also absorbs the ±1.5° skew of a scan.
            x0 = min(s.char.bbox[0] for s in items)
            x1 = max(s.char.bbox[2] for s in items)
            # A name's middle dot left at the end or start of a line (包· | 巴特尔) is part of it.
            for dot in _edge_dots(items, lines):
                x0, x1 = min(x0, dot.bbox[0]), max(x1, dot.bbox[2])
            x0, x1 = _glyph_ends(items, lines, x0, x1)
            region = _region_over(kind, items, lines, x0, x1, text, pad, size)
            if region is not None:
                regions.append(region)
    return regions


#: A Chinese character's box narrower than this share of its height is widened to :data:`HAN_HALF` of
#: its height each side of its centre (its glyph is nearly square; the box sits late in it).
HAN_NARROW = 0.8
HAN_HALF = 0.45


def _glyph_ends(items: Sequence[_S], lines: Sequence[TextLine], x0: float, x1: float) -> tuple[float, float]:
    """Widen a match's ends to whole glyphs.

    Character boxes come from where the recogniser fired along the line, and in
    widely spaced text they are narrow (娟 of ``赵　丽　娟``: 15 px for a 33 px glyph)
    and sit late in their glyph. A narrow first or last character (under half its
    height) gets 0.4 of its height on each side of its centre; a Chinese one under
    :data:`HAN_NARROW` of its height gets :data:`HAN_HALF` outwards, up to its neighbour's
    box (庞 of a spaced ``庞　士　元`` in Noto Serif CJK at 200 dpi: a 27 px box 8 px right
    of its 36 px glyph's centre, the glyph's first 5 px left visible). A match that ends
    (starts) its line reaches the end (start) of the line's detected box.
    """
    first = min(items, key=lambda t: t.char.bbox[0])
    last = max(items, key=lambda t: t.char.bbox[2])
    for t, side in ((first, 0), (last, 1)):
        b = t.char.bbox
        h = max(1.0, b[3] - b[1])
        half = 0.4 * h if b[2] - b[0] < 0.5 * h else 0.0
        cx = (b[0] + b[2]) / 2
        chars = lines[t.line].chars
        k = _char_pos(lines[t.line], t.char)
        if is_han(t.ch) and b[2] - b[0] < HAN_NARROW * h:
            if side == 0:
                stop = chars[k - 1].bbox[2] if k > 0 else -np.inf
                x0 = min(x0, max(cx - HAN_HALF * h, stop))
            else:
                stop = chars[k + 1].bbox[0] if 0 <= k < len(chars) - 1 else np.inf
                x1 = max(x1, min(cx + HAN_HALF * h, stop))
        if side == 0:
            x0 = min(x0, cx - half)
            if chars and chars[0] is t.char:
                x0 = min(x0, lines[t.line].bbox[0])
        else:
            x1 = max(x1, cx + half)
            if chars and chars[-1] is t.char:
                x1 = max(x1, lines[t.line].bbox[2])
    return x0, x1


def _edge_dots(items: Sequence[_S], lines: Sequence[TextLine]) -> list[Char]:
    """Dots OCR read right after a match's last character or right before its first, on their lines.

    The stream skips dots, so a match ends at 包 of ``包·`` when the name goes on
    on the next line; the dot stays outside the character boxes.
    """
    out: list[Char] = []
    for s, step in ((min(items, key=lambda t: t.char.bbox[0]), -1), (max(items, key=lambda t: t.char.bbox[2]), 1)):
        chars = lines[s.line].chars
        k = _char_pos(lines[s.line], s.char)
        if k < 0:
            continue
        k += step
        while 0 <= k < len(chars) and len(out) < 4 and chars[k].text.strip() and all(
                norm_char(t) in DOTS for t in chars[k].text.strip()):
            out.append(chars[k])
            k += step
    return out


def _char_pos(line: TextLine, ch: Char) -> int:
    """Index of the character object ``ch`` among ``line``'s characters, or -1."""
    return next((i for i, c in enumerate(line.chars) if c is ch), -1)


def _region_over(kind: str, items: Sequence[_S], lines: Sequence[TextLine], x0: float, x1: float, text: str,
                 pad: float, size: tuple[int, int]) -> Region | None:
    """The padded region over ``items`` from ``x0`` to ``x1``, as tall as their characters."""
    y0 = min(s.char.bbox[1] for s in items)
    y1 = max(s.char.bbox[3] for s in items)
    ch = max(4.0, float(np.median([s.char.bbox[3] - s.char.bbox[1] for s in items])))
    box = _padded(x0, y0, x1, y1, max(2.0, pad * ch), size)
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    return Region(kind, box, text, lines[items[0].line].source, float(np.mean([s.score for s in items])))


def _one_row(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two line boxes sit on one visual row: they overlap by over half the lower one's height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * max(1.0, min(a[3] - a[1], b[3] - b[1]))


def _rows(by_line: dict[int, list[_S]], lines: Sequence[TextLine]) -> list[list[_S]]:
    """Join the pieces of one match that sit on the same visual row.

    Spaced characters often come back as separate lines (PDF text layers, wide
    letter-spacing); one box over the whole row also covers the gaps and dots.
    """
    groups: list[list[_S]] = []
    for li in sorted(by_line, key=lambda k: lines[k].bbox[0]):
        items = by_line[li]
        b = lines[li].bbox
        hh = max(1.0, b[3] - b[1])
        for g in groups:
            gx1 = max(s.char.bbox[2] for s in g)
            if _one_row(lines[g[0].line].bbox, b) and items[0].char.bbox[0] - gx1 < 4 * hh:
                g.extend(items)
                break
        else:
            groups.append(list(items))
    return groups


def find_identity(lines: Sequence[TextLine], identity: Identity, size: tuple[int, int],
                  *, pad: float = 0.12, signatures: bool = True,
                  seal_boxes: Sequence[tuple[int, int, int, int]] = (),
                  unreadable: frozenset[str] = frozenset()) -> list[Region]:
    """Locate every appearance of the applicant's name and units.

    Parameters
    ----------
    lines : sequence of TextLine
        Recognised lines of one page (OCR or PDF text layer), in any order.
    identity : Identity
        The applicant.
    size : (width, height)
        Page size in pixels, for clipping.
    pad : float
        Padding around each match, as a share of the character height.
    signatures : bool
        Also mask the area after signature labels when no name was read there.
    seal_boxes : sequence of (x0, y0, x1, y1)
        Seals found on the page. A unit printed under a seal's ink is read
        with errors: on lines overlapping a seal, and on fragments joined
        across overlapping boxes, a unit may differ by one substitution and
        one deletion per 8 characters (:func:`_seal_unit_spans`).
    unreadable : frozenset of str
        Characters of the name the recogniser cannot return (:func:`unreadable_name_chars`):
        any Chinese character stands for them (:func:`name_patterns`).

    Returns
    -------
    list of Region
        Kinds ``name``, ``unit`` and ``signature`` (source ``layout``).

    """
    ordered, stream = build_stream(lines)
    names = name_patterns(identity, unreadable)
    units = unit_patterns(identity)
    name_breaks: list[tuple[_S, _S, str]] = []
    unit_breaks: list[tuple[_S, _S, str]] = []
    gapped = _gapped_names(stream, (identity.name, *identity.aliases), ordered)
    name_spans = (_name_spans(stream, names, name_breaks) + _context_name_spans(stream, names, name_breaks)
                  + [(g.a, g.b) for g in gapped])
    name_spans += _given_name_spans(stream, ordered, identity)
    name_rooms: list[tuple[_S, bool, str]] = []
    name_spans += _end_dropped_name_spans(stream, names, name_rooms)
    name_spans += [sp for pat in reversed_names(identity) for sp in _find_all(stream, pat, fuzzy=False, junk=False)]
    regions = _spans_to_regions("name", _merge_spans(name_spans), stream, ordered, pad, size)
    regions += _row_regions("name", gapped, stream, ordered, pad, size)  # with the characters not read
    regions += [r for s, right, lost in name_rooms
                for r in (_room("name", s.char, ordered[s.line], right, lost, pad, size),) if r is not None]
    # the name in pinyin, on a page printed in English (WANG Jianguo, Jianguo Wang)
    latin = [f for s in (identity.name, *identity.aliases) for f in latin_forms(s) if f not in names]
    if latin:
        regions += _spans_to_regions("name", _merge_spans(_latin_spans(stream, ordered, latin)),
                                     stream, ordered, pad, size)
    # a dotted name's first part alone, after Mr. or Dear (Dear Aierken)
    given = [f for s in (identity.name, *identity.aliases) for f in latin_given_forms(s)]
    if given:
        regions += _spans_to_regions("name", _merge_spans(_latin_spans(stream, ordered, given, prefix=HONORIFIC)),
                                     stream, ordered, pad, size)
    # the name in pinyin misread by a letter or two, or in the applicant's own spelling, after Dear or Mr.
    if latin or given:
        free = [f for s in (identity.name, *identity.aliases) if transliterated(s) for f in latin_forms(s)]
        regions += _spans_to_regions("name", _merge_spans(_lead_name_spans(stream, ordered, latin, given, free)),
                                     stream, ordered, pad, size)
    # the name cited in a list of papers: the surname and the given name's initials (Wei, G.-R.)
    cited = [p for s in (identity.name, *identity.aliases) for p in initials_patterns(s)]
    if cited:
        regions += _spans_to_regions("name", _merge_spans(_pattern_spans(stream, ordered, cited)),
                                     stream, ordered, pad, size)
    # the surname and the given name in two fields (姓：王　名：建国)
    regions += _spans_to_regions("name", _split_field_spans(stream, identity), stream, ordered, pad, size)
    # a name that holds 一, with its 一 read as a dash (于— for 于一)
    if any("一" in p for p in names):
        _, yi = build_stream(lines, dash_as_yi=True)
        regions += _spans_to_regions("name", _merge_spans(_name_spans(yi, names) + _split_field_spans(yi, identity)),
                                     yi, ordered, pad, size)
    # the name's two parts in two fields (Family Name HUANG over First Name JINGXUAN)
    parts = [p for s in (identity.name, *identity.aliases) for p in latin_name_parts(s)]
    if parts:
        regions += _spans_to_regions("name", _field_part_spans(stream, ordered, parts), stream, ordered, pad, size)
    # a school's English name, its place in pinyin (Zhejiang University on a bilingual honour)
    latin_units = [f for u in identity.units for s in (u.name, *u.aliases) for f in latin_unit_forms(s)]
    if latin_units:
        regions += _spans_to_regions("unit", _merge_spans(_latin_spans(stream, ordered, latin_units)),
                                     stream, ordered, pad, size)
    # Pieces of one unit name split by a misread character are joined, so the
    # misread character is covered too.
    regions += _spans_to_regions("unit", _merge_spans(_unit_spans(stream, units, unit_breaks), gap=2),
                                 stream, ordered, pad, size)
    english = [s for u in identity.units for s in (u.name, *u.aliases)]
    regions += _spans_to_regions("unit", _latin_fuzzy_spans(stream, english), stream, ordered, pad, size)
    # A unit read without its first or last character, and that character's room.
    rooms: list[tuple[_S, bool, str]] = []
    regions += _spans_to_regions("unit", _end_dropped_spans(stream, units, rooms), stream, ordered, pad, size)
    regions += [r for s, right, lost in rooms
                for r in (_room("unit", s.char, ordered[s.line], right, lost, pad, size),) if r is not None]
    # Text wrapped inside a table cell (艾尔肯· | 吐尔逊) continues on the line
    # below, not on the next line in reading order, when other cells share the row.
    for sub in _wrapped_streams(ordered, stream) + _column_streams(ordered, stream):
        def crossing(spans: list[tuple[int, int]], sub: list[_S] = sub) -> list[tuple[int, int]]:
            return [(a, b) for a, b in spans if sub[a].line != sub[b - 1].line]

        regions += _spans_to_regions("name", crossing(_merge_spans(_name_spans(sub, names, name_breaks))),
                                     sub, ordered, pad, size)
        if len({s.line for s in sub}) >= COLUMN_NAME_LINES:
            regions += _spans_to_regions("name", _bracketed_spans(sub, names), sub, ordered, pad, size)
        regions += _spans_to_regions("unit", crossing(_merge_spans(_unit_spans(sub, units, unit_breaks), gap=2)),
                                     sub, ordered, pad, size)
    # A short column read the wrong way round (王 | 一 down a cell read 一王): matched again reversed.
    for sub in _reversed_columns(ordered, stream):
        regions += _spans_to_regions("name", _merge_spans(_name_spans(sub, names)), sub, ordered, pad, size)
    # A character skipped at a line break lies outside both lines' boxes.
    regions += _break_regions("name", list(dict.fromkeys(name_breaks)), ordered, pad, size)
    regions += _break_regions("unit", list(dict.fromkeys(unit_breaks)), ordered, pad, size)
    for sub in _inked_streams(ordered, stream, seal_boxes):
        regions += _spans_to_regions("unit", _merge_spans(_tolerant_unit_spans(sub, units)),
                                     sub, ordered, pad, size)
    regions += _spans_to_regions("unit", _cut_by_seal_spans(ordered, stream, seal_boxes, units),
                                 stream, ordered, pad, size)
    if signatures:
        roles = own_roles(stream, name_spans)
        regions += _signature_regions(ordered, stream, name_spans, size, [r for r, _ in roles], {li for _, li in roles})
    return regions


#: Characters a role label may reach left of its role word (申报单位法定代表人: 法定代表人).
ROLE_REACH = 3
#: Least confidence of every character after a role that says the field is filled in print.
PRINTED_SCORE = 0.9


def own_roles(stream: Sequence[_S], name_spans: Sequence[tuple[int, int]]) -> list[tuple[str, int]]:
    """The signers' labels the page shows the applicant holding, one right before a name read, and its line.

    A form names its signers by role (法定代表人, 项目负责人, 经办人) and they sign after the role
    again at its foot; the role names another signer (:data:`OTHER_SIGNERS`) unless the page itself
    says it is the applicant's. On a held-out tax form, 法定代表人（负责人、业主） 池仕贵 at the top,
    and the cursive 池仕贵 over 法定代表人： at the foot was left visible. The label is the run of
    Chinese characters round the role word, up to :data:`ROLE_REACH` characters left of it, ending
    before the name or a bracket. The line it is read on is where the name was given, not signed.

    >>> own_roles([_S(c, 1.0, 0, None) for c in "项目负责人：王建国"], [(6, 9)])  # type: ignore[arg-type]
    [('项目负责人', 0)]
    """
    text = "".join(s.ch for s in stream)
    out: list[tuple[str, int]] = []
    for a, _b in name_spans:
        start = max(0, a - 10)
        before = text[start:a]
        for o in OTHER_SIGNERS:
            k = before.rfind(o)
            if k < 0:
                continue
            i, j = start + k, start + k + len(o)
            while i > start + k - ROLE_REACH and i > 0 and is_han(text[i - 1]) and stream[i - 1].line == stream[j - 1].line:
                i -= 1
            while j < a and is_han(text[j]):
                j += 1
            if (text[i:j], stream[i].line) not in out:
                out.append((text[i:j], stream[i].line))
    return out


def _positions_by_line(stream: Sequence[_S]) -> dict[int, list[int]]:
    """The stream positions of each line's characters, by line index, in stream order."""
    by_line: dict[int, list[int]] = {}
    for i, s in enumerate(stream):
        by_line.setdefault(s.line, []).append(i)
    return by_line


#: Shortest piece of a unit name matched where a seal's ink cuts the line.
SEAL_CUT_PIECE = 4


def _cut_by_seal_spans(lines: Sequence[TextLine], stream: Sequence[_S],
                       seal_boxes: Sequence[tuple[int, int, int, int]], units: Sequence[str]) -> list[tuple[int, int]]:
    """The visible start (or end) of a unit whose rest runs under a seal.

    收款单位（章）：上海市第 | seal | ：OCR stops where the stamp's ink begins, so of 上海市第一人民医院
    only 上海市第 is read, too short for the other rules. A line that runs into a seal's box
    and ends with the first four or more characters of a unit (or starts inside a seal's box
    with its last four or more) has that piece masked; the seal is masked on its own.
    """
    if not seal_boxes:
        return []
    spans: list[tuple[int, int]] = []
    for li, idx in _positions_by_line(stream).items():
        x0, y0, x1, y1 = lines[li].bbox
        hh = max(1.0, y1 - y0)
        row = [sb for sb in seal_boxes if sb[1] < y1 and sb[3] > y0]
        ends_in = any(sb[0] - hh <= x1 <= sb[2] for sb in row)
        starts_in = any(sb[0] <= x0 <= sb[2] + hh for sb in row)
        if not (ends_in or starts_in):
            continue
        text = "".join(stream[i].ch for i in idx)
        best_head = best_tail = 0
        for pat in units:
            for k in range(min(len(pat) - 1, len(text)), SEAL_CUT_PIECE - 1, -1):
                if ends_in and k > best_tail and text.endswith(pat[:k]) and pat[:k] not in GENERIC:
                    best_tail = k
                if starts_in and k > best_head and text.startswith(pat[-k:]) and pat[-k:] not in GENERIC:
                    best_head = k
        if best_tail:
            spans.append((idx[-best_tail], idx[-1] + 1))
        if best_head:
            spans.append((idx[0], idx[best_head - 1] + 1))
    return spans


def given_names(identity: Identity) -> list[str]:
    """The personal names of dotted (Uyghur) names, folded: 艾尔肯·吐尔逊 -> 艾尔肯.

    A Uyghur name is the person's own name, a dot, and the father's; running text calls the
    person by the first part alone (艾尔肯同志). Parts under three characters are too common
    to look for alone.

    >>> from zcmask.options import Identity
    >>> given_names(Identity(name="艾尔肯·吐尔逊", aliases=("阿依·买买提", "王建国")))
    ['艾尔肯']
    """
    out: list[str] = []
    for s in (identity.name, *identity.aliases):
        parts = name_parts(s)
        if len(parts) >= 2:
            first = parts[0]
            if len(first) >= 3 and all(is_han(c) for c in first) and first not in out:
                out.append(first)
    return out


#: Words that may follow a personal name standing alone in running text (艾尔肯同志, 艾尔肯在…).
GIVEN_AFTER = ("同志", "同学", "先生", "女士", "老师", "医生", "主任", "在", "于", "自", "是", "为", "的", "等",
               "参加", "申报", "担任", "任", "从事", "工作", "现任", "已", "具有", "能", "积极", "认真", "和", "与")
#: Characters that may come right before it (经…, 同意…, 推荐…).
GIVEN_BEFORE = frozenset("是经由对将把让请派令和与及跟向给为被荐意准聘任予")


def _near_on_row(a: _S, b: _S, lines: Sequence[TextLine], h: float) -> bool:
    """Whether ``b`` follows ``a`` on the same row, less than two character heights to its right."""
    return (a.line != b.line and _one_row(lines[a.line].bbox, lines[b.line].bbox)
            and 0 <= b.char.bbox[0] - a.char.bbox[2] < 2 * h)


def _given_name_spans(stream: Sequence[_S], lines: Sequence[TextLine], identity: Identity) -> list[tuple[int, int]]:
    """Where the personal name of a dotted name stands alone, not as part of another name.

    艾尔肯 in 艾尔肯同志 or alone in a cell is the applicant; in 艾尔肯·买买提 or 吐尔逊·艾尔肯
    (a dot beside it) it is someone else, and so it is when another Chinese character runs on
    (艾尔肯买买提, its dot not read), unless that is a word that follows a name in running text
    (:data:`GIVEN_AFTER`) or comes before one (:data:`GIVEN_BEFORE`).
    """
    spans: list[tuple[int, int]] = []
    for pat in given_names(identity):
        for i, j in _find_all(stream, pat, fuzzy=False, junk=False):
            first, last = stream[i], stream[j - 1]
            before_ln, after_ln = lines[first.line], lines[last.line]
            a, b = _char_pos(before_ln, first.char), _char_pos(after_ln, last.char)
            before = before_ln.chars[a - 1].text if a > 0 else ""
            after = "".join(c.text for c in after_ln.chars[b + 1:b + 3]) if b >= 0 else ""
            # the neighbours may be the next box of the same row (a cell split by the detector)
            h = last.char.bbox[3] - last.char.bbox[1]
            if not after and j < len(stream) and _near_on_row(last, stream[j], lines, h):
                after = "".join(s.ch for s in stream[j:j + 2])
            if not before and i > 0 and _near_on_row(stream[i - 1], first, lines, h):
                before = stream[i - 1].ch
            if any(c in NAME_DOTS for c in before + after[:1]):
                continue
            if before and is_han(before[-1]) and before[-1] not in GIVEN_BEFORE:
                continue
            if after and is_han(after[0]) and not after.startswith(GIVEN_AFTER):
                continue
            spans.append((i, j))
    return spans


def _latin_spans(stream: Sequence[_S], lines: Sequence[TextLine], forms: Sequence[str],
                 prefix: str = "") -> list[tuple[int, int]]:
    """Pinyin spellings of the name on lines that print one as a whole word or words.

    The stream has no spaces, so whether ``wangli`` is a name or the start of
    ``Wanglin`` is decided on the line's own text (:func:`zcmask.locate._pinyin.lines_with`),
    where ``prefix`` (a pattern) must come right before it.
    """
    ok = lines_with(forms, [ln.text for ln in lines], prefix=prefix)
    spans: list[tuple[int, int]] = []
    if not ok:
        return spans
    for i, s in enumerate(stream):
        if s.line not in ok:
            continue
        for f in forms:
            part = stream[i:i + len(f)]
            if len(part) == len(f) and "".join(x.ch for x in part) == f and part[-1].line == s.line:
                spans.append((i, i + len(f)))
    return spans


#: What an English letter or certificate puts right before a person's name: ``Dear``, ``Mr./Miss``,
#: ``certify that``, a ``Name:`` label. A camel edge ends it too (``DearYan Chen``).
_NAME_LEAD = re.compile(r"(?<![A-Za-z])(?:mrs?|ms|miss|dear|dr|prof(?:essor)?|comrade|certif(?:y|ies)\s+that"
                        r"|(?:awarded|presented)\s+to|name\s*[:：])\.?(?:(?![A-Za-z])|(?-i:(?<=[a-z])(?=[A-Z])))",
                        re.IGNORECASE)
#: Letters per edit a pinyin spelling may be misread by, right after :data:`_NAME_LEAD` (two edits
#: in ``aizierjiang``: a handwritten ``AtZier jang``, the applicant's own ``Aiziljiang``).
LEAD_LETTERS_PER_EDIT = 5
#: Letters of a whole name's spelling per edit it may be misread by anywhere else on a line
#: (``Aizierjang``, eleven letters, for ``aizierjiang``).
FREE_LETTERS_PER_EDIT = 10
#: How many words after the lead a name may start at (``Mr./Miss`` read ``Mr.edliss AtZier``).
LEAD_WORDS = 2
#: A word of Latin letters; a capital after a small letter starts another (``AtZier``, ``DearYan``).
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ](?:[a-zß-ɏ]+|[A-ZÀ-Þ]+(?![a-z]))?")
#: Words an English sentence goes on with after a name, never a second part of the name.
_NOT_NAME_WORDS = frozenset(("the", "and", "has", "have", "was", "is", "in", "of", "for", "from", "who", "with",
                             "student", "students", "class", "grade", "major", "school", "university", "college"))


def _edits(a: str, b: str) -> int:
    """Levenshtein distance of two short strings.

    >>> _edits("atzierjang", "aizierjiang"), _edits("aiziljiang", "aizierjiang")
    (2, 2)
    """
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j - 1] + (ca != cb), prev[j] + 1, cur[j - 1] + 1))
        prev = cur
    return prev[-1]


def _line_text_at(line: TextLine, idx: Sequence[int]) -> tuple[str, list[int]]:
    """A line's text, with its spaces, and each text position's stream index (-1: none).

    ``idx`` are the line's stream positions (:func:`_positions_by_line`). The characters carry
    no spaces; the line's text has them where it holds the same characters otherwise.
    """
    text, at = "", []
    k = 0
    for c in line.chars:
        for part in c.text:
            n = norm_char(part)
            keep = bool(n) and not n.isspace() and n not in DOTS
            text += part
            at.append(idx[k] if keep and k < len(idx) else -1)
            k += keep
    if "".join(line.text.split()) != "".join(text.split()):
        return text, at
    solid = [x for ch, x in zip(text, at, strict=True) if not ch.isspace()]
    it = iter(solid)
    return line.text, [-1 if ch.isspace() else next(it) for ch in line.text]


def _lead_name_spans(stream: Sequence[_S], lines: Sequence[TextLine], forms: Sequence[str],
                     parts: Sequence[str], free: Sequence[str]) -> list[tuple[int, int]]:
    """A pinyin name misread by a letter or two, most of all right after ``Dear`` or ``Mr./Miss``.

    A handwritten ``Mr./Miss Aizierjiang`` came back ``Mr.edliss AtZier jang`` at one scale and
    ``Aredlios Aizierjang`` at another, and an applicant's own spelling of 艾孜尔江·艾尔斯兰 is
    ``Dear Aiziljiang Elsland``: the exact spellings (:func:`_latin_spans`) match none.

    One to four whole words whose letters are one of ``forms`` (the whole name) or ``parts`` (a
    dotted name's own first part) are the name with one edit per :data:`LEAD_LETTERS_PER_EDIT`
    letters where they start within :data:`LEAD_WORDS` words after a lead (:data:`_NAME_LEAD`).
    Anywhere else, the spellings of a transliterated name (``free``: :func:`transliterated`) may
    be one edit per :data:`FREE_LETTERS_PER_EDIT` letters off; a Han name's pinyin one letter off
    is mostly another person's (Wang Jiangbo is not Wang Jianguo). A match of one of
    ``parts`` after a lead also takes the capitalised word right after it, the father's name in
    the applicant's own spelling.
    """
    spans: list[tuple[int, int]] = []
    pats = [(f, False) for f in forms if len(f) >= LEAD_LETTERS_PER_EDIT] + [(f, True) for f in parts]
    anywhere = set(free)
    if not pats:
        return spans
    shortest = min(len(f) for f, _ in pats) - max(len(f) for f, _ in pats) // LEAD_LETTERS_PER_EDIT
    for li, idx in _positions_by_line(stream).items():
        if sum(stream[i].ch.isascii() and stream[i].ch.isalpha() for i in idx) < shortest:
            continue  # too few letters for any spelling (most lines of a Chinese page)
        text, at = _line_text_at(lines[li], idx)
        words = [(m.start(), m.end()) for m in _LATIN_WORD.finditer(text)]
        led = {w for lead in _NAME_LEAD.finditer(text)
               for w in [i for i, (a, _) in enumerate(words) if a >= lead.end()][:LEAD_WORDS]}
        for a in range(len(words)):
            per_edit = LEAD_LETTERS_PER_EDIT if a in led else FREE_LETTERS_PER_EDIT
            best: tuple[int, int, bool] | None = None  # edits, last word, a part
            for b in range(a, min(a + 4, len(words))):
                got = "".join(ch for ch in text[words[a][0]:words[b][1]].lower() if ch.isalpha())
                for f, part in pats:
                    k = len(f) // per_edit
                    if (a not in led and (part or f not in anywhere)) or k == 0 or abs(len(got) - len(f)) > k:
                        continue
                    d = _edits(got, f)
                    if d <= k and (best is None or d < best[0]):
                        best = (d, b, part)
            if best is None:
                continue
            _, b, part = best
            if (part and b + 1 < len(words) and text[words[b + 1][0]].isupper() and words[b + 1][1] - words[b + 1][0] >= 3
                    and not text[words[b][1]:words[b + 1][0]].strip()
                    and text[words[b + 1][0]:words[b + 1][1]].lower() not in _NOT_NAME_WORDS):
                b += 1  # the father's name after the person's own: Aiziljiang Elsland
            got_at = [x for x in at[words[a][0]:words[b][1]] if x >= 0]
            if got_at:
                spans.append((got_at[0], got_at[-1] + 1))
    return spans


def _pattern_spans(stream: Sequence[_S], lines: Sequence[TextLine],
                   pats: Sequence[re.Pattern[str]]) -> list[tuple[int, int]]:
    """Stream spans of every match of ``pats`` on a line's own text, with its spaces and dots."""
    spans: list[tuple[int, int]] = []
    for li, idx in _positions_by_line(stream).items():
        if not _LETTERS_RUN.search(lines[li].text):
            continue  # no Latin word: most lines of a Chinese page
        text, at = _line_text_at(lines[li], idx)
        for pat in pats:
            for m in pat.finditer(text):
                got = [x for x in at[m.start():m.end()] if x >= 0]
                if got:
                    spans.append((got[0], got[-1] + 1))
    return spans


#: Two Latin letters in a row somewhere in a line.
_LETTERS_RUN = re.compile(r"[A-Za-z]{2}")


#: A name field's label before its value on the same line (Family Name, Given name(s), Surname).
_NAME_LABEL = re.compile(r"^\W*(?:(?:family|sur|last|first|given|middle|fore|christian)\s*)?names?(?![a-z])(?:\s*\(s\))?",
                         re.IGNORECASE)
#: How far apart a surname's field and a given name's field may be, in line heights: stacked
#: rows, or side by side on one row.
FIELD_ROWS, FIELD_ROW_GAP = 4.0, 12.0


def _field_value(text: str) -> str:
    """A line's Latin letters, folded, after a name field's label (``Family Name HUANG`` -> ``huang``)."""
    return re.sub(r"[^a-zà-ɏ]", "", _NAME_LABEL.sub("", text.strip(), count=1).lower())


#: Labels of a surname field and of a given-name field (姓：王　名：建国).
SURNAME_LABELS = ("姓氏", "姓")
GIVEN_LABELS = ("名字", "名")
#: How many stream characters after the surname the given-name label may come.
_SPLIT_FIELD_GAP = 12


def _split_field_spans(stream: Sequence[_S], identity: Identity) -> list[tuple[int, int]]:
    """The surname and the given name of a Chinese name in two labelled fields (姓：王　名：建国).

    The given name alone would not be matched (it is any 建国), nor the surname alone: both are
    masked when a surname label holds the surname and a given-name label follows within
    :data:`_SPLIT_FIELD_GAP` characters holding the given name, each value ending its field.
    """
    text = "".join(s.ch for s in stream)
    spans: list[tuple[int, int]] = []
    for full in (identity.name, *identity.aliases):
        n = norm_text(full)
        if len(n) < 2 or not all(is_han(c) for c in n):
            continue
        # a compound surname's split (东方 | 明), and the first character's, as a form may be filled
        # in (东 | 方明)
        for k in dict.fromkeys((surname_length(n), 1)):
            spans += _split_at(stream, text, n[:k], n[k:])
    return spans


def _split_at(stream: Sequence[_S], text: str, sur: str, given: str) -> list[tuple[int, int]]:
    """The spans of ``sur`` after a surname label and ``given`` after a given-name label following it."""
    spans: list[tuple[int, int]] = []
    if not given:
        return spans
    for lab in SURNAME_LABELS:
        start = 0
        while (i := text.find(lab, start)) >= 0:
            start = i + 1
            a = i + len(lab)
            a += text[a:a + 1] in (":", "：")
            if not looks_alike(text[a:a + len(sur)], sur) or text[a + len(sur):a + len(sur) + 1] == given[:1]:
                # not this surname (or its look-alike: 姓：内 名：大山 for 门大山 in a bold font), or
                # the whole name in one field (姓名：王建国 is matched already)
                continue
            rest = text[a + len(sur):a + len(sur) + _SPLIT_FIELD_GAP + len(given) + 2]
            for glab in (f"{x}{c}" for x in GIVEN_LABELS for c in (":", "：", "")):
                g = rest.find(glab + given)
                if g < 0 or (g > 0 and rest[g - 1] == "姓"):
                    continue
                b = a + len(sur) + g + len(glab)
                if _word_runs_on(stream, text, b + len(given)):
                    continue  # 建国 of 建国路: a longer word, not the field's whole value
                spans += [(a, a + len(sur)), (b, b + len(given))]
                break
    return spans


def _word_runs_on(stream: Sequence[_S], text: str, e: int) -> bool:
    """Whether the Chinese character at ``e`` runs on the word ending before it.

    It does when it is on the same line, closer than half a character, and does not start a word
    that follows a name (:data:`GIVEN_AFTER`).
    """
    if e >= len(stream) or e == 0 or not is_han(stream[e].ch) or stream[e].line != stream[e - 1].line:
        return False
    prev, nxt = stream[e - 1].char.bbox, stream[e].char.bbox
    return nxt[0] - prev[2] < 0.5 * (prev[3] - prev[1]) and not text.startswith(GIVEN_AFTER, e)


def _field_part_spans(stream: Sequence[_S], lines: Sequence[TextLine],
                      parts: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """A Latin name printed as two field values: the surname on one line, the given name on another.

    Each line's value (its letters after a field label) must be one part exactly, and the
    two lines must sit near each other: stacked within :data:`FIELD_ROWS` line heights and
    aligned, or on one row within :data:`FIELD_ROW_GAP` heights. A lone surname or given
    name elsewhere on the page is not masked.
    """
    values = [_field_value(ln.text) for ln in lines]
    positions = _positions_by_line(stream)
    spans: list[tuple[int, int]] = []
    for a, b in parts:
        for la in (i for i, v in enumerate(values) if v == a):
            for lb in (i for i, v in enumerate(values) if v == b and i != la):
                if _near_fields(lines[la].bbox, lines[lb].bbox):
                    spans += [sp for sp in (_token_span(stream, positions.get(la, []), a),
                                            _token_span(stream, positions.get(lb, []), b)) if sp]
    return sorted(set(spans))


def _near_fields(p: Sequence[float], q: Sequence[float]) -> bool:
    h = max(p[3] - p[1], q[3] - q[1], 1.0)
    dy = abs((p[1] + p[3]) - (q[1] + q[3])) / 2
    same_row = min(p[3], q[3]) - max(p[1], q[1]) > 0.5 * min(p[3] - p[1], q[3] - q[1])
    if same_row:
        return max(p[0], q[0]) - min(p[2], q[2]) <= FIELD_ROW_GAP * h
    aligned = min(p[2], q[2]) > max(p[0], q[0]) or abs(p[0] - q[0]) <= FIELD_ROWS * h
    return dy <= FIELD_ROWS * h and aligned


def _token_span(stream: Sequence[_S], idx: Sequence[int], token: str) -> tuple[int, int] | None:
    """Stream positions of ``token`` among one line's positions ``idx``: the last occurrence (a label comes first)."""
    chars = "".join(stream[i].ch for i in idx)
    k = chars.rfind(token)
    return (idx[k], idx[k + len(token) - 1] + 1) if k >= 0 else None


def _inked_streams(lines: Sequence[TextLine], stream: Sequence[_S],
                   seal_boxes: Sequence[tuple[int, int, int, int]]) -> list[list[_S]]:
    """Streams read with damage: fragments joined across overlapping boxes, and lines under a seal.

    Detection on seal ink often returns one printed row as several short
    lines whose boxes overlap (巴州鑫 | 鑫源电 | 电力工…). Lines of one row whose
    boxes overlap or touch are joined left to right; a character repeated at
    the seam (its boxes overlap by half) is kept once. A joined row, or a
    single line, is returned only when it is made of two or more fragments
    or overlaps a seal: elsewhere matching stays strict.
    """
    by_line: dict[int, list[_S]] = {}
    for s in stream:
        by_line.setdefault(s.line, []).append(s)
    idx = sorted(by_line, key=lambda k: lines[k].bbox[0])
    used: set[int] = set()
    out: list[list[_S]] = []
    for a in idx:
        if a in used:
            continue
        group = [a]
        used.add(a)
        for b in idx:
            if b in used:
                continue
            gb, lb = lines[group[-1]].bbox, lines[b].bbox
            hh = max(1.0, min(gb[3] - gb[1], lb[3] - lb[1]))
            if _one_row(gb, lb) and gb[0] <= lb[0] and lb[0] <= gb[2] + 0.3 * hh:
                group.append(b)
                used.add(b)
        inked = any(boxes_overlap(lines[k].bbox, sb) for k in group for sb in seal_boxes)
        if len(group) < 2 and not inked:
            continue
        joined: list[_S] = []
        for k in group:
            items = by_line[k]
            # drop the seam duplicates: characters that repeat the tail and sit on it
            while joined and items:
                t, h0 = joined[-1], items[0]
                tb, hb = t.char.bbox, h0.char.bbox
                ov = min(tb[2], hb[2]) - max(tb[0], hb[0])
                if t.ch == h0.ch and ov > 0.5 * min(tb[2] - tb[0], hb[2] - hb[0]):
                    items = items[1:]
                else:
                    break
            joined.extend(items)
        out.append(joined)
    return out


def _tolerant_unit_spans(stream: Sequence[_S], units: Sequence[str]) -> list[tuple[int, int]]:
    """Units read with one substitution and one deletion per 8 characters (rounded up)."""
    text = "".join(s.ch for s in stream)
    spans: list[tuple[int, int]] = []
    for pat in units:
        if len(pat) < 6:
            continue
        budget = -(-len(pat) // 8)
        for i in range(len(text)):
            # the first or second character must be right: anchors the alignment
            if text[i] not in (pat[0], pat[1]):
                continue
            end = _align(text, i, pat, budget, budget)
            if end is not None:
                spans.append((i, end))
    return spans


def _align(text: str, i: int, pat: str, subs: int, dels: int) -> int | None:
    """End index of ``pat`` matched at ``text[i:]`` with a few errors, or None.

    At most ``subs`` substitutions and ``dels`` pattern characters missing
    from the text are allowed. A substitution must not be the first character, and at least three
    quarters of the pattern must be read exactly.
    """
    need = -(-3 * len(pat) // 4)
    best: int | None = None
    stack = [(0, i, subs, dels, 0)]
    seen: set[tuple[int, int, int, int]] = set()
    while stack:
        k, j, s_left, d_left, exact = stack.pop()
        if (k, j, s_left, d_left) in seen:
            continue
        seen.add((k, j, s_left, d_left))
        if k == len(pat):
            if exact >= need and (best is None or j > best):
                best = j
            continue
        if j < len(text) and (text[j] == pat[k] or text[j] in CONFUSABLE.get(pat[k], ())):
            stack.append((k + 1, j + 1, s_left, d_left, exact + 1))
            continue
        if k > 0 and s_left and j < len(text):
            stack.append((k + 1, j + 1, s_left - 1, d_left, exact))
        if d_left and 0 < k < len(pat) - 1:
            stack.append((k + 1, j, s_left, d_left - 1, exact))
    return best


#: A name this long (a Uyghur name's transliteration, 阿力木江买买提明) may have two characters read
#: as look-alikes, read unsure or not read at all: pale print over the back of the sheet showing
#: through read 文阿木汪买买提明 (力 dropped, 汪 at 0.36). Four or more characters read right, the
#: first among them, still make no other name.
LONG_NAME = 6


def _name_spans(stream: Sequence[_S], patterns: Iterable[str],
                breaks: list[tuple[_S, _S, str]] | None = None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pat in patterns:
        spans += _find_all(stream, pat, fuzzy=len(pat) >= 3, junk=len(pat) >= 3, breaks=breaks,
                           tolerate=2 if len(pat) >= LONG_NAME else 1)
    return spans


#: Words right before a field that holds the applicant's name (a form label,
#: a certificate's holder line) ...
NAME_BEFORE = ("申报人姓名", "姓名", "申报人", "签字", "签名", "持证人", "兹证明", "兹聘任", "聘任", "兹聘", "聘请",
               "授予", "本人", "承诺人", "述职人", "学员", "学生",
               # a thank-you letter's or a volunteer certificate's salutation (尊敬的杨琦：, handwritten,
               # read 尊敬的杨绮 on a held-out phone photo shrunk to 1000 px)
               "尊敬的", "亲爱的",
               # a bilingual field's English label between 姓名 and the name (an air itinerary's
               # 旅客姓名 NAME OF PASSENGER over 廉达峰, read 康达峰 on a held-out scan)
               "name", "passenger",
               # the applicant as the form's own filer (经办人：古丽·艾力 in light grey, layout pages in
               # AR PL UMing, read 古苏·艾力 with 苏 at 0.91); another signer there differs by more
               "经办人", "申请人", "填表人", "联系人",
               # an award's winner (获奖人：门大山 in a bold font read 内大山)
               "获奖人", "获奖者",
               # a former name's field holds the applicant's alias (曾用名：门小山 read 巾小山)
               "曾用名")
#: ... and right after a name in running text.
NAME_AFTER = ("同志", "同学", "先生", "女士")
#: ... or a student's or employee's number in brackets right after it (a system's 王文浩(16083211),
#: a certificate's 李晨涛（学号：3200110189）).
NUMBER_AFTER = re.compile(r"[(（][^)）\d]{0,4}\d{6,}")


def _context_name_spans(stream: Sequence[_S], patterns: Iterable[str],
                        breaks: list[tuple[_S, _S, str]] | None = None) -> list[tuple[int, int]]:
    """Names with one character read as any other, where the context says a name is here.

    Handwriting is read as a look-alike with high confidence (烨 -> 辉): no
    confusion table or score can tell. After a name label (姓名, 申报人, 签字,
    a certificate's 兹证明 / 授予 ...) or before 同志 / 同学, one character that
    is not the surname may differ. A two-character name needs a label before
    it and must end where the field ends (end of line or punctuation, or
    同学 / 同志 … after it), since its one other character is then the whole
    given name. A name of three characters or more filling a cell of a table's
    name column (:func:`_in_name_column`) may differ by one character read with
    doubt (under :data:`COLUMN_DOUBT`): another person's name typed clean in a
    公示 list's column is read sure, and stays.
    """
    text = "".join(s.ch for s in stream)
    heads = _name_heads(stream)
    spans: list[tuple[int, int]] = []
    for pat in patterns:
        if len(pat) < 2:
            continue
        for i, s in enumerate(stream):
            # the surname itself, or in a name of three characters or more its look-alike (经办人：刁小三
            # in light grey over the back showing through, read 习事三)
            if s.ch != pat[0] and not (len(pat) >= 3 and s.ch in CONFUSABLE.get(pat[0], ())):
                continue
            dropped: list[tuple[int, str]] = []
            end = _match_at(stream, i, s.ch + pat[1:], False, len(pat) >= 3, max_any=1, dropped=dropped)
            if end is None and len(pat) >= 3:
                end = _doubtful_pair_end(stream, i, pat)
            if end is None:
                continue
            labelled, followed = _name_context(text, i, end)
            if not (labelled or followed) and len(pat) >= 3 and _in_name_column(stream, i, end, heads):
                labelled = all(s.ch == c or s.score < COLUMN_DOUBT for s, c in zip(stream[i:end], pat, strict=False))
            if len(pat) == 2:
                field_ends = end >= len(stream) or stream[end].line != stream[end - 1].line or \
                    not ("\u4e00" <= stream[end].ch <= "\u9fff")
                if not ((labelled and (field_ends or followed)) or (followed and _unsure_given(stream, i, end, pat))):
                    continue
            elif not (labelled or followed):
                continue
            spans.append((i, end))
            if breaks is not None:
                breaks += [(stream[j - 1], stream[j], ch) for j, ch in dropped]
        spans += _misread_surname_spans(stream, text, pat)
    return spans


#: Heads of a table's column of people's names (a 公示 list, a sign-in sheet), each a cell of its own.
NAME_HEADS = ("姓名", "学生姓名", "申报人", "获奖人", "获奖者", "签名", "签字")
#: In a name column, a name's character may be read as another when read with less confidence than this
#: (a held-out phone photo of a sign-in sheet: 钱学森 handwritten, read 钱学床 with 床 at 0.76).
COLUMN_DOUBT = 0.9
#: A gap between two characters of a line, in character heights, that parts two cells of a table row.
CELL_GAP = 0.5


def _cell_edge(stream: Sequence[_S], a: int, b: int) -> bool:
    """Whether ``stream[a]`` and ``stream[b]`` (``b = a + 1``) lie in different cells: lines, or a wide gap apart."""
    if a < 0 or b >= len(stream):
        return True
    sa, sb = stream[a], stream[b]
    if sa.line != sb.line:
        return True
    return sb.char.bbox[0] - sa.char.bbox[2] >= CELL_GAP * max(1.0, sb.char.bbox[3] - sb.char.bbox[1])


def _name_heads(stream: Sequence[_S]) -> list[tuple[float, float, float]]:
    """The x-range and bottom of each head of a name column (:data:`NAME_HEADS`, a cell of its own)."""
    text = "".join(s.ch for s in stream)
    out: list[tuple[float, float, float]] = []
    for head in NAME_HEADS:
        k = text.find(head)
        while k >= 0:
            e = k + len(head)
            if len({s.line for s in stream[k:e]}) == 1 and _cell_edge(stream, k - 1, k) and _cell_edge(stream, e - 1, e):
                boxes = [s.char.bbox for s in stream[k:e]]
                out.append((min(b[0] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)))
            k = text.find(head, k + 1)
    return out


def _in_name_column(stream: Sequence[_S], i: int, end: int, heads: Sequence[tuple[float, float, float]]) -> bool:
    """Whether ``stream[i:end]`` fills a cell of its own, on one line, under a name column's head.

    Under it: below the head, over half the narrower of the two across.
    """
    if not heads or len({s.line for s in stream[i:end]}) > 1 \
            or not (_cell_edge(stream, i - 1, i) and _cell_edge(stream, end - 1, end)):
        return False
    boxes = [s.char.bbox for s in stream[i:end]]
    x0, x1, y0 = min(b[0] for b in boxes), max(b[2] for b in boxes), min(b[1] for b in boxes)
    return any(y0 >= hy1 and min(x1, hx1) - max(x0, hx0) >= 0.5 * min(x1 - x0, hx1 - hx0) for hx0, hx1, hy1 in heads)


def _doubtful_pair_end(stream: Sequence[_S], i: int, pat: str) -> int | None:
    """End of ``pat`` at ``i`` read with two characters after the first wrong, both with doubt, or None.

    A small spaced name in a brush face after its label, 姓　名：叶　未　央 at 120 dpi, read
    叶来夹 (来 at 0.68, 夹 at 0.51): one character read as any other was not enough. Only for a
    name of three characters or more, on one line, the first character right, every other
    either right or read under :data:`_LOW_SCORE`; the caller asks for a label or 同志 / 同学.
    """
    end = i + len(pat)
    if end > len(stream) or len({s.line for s in stream[i:end]}) > 1:
        return None
    wrong = [s for s, c in zip(stream[i:end], pat, strict=True) if s.ch != c]
    if len(wrong) != 2 or stream[i].ch != pat[0] or any(s.score >= _LOW_SCORE or not is_han(s.ch) for s in wrong):
        return None
    return end


def _unsure_given(stream: Sequence[_S], i: int, end: int, pat: str) -> bool:
    """Whether a two-character name's given name was read as another character with low confidence.

    The name must start its line or follow something that is not a Chinese character (a list's
    、, a space): in a list of addressees, 黄茵同学 read 黄酋同学 (酋 at 0.65, held-out phone photo).
    """
    given = stream[i + 1] if end - i == 2 else None
    if given is None or given.ch == pat[1] or given.score >= _LOW_SCORE or given.line != stream[i].line:
        return False
    return i == 0 or stream[i - 1].line != stream[i].line or not is_han(stream[i - 1].ch)


def _name_context(text: str, i: int, end: int) -> tuple[bool, bool]:
    """Whether ``text[i:end]`` follows a name label (:data:`NAME_BEFORE`), and whether 同志, 同学 … follow it.

    >>> _name_context("亚文浩(16083211)", 0, 3), _name_context("亚文浩(2)", 0, 3)
    ((False, True), (False, False))
    """
    before = text[max(0, i - 7): i].rstrip(":：")
    return (any(before.endswith(w) for w in NAME_BEFORE),
            any(text.startswith(w, end) for w in NAME_AFTER) or NUMBER_AFTER.match(text, end) is not None)


def _misread_surname_spans(stream: Sequence[_S], text: str, pat: str) -> list[tuple[int, int]]:
    """A name of three or more characters whose surname alone was misread, in a name's context.

    A calligraphic surname on a certificate is read as a look-alike (吴晨阳同学 -> 美晨阳同学,
    held-out phone photo). The given name read exactly, on one line, after a name label or
    before 同志 / 同学, with any one Chinese character before it, is the name.
    """
    if len(pat) < 3:
        return []
    given = pat[1:]
    spans: list[tuple[int, int]] = []
    j = text.find(given, 1)
    while j > 0:
        i, end = j - 1, j + len(given)
        j = text.find(given, j + 1)
        s = stream[i]
        if s.ch == pat[0] or not is_han(s.ch) or any(stream[k].line != s.line for k in range(i, end)):
            continue
        if any(_name_context(text, i, end)):
            spans.append((i, end))
    return spans


@dataclass(frozen=True)
class _Gapped:
    """A widely spaced name read in part: stream span ``[a, b)`` plus room for unread characters."""

    a: int
    b: int
    left: float  # px before the first character read, for unread leading characters
    right: float  # px after the last one, for unread trailing characters


def _gapped_names(stream: Sequence[_S], raws: Iterable[str], lines: Sequence[TextLine]) -> list[_Gapped]:
    """Widely spaced names of which the text detector missed characters.

    ``姓　名：帕　提　古　丽　·　阿　布　力　孜`` came back as 帕提古 | 丽 | 孜, and
    ``姓　名：巴　图　·　孟　和`` as 巴图: lone characters between wide gaps, or at
    the row's end, were not detected at all, so no tolerant match applies.

    A run of consecutive stream characters on one visual row that holds at
    least half of the name (a third of it, and at least three characters, when
    it starts the name right after a name label), in order, is the name when every character it
    lacks has room: inside the run, each gap is at least 0.8 of a character
    width per missing character (so ``王国`` of running text never stands for
    王建国); at the run's ends, the run is letter-spaced (gaps of at least half
    a character) and ends its row, or starts it (or follows a name label such
    as 姓名：). Missing end characters get the name's own pitch each, dots
    included (``巴图`` + ``·孟和`` = three positions).
    """
    out: list[_Gapped] = []
    n = len(stream)
    text = "".join(t.ch for t in stream)
    for raw in raws:
        pat = norm_text(raw)
        if len(pat) < 3:
            continue
        # Where each folded character stands in the raw name (a dot takes a position when spaced).
        at = [i for i, c in enumerate(raw) if norm_text(c)]
        need = max(2, (len(pat) + 1) // 2)
        need_labelled = min(need, max(3, (len(pat) + 2) // 3))
        for i, s in enumerate(stream):
            for k0 in (q for q, c in enumerate(pat) if c == s.ch):
                k, j, inner = k0, i, 0
                width = max(1.0, s.char.bbox[2] - s.char.bbox[0])
                gaps: list[float] = []
                pitches: list[float] = []
                while k < len(pat) - 1 and j + 1 < n:
                    nxt = stream[j + 1]
                    if not _same_row(stream[j], nxt, lines):
                        break
                    q = pat.find(nxt.ch, k + 1)
                    if q < 0:
                        break
                    missing = q - k - 1
                    gap = nxt.char.bbox[0] - stream[j].char.bbox[2]
                    if missing and gap < 0.8 * width * missing:
                        break
                    gaps.append(gap / width)
                    if not missing:
                        pitches.append(nxt.char.bbox[0] - stream[j].char.bbox[0])
                    inner += missing
                    k, j = q, j + 1
                lead, trail = k0, len(pat) - 1 - k
                after_label = any(text[max(0, i - 6):i].rstrip(":：").endswith(w) for w in NAME_BEFORE)
                # Right after 姓名： the name's start says more: a third of a long name will do.
                enough = need_labelled if after_label and not lead else need
                if not (inner or lead or trail) or len(pat) - inner - lead - trail < enough:
                    continue
                if lead or trail:
                    spaced = bool(gaps) and min(gaps) >= 0.5
                    row_start = i == 0 or not _same_row(stream[i - 1], s, lines) or after_label
                    row_end = j + 1 >= n or not _same_row(stream[j], stream[j + 1], lines)
                    if not spaced or (lead and not row_start) or (trail and not row_end):
                        continue
                pitch = float(np.median(pitches)) if pitches else 2.0 * width
                left = pitch * (at[k0] - at[0])
                right = pitch * (at[-1] - at[k])
                if lead and i > 0 and _same_row(stream[i - 1], s, lines):  # never over the label
                    left = min(left, max(0.0, s.char.bbox[0] - stream[i - 1].char.bbox[2] - 0.1 * width))
                out.append(_Gapped(i, j + 1, left, right))
    return out


def _same_row(a: _S, b: _S, lines: Sequence[TextLine]) -> bool:
    return a.line == b.line or _one_row(lines[a.line].bbox, lines[b.line].bbox)


def _row_regions(kind: str, found: Sequence[_Gapped], stream: Sequence[_S], lines: Sequence[TextLine],
                 pad: float, size: tuple[int, int]) -> list[Region]:
    """One box per partly read name over its whole row: gaps and unread end characters included."""
    out: list[Region] = []
    for g in found:
        items = stream[g.a:g.b]
        x0, x1 = _glyph_ends(items, lines, min(t.char.bbox[0] for t in items), max(t.char.bbox[2] for t in items))
        region = _region_over(kind, items, lines, x0 - g.left, x1 + g.right, "".join(t.ch for t in items), pad, size)
        if region is not None:
            out.append(region)
    return out


def _unit_spans(stream: Sequence[_S], units: Sequence[str],
                breaks: list[tuple[_S, _S, str]] | None = None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pat in units:
        spans += _find_all(stream, pat, fuzzy=len(pat) >= 4, junk=False, max_any=len(pat) // 8, breaks=breaks)
        if 4 <= len(pat) < UNIT_NGRAM:
            spans += _doubtful_first_spans(stream, pat)
    return spans + _unit_ngram_spans(stream, units)


def _doubtful_first_spans(stream: Sequence[_S], pat: str) -> list[tuple[int, int]]:
    """A short unit name (4 or 5 characters) read with its first character doubtful and the rest right.

    Matching asks a unit's first character to be read right (or as a look-alike); a doubtful
    character elsewhere is tolerated, and in longer names any run of :data:`UNIT_NGRAM` with one
    (:func:`_unit_ngram_spans`). A phone photo of a held-out transcript read its 院系 cell 软件学院
    as 数件学院, 数 at 0.32: a Chinese character read under :data:`_LOW_SCORE` may stand for the
    first when every other character, on its line, is read as the name's.
    """
    spans: list[tuple[int, int]] = []
    n = len(pat)
    for i in range(len(stream) - n + 1):
        s = stream[i]
        if s.ch == pat[0] or s.score >= _LOW_SCORE or not is_han(s.ch):
            continue
        run = stream[i + 1: i + n]
        if all(r.ch == c and r.line == s.line for r, c in zip(run, pat[1:], strict=True)):
            spans.append((i, i + n))
    return spans


def _break_regions(kind: str, breaks: Sequence[tuple[_S, _S, str]], lines: Sequence[TextLine], pad: float,
                   size: tuple[int, int]) -> list[Region]:
    """Where a match skipped a character at a line break: one character's room on both sides.

    Inside a line the boxes of a dropped character's neighbours span its pixels;
    at a line break (清華大[學] | 国情研究院, a faint calligraphic character at a
    logo line's end) they do not, and the character may have ended the first
    line or begun the second. Both places get a box one character wide (the
    line's median character pitch), as tall as the neighbour's line.
    """
    out: list[Region] = []
    for before, after, dropped in breaks:
        la, lb = lines[before.line], lines[after.line]
        if _one_row(la.bbox, lb.bbox):
            continue  # the union of the row's pieces covers the gap (_rows)
        (ax0, _ay0, ax1, ay1), (bx0, by0, bx1, _by1) = before.char.bbox, after.char.bbox
        if by0 >= ay1 and min(ax1, bx1) - max(ax0, bx0) > 0.5 * min(ax1 - ax0, bx1 - bx0):
            # written down a column (吐 | 尔 | 逊, 尔 missed): the room between the two, not beside them
            p = max(2.0, pad * (ax1 - ax0))
            box = _padded(min(ax0, bx0), ay1, max(ax1, bx1), by0, p, size)
            if box[2] > box[0] and box[3] > box[1]:
                out.append(Region(kind, box, dropped, la.source, float(before.char.score)))
            continue
        for ch, line, right in ((before.char, la, True), (after.char, lb, False)):
            region = _room(kind, ch, line, right, dropped, pad, size)
            if region is not None:
                out.append(region)
    return out


def _room(kind: str, ch: Char, line: TextLine, right: bool, dropped: str, pad: float,
          size: tuple[int, int]) -> Region | None:
    """One character's room beside ``ch`` (right of it, or left): the line's median pitch, as tall as ``ch``."""
    x0, y0, x1, y1 = ch.bbox
    height = max(4.0, y1 - y0)
    starts = sorted(c.bbox[0] for c in line.chars)
    pitch = float(np.median(np.diff(starts))) if len(starts) >= 2 else height
    pitch = min(max(pitch, 0.6 * height), 1.5 * height)
    # Widely spaced names (司　马　云) keep their own pitch: the gap to the neighbour.
    k = _char_pos(line, ch)
    near = k - 1 if right else k + 1
    if k >= 0 and 0 <= near < len(line.chars):
        gap = abs(ch.bbox[0] - line.chars[near].bbox[0])
        pitch = max(pitch, min(gap, 3.0 * height))
    bx0, bx1 = (x1, x1 + pitch) if right else (x0 - pitch, x0)
    box = _padded(bx0, y0, bx1, y1, max(2.0, pad * height), size)
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    return Region(kind, box, dropped, line.source, float(ch.score))


#: Fewest letters of a unit's English name matched with misread letters, and the letters per
#: tolerated edit (a substitution, a letter lost or one too many).
LATIN_FUZZY_MIN, LATIN_FUZZY_PER_EDIT = 24, 7


def _latin_fuzzy_spans(stream: Sequence[_S], names: Sequence[str]) -> list[tuple[int, int]]:
    """A unit's long English name (one of ``names``, as given) read with a few letters wrong, on one line.

    Small capitals under a wordmark, read again larger, came back ``CALIAN UMVERSITY OF
    TECHROLOGY``: four edits, the first letter among them, which the character matcher does not
    tolerate. An English name of at least :data:`LATIN_FUZZY_MIN` letters is matched within a
    line with one edit per :data:`LATIN_FUZZY_PER_EDIT` letters (Sellers' approximate search);
    another school's English name differs by whole words (a shorter name is left to the exact
    matcher: Zhejiang University is two letters from Zhejiang A&F University).
    """
    pats = [(norm_text(n), [w.lower() for w in re.findall("[A-Za-z]{4,}", n)]) for n in names]
    pats = [(p, words) for p, words in pats if len(p) >= LATIN_FUZZY_MIN and p.isascii() and p.isalpha()]
    if not pats:
        return []
    spans: list[tuple[int, int]] = []
    for idx in _positions_by_line(stream).values():
        text = "".join(stream[i].ch for i in idx)
        letters = sum(c.isascii() and c.isalpha() for c in text)
        for p, words in pats:
            k = len(p) // LATIN_FUZZY_PER_EDIT
            if letters < len(p) - k:
                continue  # too few letters to hold the name (most lines: told before any search)
            hit = _approx_find(p, text, k)
            # the edits spread over the name: each word of four letters or more is there with at
            # most one edit per four letters (the major of ... is not the School of ...)
            if hit is not None and all(_approx_find(w, text[hit[0]:hit[1]], len(w) // 4) for w in words):
                spans.append((idx[hit[0]], idx[hit[1] - 1] + 1))
    return spans


def _approx_find(p: str, t: str, k: int) -> tuple[int, int] | None:
    """The best match of ``p`` in ``t`` with at most ``k`` edits, as (start, end), or None.

    >>> _approx_find("dalianuniversity", "xxcalianumversityyy", 3)
    (2, 17)
    >>> _approx_find("dalianuniversity", "dalianmaritimeuniversity", 3) is None
    True
    """
    m = len(p)
    prev = list(range(m + 1))  # edits of p[:i] ending anywhere before t[0]
    start = [0] * (m + 1)
    best: tuple[int, int, int] | None = None
    for j, c in enumerate(t, 1):
        cur, cst = [0], [j]
        for i in range(1, m + 1):
            opts = ((prev[i - 1] + (p[i - 1] != c), start[i - 1]), (prev[i] + 1, start[i]), (cur[i - 1] + 1, cst[i - 1]))
            d, st = min(opts)
            cur.append(d)
            cst.append(st)
        prev, start = cur, cst
        if prev[m] <= k and (best is None or prev[m] < best[0]):
            best = (prev[m], start[m], j)
    return None if best is None else (best[1], best[2])


#: Fewest characters left of a unit's name when OCR did not read its first or last one.
END_DROPPED_PIECE = 4


def _end_dropped_spans(stream: Sequence[_S], units: Sequence[str],
                       rooms: list[tuple[_S, bool, str]]) -> list[tuple[int, int]]:
    """A unit's Chinese name read without its first or last character, on one line.

    A pale diagonal watermark 燕京理工学院 read 京理工学院, a calligraphic 西安交通大学 read
    西安交通大: one end character lost matched no rule, and the rest stayed visible. The
    rest (at least :data:`END_DROPPED_PIECE` characters) is matched where nothing Chinese
    stands in the lost character's place on its line (a character read there instead is
    another name: 伊犁州供电公司 is not 巴州供电公司). ``rooms`` receives, for each match, the
    character beside the lost one, on which side, and the lost character.
    """
    text = "".join(s.ch for s in stream)
    spans: list[tuple[int, int]] = []
    for u in units:
        if len(u) - 1 < END_DROPPED_PIECE or not all(is_han(c) for c in u):
            continue
        for k, e, lost_first in _without_an_end(text, u):
            edge, nb = (k, k - 1) if lost_first else (e - 1, e)
            lost = u[0] if lost_first else u[-1]
            # a Chinese character beside it on its line, or the lost one ending (starting) the
            # line before (after): read, not lost
            if (len({s.line for s in stream[k:e]}) == 1
                    and not (0 <= nb < len(stream) and is_han(stream[nb].ch)
                             and (stream[nb].line == stream[edge].line or stream[nb].ch == lost))):
                spans.append((k, e))
                rooms.append((stream[edge], not lost_first, lost))
    return spans


def _without_an_end(text: str, pat: str) -> Iterator[tuple[int, int, bool]]:
    """Every place ``text`` holds ``pat`` less its first or last character: start, end, and whether the first was lost.

    >>> list(_without_an_end("xx京理工学院 燕京理工学", "燕京理工学院"))
    [(2, 7, True), (8, 13, False)]
    """
    for piece, lost_first in ((pat[1:], True), (pat[:-1], False)):
        k = text.find(piece)
        while k >= 0:
            yield k, k + len(piece), lost_first
            k = text.find(piece, k + 1)


#: A given name of one stroke, lost on a blank's underline or as a speck.
LOST_STROKES = ("一",)


def _end_dropped_name_spans(stream: Sequence[_S], names: Sequence[str],
                           rooms: list[tuple[_S, bool, str]]) -> list[tuple[int, int]]:
    """A name of three or more characters read without its last (first) one, between a label and 同学.

    A handwritten 孙家麒 on a course certificate, shrunk and re-saved, was read 亲爱的孙家同学：
    (麒 not read at all), and no rule matched two characters of a three-character name. The
    rest is matched only where the name's context holds on both sides: a name label or a
    salutation right before (:data:`NAME_BEFORE`) and 同学, 同志 … right after (:data:`NAME_AFTER`),
    on one line. ``rooms`` receives the character beside the lost one, the side, and the lost one.
    A two-character name whose given name is 一 (:data:`LOST_STROKES`) may be read as its surname
    alone there: 兹证明 ＿于一＿ 同志, the 一 written on the blank's underline and read as part of it.
    """
    text = "".join(s.ch for s in stream)
    spans: list[tuple[int, int]] = []
    for pat in names:
        if not all(is_han(c) for c in pat) or not (len(pat) >= 3 or (len(pat) == 2 and pat[1] in LOST_STROKES)):
            continue
        for k, e, lost_first in _without_an_end(text, pat):
            if len(pat) == 2 and lost_first:
                continue  # a lone 一 is no name
            labelled, followed = _name_context(text, k, e)
            if labelled and followed and len({s.line for s in stream[max(0, k - 1):e + 1]}) == 1:
                spans.append((k, e))
                rooms.append((stream[k] if lost_first else stream[e - 1], not lost_first,
                              pat[0] if lost_first else pat[-1]))
    return spans


def _wrapped_streams(lines: Sequence[TextLine], stream: Sequence[_S]) -> list[list[_S]]:
    """Streams of two lines where the second continues the first one below it.

    Only pairs that reading order does not already join are returned: the second
    line starts under the first one (within its width), close below it, and is
    not the next line of the main stream. Reading order may even put the lower
    line first, when both overlap the row of a taller cell beside them.
    """
    by_line: dict[int, list[_S]] = {}
    for s in stream:
        by_line.setdefault(s.line, []).append(s)
    out: list[list[_S]] = []
    for a, la in enumerate(lines):
        if a not in by_line:
            continue
        ax0, ay0, ax1, ay1 = la.bbox
        ha = max(1.0, ay1 - ay0)
        for b, lb in enumerate(lines):
            if b == a + 1 or b not in by_line:
                continue  # the main stream already joins a line with its successor
            bx0, by0, _bx1, by1 = lb.bbox
            if by0 - ay1 > 1.2 * ha or (by0 + by1) / 2 <= ay1 or abs((by1 - by0) - ha) > 0.5 * ha:
                continue
            if ax0 - ha <= bx0 <= ax1:
                out.append(by_line[a] + by_line[b])
    return out


#: A line at least this many times as tall as wide is a column (characters written top to bottom).
COLUMN_SHAPE = 1.5
#: Lines stacked in a column chain when the lower starts at most this many character sizes below the upper.
COLUMN_GAP = 1.5
#: A chain also goes on over one character missed, two of its pitches on, give or take this share of one.
COLUMN_PITCH_SLACK = 0.25


def _char_size(ln: TextLine) -> float:
    """A line's character size: its width for a column, its height otherwise."""
    w, h = ln.bbox[2] - ln.bbox[0], ln.bbox[3] - ln.bbox[1]
    return max(1.0, w if h >= COLUMN_SHAPE * w else h)


#: Lines a column needs before a name down it may have a character read as any other.
COLUMN_NAME_LINES = 3


def _bracketed_spans(sub: Sequence[_S], names: Iterable[str]) -> list[tuple[int, int]]:
    """A name of four characters or more down a column with one inner character read as any other.

    古 | 丽 | 艾 | 力 written down the margin, one character to a line, 艾 read 女 at 0.91: 古丽 was
    masked and 艾力 left. Down a column of single characters, the name's first and last characters
    read right and one character between them read as another make the name (古丽·艾山, another
    person, differs at its end and stays).
    """
    # the shared matcher with one character after the first read as any other; the last read right,
    # one character to a line
    return [(a, b) for pat in names if len(pat) >= 4
            for a, b in _find_all(sub, pat, fuzzy=False, junk=False, max_any=1)
            if b - a == len(pat) and sub[b - 1].ch == pat[-1] and len({s.line for s in sub[a:b]}) == b - a]


def _column_streams(lines: Sequence[TextLine], stream: Sequence[_S]) -> list[list[_S]]:
    """Streams of lines stacked in one narrow column, top to bottom.

    A name written downwards in a narrow table column (欧 | 阳 | 娜 | 娜) comes back
    from OCR as a column-shaped line and a line or two of single characters under or
    over it; reading order puts each piece in the row of the cells beside it. Lines
    chain when the lower one starts within :data:`COLUMN_GAP` character sizes below the upper one, they
    share over half the narrower one's width, and both are at most three characters wide; a chain's
    end also goes on to a line two of its pitches on (a character the detector missed between).
    Chains of two lines or more, or a lone column, are returned (:func:`_wrapped_streams` joins
    two rows only within 1.2 line heights), with the character of another line right over or under their ends
    (:func:`_merged_end`).
    """
    by_line: dict[int, list[_S]] = {}
    for s in stream:
        by_line.setdefault(s.line, []).append(s)
    narrow = [i for i in by_line
              if lines[i].bbox[2] - lines[i].bbox[0] <= 3.5 * _char_size(lines[i])]
    narrow.sort(key=lambda i: lines[i].bbox[1])
    below: dict[int, int] = {}
    taken: set[int] = set()
    for a in narrow:
        ax0, _ay0, ax1, ay1 = lines[a].bbox
        size = _char_size(lines[a])
        for b in narrow:  # top to bottom: the first that fits is the nearest
            bx0, by0, bx1, by1 = lines[b].bbox
            if by0 - ay1 > COLUMN_GAP * size:
                break
            if b == a or b in taken or (by0 + by1) / 2 <= ay1:
                continue
            if min(ax1, bx1) - max(ax0, bx0) > 0.5 * min(ax1 - ax0, bx1 - bx0):
                below[a] = b
                taken.add(b)
                break
    # a character the detector missed (a lone 尔 down a margin): a chain's end goes on with a line
    # that starts two of its pitches on, give or take :data:`COLUMN_PITCH_SLACK` of one
    above = {v: k for k, v in below.items()}
    for a in narrow:
        if a in below or a not in above:
            continue
        pitch = lines[a].bbox[1] - lines[above[a]].bbox[1]
        if pitch <= 0:
            continue
        ax0, ay0, ax1, _ay1 = lines[a].bbox
        for b in narrow:
            bx0, by0, bx1, _by1 = lines[b].bbox
            if b in taken or b == a or abs(by0 - ay0 - 2 * pitch) > COLUMN_PITCH_SLACK * pitch:
                continue
            if min(ax1, bx1) - max(ax0, bx0) > 0.5 * min(ax1 - ax0, bx1 - bx0):
                below[a] = b
                taken.add(b)
                break
    out: list[list[_S]] = []
    for a in narrow:
        if a in taken:
            continue  # chains start at a line nothing is over
        chain = [a]
        while chain[-1] in below and len(chain) < 16:
            chain.append(below[chain[-1]])
        if len(chain) >= 2 or any(lines[i].bbox[3] - lines[i].bbox[1] >= COLUMN_SHAPE * (lines[i].bbox[2] - lines[i].bbox[0])
                                  and len(by_line[i]) >= 2 for i in chain):
            over = _merged_end(lines[chain[0]].bbox, stream, chain, up=True)
            under = _merged_end(lines[chain[-1]].bbox, stream, chain, up=False)
            out.append(over + [s for i in chain for s in by_line[i]] + under)
    return out


#: Most characters of a column matched again read the wrong way round.
REVERSED_COLUMN = 4


def _reversed_columns(lines: Sequence[TextLine], stream: Sequence[_S]) -> list[list[_S]]:
    """The characters of each column line of two to :data:`REVERSED_COLUMN` characters, last first.

    The recogniser reads a column's crop turned; a short one can come back the wrong way round
    (王 | 一 down a name cell, in a system font, read ``一王``).
    """
    out: list[list[_S]] = []
    for i, at in _positions_by_line(stream).items():
        x0, y0, x1, y1 = lines[i].bbox
        if 2 <= len(at) <= REVERSED_COLUMN and y1 - y0 >= COLUMN_SHAPE * (x1 - x0):
            out.append([stream[k] for k in reversed(at)])
    return out


def _merged_end(box: tuple[float, float, float, float], stream: Sequence[_S], chain: Sequence[int],
                *, up: bool) -> list[_S]:
    """The character of another line right over (``up``) or under a column chain's end line.

    The detector may join a column's first or last character to the line of the cell beside it
    (``…完成培训。木`` for the 木 that ends a name written downwards at the margin).
    """
    x0, y0, x1, y1 = box
    size = max(1.0, x1 - x0)
    best: tuple[float, _S] | None = None
    for s in stream:
        if s.line in chain:
            continue
        bx0, by0, bx1, by1 = s.char.bbox
        if min(x1, bx1) - max(x0, bx0) <= 0.5 * min(x1 - x0, bx1 - bx0) or abs((bx1 - bx0) - size) > 0.5 * size:
            continue
        gap = y0 - by1 if up else by0 - y1
        centre_out = (by0 + by1) / 2 < y0 if up else (by0 + by1) / 2 > y1
        if centre_out and gap <= COLUMN_GAP * size and (best is None or gap < best[0]):
            best = (gap, s)
    return [best[1]] if best else []


def _signature_regions(lines: Sequence[TextLine], stream: Sequence[_S],
                       name_spans: Sequence[tuple[int, int]], size: tuple[int, int],
                       roles: Sequence[str] = (), role_lines: Collection[int] = ()) -> list[Region]:
    """Mask the handwriting area after an applicant's signature label.

    When OCR read the name after the label it is already masked; otherwise the
    area to the right of the label (about six characters wide) is covered and
    reported with ``source="layout"``, because a signature OCR cannot read is
    still the applicant's name. The area stops where the form's next printed
    field begins (``（签名）性别``); when that leaves no room, a bracketed label
    (``王建国（签名）``) is signed on its left, and that side is covered instead.
    """
    w, h = size
    named_lines = {stream[i].line for a, b in name_spans for i in range(a, b)}
    out: list[Region] = []
    for li, ln in enumerate(lines):
        text = norm_text(ln.text)
        # a role the page shows the applicant holding first: its 签字 would read as another signer's
        for label in (*roles, *SIGNATURE_LABELS):
            own = label in roles
            if own and li in role_lines:
                continue  # where the role names the applicant (法定代表人：池仕贵), not where they sign
            k = text.find(label)
            # "电子签名法", "签字笔": running text, not a place to sign; a later label still counts.
            while k >= 0 and in_signature_word(text, k, label):
                k = text.find(label, k + 1)
            if k < 0:
                continue
            before = text[max(0, k - 4) : k]
            if not own and (any(o in before for o in OTHER_SIGNERS) or any(o in label for o in OTHER_SIGNERS)):
                break
            after = text[k + len(label) :]
            after_stripped = after.lstrip(":：()（）")
            if own:
                after_stripped = after_stripped.removeprefix("签字").removeprefix("签名").removeprefix("签章")
                after_stripped = after_stripped.lstrip(":：()（）")
            # "签字：（单位负责人签字）" names another signer right after the label.
            if any(o in after_stripped[:8] for o in OTHER_SIGNERS):
                break
            # A label in running text ("申报人员须...") is not a signature line.
            is_field = (after == "" or after[:1] in ":：(（" or label.endswith(("签字", "签名"))
                        or (own and after.startswith(("签字", "签名", "签章"))))
            if not is_field:
                if own:
                    continue  # the role in running text: the page's other labels still count
                break
            if li in named_lines:
                break
            chars = [c for c in ln.chars if c.text.strip()]
            if len(chars) < len(label):
                break
            # The label's last character ends where the signature area begins.
            end_idx = min(len(chars) - 1, _char_index(chars, k + len(label) - 1))
            filled = [c for c in chars[end_idx + 1:] if norm_text(c.text) not in ":：()（）签字名章"]
            if own and len(filled) >= 2 and min(c.score for c in filled) >= PRINTED_SCORE:
                continue  # the role filled in print (项目负责人：李明, another project's): no place to sign
            lab_box = chars[end_idx].bbox
            chh = max(8.0, lab_box[3] - lab_box[1])
            x0 = lab_box[2]
            # Skip a colon or "(签字)" right after the label.
            for c in chars[end_idx + 1 :]:
                if c.text in ":：()（）签字名" and c.bbox[0] - x0 < 1.5 * chh:
                    x0 = c.bbox[2]
                else:
                    break
            x1 = x0 + 7.0 * chh
            y0 = ln.bbox[1] - 0.8 * chh
            y1 = ln.bbox[3] + 0.8 * chh
            # The form's next printed field ends the area: on this line, or on a line beside it.
            field_at = _next_field_x(chars[end_idx + 1 :], lines, ln, x0, chh)
            if field_at is not None:
                x1 = min(x1, field_at)
            if x1 - x0 < 1.5 * chh:  # no room to sign on the right
                left = _left_of_bracketed_label(chars, end_idx - len(label) + 1, lines, ln, chh) \
                    if text[max(0, k - 1) : k] in ("(", "（") or ln.text.lstrip()[:1] in ("(", "（") else None
                if left is not None:
                    out.append(Region("signature", (int(max(0, left[0])), int(max(0, y0)), int(min(w, left[1])),
                                                    int(min(h, y1))), label, "layout", 0.5))
                break
            # Never reach into printed lines above or below that run across the area.
            for other in lines:
                ob = other.bbox
                if other is ln or ob[0] >= x0 - chh or ob[2] <= x0 or ob[0] >= x1:
                    continue
                if ob[3] <= ln.bbox[1] + 0.2 * chh:
                    y0 = max(y0, min(ob[3], ln.bbox[1] - 0.2 * chh))
                elif ob[1] >= ln.bbox[3] - 0.2 * chh:
                    y1 = min(y1, max(ob[1], ln.bbox[3] + 0.2 * chh))
            # Handwriting OCR did read (but not as the name) is covered too; printed fields are not.
            for other in lines:
                ob = other.bbox
                if other is not ln and ob[0] >= x0 - chh and ob[0] <= x1 and ob[1] < y1 and ob[3] > y0 \
                        and (field_at is None or ob[0] < field_at):
                    x1 = max(x1, ob[2] + 0.3 * chh)
                    y0 = min(y0, ob[1] - 0.2 * chh)
                    y1 = max(y1, ob[3] + 0.2 * chh)
            if after_stripped and len(after_stripped) >= 2 and field_at is None:
                tail = chars[end_idx + 1 :]
                if tail:
                    x1 = max(x1, max(c.bbox[2] for c in tail) + 0.3 * chh)
            if field_at is not None:
                x1 = min(x1, field_at)
            if own and not after.lstrip(":："):
                # a role's holder often signs over the role itself where the form leaves no more room
                x0 = min(x0, float(chars[max(0, end_idx - len(label) + 1)].bbox[0]))
            box = (int(max(0, x0)), int(max(0, y0)), int(min(w, x1)), int(min(h, y1)))
            if box[2] > box[0] and box[3] > box[1]:
                out.append(Region("signature", box, label, "layout", 0.5))
            break
    return out


def _starts_with_field(text: str) -> bool:
    """True when ``text`` (after brackets and colons) begins with a printed form field's label."""
    return norm_text(text).lstrip(":：()（）").startswith(FIELD_LABELS)


def _next_field_x(tail: Sequence[Char], lines: Sequence[TextLine], ln: TextLine, x0: float,
                  chh: float) -> float | None:
    """Left edge of the next printed field after a signature label, if one follows on its row.

    Either the label's own line goes on with a field (``（签名）性别``) or a line
    beside it, on the same row and within the signing width, starts with one.
    """
    for i, c in enumerate(tail):
        if c.text in ":：()（）":
            continue
        if _starts_with_field("".join(t.text for t in tail[i:])):
            return float(c.bbox[0])
        break
    mid = (ln.bbox[1] + ln.bbox[3]) / 2
    best: float | None = None
    for other in lines:
        ob = other.bbox
        if other is ln or not ob[1] < mid < ob[3] or ob[0] < x0 - 0.5 * chh or ob[0] > x0 + 7.0 * chh:
            continue
        if _starts_with_field(other.text):
            best = ob[0] if best is None else min(best, ob[0])
    return best


def _left_of_bracketed_label(chars: Sequence[Char], label_idx: int, lines: Sequence[TextLine], ln: TextLine,
                             chh: float) -> tuple[float, float] | None:
    """The signing area left of a bracketed label (``____（签名）``), as ``(x0, x1)``.

    It reaches back about seven characters, no further than the end of the
    field's own printed label (``姓名``, ``申报人：``) on the same line or on a
    line beside it; anything else in between (a scrawl OCR misread) is covered.
    None when there is no room.
    """
    first = max(0, min(label_idx, len(chars) - 1))
    while first > 0 and chars[first - 1].text in "(（":
        first -= 1
    x1 = float(chars[first].bbox[0]) if first else min(float(chars[0].bbox[0]), float(ln.bbox[0]))
    x0 = x1 - 7.0 * chh
    before = "".join(norm_text(c.text) for c in chars[:first])
    for word in OWN_FIELDS:
        k = before.rfind(word)
        if k >= 0:
            end = min(first - 1, _char_index(chars, k + len(word) - 1))
            for c in chars[end + 1 : first]:  # a colon right after the label belongs to it
                if c.text in ":：":
                    end += 1
            x0 = max(x0, float(chars[end].bbox[2]))
    mid = (ln.bbox[1] + ln.bbox[3]) / 2
    for other in lines:
        ob = other.bbox
        if other is not ln and ob[1] < mid < ob[3] and x0 < ob[2] <= x1 + 0.2 * chh \
                and norm_text(other.text).rstrip(":：").endswith(OWN_FIELDS):
            x0 = float(ob[2])
    return (x0, x1) if x1 - x0 >= 1.5 * chh else None


def _char_index(chars: Sequence[Char], folded_index: int) -> int:
    """Map an index in the folded line text back to the line's characters."""
    k = -1
    for i, c in enumerate(chars):
        n = norm_char(c.text[:1])
        if not n or n in DOTS:
            continue
        k += 1
        if k == folded_index:
            return i
    return len(chars) - 1
