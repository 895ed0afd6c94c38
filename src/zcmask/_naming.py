"""Output file names that never carry the applicant's identity.

A reviewer sees the names of the uploaded files. ``王建国_职称证书.jpg`` would
undo the masking, so every file zcmask writes is named from its input name with
the applicant's name, aliases, the parts of a multi-part name (``艾尔肯`` of
``艾尔肯·吐尔逊``) and every unit value replaced by a neutral word
(``申报人``, ``单位``). Matching ignores case, full-width forms and the
separators people put between the characters of a name (``王 建 国``,
``艾尔肯-吐尔逊``).

This module only computes names; it writes nothing and does not look inside
files. Units are also replaced in the automatic short forms the page locator
masks (:func:`zcmask.locate._text.unit_patterns`: without the legal suffix, the
part after the parent company's 有限公司, 巴州 for 巴音郭楞蒙古自治州 …). It
deliberately does not guess pinyin or other abbreviations.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from zcmask.options import Identity

#: The neutral words that replace the applicant and the unit in a file name.
APPLICANT_WORD = "申报人"
UNIT_WORD = "单位"

# Characters people put between the parts (or characters) of a name in a file name.
_SEPARATORS = r"[\s·•・‧.．_\-—－、,，]*"
_NAME_SPLIT = re.compile(r"[\s·•・‧.．_\-—－]+")


@dataclass(frozen=True)
class _Needle:
    pattern: re.Pattern[str]
    word: str
    length: int


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _pattern(text: str) -> re.Pattern[str]:
    chars = [re.escape(c) for c in _norm(text) if not _NAME_SPLIT.fullmatch(c)]
    return re.compile(_SEPARATORS.join(chars), re.IGNORECASE)


def _needles(identity: Identity) -> list[_Needle]:
    """Every text to replace, longest first so a full name wins over its parts."""
    found: dict[str, str] = {}
    for n in (identity.name, *identity.aliases):
        found.setdefault(n, APPLICANT_WORD)
        parts = [p for p in _NAME_SPLIT.split(_norm(n)) if p]
        if len(parts) > 1:
            for p in parts:
                # A one-letter initial ("J." of "J. Smith") would rename half the files.
                if len(p) >= 2:
                    found.setdefault(p, APPLICANT_WORD)
    from zcmask.locate._text import unit_patterns

    for u in (*identity.unit_names, *unit_patterns(identity)):
        # the short forms the page locator masks too (巴州供电公司 of 国网新疆电力有限公司巴州供电公司)
        found.setdefault(u, UNIT_WORD)
    out = []
    for text, word in found.items():
        core = "".join(c for c in _norm(text) if not _NAME_SPLIT.fullmatch(c))
        if core:
            out.append(_Needle(_pattern(text), word, len(core)))
    return sorted(out, key=lambda n: -n.length)


def clean_part(part: str, identity: Identity | None) -> str:
    """One path component (file or folder name) with the identity replaced.

    Examples
    --------
    >>> from zcmask.options import Identity
    >>> clean_part("王建国_职称证书.jpg", Identity(name="王建国"))
    '申报人_职称证书.jpg'

    """
    if identity is None or not part:
        return part
    text = part
    changed = False
    for needle in _needles(identity):
        for candidate in (text, _norm(text)):
            new, n = needle.pattern.subn(needle.word, candidate)
            if n:
                text, changed = new, True
                break
    if not changed:
        return part
    # "申报人申报人" (a name written twice) reads better once.
    for word in (APPLICANT_WORD, UNIT_WORD):
        text = re.sub(f"(?:{word}){{2,}}", word, text)
    stem, dot, suffix = text.rpartition(".")
    if dot and not stem.strip(" ._-"):
        text = f"{APPLICANT_WORD}.{suffix}"
    elif not text.strip(" ._-"):
        text = APPLICANT_WORD
    return text


def clean_relpath(rel: Path, identity: Identity | None) -> Path:
    """``rel`` with the identity replaced in every component."""
    if identity is None:
        return rel
    return Path(*(clean_part(p, identity) for p in rel.parts)) if rel.parts else rel


def carries_identity(name: str, identity: Identity | None) -> bool:
    """True when ``name`` shows any part of the identity that :func:`clean_part` replaces."""
    return identity is not None and clean_part(name, identity) != name
