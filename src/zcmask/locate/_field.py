"""The value of a name field that OCR did not read at all.

A transcript, a form or a certificate names its holder after a printed label: 姓名：梁慧.
When the value is too small, too blurred or too scrawled for the detector, the label is read
and nothing after it, and the name stays visible however well the rest of the page is masked
(a real transcript scan: the name 19 x 10 px, the label read at 0.87). Such a value is masked
from the ink alone: after a label line that ends in a name field's label, on its row, the ink
up to the next text read on that row (at most :data:`REACH` label heights away) is covered
when it looks like a few characters.

An award certificate names its holder before 同学 or 同志, often handwritten on a blank line
(a held-out scholarship certificate: 彭心一 in pen before 同学荣获, not read, left visible). A line
that begins with 同学 or 同志 is a label the other way round: the ink before it on its row, back to
the previous text read (at most :data:`REACH` heights away), is covered the same way.

Only where nothing was read: a value OCR read is matched like any text, so another person's
readable name after their own label (a 公示 list) is never covered by this rule. The one read
value taken as unread is the start of the applicant's own name and nothing after it on its line
(姓名 孙 of 孙悦 letter-spaced across the field: the detector saw 孙 beside the label, 0.51 sure,
and not 悦 four characters further on): the field's ink is covered from that start on. After
any other label and its colon (经办人：于 of 于一 in light grey) the start is taken only when ink
as dark as its own goes on after it. A label written down a column (姓 | 名) holds its value in
the cell under it: a value read as a part of the name only, or with doubt, is covered, and unread
ink there too. A surname read in its own field (姓：于) beside a given-name field whose value was
not read (名：＿) is covered with that value. Masking only: a page being checked is not told of a
name nobody could read.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from zcmask._geometry import boxes_overlap
from zcmask.locate._pinyin import surname_length
from zcmask.locate._text import COLUMN_DOUBT, COLUMN_SHAPE, GIVEN_LABELS, SURNAME_LABELS
from zcmask.locate._variants import is_han, looks_alike, norm_text
from zcmask.results import Char, Region, TextLine

#: The printed labels whose field holds the document's holder's name.
NAME_FIELDS = ("姓名", "申报人", "申请人", "持证人", "学生姓名", "考生姓名")
#: What follows the holder's name on a certificate (the field before it holds the name).
NAME_AFTER = ("同学", "同志")
#: How far right of the label the value may reach, in label heights.
REACH = 6.0
#: Least ink of a value, in square label heights (two small characters, not a speck of dust).
MIN_INK = 0.15


def unread_name_fields(lines: Sequence[TextLine], image: np.ndarray,
                       found: Sequence[Region], name: str = "") -> list[Region]:
    """``name`` regions over the unread values of name fields (see the module).

    Parameters
    ----------
    lines : sequence of TextLine
        The page's lines as read.
    image : ndarray, shape (H, W, 3), uint8 RGB
        The upright page. Not modified.
    found : sequence of Region
        Regions found already; a value under a name region is left to it.
    name : str
        The applicant's name: a field read only as its start is taken as unread.

    """
    gray = None
    out: list[Region] = []
    h, w = image.shape[:2]
    starts = _name_starts(name)
    for label in _stacked_labels(lines):  # 姓 | 名 read as two lines, one over the other
        if gray is None:
            gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        out += _column_value(label, lines, gray, found, name)
    for ln in lines:
        text = norm_text(ln.text).strip("_:：")
        if ln.source == "ocr" and text.endswith(NAME_FIELDS) and _is_column(ln):
            if gray is None:
                gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
            out += _column_value(ln, lines, gray, found, name)  # 姓 | 名 over the value's cell
        before = text.startswith(NAME_AFTER)  # the value ends where this line begins
        start = _labelled_start(text, starts)
        # after any label and its colon, the start must be seen to go on in ink (经办人：于 of 于一),
        # its doubtful last characters taken as unread (经办人：王喆 in light grey read 王品, 品 at 0.45)
        chars = [c for c in ln.chars if norm_text(c.text)]
        sure = len(chars)
        while sure and chars[sure - 1].score < DOUBTFUL:
            sure -= 1
        loose = "" if start else _colon_start(norm_text("".join(c.text for c in chars[:sure])).strip("_"), starts)
        if loose:
            chars = chars[:sure]
        start = start or loose
        # 姓：于 名：＿ with the given name not read: the surname's field beside it holds the name
        surname = _surname_field(ln, lines, name) if text in GIVEN_LABELS else None
        if ln.source != "ocr" or not (before or start or surname or text.endswith(NAME_FIELDS)):
            continue
        x0, y0, x1, y1 = (float(v) for v in ln.bbox)
        if start and y1 - y0 >= COLUMN_SHAPE * (x1 - x0):
            continue  # 姓 | 名 | 于 down a cell: its rest is under it (:func:`unread_column_rest`)
        if start and len(chars) >= len(start):
            x1 = float(chars[-len(start)].bbox[0]) - 1  # the field from the name's start read on
        lh = y1 - y0
        if lh < 4:
            continue
        # the value's room: from the label's end (start) to the next (previous) text read on its row
        mid, step = (y0 + y1) / 2, (-1 if before else 1)
        edge = x0 if before else x1
        far = edge + step * REACH * lh
        for other in lines:
            ob = other.bbox
            near_edge = ob[2] if before else ob[0]
            if other is not ln and ob[1] < mid < ob[3] and step * (near_edge - edge) >= -0.2 * lh:
                far = max(far, float(near_edge)) if before else min(far, float(near_edge))
        a, b = (max(0.0, far), edge) if before else (edge, min(float(w), far))
        box = (int(a), int(max(0, y0 - 0.25 * lh)), int(b), int(min(h, y1 + 0.25 * lh)))
        if box[2] - box[0] < lh or any(r.kind == "name" and _holds(r.bbox, box, ln.bbox[2] if start else None)
                                       for r in found):
            continue
        if gray is None:
            gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        # the read start of the name is ink enough (thin grey strokes of 于 and 一: 194 px)
        ink = _value_ink(gray, box, lh, 0.0 if start or surname else MIN_INK,
                         dark=_start_contrast(gray, chars[-len(start):]) if start else 60.0)
        if loose and (ink is None or ink[2] < chars[-1].bbox[2] + 0.5 * lh):
            continue  # nothing seen after the start: a surname alone, not the name
        if ink is not None:
            out.append(Region("name", ink, "", "field", 0.5))
            if surname is not None:
                out.append(Region("name", surname, "", "field", 0.5))
    return out


#: How far under a lone start of the name its unread rest is looked for: this many character
#: sizes for each character missing.
COLUMN_PITCH = 3.5
#: A line down the column read with less confidence than this and no Chinese character is ink, not print.
DOUBTFUL = 0.75
#: Share of a character's detected box its ink is taken to fill, down a column: the box is padded
#: all round (王's ink 35 px of a 63 px box), so that a lone 一 (31 px) under it is wide enough.
INKED = 0.8


def unread_column_rest(lines: Sequence[TextLine], image: np.ndarray, found: Sequence[Region],
                       name: str) -> list[Region]:
    """``name`` regions over a name written down a column some of whose characters were not read.

    A name written downwards with its characters far apart (于 | 一 down a page's margin, 李 | 一
    | 鸣): the detector sees 于 alone and never the lone 一 under it, a single stroke. A line that
    is a start of the applicant's name and nothing else (or a name label and then that start, 姓 |
    名 | 于 down a cell), one character wide (a lone character or a column), is followed down its column for :data:`COLUMN_PITCH` character sizes a missing
    character: lines read there that go on with the name (鸣) are taken in, and unread ink (as a
    field's value's, :func:`_value_ink`) up to the first line that does not. The start, what goes
    on with it and that ink are masked as one region; a start with nothing under it is left alone.
    The same way up from a line that is an end of the name and nothing else, its first characters
    not read (卜 | 凡 down a margin in AR PL UKai: the lone 卜 not seen, 凡 read).

    Parameters are those of :func:`unread_name_fields`.

    >>> page = np.full((400, 200, 3), 250, np.uint8); page[200:204, 80:120] = 60  # 一, unread
    >>> from zcmask.results import Char
    >>> yu = TextLine("于", (80, 100, 120, 140), 1.0, (Char("于", (80, 100, 120, 140), 1.0),))
    >>> [r.bbox for r in unread_column_rest([yu], page, [], "于一")], unread_column_rest([yu], page, [], "王一")
    ([(70, 100, 130, 210)], [])
    >>> fan = TextLine("凡", (80, 260, 120, 300), 1.0, (Char("凡", (80, 260, 120, 300), 1.0),))
    >>> [r.bbox for r in unread_column_rest([fan], page, [], "卜凡")]  # 一 stands for the unread 卜
    [(70, 194, 130, 300)]
    """
    folded = norm_text(name)
    starts = _name_starts(name)  # longest first
    ends = [folded[k:] for k in range(1, len(folded))]  # longest first
    gray = None
    out: list[Region] = []
    h, w = image.shape[:2]
    for ln in lines:
        text = norm_text(ln.text).strip("_:：")
        # the start alone, or after a name label written down the column with it (姓 | 名 | 于)
        start = text if text in starts else _labelled_start(text, starts)
        up = not start and text in ends  # an end alone: its start is over it
        if ln.source != "ocr" or not (start or up):
            continue
        x0, y0, x1, y1 = (float(v) for v in ln.bbox)
        size = x1 - x0
        if size < 4 or (len(text) > 1 and y1 - y0 < COLUMN_SHAPE * size):
            continue  # not written down a column
        chars = [c for c in ln.chars if norm_text(c.text)]
        if start and start != text and len(chars) >= len(start):
            y0 = float(chars[-len(start)].bbox[1])  # the label above the start is left visible
        near = (x0, y0 - size, x1, y0 - 0.2 * size) if up else (x0, y1 + 0.2 * size, x1, y1 + size)
        beside = [r.bbox for r in found if r.kind == "name" and boxes_overlap(r.bbox, near)]
        rest = folded[:-len(text)] if up else folded[len(start):]
        reach = COLUMN_PITCH * size * len(rest)
        # how far the column goes (edge) and how far what was read of the name goes (got)
        edge, got = (max(0.0, y0 - reach), y0) if up else (min(float(h), y1 + reach), y1)
        stopped = False
        for other in sorted(lines, key=lambda o: -o.bbox[3] if up else o.bbox[1]):
            ob = other.bbox
            beyond = ob[3] > y0 + 0.2 * size or ob[3] <= edge if up else ob[1] < y1 - 0.2 * size or ob[1] >= edge
            if other is ln or beyond or min(x1, ob[2]) - max(x0, ob[0]) <= 0:
                continue
            said = _said_in_column(other, x0, x1, size)
            if said is None:
                continue  # only ink there, as if unread
            more, oy0, oy1 = said
            k = (rest.rfind(more) if up else rest.find(more)) if more else -1
            if k < 0:
                edge, stopped = float(ob[3] if up else ob[1]), True  # other print: the column ends there
                break
            # the name goes on (鸣 of 李 | 一 | 鸣)
            rest, got = (rest[:k], oy0) if up else (rest[k + len(more):], oy1)
        if beside and (not rest or _found_past(found, (x0, y0, x1, y1), got, size, up, reach)):
            continue  # the name's rest beside it was found (its start alone may be found too)
        if up and stopped and got == y0:
            continue  # other print over the unread ink: it may start another's name (李 | 一 | 鸣, 王一鸣 given)
        if gray is None:
            gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        b0, b1 = (edge, y0) if up else (y1, edge)
        box = (int(max(0.0, x0 - 0.25 * size)), int(b0), int(min(float(w), x1 + 0.25 * size)), int(b1))
        # ink measured against the share of a lone character's box that its ink fills (:data:`INKED`)
        # and as dark as a share of what was read (:data:`START_SHARE`)
        read = chars[-len(start):] if start and len(chars) >= len(start) else chars
        ink = _value_ink(gray, box, INKED * size, 0.0, narrow=True, dark=_start_contrast(gray, read)) \
            if box[3] - box[1] >= 0.5 * size else None
        if ink is None and got == (y0 if up else y1):
            continue  # nothing beside it: a lone character, not a part of the name
        top, bottom = (got, y1) if up else (y0, got)
        if ink is not None:
            # across the column's padded width: the unread stroke's pale ends lie past its darkest ink
            # (万 | 一 in a cell, the 一 found 97-122 px and covered 0.7 of its ink)
            x0, x1 = min(x0, ink[0], box[0]), max(x1, ink[2], box[2])
            top, bottom = min(top, ink[1]), max(bottom, ink[3])
        out.append(Region("name", (int(x0), int(top), int(np.ceil(x1)), int(np.ceil(bottom))), folded, "field", 0.5))
    # 李 | 一 | 鸣 is found down from 李 and up from 鸣: one region each way, the larger kept
    kept: list[Region] = []
    for r in sorted(out, key=lambda r: -(r.bbox[2] - r.bbox[0]) * (r.bbox[3] - r.bbox[1])):
        if not any(k.bbox[0] <= r.bbox[0] and k.bbox[1] <= r.bbox[1] and k.bbox[2] >= r.bbox[2]
                   and k.bbox[3] >= r.bbox[3] for k in kept):
            kept.append(r)
    return kept


def _found_past(found: Sequence[Region], box: tuple[float, float, float, float], got: float, size: float,
                up: bool, reach: float = float("inf")) -> bool:
    """Whether a name ``found`` in the column of ``box``, within ``reach`` of it, goes half a character past ``got``.

    Down a column, ``got`` is where what was read of the name ends (up it, where it starts): a
    name found only over the characters read (万 | 俟 found, the 燕 under them unread on a
    guilloche) leaves the rest to be looked for.

    >>> f = [Region("name", (10, 50, 40, 80), "", "ocr", 1.0)]
    >>> _found_past(f, (10, 0, 40, 30), 80.0, 30.0, False), _found_past(f, (10, 0, 40, 30), 60.0, 30.0, False)
    (False, True)
    """
    x0, y0, x1, y1 = box
    col = [r.bbox for r in found if r.kind == "name" and min(x1, r.bbox[2]) - max(x0, r.bbox[0]) > 0
           and (r.bbox[3] > y0 - reach if up else r.bbox[1] < y1 + reach)]
    if up:
        return any(b[1] < got - 0.5 * size for b in col)
    return any(b[3] > got + 0.5 * size for b in col)


def _said_in_column(line: TextLine, x0: float, x1: float, size: float) -> tuple[str, float, float] | None:
    """What ``line``, read across a column from ``x0`` to ``x1``, says there: its text, top and bottom.

    A line about as narrow as the column says what was read sure: a character read with doubt or
    as a mark is ink, as if unread (丁 as T at 0.61; 尔 of 吐 | 尔 | 逊 as 你 at 0.54 after a stray
    《), and None when that is all of it. A wide line says only what its characters inside the
    column read (鸣, read as the end of show-through text beside it, 志同一李子过鸣), and "" (print
    that ends the column) when none or all of them are inside.
    """
    ob = line.bbox
    if ob[2] - ob[0] <= 1.5 * size:
        read = [c for c in line.chars if norm_text(c.text)]
        sure = [c for c in read if c.score >= DOUBTFUL and (c.text.isalnum() or is_han(c.text))]
        if not sure:
            return None
        text = norm_text(line.text) if len(sure) == len(read) else norm_text("".join(c.text for c in sure))
        return text, float(ob[1]), float(ob[3])
    inside = [c for c in line.chars if x0 - 0.25 * size <= (c.bbox[0] + c.bbox[2]) / 2 <= x1 + 0.25 * size]
    if not inside or len(inside) == len(line.chars):
        return "", float(ob[1]), float(ob[3])
    return (norm_text("".join(c.text for c in inside)), min(float(c.bbox[1]) for c in inside),
            max(float(c.bbox[3]) for c in inside))


def _is_column(line: TextLine) -> bool:
    """Whether ``line`` is written down a column (at least :data:`COLUMN_SHAPE` times as tall as wide)."""
    x0, y0, x1, y1 = line.bbox
    return len(norm_text(line.text)) > 1 and y1 - y0 >= COLUMN_SHAPE * max(1.0, x1 - x0)


def _column_value(label: TextLine, lines: Sequence[TextLine], gray: np.ndarray, found: Sequence[Region],
                  name: str) -> list[Region]:
    """The value under a name label written down a column (姓 | 名 over a cell of 李 | 一 | 鸣).

    The first line under the label in its column is the value. It is masked when it was read as
    a part of the applicant's name only (李一鸣 read 一, the line's box over all three), with
    doubt (丁丁 read 上上 at 0.83, under :data:`~zcmask.locate._text.COLUMN_DOUBT`), or as fewer
    characters than its box holds at the label's pitch with one of the name's among them (李一鸣
    read 如一 at 0.94, 鸣 lost), or as the name with look-alikes for its characters (丁丁 read 上上
    at 0.97); another person's name read sure and whole is left. With no line there, the ink under
    the label, down to the next text read in the column (at most :data:`REACH` character sizes),
    is the unread value.
    """
    x0, y0, x1, y1 = (float(v) for v in label.bbox)
    size = x1 - x0
    folded = norm_text(name)
    pitch = (y1 - y0) / max(1, len(norm_text(label.text)))  # the label's, a character
    under = sorted((o for o in lines if o is not label and o.bbox[1] >= y1 - 0.3 * size
                    and min(x1, o.bbox[2]) - max(x0, o.bbox[0]) >= 0.5 * min(size, o.bbox[2] - o.bbox[0])),
                   key=lambda o: o.bbox[1])
    if under and under[0].bbox[1] <= y1 + 1.5 * size:
        value = under[0]
        said = norm_text(value.text)
        if not said or any(r.kind == "name" and boxes_overlap(r.bbox, value.bbox) for r in found):
            return []
        part = bool(folded) and said in folded and said != folded
        # fewer characters read than the cell holds at the label's pitch, one of them the name's
        short = bool(set(said) & set(folded)) and (value.bbox[3] - value.bbox[1]) / pitch >= len(said) + 0.5
        # the name with each character read as a look-alike (丁丁 read 上上 at 0.97)
        # (丁 | 一 read bottom up as 一上 at 0.95: the other way round)
        alike = looks_alike(said, folded) or looks_alike(said[::-1], folded)
        if not (part or short or alike or (value.score < COLUMN_DOUBT and all(is_han(c) for c in said))):
            return []
        # from the label's foot: characters of the value over the one read may have gone unread
        # (尹 | 川 at 120 dpi read 川 alone, 尹 never detected)
        b = value.bbox
        return [Region("name", (int(min(b[0], x0)), int(min(b[1], y1)), int(np.ceil(max(b[2], x1))), int(b[3])),
                       folded, "field", 0.5)]
    # down to the next text read in the column, and no further than twice the name's length at the
    # label's pitch (the paler ink now taken would otherwise run on into print below the cell)
    end = min(float(gray.shape[0]), y1 + REACH * size, y1 + 2 * pitch * max(2, len(folded)),
              *(float(o.bbox[1]) for o in under))
    box = (int(max(0.0, x0 - 0.25 * size)), int(y1), int(min(float(gray.shape[1]), x1 + 0.25 * size)), int(end))
    if box[3] - box[1] < 0.5 * size or any(r.kind == "name" and boxes_overlap(r.bbox, box) for r in found):
        return []
    # the label's box is padded (:data:`INKED`); ink as dark as a share of the label's own (丁 | 一 in
    # low contrast on tinted paper at 120 dpi, 60 and 45 grey levels under it, the label 71)
    ink = _value_ink(gray, box, INKED * size, MIN_INK, narrow=True, dark=_start_contrast(gray, label.chars))
    return [Region("name", ink, folded, "field", 0.5)] if ink is not None else []


def _stacked_labels(lines: Sequence[TextLine]) -> list[TextLine]:
    """Name labels written down a column and read as one line a character (姓 over 名), each joined into one line.

    A 姓名 cell's label written downwards came back as 姓 and 名, two lines, at 120 dpi in JPEG
    noise (layout pages), so it was no column label and the cell's value under it (丁 | 丁 read
    上上 at 0.71) stayed. Lines about one character wide, each under the last in its column with
    less than half a character between them, whose text together is a name field's label
    (:data:`NAME_FIELDS`), are that label.

    >>> from zcmask.results import Char
    >>> def ln(t, y):
    ...     return TextLine(t, (0, y, 30, y + 30), 1.0, (Char(t, (0, y, 30, y + 30), 1.0),))
    >>> [(x.text, x.bbox) for x in _stacked_labels([ln("名", 34), ln("姓", 0), ln("王", 68)])]
    [('姓名', (0, 0, 30, 64))]
    >>> _stacked_labels([ln("姓", 0), ln("名", 60)])
    []
    """
    cols = sorted((ln for ln in lines if ln.source == "ocr" and len(norm_text(ln.text)) == 1), key=lambda o: o.bbox[1])
    out: list[TextLine] = []
    for k, top in enumerate(cols):
        run = [top]
        while len(run) < max(len(f) for f in NAME_FIELDS):
            a = run[-1].bbox
            size = a[2] - a[0]
            nxt = next((o for o in cols[k + 1:] if o not in run and -0.5 * size <= o.bbox[1] - a[3] <= 0.5 * size
                        and min(a[2], o.bbox[2]) - max(a[0], o.bbox[0]) >= 0.5 * min(size, o.bbox[2] - o.bbox[0])),
                       None)
            if nxt is None:
                break
            run.append(nxt)
            text = "".join(norm_text(o.text) for o in run)
            if text in NAME_FIELDS:
                box = (min(o.bbox[0] for o in run), run[0].bbox[1], max(o.bbox[2] for o in run), run[-1].bbox[3])
                out.append(TextLine(text, box, min(o.score for o in run), tuple(c for o in run for c in o.chars)))
                break
    return out


def _surname_field(label: TextLine, lines: Sequence[TextLine], name: str) -> tuple[int, int, int, int] | None:
    """The box of the applicant's surname read in a surname field (姓：于) left of a given-name ``label``.

    The field must be on the label's row, end its line, and be at most :data:`REACH` label
    heights before it: 姓：于 then 名：＿ whose 一 was not read. The surname alone is no name; with
    the given name's field beside it, unread, it is.

    >>> from zcmask.results import Char
    >>> def ln(t, x):
    ...     return TextLine(t, (x, 0, x + 30 * len(t), 30), 1.0,
    ...                     tuple(Char(c, (x + 30 * i, 0, x + 30 * i + 30, 30), 1.0) for i, c in enumerate(t)))
    >>> ming = ln("名：", 200)
    >>> _surname_field(ming, [ln("姓：于", 0), ming], "于一"), _surname_field(ming, [ln("姓：王", 0), ming], "于一")
    ((60, 0, 90, 30), None)
    """
    folded = norm_text(name)
    if len(folded) < 2 or not all(is_han(c) for c in folded):
        return None
    x0, y0, _x1, y1 = label.bbox
    lh = y1 - y0
    mid = (y0 + y1) / 2
    for other in lines:
        ob = other.bbox
        if other is label or not ob[1] < mid < ob[3] or not 0 <= x0 - ob[2] <= REACH * lh:
            continue
        text = norm_text(other.text).rstrip("_")
        chars = [c for c in other.chars if norm_text(c.text)]
        for k in dict.fromkeys((surname_length(folded), 1)):
            sur = folded[:k]
            head = text[:-len(sur)].rstrip(":：") if text.endswith(sur) else ""
            if head.endswith(SURNAME_LABELS) and len(chars) >= k:
                return _chars_box(chars[-k:])
    return None


def _holds(found: tuple[float, float, float, float], box: tuple[int, int, int, int], start_end: float | None) -> bool:
    """Whether a name ``found`` holds a field's value at ``box``.

    A field whose start was read (``start_end``: where that start ends) is held only when half of
    its room after the start is found (于 of 于 | 一 matched with a 人 far along leaves 一 unmasked).

    >>> _holds((0, 0, 10, 10), (5, 0, 50, 10), None), _holds((0, 0, 10, 10), (5, 0, 50, 10), 8.0)
    (True, False)
    """
    if start_end is None:
        return boxes_overlap(found, box)
    x0, x1 = max(start_end, box[0]), box[2]
    if x1 <= x0 or not boxes_overlap(found, box):
        return False
    return min(found[2], x1) - max(found[0], x0) >= 0.5 * (x1 - x0)


def _labelled_start(text: str, starts: Sequence[str]) -> str:
    """The start of the name (one of ``starts``) that ends ``text`` right after a name label, or "".

    >>> _labelled_start("姓名：孙", ["孙"]), _labelled_start("经办人孙", ["孙"])
    ('孙', '')
    """
    return next((p for p in starts if text.endswith(p) and text[:-len(p)].rstrip("_:：").endswith(NAME_FIELDS)), "")


def _colon_start(text: str, starts: Sequence[str]) -> str:
    """The start of the name (one of ``starts``) that ends ``text`` after a label of two Chinese characters or more and a colon.

    >>> _colon_start("经办人：于", ["于"]), _colon_start("于", ["于"]), _colon_start("第1：于", ["于"])
    ('于', '', '')
    """
    for p in starts:
        head = text[:-len(p)] if text.endswith(p) else ""
        if head[-1:] in (":", "：") and len(head) >= 3 and is_han(head[-2]) and is_han(head[-3]):
            return p
    return ""


def _start_contrast(gray: np.ndarray, chars: Sequence[Char]) -> float:
    """How much darker than the paper ink is taken to be, judged from the ``chars`` read.

    60 grey levels, or less for print as light as theirs (经办人：于一 in light grey, 46 levels
    under the paper): :data:`START_SHARE` of the read characters' own contrast (their darkest
    pixel against the paper, the 90th percentile round them), at least 24 levels.
    """
    if not chars:
        return 60.0
    x0, y0, x1, y1 = _chars_box(chars)
    crop = gray[max(0, y0):y1, max(0, x0):x1]
    if crop.size == 0:
        return 60.0
    paper = float(np.percentile(crop, 90))
    return float(min(60.0, max(24.0, (paper - float(crop.min())) * START_SHARE)))


#: Share of the read start's contrast the unread rest's ink must reach. A lone stroke is paler than
#: a character of many, its darkest pixel measured against theirs (layout pages at 120 dpi, washed:
#: 王 | 一 down a margin, 王 84 grey levels under the paper and the 一 50; 于 | 一 in a 姓名 cell, 于 124
#: and the 一 45), so a third, not the two thirds a stroke of the same weight would need.
START_SHARE = 1 / 3


def _chars_box(chars: Sequence[Char]) -> tuple[int, int, int, int]:
    """The box round ``chars`` (at least one), in whole pixels."""
    return (int(min(c.bbox[0] for c in chars)), int(min(c.bbox[1] for c in chars)),
            int(max(c.bbox[2] for c in chars)), int(max(c.bbox[3] for c in chars)))


def _name_starts(name: str) -> list[str]:
    """The starts of ``name`` a field may be read as, longest first: all but its last character.

    >>> _name_starts("孙悦"), _name_starts("阿力木江·买买提明")[:2], _name_starts("")
    (['孙'], ['阿力木江买买提', '阿力木江买买'], [])
    """
    folded = norm_text(name)
    return [folded[:k] for k in range(len(folded) - 1, 0, -1)]


def _value_ink(gray: np.ndarray, box: tuple[int, int, int, int], lh: float,
               min_ink: float = MIN_INK, *, narrow: bool = False, dark: float = 60.0) -> tuple[int, int, int, int] | None:
    """The box of the characters' ink in ``box``, padded by a fifth of ``lh``, or None.

    Ink is anything ``dark`` (60) grey levels darker than the paper (the box's 90th percentile); pieces
    taller than 1.3 label heights or thinner than 3 px across a whole side (a table's rule,
    a cell's border) are not characters. None when what is left is less than ``min_ink``
    square label heights or narrower than half a label height (with ``narrow``: unless it is that
    tall, a character written down a column such as 卜).
    """
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    paper = float(np.percentile(crop, 90))
    ink = (crop < paper - dark).astype(np.uint8)
    n, _lab, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = [i for i in range(1, n)
            if stats[i, cv2.CC_STAT_HEIGHT] <= 1.3 * lh
            and not (stats[i, cv2.CC_STAT_HEIGHT] >= 0.8 * crop.shape[0] and stats[i, cv2.CC_STAT_WIDTH] <= 3)
            and not (stats[i, cv2.CC_STAT_WIDTH] >= 0.8 * crop.shape[1] and stats[i, cv2.CC_STAT_HEIGHT] <= 3)]
    if not keep or sum(int(stats[i, cv2.CC_STAT_AREA]) for i in keep) < min_ink * lh * lh:
        return None
    a0 = min(int(stats[i, cv2.CC_STAT_LEFT]) for i in keep)
    b0 = min(int(stats[i, cv2.CC_STAT_TOP]) for i in keep)
    a1 = max(int(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]) for i in keep)
    b1 = max(int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]) for i in keep)
    if a1 - a0 < 0.5 * lh and not (narrow and b1 - b0 >= 0.5 * lh):
        return None
    p = int(round(0.2 * lh))
    H, W = gray.shape[:2]
    return (max(0, x0 + a0 - p), max(0, y0 + b0 - p), min(W, x0 + a1 + p), min(H, y0 + b1 + p))
