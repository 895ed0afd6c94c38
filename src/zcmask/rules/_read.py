"""Reading facts out of recognised attachment text: dates, periods, years, hours, months.

Pure functions of strings (OCR or PDF text layer output). They are tolerant of
the usual OCR noise: spaces inside numbers, full-width digits, ``O`` for ``0``.
This module does not decide what is allowed; :mod:`zcmask.rules.checks` does.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

from zcmask.locate._variants import looks_alike

_PUNCT = set("，,。.、；;：:！!？?“”\"‘’'（）()《》<>【】[]「」—-－_~·…　 ")


def fold(text: str) -> str:
    """NFKC, no whitespace, ``O``/``o`` between digits read as ``0``."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    return re.sub(r"(?<=\d)[Oo](?=\d)|(?<=\d)[Oo](?=[年月日])", "0", s)


def strip_punct(text: str) -> str:
    return "".join(c for c in fold(text) if c not in _PUNCT)


# ------------------------------------------------------------------ dates and periods

_FULL = re.compile(r"(20\d{2})[年./-](\d{1,2})[月./-](\d{1,2})日?")
_PART = re.compile(r"(?<![\d年./-])(\d{1,2})月(\d{1,2})日")
_SEP = re.compile(r"^(?:起|开始)?(?:至|到|—|–|-|－|~|～)+$")


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, default_year: int | None = None) -> list[tuple[int, int, dt.date]]:
    """Every date in ``text`` as ``(start, end, date)``.

    A date without a year (``9月6日``) takes the year of the date before it, or
    ``default_year`` when there is none.
    """
    s = fold(text)
    out: list[tuple[int, int, dt.date]] = []
    for m in _FULL.finditer(s):
        d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            out.append((m.start(), m.end(), d))
    for m in _PART.finditer(s):
        if any(a <= m.start() < b for a, b, _ in out):
            continue
        prev = [d for a, b, d in out if b <= m.start()]
        year = prev[-1].year if prev else default_year
        if year:
            d = _date(year, int(m.group(1)), int(m.group(2)))
            if d:
                out.append((m.start(), m.end(), d))
    return sorted(out)


def find_period(text: str, default_year: int | None = None) -> tuple[dt.date, dt.date] | None:
    """The first ``date 至 date`` period in ``text`` (a 公示 period), or None."""
    s = fold(text)
    dates = find_dates(text, default_year)
    for (_a0, a1, d0), (b0, _b1, d1) in zip(dates, dates[1:], strict=False):
        between = s[a1:b0]
        if (_SEP.match(between) or re.fullmatch(r"(?:起)?(?:至|到)", between)) and d1 >= d0:
            return d0, d1
    return None


