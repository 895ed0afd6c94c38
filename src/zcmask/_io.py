"""Atomic writes: every output goes to a temporary file first, then is renamed."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from zcmask.exceptions import DiskFullError, OutputFileError

_UMASK_LOCK = threading.Lock()
#: errno values that mean "no room left": the disk, or the user's quota.
_NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def current_umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def output_error(dest: str | Path, e: OSError) -> OutputFileError:
    """The zcmask error for an OSError met while writing ``dest``: disk full or not."""
    if e.errno in _NO_SPACE:
        return DiskFullError(f"磁盘空间已满，无法写入 {dest}。请清理磁盘（或换一个空间充足的输出目录）后重新运行；"
                             "本文件已写出的部分页面已删除。")
    return OutputFileError(f"写入 {dest} 失败：{e.strerror or e}。请检查磁盘空间与权限。")


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it over ``dest`` on success.

    On any error the temporary file is removed and nothing is left at ``dest``.
    The file gets the usual permissions of a new file (``0o666`` less the umask),
    not the private ``0o600`` of a temporary file.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        os.close(fd)
    except OSError as e:
        if e.errno in _NO_SPACE:
            raise output_error(dest, e) from e
        raise OutputFileError(f"无法在 {dest.parent} 中写入文件：{e.strerror}。请检查目录权限与磁盘空间。") from e
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with tmp_path.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp_path.chmod(0o666 & ~current_umask())
        tmp_path.replace(dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_bytes_atomic(dest: str | Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically."""
    try:
        with atomic_path(dest) as tmp:
            tmp.write_bytes(data)
    except OSError as e:
        raise output_error(dest, e) from e


def encode_jpeg(image: np.ndarray, dpi: int, quality: int = 92) -> bytes:
    """Encode (H, W, 3) uint8 RGB as a baseline JPEG with its dpi recorded."""
    buf = io.BytesIO()
    Image.fromarray(image, "RGB").save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi),
                                       subsampling=0 if quality >= 95 else 2, optimize=False)
    return buf.getvalue()


def write_jpeg_atomic(dest: str | Path, image: np.ndarray, dpi: int, quality: int = 92) -> None:
    """Write ``image`` as a JPEG at ``dest``, atomically."""
    write_bytes_atomic(dest, encode_jpeg(image, dpi, quality))


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's content."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
