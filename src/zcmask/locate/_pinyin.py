"""The applicant's name in pinyin, for pages printed in English.

A degree certificate's English side, an English translation or a journal's author line
prints 王建国 as ``WANG Jianguo`` or ``Jianguo Wang``; a blind review needs it covered
as surely as the characters. The readings come from ``data/pinyin.txt`` (derived from
pypinyin's table, see ``data/pinyin.LICENSE``); only the lines of the name's own
characters are kept in memory.

A transliterated name (艾尔肯·吐尔逊) is spelled in the pinyin of its characters too
(``Aierken Tuerxun``): that is how a Chinese passport, a Chinese journal's English
abstract and many school documents print it. Its own Latin spelling (Erkin Tursun) is
not its characters' pinyin, so the applicant gives that one as an alias.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from zcmask.locate._variants import DOTS, is_han, name_parts, norm_text

#: Two-character surnames (欧阳 娜娜 is Ouyang Nana, not Ou Yangnana).
COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "申屠", "澹台", "公冶", "太史",
    "闻人", "赫连", "钟离", "宗政", "濮阳", "淳于", "单于", "拓跋", "第五", "东郭", "左丘", "司空",
))
#: How polyphonic surnames are read (单 is Shan, 曾 Zeng, 解 Xie ...); any other surname character
#: is read by its first reading only, so 王建国 is not also spelled Yu Jianguo (王 yù), another
#: person's name.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan", "dan"), "曾": ("zeng",), "解": ("xie", "jie"), "查": ("zha", "cha"), "区": ("ou",),
    "仇": ("qiu", "chou"), "朴": ("piao", "pu"), "盖": ("ge", "gai"), "翟": ("zhai", "di"), "缪": ("miao",),
    "覃": ("qin", "tan"), "乐": ("yue", "le"), "尉": ("wei", "yu"), "种": ("chong",), "秘": ("bi",),
    "召": ("shao",), "折": ("she",), "繁": ("po", "fan"), "句": ("gou", "ju"), "员": ("yun", "yuan"),
    "万": ("wan", "mo"), "长": ("chang",), "相": ("xiang",), "柏": ("bai", "bo"), "石": ("shi",),
    "华": ("hua",), "任": ("ren",), "纪": ("ji",), "燕": ("yan",), "谌": ("chen", "shen"), "冼": ("xian",),
    "洗": ("xian",), "沈": ("shen",), "尹": ("yin",), "卜": ("bu",), "宁": ("ning",), "汤": ("tang",),
    "蔺": ("lin",), "都": ("du",), "宿": ("su",), "佴": ("nai",), "殷": ("yin",), "祭": ("zhai",),
    "射": ("she",), "阚": ("kan",), "隗": ("wei",), "莘": ("shen",), "应": ("ying",), "重": ("chong",),
    "黑": ("he", "hei"), "蕃": ("pi", "fan"), "澹": ("tan",), "吕": ("lü",), "车": ("che",), "贾": ("jia",),
    "薄": ("bo",), "曲": ("qu",), "郇": ("huan", "xun"), "过": ("guo",), "能": ("nai", "neng"), "艾": ("ai",),
}
#: Spellings of ü: the standard lü, the keyboard's lv, passports' lyu, and plain lu.
_U_FORMS = ("ü", "v", "yu", "u")
#: At most this many readings per character and spellings in all.
_READINGS = 3
_MAX_FORMS = 24
#: Shorter spellings (李娜 lina) would match inside too many English words.
MIN_LETTERS = 5


@lru_cache(maxsize=64)
def readings(chars: str) -> dict[str, tuple[str, ...]]:
    """The toneless readings of each of ``chars`` found in the table (ü kept).

    Examples
    --------
    >>> readings("王单")["单"]
    ('dan', 'chan', 'shan')

    """
    want = set(chars)
    out: dict[str, tuple[str, ...]] = {}
    with resources.files("zcmask").joinpath("data/pinyin.txt").open(encoding="utf-8") as f:
        for line in f:
            if line[:1] in want:
                out[line[0]] = tuple(line.split()[1:_READINGS + 1])
                if len(out) == len(want):
                    break
    return out


def _spellings(reading: str) -> list[str]:
    return [reading.replace("ü", u) for u in _U_FORMS] if "ü" in reading else [reading]


def _joined(chars: str, table: dict[str, tuple[str, ...]], *, surname: bool = False) -> list[str]:
    """Every spelling of ``chars`` read one after the other, first readings first.

    A surname is read as a surname (:data:`SURNAME_READINGS`, else its first reading).
    """
    def read(c: str) -> tuple[str, ...]:
        return SURNAME_READINGS.get(c, table[c][:1]) if surname else table[c]

    options = [[s for r in read(c) for s in _spellings(r)] for c in chars]
    return ["".join(p) for p in itertools.islice(itertools.product(*options), _MAX_FORMS)]


def _han_name(name: str) -> tuple[str, dict[str, tuple[str, ...]], int] | None:
    """A Chinese name of two to four characters, all in the reading table: folded, its readings, its surname's length.

    >>> _han_name("欧阳娜娜")[2], _han_name("王建国")[0], _han_name("Wang"), _han_name("艾尔肯吐尔逊")
    (2, '王建国', None, None)
    """
    n = norm_text(name)
    if not 2 <= len(n) <= 4 or not all(is_han(c) for c in n):
        return None
    table = readings(n)
    if any(c not in table for c in n):
        return None
    return n, table, surname_length(n)


def surname_length(name: str) -> int:
    """How many of a folded Chinese name's characters are its surname: two for a compound one.

    >>> surname_length("欧阳娜娜"), surname_length("王建国"), surname_length("欧阳")
    (2, 1, 1)
    """
    return 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1


@lru_cache(maxsize=64)
def latin_forms(name: str) -> tuple[str, ...]:
    """Folded pinyin spellings of a Chinese name: surname then given name, and the other way.

    Lower case, no spaces, the first readings first; empty for a transliterated
    name, a name of more than four characters or one with a character not in the table.

    Examples
    --------
    >>> latin_forms("王建国")[:2]
    ('wangjianguo', 'jianguowang')
    >>> "ouyangnana" in latin_forms("欧阳娜娜"), latin_forms("艾尔肯·吐尔逊")[:2]
    (True, ('aierkentuerxun', 'tuerxunaierken'))

    """
    if any(c in DOTS for c in name):
        return _dotted_forms(name)
    han = _han_name(name)
    if han is None:
        return ()
    n, table, k = han
    out: list[str] = []
    for sur, given in itertools.product(_joined(n[:k], table, surname=True), _joined(n[k:], table)):
        for form in (sur + given, given + sur):
            if len(form) >= MIN_LETTERS and form not in out:
                out.append(form)
    return tuple(out[:_MAX_FORMS])


def _dotted_parts(name: str) -> list[str]:
    """The parts of a dotted (transliterated) name, when each is Chinese characters with a reading."""
    parts = name_parts(name)
    if len(parts) < 2 or not all(p and all(is_han(c) for c in p) for p in parts):
        return []
    return parts


#: How the characters used to transliterate Uyghur, Kazakh and other names are read where their
#: first reading in the table is another (阿不都 is Abudu, not Abudou); any other character is
#: read by its first reading.
TRANSLIT_READINGS: dict[str, str] = {
    "都": "du", "阿": "a", "艾": "ai", "提": "ti", "古": "gu", "合": "he", "不": "bu", "地": "di",
    "的": "di", "扎": "zha", "卡": "ka", "伯": "bo", "拉": "la", "塔": "ta", "什": "shi", "沙": "sha",
    "莎": "sha", "茜": "xi", "那": "na", "查": "cha", "约": "yue", "乐": "le", "和": "he", "奇": "qi",
    "车": "che", "尕": "ga", "哈": "ha", "色": "se", "曲": "qu", "吾": "wu", "大": "da", "给": "gei",
}


def _translit_reading(part: str, table: dict[str, tuple[str, ...]]) -> str:
    return "".join(TRANSLIT_READINGS.get(c) or table[c][0] for c in part).replace("ü", "v")


def _dotted_forms(name: str) -> tuple[str, ...]:
    """Folded pinyin of a dotted name, its parts in order and reversed (``aierkentuerxun``)."""
    parts = _dotted_parts(name)
    table = readings("".join(parts))
    if not parts or any(c not in table for p in parts for c in p):
        return ()
    spelled = [_translit_reading(p, table) for p in parts]
    return tuple(dict.fromkeys(("".join(spelled), "".join(reversed(spelled)))))


def transliterated(name: str) -> bool:
    """Whether a name in Chinese characters transliterates another language's (艾尔肯·吐尔逊, 艾孜尔江).

    A dotted name, or four Chinese characters or more that do not start with a two-character
    surname (欧阳娜娜 is a Han name). Its pinyin is spelled many ways and read with letters wrong;
    a Han name's pinyin one letter off is mostly another person's (Li Ming, Li Ning).

    >>> transliterated("艾尔肯·吐尔逊"), transliterated("艾孜尔江"), transliterated("欧阳娜娜"), transliterated("王建国")
    (True, True, False, False)
    """
    if len(name_parts(name)) >= 2:
        return True
    n = norm_text(name)
    return len(n) >= 4 and all(is_han(c) for c in n) and n[:2] not in COMPOUND_SURNAMES


#: Least letters of a dotted name's first part spelled alone (艾尔肯 aierken); shorter ones
#: (阿依 ayi) are inside too many words.
GIVEN_MIN_LETTERS = 6


def latin_given_forms(name: str) -> tuple[str, ...]:
    """Folded pinyin of a dotted name's first part, the person's own name, standing alone.

    Running text calls 艾尔肯·吐尔逊 by 艾尔肯 alone, and an English letter by ``Mr. Aierken``.

    >>> latin_given_forms("艾孜尔江·艾尔斯兰"), latin_given_forms("阿依·买买提"), latin_given_forms("王建国")
    (('aizierjiang',), (), ())
    """
    parts = _dotted_parts(name)
    if not parts or len(parts[0]) < 3:
        return ()
    table = readings(parts[0])
    if any(c not in table for c in parts[0]):
        return ()
    form = _translit_reading(parts[0], table)
    return (form,) if len(form) >= GIVEN_MIN_LETTERS else ()


@lru_cache(maxsize=64)
def latin_name_parts(name: str) -> tuple[tuple[str, str], ...]:
    """The name's two parts as printed in separate fields: (surname, given name) spellings, folded.

    An IELTS report, a passport copy or an English form prints the name in two rows,
    ``Family Name  HUANG`` over ``First Name  JINGXUAN``; neither row holds the whole
    name. A Chinese name gives its pinyin parts (as :func:`latin_forms`); a name given
    in Latin letters with a space gives its words, split at the first and at the last space.

    Examples
    --------
    >>> latin_name_parts("黄靖轩"), latin_name_parts("HUANG Jing Xuan")
    ((('huang', 'jingxuan'),), (('huang', 'jingxuan'), ('huangjing', 'xuan')))

    """
    words = [w for w in re.split(r"[\s,]+", name.strip()) if w]
    if len(words) >= 2 and all(re.fullmatch(r"[A-Za-zÀ-ɏ'’\-]+", w) for w in words):
        folded = [re.sub(r"[^a-zà-ɏ]", "", w.lower()) for w in words]
        out = [("".join(folded[:1]), "".join(folded[1:])), ("".join(folded[:-1]), "".join(folded[-1:]))]
        return tuple(dict.fromkeys((a, b) for a, b in out if a and b))
    if not latin_forms(name):
        return ()
    n = norm_text(name)
    table = readings(n)
    k = surname_length(n)
    pairs = itertools.product(_joined(n[:k], table, surname=True), _joined(n[k:], table))
    return tuple(itertools.islice(((a, b) for a, b in pairs if len(a + b) >= MIN_LETTERS), _MAX_FORMS))


#: Between two initials of a cited given name: a dot, a hyphen, spaces (``G.-R.``, ``G. R.``, ``GR``).
_INITIAL_SEP = r"\.?\s*[-‐]?\s*"


@lru_cache(maxsize=64)
def initials_patterns(name: str) -> tuple[re.Pattern[str], ...]:
    """How a reference list cites a Chinese name: the surname in pinyin, the given name's initials.

    A résumé's or a work summary's list of papers prints 魏国瑞 as ``Wei, G.-R.`` (APA with the
    syllables' initials), ``Wei, G.`` (the given name as one word), ``Wei GR`` (Vancouver) or
    ``G.-R. Wei``; no spelling of the whole name is there. The surname is a whole word with a
    capital, the initials are capitals standing alone: the given name's first syllable's, and
    optionally the others' in order. Initials before the surname end in a dot. Only a name of two
    to four Chinese characters, as :func:`latin_forms`.

    Examples
    --------
    >>> [bool(p.search(t)) for t in ("[1] Wei, G.-R., Liu, H.-L. (2023)", "Wei GR, Liu HL.", "G. R. Wei and",
    ...                                "Wei, G.", "Wei, H.-R.", "Weiss, G.", "wei g", "Wei Guang", "Wei, G.R.")
    ...  for p in initials_patterns("魏国瑞")[:1]]
    [True, True, True, True, False, False, False, False, True]
    >>> initials_patterns("艾尔肯·吐尔逊")
    ()

    """
    han = None if any(c in DOTS for c in name) else _han_name(name)
    if han is None:
        return ()
    n, table, k = han
    surnames = dict.fromkeys(_joined(n[:k], table, surname=True))
    sur = "(?:" + "|".join(f"{re.escape(s[0].upper())}(?i:{re.escape(s[1:])})" for s in surnames) + ")"
    heads = ["[" + "".join(sorted({r[0].upper() for r in table[c]})) + "]" for c in n[k:]]
    initials = heads[0] + "".join(f"(?:{_INITIAL_SEP}{h}" for h in heads[1:]) + ")?" * (len(heads) - 1)
    edge = "(?<![A-Za-zÀ-ɏ])"
    end = "(?![A-Za-zÀ-ɏ])"
    return (re.compile(rf"{edge}(?:{sur}\s*,?\s*{initials}\.?{end}|{initials}\.\s*{sur}{end})"),)


def leading_pinyin(name: str, chars: int = 2) -> str:
    """The folded pinyin of a name's first ``chars`` Chinese characters (its place, mostly), or "".

    >>> leading_pinyin("新疆维吾尔自治区科学技术协会"), leading_pinyin("巴州供电公司"), leading_pinyin("ABC")
    ('xinjiang', 'bazhou', '')
    """
    head = norm_text(name)[:chars]
    if len(head) < chars or not all(is_han(c) for c in head):
        return ""
    table = readings(head)
    return "".join(table[c][0] for c in head) if all(c in table for c in head) else ""


#: How a school's kind is said after the pinyin of its place in its English name (浙江大学 Zhejiang
#: University; 黑河学院 Heihe University, a 学院 also College or Institute).
SCHOOL_KINDS: dict[str, tuple[str, ...]] = {"大学": ("university",), "学院": ("college", "university", "institute")}


@lru_cache(maxsize=64)
def latin_unit_forms(unit: str) -> tuple[str, ...]:
    """Folded English names of a school named after its place: the place in pinyin, then its kind.

    Bilingual diplomas and honours print 浙江大学 as ``Zhejiang University`` and 青岛大学 as
    ``QINGDAO UNIVERSITY``. Only for a unit of two to four Chinese characters before 大学 or 学院;
    any other unit's English name is not its pinyin, so the applicant gives it as an alias.

    Examples
    --------
    >>> latin_unit_forms("浙江大学"), latin_unit_forms("国网新疆电力有限公司")
    (('zhejianguniversity',), ())
    >>> "heiheuniversity" in latin_unit_forms("黑河学院")
    True

    """
    n = norm_text(unit)
    kind = next((k for k in SCHOOL_KINDS if n.endswith(k)), None)
    if kind is None:
        return ()
    head = n[:-len(kind)]
    if not 2 <= len(head) <= 4 or not all(is_han(c) for c in head):
        return ()
    table = readings(head)
    if any(c not in table for c in head):
        return ()
    return tuple(h + w for h in _joined(head, table)[:_MAX_UNIT_HEADS] for w in SCHOOL_KINDS[kind])


#: Spellings of a school's place tried (first readings first: 重庆 Chongqing before Zhongqing).
_MAX_UNIT_HEADS = 4


#: A word that OCR ran on into the one before or after it without a space still begins with a
#: capital after a small letter (``DearYan Chen``, ``ChenThis``): that is a word's edge too.
_CAMEL = "|(?-i:(?<=[a-z])(?=[A-Z]))"


def latin_pattern(form: str, prefix: str = "") -> re.Pattern[str]:
    """``form`` as printed: any case, spaces or hyphens anywhere, not inside a longer word.

    Examples
    --------
    >>> bool(latin_pattern("wangjianguo").search("Name: WANG Jian-guo")), bool(latin_pattern("wangli").search("Wanglin"))
    (True, False)
    >>> bool(latin_pattern("yanchen").search("DearYan Chen")), bool(latin_pattern("yanchen").search("Dearyan Chen"))
    (True, False)

    """
    body = r"[\s\-‐·.'’]*".join(re.escape(c) for c in form)  # Xi'an
    return re.compile(rf"{prefix}(?:(?<![A-Za-zÀ-ɏ]){_CAMEL}){body}(?:(?![A-Za-zÀ-ɏ]){_CAMEL})",
                      re.IGNORECASE)


#: What comes before a personal name that stands alone in an English text (Mr. Aierken, Dear Aierken).
HONORIFIC = r"(?<![A-Za-z])(?:mr|mrs|ms|miss|dear|dr|prof|professor|student|comrade)\.?[\s,:]*"


def lines_with(forms: Sequence[str], texts: Sequence[str], *, prefix: str = "") -> set[int]:
    """Indices of ``texts`` that print one of ``forms`` as a whole word or words (after ``prefix``)."""
    pats = [latin_pattern(f, prefix) for f in forms]
    return {i for i, t in enumerate(texts) if _LETTERS.search(t) and any(p.search(t) for p in pats)}


_LETTERS = re.compile("[A-Za-z].*[A-Za-z]")