def working_days(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days from ``start`` to ``end`` inclusive, by the Chinese calendar.

    Public holidays are excluded and adjusted working days (调休上班的周末) are
    counted, using the ``chinese-calendar`` package. Returns ``(days, exact)``;
    ``exact`` is False when a date lies outside the years the package knows, in
    which case plain Monday-to-Friday counting is used for those dates.
    """
    import chinese_calendar

    days, exact = 0, True
    d = start
    while d <= end:
        try:
            work = chinese_calendar.is_workday(d)
        except NotImplementedError:
            exact = False
            work = d.weekday() < 5
        days += int(work)
        d += dt.timedelta(days=1)
    return days, exact


# ------------------------------------------------------------------ years, grades, hours

_YEAR_DU = re.compile(r"(20\d{2})年度|(?:考核年度|年度)[:：](20\d{2})")
_YEAR = re.compile(r"(20\d{2})年")


def document_year(text: str, *, lo: int = 2000, hi: int = 2100) -> int | None:
    """The year a certificate or form is for: the first ``20XX年度``, else the first ``20XX年``."""
    s = fold(text)
    for rx in (_YEAR_DU, _YEAR):
        for m in rx.finditer(s):
            y = int(m.group(1) or m.group(2))
            if lo <= y <= hi:
                return y
    return None


def years_mentioned(text: str) -> set[int]:
    """Every ``20XX年度`` year in ``text`` (a form covering several years names each)."""
    return {int(m.group(1) or m.group(2)) for m in _YEAR_DU.finditer(fold(text))}


_GRADE_LABEL = re.compile(r"(?:考核等次|考核结果|评定等次|考核意见|等次)[:：]?")
_GRADES = ("基本合格", "不合格", "优秀", "称职", "合格")


def appraisal_grade(text: str) -> str | None:
    """The grade written after a 考核等次/考核结果 label, or None when unclear."""
    s = fold(text)
    for m in _GRADE_LABEL.finditer(s):
        tail = s[m.end(): m.end() + 8]
        for g in _GRADES:
            if tail.startswith(g):
                return "合格" if g == "称职" else g
    return None


def ce_kind(text: str) -> str | None:
    """``公需`` or ``专业`` for a continuing-education certificate, else None."""
    s = fold(text)
    if "公需" in s or "公共科目" in s or "公共课" in s:
        return "公需"
    if re.search(r"专业科目|专业课|专业技术科目", s):
        return "专业"
    return None


_HOURS = re.compile(r"(\d{1,3}(?:\.\d)?)(?:个)?(?:学时|课时|小时)|(?:学时|课时)(?:数)?[:：](\d{1,3}(?:\.\d)?)")


def ce_hours(text: str) -> float:
    """The hours a certificate states (the largest ``N学时/课时`` figure), 0 when none."""
    vals = [float(m.group(1) or m.group(2)) for m in _HOURS.finditer(fold(text))]
    return max(vals) if vals else 0.0


# ------------------------------------------------------------------ social insurance months

_YM = (re.compile(r"(20\d{2})年(\d{1,2})月(?!\d{1,2}日)"), re.compile(r"(?<!\d)(20\d{2})[./-](\d{1,2})(?![\d./-])"),
       re.compile(r"(?<!\d)(20\d{2})/(\d{1,2})(?![\d/])"),
       re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)"))
_RANGE = re.compile(r"(20\d{2})[年./-]?(\d{1,2})月?(?:至|到|—|–|-|－|~|～)+(20\d{2})[年./-]?(\d{1,2})月?")
_COUNT = re.compile(r"(?:缴费月数|累计缴费|实际缴费|缴费)[:：]?(\d{1,3})(?:个)?月")


def insured_months(text: str) -> int:
    """Months of contributions a social-insurance statement shows.

    The largest of: an explicit count (``缴费月数：8``), a ``2024年01月至2024年08月``
    range, or the number of distinct year-months listed in its rows.
    """
    s = fold(text)
    best = 0
    for m in _COUNT.finditer(s):
        best = max(best, int(m.group(1)))
    for m in _RANGE.finditer(s):
        y0, m0, y1, m1 = (int(g) for g in m.groups())
        if 1 <= m0 <= 12 and 1 <= m1 <= 12:
            n = (y1 - y0) * 12 + (m1 - m0) + 1
            if 0 < n <= 600:
                best = max(best, n)
    spaced = unicodedata.normalize("NFKC", text)  # compact 202401 rows need their separators
    months = {(int(m.group(1)), int(m.group(2))) for t in (s, spaced) for rx in _YM for m in rx.finditer(t)
              if 1 <= int(m.group(2)) <= 12}
    return max(best, len(months))


# ------------------------------------------------------------------ fuzzy wording


@dataclass(frozen=True)
class TextDiff:
    """How a document's wording differs from the required wording."""

    ratio: float
    missing: str  # required characters not found
    extra: str  # characters found instead of, or in addition to, the required ones
    found: bool  # whether anything like the wording was found at all
    pairs: tuple[tuple[str, str], ...] = ()  # (required, found instead) for each difference

    @property
    def differing(self) -> int:
        return max(len(self.missing), len(self.extra))


def _confusable(a: str, b: str) -> bool:
    return looks_alike(b, a)


def compare_wording(required: str, text: str) -> TextDiff:
    """Align ``required`` inside ``text`` (punctuation ignored) and list what differs.

    The best matching stretch of ``text`` is compared character by character;
    a one-for-one swap between visually confusable characters (OCR noise) is not
    counted as a difference.
    """
    ref = strip_punct(required)
    doc = strip_punct(text)
    if not ref:
        return TextDiff(1.0, "", "", True)
    sm = difflib.SequenceMatcher(None, ref, doc, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size >= 2]
    if not blocks:
        return TextDiff(0.0, ref, "", False)
    # The stretch of the document that lines up with the required wording.
    lo = max(0, blocks[0].b - blocks[0].a)
    hi = min(len(doc), blocks[-1].b + blocks[-1].size + (len(ref) - blocks[-1].a - blocks[-1].size))
    seg = doc[lo:hi]
    sm2 = difflib.SequenceMatcher(None, ref, seg, autojunk=False)
    missing, extra, pairs = [], [], []
    for tag, i0, i1, j0, j1 in sm2.get_opcodes():
        if tag == "equal":
            continue
        a, b = ref[i0:i1], seg[j0:j1]
        if tag == "replace" and _confusable(a, b):
            continue
        missing.append(a)
        extra.append(b)
        pairs.append((a, b))
    matched = sum(b.size for b in sm2.get_matching_blocks())
    ratio = matched / len(ref)
    return TextDiff(ratio, "".join(missing), "".join(extra), ratio >= 0.5, tuple(pairs))


def word_count(text: str) -> int:
    """字数 as word processors count it: CJK characters and full-width marks, plus Latin words."""
    n = 0
    for tok in re.finditer(r"[A-Za-z0-9]+|\S", text):
        t = tok.group(0)
        if t.isascii() and not t.isalnum():
            continue  # ASCII punctuation is not counted
        n += 1
    return n
