"""Stands in for ``rapidocr.utils.download_file``: zcmask never downloads a model.

RapidOCR passes every model and dictionary it loads through
``DownloadFile.run``, which skips the download when the file is present and
its SHA-256 matches, and otherwise fetches it with ``requests``. zcmask only
uses the files inside the ``rapidocr`` wheel, so the real module costs three
things and gives nothing:

* importing it imports ``requests``, ``urllib3`` and ``tqdm`` (about 0.12 s, on
  the fork server's path before any page can start);
* every worker hashes the recogniser and the detector again before it can read
  (about 0.05 s per worker);
* on an office PC without a network, a model file that went missing would turn
  into a 60-second download attempt instead of an error.

:func:`zcmask.ocr._engine.import_rapidocr` puts this module in its place while
RapidOCR is imported. A file that is present is used as it is (the wheel's
files are pip's to install, and ONNX Runtime refuses a damaged model); a missing
one raises :class:`DownloadFileException` with a message saying how to reinstall.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The module this one replaces.
REPLACES = "rapidocr.utils.download_file"


@dataclass
class DownloadFileInput:
    """The same fields as RapidOCR's own."""

    file_url: str
    save_path: str | Path
    logger: logging.Logger
    sha256: str | None = None
    verbose: bool = True


class DownloadFileException(Exception):  # noqa: N818 - RapidOCR's name
    """A model or dictionary file RapidOCR needs is not installed."""


class DownloadFile:
    """``run`` checks that the file is there; it never opens a connection."""

    @classmethod
    def run(cls, input_params: DownloadFileInput) -> None:
        path = Path(input_params.save_path)
        if path.is_file() and path.stat().st_size > 0:
            return
        raise DownloadFileException(
            f"OCR 模型文件缺失：{path}。zcmask 不联网下载模型，请重新安装："
            "pip install --force-reinstall rapidocr（离线安装包见 README）。"
            f" (model file missing, downloads are off: {input_params.file_url})")

    @staticmethod
    def check_file_sha256(file_path: str | Path, gt_sha256: str) -> bool:
        from zcmask._io import sha256_file

        return sha256_file(file_path) == gt_sha256


class _Deferred(types.ModuleType):
    """A module that imports the real one on first use of any attribute, and becomes it.

    RapidOCR's image loader imports ``requests`` for images given as URLs, which
    zcmask never passes; while RapidOCR is imported, ``sys.modules`` holds this
    stand-in instead, so ``requests`` (with ``urllib3``, ``idna``,
    ``charset_normalizer``: about 0.09 s) is only imported if it is ever used.
    """

    def __getattr__(self, attr: str) -> object:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)  # later lookups find it directly
        return getattr(real, attr)


@contextlib.contextmanager
def deferred(name: str) -> Iterator[None]:
    """While active, ``import NAME`` gives a stand-in that imports NAME when first used.

    Does nothing when NAME is imported already; afterwards the stand-in leaves
    ``sys.modules``, so any later ``import NAME`` is the real import.
    """
    if name in sys.modules:
        yield
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = None
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
