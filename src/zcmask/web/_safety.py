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
from collections.abc import Callable
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
    max_zip_entries : int
        Most entries (files and folders) one ZIP archive may list; a larger one is
        refused whole, before anything is unpacked.
    idle_minutes : float
        A session nobody has used for this long is removed with its files.
    max_sessions : int
        Most sessions the server keeps at once (the rest are asked to wait).

    """

    max_file_mb: float = 50.0
    max_total_mb: float = 500.0
    max_files: int = 300
    max_pages: int = 500
    max_zip_entries: int = 2000
    idle_minutes: float = 120.0
    max_sessions: int = 200

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * (1 << 20))

    @property
    def max_total_bytes(self) -> int:
        return int(self.max_total_mb * (1 << 20))


#: Longest file or folder name most file systems accept, in UTF-8 bytes.
MAX_NAME_BYTES = 255
#: Longest relative path we accept, in UTF-8 bytes.
MAX_PATH_BYTES = 1024


class UnsafeNameError(ValueError):
    """An upload or archive member name that would leave the upload folder."""

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or f"文件名“{name}”包含非法路径（如 .. 或绝对路径），已拒绝。请重命名后再上传。")
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
    if (any(len(p.encode("utf-8")) > MAX_NAME_BYTES for p in parts)
            or len("/".join(parts).encode("utf-8")) > MAX_PATH_BYTES):
        short = name if len(name) <= 40 else name[:20] + "…" + name[-12:]
        raise UnsafeNameError(name, f"文件名“{short}”过长（单个文件名超过 {MAX_NAME_BYTES} 字节），"
                                    "已拒绝。请改短文件名后再上传。")
    return PurePosixPath(*parts)


def unique_relpath(rel: PurePosixPath, taken: Callable[[PurePosixPath], bool]) -> PurePosixPath:
    """``rel``, or ``stem (2).ext``, ``stem (3).ext`` ... : the first name ``taken`` says is free.

    Examples
    --------
    >>> str(unique_relpath(PurePosixPath("a/f.jpg"), lambda p: p.name == "f.jpg"))
    'a/f (2).jpg'

    """
    if not taken(rel):
        return rel
    for n in range(2, 10_000):
        cand = rel.with_name(f"{rel.stem} ({n}){rel.suffix}")
        if not taken(cand):
            return cand
    raise UnsafeNameError(str(rel), f"同名文件过多：{rel}，请重命名后再上传。")


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
    note: str | None = None


def extract_zip(archive: Path, dest: Path, *, prefix: PurePosixPath | None, limits: WebLimits,
                budget: int, taken: Callable[[PurePosixPath], bool] | None = None,
                ) -> tuple[list[Extracted], int]:
    """Unpack the supported documents of a ZIP archive under ``dest``.

    Members with unsafe names are refused one by one (the others are still
    unpacked); folders, hidden files and unsupported types are skipped. The
    unpacked size is capped by ``budget`` bytes and each member by
    ``limits.max_file_bytes`` (the real bytes are counted, not the header's claim).
    An archive listing more than ``limits.max_zip_entries`` entries is refused
    whole. A member whose name is already used (``taken``, an earlier upload or
    member) is kept under ``name (2).ext``, and its entry says so.

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
        infos = zf.infolist()
        if len(infos) > limits.max_zip_entries:
            return [Extracted(archive.name, None,
                              f"压缩包内有 {len(infos)} 个条目，超过每个压缩包 {limits.max_zip_entries} 个的上限，"
                              "未解压。请分成几个压缩包上传。")], 0
        used: set[PurePosixPath] = set()

        def is_taken(p: PurePosixPath) -> bool:
            return p in used or (taken is not None and taken(p)) or (dest / Path(*p.parts)).exists()

        for info in infos:
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
            wanted = (prefix / rel) if prefix else rel
            try:
                full = unique_relpath(wanted, is_taken)
                target = inside(dest, full)
            except UnsafeNameError as e:
                out.append(Extracted(name, None, str(e)))
                continue
            cap = min(limits.max_file_bytes, budget - written)
            if cap <= 0:
                out.append(Extracted(name, None, "上传总量已达上限，其余文件未解压。请分批处理。"))
                continue
            n = 0
            too_big = False
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("xb") as fh:
                    while chunk := src.read(1 << 16):
                        n += len(chunk)
                        if n > cap:
                            too_big = True
                            break
                        fh.write(chunk)
            except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as e:
                # A member under a name that is already a file (f.jpg and f.jpg/g.jpg),
                # a corrupt member, an unsupported compression: this member only.
                log.info("zip member %s not unpacked: %s", name, e)
                with contextlib.suppress(OSError):
                    if target.is_file() and full not in used:
                        target.unlink()
                out.append(Extracted(name, None, "无法解压该文件（与压缩包内其他文件或文件夹同名，或数据已损坏），"
                                                 "已跳过。请解压后检查文件名再上传。"))
                continue
            if too_big:
                target.unlink(missing_ok=True)
                out.append(Extracted(name, None, f"解压后超过 {limits.max_file_mb:g} MB 上限，已跳过。"))
                continue
            used.add(full)
            written += n
            note = None if full == wanted else f"与已上传的 {wanted} 同名，两份都已保留，本文件改名为 {full.name}。"
            out.append(Extracted(str(full), target, note=note))
    return out, written


def _zip_name(info: zipfile.ZipInfo) -> str:
    # Chinese Windows archivers write GBK names without the UTF-8 flag; zipfile then
    # decodes them as cp437, which we undo.
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name
