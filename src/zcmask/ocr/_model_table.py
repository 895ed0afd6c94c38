"""RapidOCR's model table, parsed once per installation instead of once per process.

Importing ``rapidocr`` reads its 1,600-line ``default_models.yaml`` into an
OmegaConf ``DictConfig``: 0.22 CPU s, almost all of it building OmegaConf's
nodes, paid by the main process and by the pool's fork server before the first
page can start. The parsed table is kept here as a pickle in the user's cache
folder (like Python's own ``__pycache__``), keyed by the file's SHA-256, the
OmegaConf version and the Python version; unpickling it takes about 0.01 s.

What it deliberately does not do: it never changes what RapidOCR reads (a
table from the cache is the same ``DictConfig`` a fresh parse gives, tested),
and it never fails a run: a missing, unreadable, foreign or corrupt cache file
means one ordinary parse, and a cache folder that cannot be written is skipped.
A cache file is only trusted when this user owns it and nobody else may write it.

``ZCMASK_USER_CACHE_DIR`` moves the folder; set it to an empty string to turn
the cache off.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Environment variable naming the user cache folder ("" turns the cache off).
ENV = "ZCMASK_USER_CACHE_DIR"


def user_cache_dir() -> Path | None:
    r"""Where zcmask keeps per-user caches of library files, or None when turned off.

    ``$ZCMASK_USER_CACHE_DIR``, else ``%LOCALAPPDATA%\\zcmask\\Cache`` on Windows,
    else ``$XDG_CACHE_HOME/zcmask`` or ``~/.cache/zcmask``.
    """
    env = os.environ.get(ENV)
    if env is not None:
        return Path(env) if env.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "zcmask" / "Cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    try:
        root = Path(base) if base.strip() else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return root / "zcmask"


def _key(data: bytes) -> str:
    import omegaconf

    h = hashlib.sha256(data)
    h.update(f"|omegaconf {omegaconf.__version__}|python {sys.version_info[:3]}|pickle {pickle.HIGHEST_PROTOCOL}"
             .encode())
    return h.hexdigest()[:32]


def _trusted(path: Path) -> bool:
    """True when ``path`` is a plain file of this user that no one else may write."""
    try:
        st = path.stat()
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if hasattr(os, "geteuid"):
        return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return True


def _write(path: Path, blob: bytes) -> None:
    from zcmask._io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(blob)
        tmp.chmod(0o600)
    path.chmod(0o600)  # atomic_path gives new files the umask's permissions


def load_table(file_: str | os.PathLike[str], parse: Any = None) -> Any:
    """The OmegaConf config parsed from the YAML file ``file_``, from the user cache when it holds it.

    ``parse`` is the real ``OmegaConf.load`` (the caller may have replaced the
    attribute while RapidOCR imports); it parses the bytes that were hashed, so a
    file changed in between is never cached under the old key.
    """
    from omegaconf import DictConfig, ListConfig, OmegaConf

    parse = parse or OmegaConf.load
    data = Path(file_).read_bytes()
    folder = user_cache_dir()
    path = folder / f"rapidocr-table-{_key(data)}.pickle" if folder is not None else None
    if path is not None and _trusted(path):
        try:
            obj = pickle.loads(path.read_bytes())  # noqa: S301 - our own file, checked by _trusted
            if isinstance(obj, DictConfig | ListConfig):
                return obj
        except Exception as e:  # noqa: BLE001 - a bad cache file only costs one parse
            log.debug("model table cache %s unreadable: %s", path, e)
    obj = parse(io.StringIO(data.decode("utf-8")))
    if path is not None:
        try:
            _write(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as e:  # noqa: BLE001 - read-only home, full disk: run without the cache
            log.debug("model table cache %s not written: %s", path, e)
    return obj
