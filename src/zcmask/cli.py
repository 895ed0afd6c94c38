"""The ``zcmask`` command line: argument parsing, progress, and the one exit-code handler.

Each verb builds an :class:`~zcmask.options.Options` and calls :mod:`zcmask.api`.
Verbs that live in their own packages (audit, validate, batch, serve) register
themselves through a ``register(subparsers)`` function listed in
:data:`VERB_MODULES`. Machine output goes to stdout; progress and messages to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zcmask import __version__
from zcmask.exceptions import BadArgsError, ExitCode, ZcmaskError

if TYPE_CHECKING:
    from zcmask.options import Identity, Options

log = logging.getLogger("zcmask")

VERB_MODULES = ("zcmask.audit", "zcmask.rules.cli", "zcmask.batch.cli", "zcmask.web.cli", "zcmask.templates")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as exit code 2 with a Chinese hint."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        verb = self.prog.split()[-1]
        if verb == self.prog.split()[0]:  # the top parser: name the verb the user typed, if any
            verb = next((a for a in sys.argv[1:] if a in _verbs(self)), "")
        how = f"zcmask {verb} --help" if verb else "zcmask --help"
        sys.stderr.write(f"zcmask: 参数错误：{_in_chinese(message)}（用 {how} 查看用法）\n")
        raise SystemExit(int(ExitCode.bad_args))


#: argparse's own messages, in Chinese (the English original stays in the text it prefixes).
_ARGPARSE_ZH = (
    (re.compile(r"^unrecognized arguments: (.*)$"), "无法识别的参数：{0}"),
    (re.compile(r"^the following arguments are required: (.*)$"), "缺少必需的参数：{0}"),
    (re.compile(r"^argument (\S+): expected one argument$"), "参数 {0} 后面需要一个值"),
    (re.compile(r"^argument (\S+): invalid choice: (.*?) \(choose from (.*)\)$"), "参数 {0} 的值 {1} 无效，可选：{2}"),
    (re.compile(r"^argument (\S+): invalid (\w+) value: (.*)$"), "参数 {0} 的值 {2} 不是有效的{1}"),
    (re.compile(r"^argument (\S+): not allowed with argument (.*)$"), "参数 {0} 不能与 {1} 同时使用"),
)


def _in_chinese(message: str) -> str:
    """The usage error in Chinese, where it is one of argparse's common messages.

    Examples
    --------
    >>> _in_chinese("unrecognized arguments: --bogus")
    '无法识别的参数：--bogus'
    >>> _in_chinese("something else")
    'something else'

    """
    for pattern, zh in _ARGPARSE_ZH:
        m = pattern.match(message)
        if m:
            return zh.format(*(_TYPE_ZH.get(g, g) for g in m.groups()))
    return message


_TYPE_ZH = {"int": "整数", "float": "数字"}


def _verbs(parser: argparse.ArgumentParser) -> set[str]:
    """The verb names of a parser's subcommands."""
    return {name for a in parser._actions if isinstance(a, argparse._SubParsersAction) for name in a.choices}


