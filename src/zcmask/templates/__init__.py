"""Templates of the files zcmask reads, shipped in the package and written out by ``zcmask template``.

``profile.yaml`` (who the applicant is), ``application.yaml`` (the facts ``zcmask validate``
reads) and ``roster.csv`` (identities for ``zcmask batch --roster``), each with Chinese
comments. Messages point users here instead of to ``samples/`` of a source checkout, which
an installed wheel does not have.

This module does not fill a template in for a notice (``zcmask init --notice`` does that).
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from zcmask._io import write_bytes_atomic
from zcmask.exceptions import BadArgsError, ExitCode, OutputFileError

__all__ = ["TEMPLATES", "register", "template_bytes", "write_template"]

#: Template kind -> file name inside this package.
TEMPLATES = {"profile": "profile.yaml", "application": "application.yaml", "roster": "roster.csv"}


def template_bytes(kind: str) -> bytes:
    """The UTF-8 bytes of template ``kind`` (``profile``, ``application`` or ``roster``)."""
    if kind not in TEMPLATES:
        raise BadArgsError(f"没有名为 {kind} 的模板，可选：{'、'.join(TEMPLATES)}。")
    return resources.files(__name__).joinpath(TEMPLATES[kind]).read_bytes()


def write_template(kind: str, dest: str | Path, *, force: bool = False) -> Path:
    """Write template ``kind`` to ``dest`` (a file, or a folder to hold the default name).

    A CSV gets a UTF-8 BOM so that Excel shows its Chinese correctly. An existing file is
    refused (``OutputFileError``, exit 4) unless ``force``.
    """
    path = Path(dest)
    if path.is_dir() or str(dest).endswith(("/", "\\")):
        path = path / TEMPLATES.get(kind, kind)
    data = template_bytes(kind)
    if path.exists() and not force:
        raise OutputFileError(f"{path} 已存在，没有覆盖。请换一个文件名，或加 --force 覆盖。")
    if path.suffix.lower() == ".csv":
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)
    return path


def _cmd_template(args: argparse.Namespace) -> int:
    if args.output is None:
        sys.stdout.write(template_bytes(args.kind).decode("utf-8"))
        return int(ExitCode.ok)
    path = write_template(args.kind, args.output, force=args.force)
    sys.stderr.write(f"已写出模板 {path}，请用记事本等编辑器打开，按注释改成您自己的信息。\n")
    return int(ExitCode.ok)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``template`` verb."""
    t = sub.add_parser("template", help="写出 profile.yaml / application.yaml / roster.csv 模板",
                       description="写出带中文注释的模板文件，改成自己的信息后即可使用。")
    t.add_argument("kind", choices=sorted(TEMPLATES), help="profile：申报人身份；application：整套申报信息；"
                   "roster：批量处理的名单")
    t.add_argument("-o", "--output", type=Path, help="写到该文件或文件夹（缺省时打印到标准输出）")
    t.add_argument("--force", action="store_true", help="覆盖已有文件")
    t.set_defaults(func=_cmd_template)
