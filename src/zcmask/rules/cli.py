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

from zcmask.exceptions import BadArgsError, ExitCode, ShortIdentityError

if TYPE_CHECKING:
    from zcmask.options import Options
    from zcmask.rules._model import Notice
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
    v.add_argument("--roster", type=Path, metavar="FILE",
                   help="花名册（.xlsx 或 .csv，每行一名申报人）：此时 APP_DIR 是各申报人材料文件夹所在的目录，"
                        "文件夹以姓名命名或由“材料文件夹”列给出")
    add_common_args(v)
    v.set_defaults(func=cmd_validate)

    i = subparsers.add_parser(
        "init", help="生成某通知的空白花名册（xlsx，带下拉选项）或 application.yaml 模板",
        description="生成空白模板：.xlsx 花名册（默认，带下拉选项）、.csv 花名册或 application.yaml。")
    i.add_argument("--notice", required=True, metavar="ID", help=f"通知编号：{', '.join(ids)}")
    i.add_argument("-o", "--output", type=Path, help="输出文件（.xlsx/.csv/.yaml；默认 申报人员花名册-ID.xlsx）")
    i.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    i.set_defaults(func=cmd_init)


def cmd_validate(args: argparse.Namespace) -> int:
    from zcmask.cli import cache_kwargs, progress_bar
    from zcmask.options import Options
    from zcmask.rules._model import load_notice
    from zcmask.rules.validate import validate, write_validation_report

    notice = load_notice(args.notice)  # unknown id -> BadArgsError (exit 2) before any work
    if getattr(args, "roster", None) is not None:
        return _validate_roster(args, notice)
    if not args.app_dir.is_dir():
        raise BadArgsError(f"APP_DIR {args.app_dir} 不是目录：请给出包含 application.yaml 和附件的申报目录。")
    opts = Options.build(jobs=args.jobs, dpi=args.dpi, seals=args.seals, eyes=not args.no_eyes,
                         detect_orientation=not args.no_orientation, progress=not args.no_progress,
                         max_file_mb=args.max_file_mb,
                         allow_short_identity=getattr(args, "allow_short_identity", False), **cache_kwargs(args))
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


def _options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from zcmask.cli import cache_kwargs
    from zcmask.options import Options

    return Options.build(jobs=args.jobs, dpi=args.dpi, seals=args.seals, eyes=not args.no_eyes,
                         detect_orientation=not args.no_orientation, progress=not args.no_progress,
                         max_file_mb=args.max_file_mb,
                         allow_short_identity=getattr(args, "allow_short_identity", False), **cache_kwargs(args))


def _validate_roster(args: argparse.Namespace, notice: Notice) -> int:
    """``validate ROOT --roster FILE``: every applicant of the roster, each in their own folder."""
    from zcmask._io import write_bytes_atomic
    from zcmask.cli import progress_bar
    from zcmask.rules._roster import read_roster
    from zcmask.rules.validate import render_roster_html, roster_json, validate

    if not args.app_dir.is_dir():
        raise BadArgsError(f"{args.app_dir} 不是目录：使用 --roster 时请给出各申报人材料文件夹所在的目录。")
    rows = read_roster(args.roster, notice)  # every input error at once -> exit 6
    opts = _options(args)
    results: list[tuple[int, str, str, ValidationReport | str | None]] = []
    for row in rows:
        d = args.app_dir / row.folder
        if not d.is_dir():
            results.append((row.row, row.name, str(d), None))
            continue
        try:
            with progress_bar(opts.progress, f"校验 {row.name}") as cb:
                results.append((row.row, row.name, str(d), validate(d, notice, opts, progress=cb,
                                                                      facts=row.application)))
        except ShortIdentityError as e:  # this row cannot be checked safely; the others go on
            results.append((row.row, row.name, str(d), e.message))
    data = roster_json(notice, args.roster, results)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.report:
        write_bytes_atomic(args.report, text.encode("utf-8"))
        write_bytes_atomic(args.report.with_suffix(".html"), render_roster_html(data).encode("utf-8"))
    else:
        sys.stdout.write(text + "\n")
    bad = 0
    for item in data["applicants"]:
        mark = "✓" if item["passed"] else "✗"
        bad += not item["passed"]
        sys.stderr.write(f"  {mark} 第 {item['row']} 行 {item['name']}：{item['summary']}\n")
    sys.stderr.write(f"zcmask validate [{notice.id}] 花名册 {len(rows)} 人，未通过 {bad} 人\n")
    return int(ExitCode.ok if bad == 0 else ExitCode.issues_found)


def cmd_init(args: argparse.Namespace) -> int:
    from zcmask.rules._model import load_notice
    from zcmask.rules._roster import write_template

    notice = load_notice(args.notice)
    out = args.output or Path(f"申报人员花名册-{notice.id}.xlsx")
    p = write_template(notice, out, force=args.force)
    sys.stderr.write(f"已生成 {p}（{notice.title}）。填好后运行：zcmask validate 材料目录 --notice {notice.id}"
                     + (f" --roster {p}" if p.suffix.lower() != ".yaml" else "") + "\n")
    return int(ExitCode.ok)


def notice_mask_options(args: argparse.Namespace, opts: Options) -> Options:
    """``mask --notice ID`` / ``--scope``: mask what the notice asks for (more stays available)."""
    from zcmask.rules._model import load_notice
    from zcmask.rules.validate import scoped_options

    kinds = ("name", "unit", "seal", "eyes")
    if getattr(args, "scope", None):
        scope = [k.strip() for k in args.scope.replace("，", ",").split(",") if k.strip()]
        bad = [k for k in scope if k not in kinds]
        if bad:
            raise BadArgsError(f"--scope 中的 {'、'.join(bad)} 无效；可用：name（姓名）、unit（单位）、seal（公章）、eyes（眼睛）。")
    else:
        notice = load_notice(args.notice)
        scope = list(notice.mask_scope)
        if not scope:
            sys.stderr.write(f"通知 {notice.id} 不要求遮盖；仍按默认遮盖姓名、单位、公章和眼睛。\n")
            return opts
        sys.stderr.write(f"按通知 {notice.id} 的要求遮盖：{'、'.join(_KIND_ZH[k] for k in scope)}"
                         "（需要更多时用 --scope 指定）。\n")
    if "name" not in scope:
        raise BadArgsError("遮盖范围须包含 name（姓名）。")
    out = scoped_options(opts, scope, opts.identity)
    if args.seals == "all" and "seal" not in scope:
        out = out.model_copy(update={"seals": "all"})
    return out


_KIND_ZH = {"name": "姓名", "unit": "工作单位", "seal": "单位公章", "eyes": "照片眼睛"}
