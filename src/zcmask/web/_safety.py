"""Guards for what the browser sends: upload names, archives, sizes and page counts.

Everything here is pure Python with no web framework, so it can be tested on its
own. A name that tries to leave the upload folder (``..``, an absolute path, a
drive letter) is refused, never "repaired" into somewhere else. This module does
not decide what a file contains; :mod:`zcmask.documents` does.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from zcmask.documents import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)

_DRIVE = re.compile(r"^[A-Za-z]:")
_BAD_CHARS = re.compile(r"[\x00-\x1f<>:\"|?*]")


@dataclass(frozen=True)
class WebLimits:
    """What one browser session may upload.

    Parameters
    ----------
    max_file_mb : float
        Largest single uploaded file (an archive counts as one file).
    max_total_mb : float
        Largest total of everything uploaded in one session (archives unpacked).
    max_files : int
        Most files in one session.
    max_pages : int
        Most pages in one session, summed over every file.

    """

    max_file_mb: float = 50.0
    max_total_mb: float = 500.0
    max_files: int = 300
    max_pages: int = 500

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * (1 << 20))

    @property
    def max_total_bytes(self) -> int:
        return int(self.max_total_mb * (1 << 20))


class UnsafeNameError(ValueError):
    """An upload or archive member name that would leave the upload folder."""

    def __init__(self, name: str) -> None:
        super().__init__(f"文件名“{name}”包含非法路径（如 .. 或绝对路径），已拒绝。请重命名后再上传。")
        self.name = name


def safe_relpath(name: str) -> PurePosixPath:
    r"""Turn a browser- or archive-supplied name into a safe relative path.

    Parameters
    ----------
    name : str
        ``a/b.jpg``, ``folder\b.jpg`` (Windows separators are accepted).

    Returns
    -------
    PurePosixPath
        The same components, relative and without ``.`` parts.

    Raises
    ------
    UnsafeNameError
        For ``..`` anywhere, an absolute path, a drive letter, control characters
        or an empty name.

    Examples
    --------
    >>> str(safe_relpath("材料\\公示.jpg"))
    '材料/公示.jpg'
    >>> safe_relpath("../etc/passwd")
    Traceback (most recent call last):
    ...
    zcmask.web._safety.UnsafeNameError: 文件名“../etc/passwd”包含非法路径（如 .. 或绝对路径），已拒绝。请重命名后再上传。

    """
    raw = name.replace("\\", "/")
    if not raw.strip() or raw.startswith("/") or _DRIVE.match(raw) or "\x00" in raw:
        raise UnsafeNameError(name)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." or _BAD_CHARS.search(p) for p in parts):
        raise UnsafeNameError(name)
    return PurePosixPath(*parts)


def inside(root: Path, rel: PurePosixPath) -> Path:
    """Join ``rel`` under ``root`` and prove the result stays inside it."""
    dest = (root / Path(*rel.parts)).resolve()
    base = root.resolve()
    if dest != base and base not in dest.parents:
        raise UnsafeNameError(str(rel))
    return dest


@dataclass(frozen=True)
class Extracted:
    """One archive member written to disk, or why it was refused."""

    name: str
    path: Path | None
    error: str | None = None


def extract_zip(archive: Path, dest: Path, *, prefix: PurePosixPath | None, limits: WebLimits,
                budget: int) -> tuple[list[Extracted], int]:
    """Unpack the supported documents of a ZIP archive under ``dest``.

    Members with unsafe names are refused one by one (the others are still
    unpacked); folders, hidden files and unsupported types are skipped. The
    unpacked size is capped by ``budget`` bytes and each member by
    ``limits.max_file_bytes`` (the real bytes are counted, not the header's claim).

    Returns
    -------
    list of Extracted, int
        What happened to each member, and the bytes written.

    """
    out: list[Extracted] = []
    written = 0
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        return [Extracted(archive.name, None, "压缩包已损坏或不是 ZIP 格式，请重新打包后上传。")], 0
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = _zip_name(info)
            try:
                rel = safe_relpath(name)
            except UnsafeNameError as e:
                out.append(Extracted(name, None, str(e)))
                continue
            if any(p.startswith(".") or p == "__MACOSX" for p in rel.parts):
                continue
            if rel.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if info.flag_bits & 0x1:
                out.append(Extracted(name, None, "压缩包内文件已加密，请解压后直接上传。"))
                continue
            full = (prefix / rel) if prefix else rel
            target = inside(dest, full)
            cap = min(limits.max_file_bytes, budget - written)
            if cap <= 0:
                out.append(Extracted(name, None, "上传总量已达上限，其余文件未解压。请分批处理。"))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            n = 0
            too_big = False
            with zf.open(info) as src, target.open("wb") as fh:
                while chunk := src.read(1 << 16):
                    n += len(chunk)
                    if n > cap:
                        too_big = True
                        break
                    fh.write(chunk)
            if too_big:
                target.unlink(missing_ok=True)
                out.append(Extracted(name, None, f"解压后超过 {limits.max_file_mb:g} MB 上限，已跳过。"))
                continue
            written += n
            out.append(Extracted(str(full), target))
    return out, written


def _zip_name(info: zipfile.ZipInfo) -> str:
    # Chinese Windows archivers write GBK names without the UTF-8 flag; zipfile then
    # decodes them as cp437, which we undo.
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name