def add_identity_args(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    """The contract's identity flags: --name, --alias, --unit, --profile."""
    g = p.add_argument_group("申报人身份（identity）")
    g.add_argument("--name", help="申报人姓名（与 --profile 二选一）")
    g.add_argument("--alias", action="append", default=[], help="姓名的其他写法（可重复）：曾用名、繁体等")
    g.add_argument("--unit", action="append", default=[], help="工作单位全称或简称（可重复，每个值都会遮盖）")
    g.add_argument("--profile", type=Path, help="身份信息 YAML：name / aliases / units")


def identity_from_args(args: argparse.Namespace, *, required: bool) -> Identity | None:
    """Merge --profile and the flags into one Identity (flags add to the profile)."""
    # Imported here, not at the top: pydantic and the options models cost 0.15 s, and
    # a mask or check run starts the pool's fork server before paying for them.
    from zcmask.options import Identity, Unit, load_profile

    ident: Identity | None = load_profile(args.profile) if getattr(args, "profile", None) else None
    name = getattr(args, "name", None)
    if name is not None and not name.strip():
        raise BadArgsError("--name 不能为空。")
    if ident is None and not name:
        if required:
            raise BadArgsError("请用 --name 姓名 或 --profile profile.yaml 提供申报人身份"
                              "（zcmask template profile -o profile.yaml 可写出模板）。")
        if args.alias or args.unit:
            raise BadArgsError("--alias/--unit 需要与 --name 一起使用。")
        return None
    base_name = name or (ident.name if ident else "")
    aliases = list(ident.aliases if ident else ()) + [a for a in args.alias if a.strip()]
    units = list(ident.units if ident else ()) + [Unit(name=u) for u in args.unit if u.strip()]
    if ident and name and name != ident.name:
        aliases.append(ident.name)
    return Identity(name=base_name, aliases=tuple(dict.fromkeys(aliases)), units=tuple(units))


def add_common_args(p: argparse.ArgumentParser) -> None:
    from zcmask._pool import default_jobs

    p.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                   help="并行进程数（默认按 CPU 核数与内存自动选择，最多 4）")
    p.add_argument("--dpi", type=int, default=200, help="PDF 页面渲染分辨率（默认 200）")
    p.add_argument("--seals", choices=("applicant", "all", "none"), default="applicant",
                   help="遮盖哪些印章：applicant=本单位公章与本人名章（默认）、all=全部、none=不遮盖")
    p.add_argument("--no-eyes", action="store_true", help="不遮盖照片眼部")
    p.add_argument("--no-orientation", action="store_true", help="不检测页面方向（假定均为正向）")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条")
    p.add_argument("--max-file-mb", type=float, default=10.0, help="单个文件大小上限（MB，默认 10）")
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    p.add_argument("--allow-short-identity", action="store_true",
                   help="允许只有 1 个字符的姓名/单位（默认拒绝：几乎每页都会误匹配，须逐页人工核对）")
    add_cache_args(p)


def add_cache_args(p: argparse.ArgumentParser) -> None:
    """--cache DIR and --no-cache: where page analyses are kept (:mod:`zcmask._analysis_cache`)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--cache", type=Path, metavar="DIR",
                   help="页面识别结果（方向与文字）缓存目录：读取并写入，同一页再次处理时不再重新识别。"
                        "可给 mask 的输出目录；缺省时用环境变量 ZCMASK_CACHE_DIR，mask 再缺省为 OUTDIR/.zcmask-cache，"
                        "check/validate 则只读取此前 mask 同一输入时留下的缓存")
    g.add_argument("--no-cache", action="store_true", help="不读也不写任何缓存，每页重新识别")


def options_from_args(args: argparse.Namespace, identity: Identity | None, **extra: Any) -> Options:
    from zcmask.options import Options

    return Options.build(
        identity=identity, jobs=args.jobs, dpi=args.dpi, seals=args.seals, eyes=not args.no_eyes,
        detect_orientation=not args.no_orientation, progress=not args.no_progress,
        max_file_mb=args.max_file_mb,
        allow_short_identity=getattr(args, "allow_short_identity", False), **cache_kwargs(args), **extra)


def cache_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The Options fields of --cache / --no-cache."""
    return {"cache": not getattr(args, "no_cache", False), "cache_dir": getattr(args, "cache", None)}


