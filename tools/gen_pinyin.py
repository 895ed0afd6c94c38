"""Write ``src/zcmask/data/pinyin.txt``: the toneless pinyin readings of CJK characters.

Run once, in an environment with ``pypinyin`` installed (not a zcmask dependency)::

    python tools/gen_pinyin.py

The table is derived from pypinyin's ``pinyin_dict`` (MIT licence, see
``src/zcmask/data/pinyin.LICENSE``): one line per character of the CJK Unified
Ideographs block, the character, a space and up to three readings without tone
marks (ü kept), separated by spaces. zcmask reads only the lines of the
applicant's name characters (:mod:`zcmask.locate._pinyin`).
"""

from __future__ import annotations

import unicodedata
from importlib.metadata import version
from pathlib import Path

from pypinyin import pinyin_dict

OUT = Path(__file__).resolve().parents[1] / "src" / "zcmask" / "data" / "pinyin.txt"


def toneless(reading: str) -> str:
    """``lǚ`` -> ``lü``: tone marks dropped, the diaeresis kept."""
    d = unicodedata.normalize("NFD", reading)
    return unicodedata.normalize("NFC", "".join(c for c in d if not unicodedata.combining(c) or c == "\u0308"))


def main() -> None:
    lines = [f"# pypinyin {version('pypinyin')} pinyin_dict, toneless, CJK U+4E00-U+9FFF (MIT licence)"]
    for cp, readings in sorted(pinyin_dict.pinyin_dict.items()):
        if not 0x4E00 <= cp <= 0x9FFF:
            continue
        rs: list[str] = []
        for r in readings.split(","):
            t = toneless(r)
            if t and t not in rs:
                rs.append(t)
        lines.append(chr(cp) + " " + " ".join(rs[:3]))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines) - 1} characters")


if __name__ == "__main__":
    main()
