"""The ``zcmask validate APP_DIR --notice ID`` verb.

Registered by :func:`zcmask.cli.build_parser` through :func:`register`. The JSON
report goes to ``--report`` (with an ``.html`` beside it) or to stdout; a short
summary goes to stderr. Exit 0 when no finding is an error, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from zcmask.exceptions import BadArgsError, ExitCode

if TYPE_CHECKING:
    from zcmask.rules.validate import ValidationReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` verb to the ``zcmask`` command line."""
    from zcmask.cli import add_common_args
    from zcmask.rules._model import notice_ids

    ids = notice_ids()
    v = subparsers.add_parser(
        "validate", help="按通知规则校验整套申报材料（application.yaml + 附件）",
        description="按所选通知的规则校验申报目录：必备材料、年度考核、继续教育、公示期、承诺书、"
                    "推荐意见、工作总结、申报资格与时间，以及每个附件的上传前检查。")
    v.add_argument("app_dir", type=Path, metavar="APP_DIR", help="申报目录（含 application.yaml 和附件）")
    v.add_argument("--notice", required=True, metavar="ID",
                   help=f"通知编号：{', '.join(ids)}（或规则 YAML 文件路径）")
    v.add_argument("--report", type=Path, help="报告 JSON 路径（同时写同名 .html）；缺省时 JSON 打印到标准输出")
    add_common_args(v)
    v.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from zcmask.cli import progress_bar
    from zcmask.options import Options
    from zcmask.rules._model import load_notice
    from zcmask.rules.validate import validate, write_validation_report

    notice = load_notice(args.notice)  # unknown id -> BadArgsError (exit 2) before any work
    if not args.app_dir.is_dir():
        raise BadArgsError(f"APP_DIR {args.app_dir} 不是目录：请给出包含 application.yaml 和附件的申报目录。")
    opts = Options.build(jobs=args.jobs, dpi=args.dpi, seals=args.seals, eyes=not args.no_eyes,
                         detect_orientation=not args.no_orientation, progress=not args.no_progress,
                         max_file_mb=args.max_file_mb)
    with progress_bar(opts.progress, "校验") as cb:
        report = validate(args.app_dir, notice, opts, progress=cb)
    if args.report:
        write_validation_report(report, args.report)
    else:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    _summarise(report)
    return int(ExitCode.ok if report.ok else ExitCode.issues_found)


def _summarise(report: ValidationReport) -> None:
    d = report.to_json()["summary"]
    sys.stderr.write(f"zcmask validate [{report.notice.id}]: 附件 {d['attachments']} 个，"
                     f"错误 {d['errors']} 项，警告 {d['warnings']} 项，提示 {d['infos']} 项\n")
    for f in report.findings:
        if f.severity != "info":
            mark = "✗" if f.severity == "error" else "!"
            sys.stderr.write(f"  {mark} [{f.code}] {f.message}\n")
