"""Which files in an output folder zcmask wrote, so it never replaces one it did not.

``zcmask mask scan.png -o .`` would otherwise write ``./scan.jpg`` over the
user's own ``scan.jpg``. Before a run writes anything, :func:`claim` checks
every destination: a file that already exists is replaced only when zcmask
wrote it (it is listed in ``OUTDIR/.zcmask-written.json``, or, for folders
written before the list existed, named as an ``output`` in the folder's
``zcmask-report.json``). Otherwise the run stops with exit 4 before writing
anything. The destinations are recorded *before* the pages are written, so a
run killed halfway can be rerun and rewrites its own files.

This module does not write outputs and does not delete anything.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

from zcmask._io import write_bytes_atomic
from zcmask.exceptions import OverwriteUserFileError

log = logging.getLogger(__name__)

MANIFEST = ".zcmask-written.json"
SCHEMA = "zcmask.written/1"


def _key(outdir: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(outdir.resolve()).as_posix()
    except ValueError:
        return None


def written(outdir: str | Path) -> set[str]:
    """Paths (relative to ``outdir``, POSIX) zcmask recorded as its own."""
    out = Path(outdir)
    own: set[str] = set()
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        own.update(str(p) for p in data.get("files", []))
    except (OSError, ValueError, AttributeError):
        pass
    try:  # a folder written before the manifest existed: trust its report
        rep = json.loads((out / "zcmask-report.json").read_text(encoding="utf-8"))
        if rep.get("schema") == "zcmask.report/1":
            own.add("zcmask-report.json")
            own.add("zcmask-report.html")
            for f in rep.get("files", []):
                for p in f.get("pages", []):
                    if p.get("output"):
                        k = _key(out, Path(p["output"]))
                        if k:
                            own.add(k)
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return own


def claim(outdir: str | Path, dests: Iterable[str | Path], *, known: Iterable[str | Path] = ()) -> None:
    """Make sure every destination is new or zcmask's own, then record them all.

    Parameters
    ----------
    outdir : path
        The output folder the manifest lives in.
    dests : paths
        Files the run is about to write. Paths outside ``outdir`` are not checked.
    known : paths
        Further files known to be zcmask's (e.g. a batch's recorded outputs).

    Raises
    ------
    OverwriteUserFileError
        When a destination exists and zcmask did not write it (exit 4).

    """
    out = Path(outdir)
    own = written(out)
    own.update(k for k in (_key(out, Path(p)) for p in known) if k)
    keys: list[str] = []
    foreign: list[Path] = []
    for d in dests:
        p = Path(d)
        k = _key(out, p)
        if k is None:
            continue
        keys.append(k)
        if k not in own and (p.exists() or p.is_symlink()):
            foreign.append(p)
    if foreign:
        shown = "、".join(str(p) for p in foreign[:3]) + (f" 等 {len(foreign)} 个" if len(foreign) > 3 else "")
        raise OverwriteUserFileError(
            f"输出目录中已有文件 {shown}，它们不是 zcmask 写的，为免覆盖已停止（未写入任何文件）。"
            "请用 -o 指定一个空目录，或先移走这些文件。")
    new = sorted(own | set(keys))
    if set(keys) <= own and (out / MANIFEST).is_file():
        return
    data = {"schema": SCHEMA, "files": new}
    write_bytes_atomic(out / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