@contextmanager
def progress_bar(enabled: bool, label: str):  # type: ignore[no-untyped-def]
    """Yield a ``(done, total)`` callback drawing a rich progress bar on stderr."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=False, disable=not console.is_terminal) as prog:
        task = prog.add_task(label, total=None)

        def cb(done: int, total: int) -> None:
            prog.update(task, completed=done, total=total)

        yield cb


def _summarise(report: Any, verb: str) -> None:
    from zcmask.messages import regions_zh

    d = report.to_json()["summary"]
    sys.stderr.write(
        f"zcmask {verb}: 文件 {d['files']} 个，页面 {d['pages']} 页，无法处理 {d['errors']} 个，"
        f"错误级问题 {d['error_issues']} 项，{'遮盖' if verb == 'mask' else '仍可见'} {regions_zh(d['regions'])}\n")
    for f in report.files:
        if f.status == "error" and f.error:
            sys.stderr.write(f"  ✗ {f.input}: [{f.error[0]}] {f.error[1]}\n")
        for i in f.issues:
            if i.code in ("repaired_file", "renamed_output"):
                sys.stderr.write(f"  {'✗' if i.severity == 'error' else 'i'} {f.input}: [{i.code}] {i.message}\n")
        for p in f.pages:
            # the same message once per page, with how many places it stands for (a 公示 list
            # naming the unit on each of its 105 rows said so 105 times); the report keeps each
            said: dict[tuple[str, str, str], int] = {}
            for i in p.issues:
                if i.severity == "error" and verb != "mask":
                    key = ("✗", i.code, i.message)
                elif i.code in ("mask_unverified", "mirrored_page"):
                    key = ("!", i.code, i.message)
                else:
                    continue
                said[key] = said.get(key, 0) + 1
            for (mark, code, message), n in said.items():
                times = f"（共 {n} 处）" if n > 1 else ""
                sys.stderr.write(f"  {mark} {f.input} 第{p.index}页: [{code}] {message}{times}\n")


def _warn_no_unit(ident: Identity | None, consequence: str) -> None:
    """Say on stderr, before a run, that a name was given without a work unit, and what that means."""
    if ident is not None and not ident.unit_names:
        sys.stderr.write(f"zcmask: 注意：未提供工作单位（--unit 或 profile.yaml 的 units），{consequence}\n")


def cmd_mask(args: argparse.Namespace) -> int:
    from zcmask import api

    ident = identity_from_args(args, required=True)
    _warn_no_unit(ident, "单位名称无法遮盖，也无法区分本单位公章与发证机关公章（读出为发证机关的公章将保留）。")
    opts = options_from_args(args, ident, write_pdf=args.pdf, flatten=args.flatten)
    if getattr(args, "notice", None) or getattr(args, "scope", None):
        from zcmask.rules.cli import notice_mask_options

        opts = notice_mask_options(args, opts)
    with progress_bar(opts.progress, "遮盖") as cb:
        report = api.mask(args.inputs, args.output, opts, report_path=args.report, progress=cb)
    _summarise(report, "mask")
    return int(mask_exit_code(report))


def mask_exit_code(report: Any) -> ExitCode:
    """The exit status of ``mask``: 4, 3 or 0.

    4 when an output could not be written (disk full ...), 3 when an input could
    not be read or had to be repaired (a truncated PDF), 0 otherwise.
    """
    from zcmask.api import OUTPUT_ERROR_CODES

    if any(f.error and f.error[0] in OUTPUT_ERROR_CODES for f in report.files):
        return ExitCode.output_file
    if report.errors or any(i.code == "repaired_file" for f in report.files for i in f.issues):
        return ExitCode.input_file
    return ExitCode.ok


def cmd_check(args: argparse.Namespace) -> int:
    from zcmask import api

    ident = identity_from_args(args, required=False)
    _warn_no_unit(ident, "不检查单位名称与本单位公章是否已遮盖。")
    opts = options_from_args(args, ident, fix_outdir=args.fix, flatten=bool(args.fix) and not args.no_flatten)
    with progress_bar(opts.progress, "检查") as cb:
        report = api.check(args.inputs, opts, report_path=args.report, progress=cb)
    _summarise(report, "check")
    if args.report is None:
        import json

        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    return int(ExitCode.issues_found if report.error_issues or report.errors else ExitCode.ok)


#: Verbs whose pages run in the process pool.
_POOL_VERBS = frozenset({"mask", "check"})


def build_parser(*, other_verbs: bool = True) -> argparse.ArgumentParser:
    """The ``zcmask`` argument parser; ``other_verbs=False`` defines ``mask`` and ``check`` only.

    The other verbs' modules import the whole pipeline, so a ``mask`` or ``check`` run
    parses its arguments without them and can start the worker pool sooner.
    """
    p = _Parser(prog="zcmask", description="职称申报附件盲评遮盖工具：遮盖姓名、单位、公章和照片眼睛，检查 JPG/方向/清晰度。")
    p.add_argument("--version", action="version", version=f"zcmask {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    m = sub.add_parser("mask", help="遮盖并输出正向 JPG 与报告")
    m.add_argument("inputs", nargs="+", help="文件或文件夹（递归读取）")
    m.add_argument("-o", "--output", required=True, type=Path, help="输出目录（不能与原件相同）")
    m.add_argument("--report", type=Path, help="报告 JSON 路径（默认 OUTDIR/zcmask-report.json）")
    m.add_argument("--pdf", action="store_true", help="同时为 PDF 输入输出真正删除内容的遮盖版 PDF")
    m.add_argument("--notice", metavar="ID", help="按该通知要求的遮盖范围遮盖（如建筑 2023 只遮盖姓名）")
    m.add_argument("--scope", metavar="KINDS", help="遮盖范围，逗号分隔：name,unit,seal,eyes（优先于 --notice）")
    m.add_argument("--flatten", action="store_true",
                   help="先把手机拍摄的页面拉平（找出纸张、校正透视、匀光、纠偏）再遮盖；输出尺寸随之改变，坐标以输出页为准")
    add_identity_args(m)
    add_common_args(m)
    m.set_defaults(func=cmd_mask)

    c = sub.add_parser("check", help="上传前检查：JPG、正向、清晰，以及是否仍显示本人信息")
    c.add_argument("inputs", nargs="+", help="文件或文件夹")
    c.add_argument("--report", type=Path, help="报告 JSON 路径（缺省时打印到标准输出）")
    c.add_argument("--fix", type=Path,
                   help="把每页处理成扫描件效果（找出纸张、校正透视、匀光、纠偏、转正）并另存为 JPG 到该目录（不做遮盖）；"
                        "本已平整的扫描件原样复制")
    c.add_argument("--no-flatten", action="store_true", help="与 --fix 同用：只转正和转成 JPG，不做透视校正、匀光和纠偏")
    add_identity_args(c)
    add_common_args(c)
    c.set_defaults(func=cmd_check)

    for mod_name in VERB_MODULES if other_verbs else ():
        try:
            mod = importlib.import_module(mod_name)
        except ImportError as e:
            log.debug("verb module %s unavailable: %s", mod_name, e)
            continue
        register: Callable[..., None] | None = getattr(mod, "register", None)
        if register is not None:
            register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and map every outcome to one :class:`ExitCode`."""
    first = (sys.argv[1:] if argv is None else list(argv))[:1]
    parser = build_parser(other_verbs=not (first and first[0] in _POOL_VERBS))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return int(ExitCode.bad_args)
    from zcmask._pool import LOG_FORMAT

    logging.basicConfig(level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
                        stream=sys.stderr, format=LOG_FORMAT)
    if args.verb in _POOL_VERBS:
        from zcmask._pool import warm_up

        # The pool's fork server imports the models' code on the other core while this
        # process imports the API and lists the inputs (docs/topics/speed.md).
        warm_up(getattr(args, "jobs", 1), getattr(args, "inputs", ()))
    from zcmask._memory import keep_freed_memory

    keep_freed_memory()  # this process is zcmask's own: pages read here reuse their buffers
    try:
        return int(args.func(args))
    except ZcmaskError as e:
        sys.stderr.write(f"zcmask: [{e.code}] {e.message}\n")
        if e.detail:
            log.debug("detail: %s", e.detail)
        return int(e.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("zcmask: 已中断。再次运行即可继续（已完成的输出不会损坏）。\n")
        return int(ExitCode.ctrl_c)
    except Exception:  # noqa: BLE001 - the last line of defence: no traceback for users
        log.exception("internal error")
        sys.stderr.write("zcmask: [other_error] 发生内部错误，请加 -v 重新运行并把输出反馈给维护者。\n")
        return int(ExitCode.other_error)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
