"""Who each applicant of a batch is: ``profile.yaml`` in their folder, or a roster CSV.

A roster is a UTF-8 (or UTF-8 with BOM, as Excel saves it) CSV with the columns
``folder, name, aliases, units``; several aliases or units are separated by
``;`` or ``|``. A roster row wins over a ``profile.yaml``. A folder with neither,
or with a broken one, is an error for that applicant only.

This module reads identities; it does not look at the documents.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from zcmask.exceptions import InvalidConfigError, ZcmaskError
from zcmask.options import Identity, Unit, load_profile

PROFILE_NAMES = ("profile.yaml", "profile.yml")
_SPLIT = re.compile(r"[;|；]")


@dataclass(frozen=True)
class Applicant:
    """One applicant folder of a batch and its identity, or why it has none."""

    folder: str
    path: Path
    identity: Identity | None
    error: tuple[str, str] | None = None


def _values(cell: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in _SPLIT.split(cell or "") if v.strip())


def load_roster(path: str | Path) -> dict[str, Identity | ZcmaskError]:
    """Read a roster CSV into ``{folder: Identity}``; a bad row maps to its error.

    A missing or unreadable roster, or one without the required columns, raises
    :class:`InvalidConfigError` for the whole batch.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise InvalidConfigError(f"找不到名单文件 {p}，请检查 --roster 路径。") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidConfigError(f"名单文件 {p} 无法读取（须为 UTF-8 编码的 CSV）：{e}") from e
    reader = csv.DictReader(text.splitlines())
    cols = {c.strip().lower() for c in (reader.fieldnames or [])}
    if not {"folder", "name"} <= cols:
        raise InvalidConfigError(f"名单文件 {p} 须包含 folder、name 两列（可选 aliases、units），请对照文档修改。")
    out: dict[str, Identity | ZcmaskError] = {}
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        folder = row.get("folder", "")
        if not folder:
            continue
        try:
            out[folder] = Identity(name=row.get("name", ""), aliases=_values(row.get("aliases")),
                                   units=tuple(Unit(name=u) for u in _values(row.get("units"))))
        except ValidationError:
            out[folder] = InvalidConfigError(f"名单第 {n} 行（{folder}）缺少申报人姓名，请补充 name 列。")
    return out


def find_applicants(root: str | Path, roster: dict[str, Identity | ZcmaskError] | None = None,
                    *, exclude: Path | None = None) -> list[Applicant]:
    """List the applicant sub-folders of ``root`` (sorted) with their identities.

    Hidden folders and ``exclude`` (the output folder) are skipped.
    """
    r = Path(root)
    if not r.is_dir():
        from zcmask.exceptions import InputFileError

        raise InputFileError(f"找不到批量输入目录 {r}，请检查路径（应为每位申报人一个子文件夹）。")
    ex = exclude.resolve() if exclude else None
    out: list[Applicant] = []
    for d in sorted(r.iterdir()):
        if d.name.startswith(".") or not d.is_dir():
            continue
        if ex is not None and (d.resolve() == ex or d.resolve() in ex.parents):
            continue
        out.append(_applicant(d, roster))
    return out


def _applicant(d: Path, roster: dict[str, Identity | ZcmaskError] | None) -> Applicant:
    entry = roster.get(d.name) if roster else None
    if isinstance(entry, Identity):
        return Applicant(d.name, d, entry)
    if isinstance(entry, ZcmaskError):
        return Applicant(d.name, d, None, (entry.code, entry.message))
    for name in PROFILE_NAMES:
        prof = d / name
        try:
            exists = prof.is_file()
        except OSError:
            exists = False
        if exists:
            try:
                return Applicant(d.name, d, load_profile(prof))
            except ZcmaskError as e:
                return Applicant(d.name, d, None, (e.code, e.message))
    where = "名单（--roster）中没有该文件夹，且" if roster is not None else ""
    return Applicant(d.name, d, None, (
        "missing_identity",
        f"{where}文件夹 {d.name} 中没有 profile.yaml，无法确定要遮盖的姓名与单位。请添加 profile.yaml 或在名单中补充该文件夹。"))
