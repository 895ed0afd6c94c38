"""The ``zcmask batch`` and ``zcmask review`` verbs.

``batch`` masks one sub-folder per applicant into an output folder, resumably.
``review`` records a reviewer's accept/reject verdict per audited page in the
batch's progress database and refreshes the CSV export. Both only parse
arguments and print; the work lives in :mod:`zcmask.batch`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from zcmask.exceptions import BadArgsError, ExitCode, InvalidConfigError


def register(subparsers: Any) -> None:
    """Add the ``batch`` and ``review`` verbs to the ``zcmask`` parser."""
    from zcmask.cli import add_common_args

    b = subparsers.add_parser(
        "batch", help="批量遮盖：ROOT 下每位申报人一个子文件夹，可中断续跑",
        description="批量遮盖 ROOT 下每个申报人子文件夹。进度保存在 OUT/.zcmask/state.sqlite，"
                    "中断（包括 kill -9）后再次运行同一命令即可继续，已完成且内容未变的文件不会重做。")
    b.add_argument("root", type=Path, help="批量输入目录：每位申报人一个子文件夹")
    b.add_argument("-o", "--output", required=True, type=Path, help="输出目录（不能在 ROOT 的某个申报人文件夹内）")
    b.add_argument("--roster", type=Path,
                   help="名单 CSV：folder,name,aliases,units（多个值用 ; 或 | 分隔）；缺省读取各文件夹的 profile.yaml")
    b.add_argument("--retry-failed", action="store_true", help="只重试上次失败的文件")
    b.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="执行方式：local=本机进程池（默认，--jobs 个进程）；dask=已有的 Dask 集群")
    b.add_argument("--scheduler", help="Dask 调度器地址，如 tcp://10.0.0.5:8786（--executor dask 时必填）")
    add_common_args(b)
    b.set_defaults(func=cmd_batch)

    r = subparsers.add_parser(
        "review", help="记录抽查结论：每页 accept（通过）或 reject（退回）",
        description="把审核人对抽查页面的结论记入批量任务的数据库，并更新 OUT/pages.csv、OUT/batch.csv。"
                    "页面编号（PAGE_ID）形如 申报人文件夹/文件名#页码，见抽查报告。")
    r.add_argument("output", type=Path, help="批量输出目录（含 .zcmask/state.sqlite）")
    r.add_argument("verdicts", nargs="*", metavar="PAGE_ID=accept|reject", help="一条或多条结论")
    r.add_argument("--note", default="", help="备注（例如退回原因）")
    r.add_argument("--reviewer", default="", help="审核人")
    r.add_argument("--list", action="store_true", help="列出已记录的结论")
    r.set_defaults(func=cmd_review)


def cmd_batch(args: argparse.Namespace) -> int:
    from zcmask.batch import make_executor, run_batch
    from zcmask.cli import options_from_args, progress_bar

    if args.executor != "dask" and args.scheduler:
        raise BadArgsError("--scheduler 只能与 --executor dask 一起使用。")
    opts = options_from_args(args, None)
    executor = make_executor(args.executor, jobs=opts.jobs, scheduler=args.scheduler)
    try:
        with progress_bar(opts.progress, "批量遮盖") as cb:
            res = run_batch(args.root, args.output, opts, roster=args.roster,
                            retry_failed=args.retry_failed, executor=executor, progress=cb)
    finally:
        executor.close()
    sys.stderr.write(
        f"zcmask batch: 申报人 {res.applicants} 位（无法处理 {len(res.applicant_errors)} 位），"
        f"文件 {res.files} 个：本次处理 {len(res.processed)} 个，跳过已完成 {res.skipped} 个，"
        f"失败 {len(res.failed)} 个；{res.pages} 页，用时 {res.seconds:.1f} 秒。\n"
        f"  索引：{res.out / 'index.html'}　HR 导出：{res.out / 'batch.csv'}、{res.out / 'pages.csv'}\n")
    for a in res.applicant_errors:
        sys.stderr.write(f"  ✗ 申报人 {a}：见 batch.csv 的 error 列\n")
    for f in res.failed:
        sys.stderr.write(f"  ✗ {f}（可用 --retry-failed 重试）\n")
    return int(res.exit_code)


def cmd_review(args: argparse.Namespace) -> int:
    from zcmask.batch import BatchState, export_batch, state_path

    if not state_path(args.output).is_file():
        raise InvalidConfigError(f"{args.output} 不是批量输出目录（找不到 .zcmask/state.sqlite），请指定 zcmask batch 的 -o 目录。")
    parsed: list[tuple[str, str]] = []
    for v in args.verdicts:
        pid, sep, verdict = v.rpartition("=")
        verdict = verdict.strip().lower()
        if not sep or not pid or verdict not in ("accept", "reject"):
            raise BadArgsError(f"结论 {v!r} 格式有误，应为 PAGE_ID=accept 或 PAGE_ID=reject。")
        parsed.append((pid.strip(), verdict))
    if not parsed and not args.list:
        raise BadArgsError("请给出至少一条 PAGE_ID=accept|reject，或用 --list 查看已有结论。")
    with BatchState.open(args.output) as state:
        for pid, _ in parsed:
            if not state.page_known(pid):
                raise BadArgsError(f"找不到页面 {pid}：页面编号形如 申报人文件夹/文件名#页码，请从抽查报告中复制。")
        for pid, verdict in parsed:
            state.record_verdict(pid, verdict, args.note, args.reviewer)
        if parsed:
            export_batch(state, args.output)
        if args.list:
            for pid, v in sorted(state.verdicts().items()):
                sys.stdout.write(f"{pid}\t{v['verdict']}\t{v['reviewer']}\t{v['note']}\n")
    if parsed:
        sys.stderr.write(f"zcmask review: 已记录 {len(parsed)} 条结论，见 {args.output / 'pages.csv'}。\n")
    return int(ExitCode.ok)
