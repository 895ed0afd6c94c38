"""The ``zcmask serve`` verb: start the local web page.

Registered by :func:`register`, which :mod:`zcmask.cli` calls. This module
imports nothing from the ``web`` extra at import time, so ``zcmask --help`` works
without it; running ``serve`` without fastapi/uvicorn prints how to install them
and exits with :attr:`~zcmask.exceptions.ExitCode.missing_dependency`.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
import threading
import webbrowser
from pathlib import Path
from typing import Any

from zcmask.exceptions import BadArgsError, ExitCode

log = logging.getLogger(__name__)

INSTALL_HINT = ('zcmask: [missing_dependency] 网页界面需要额外的软件包，请先运行：\n'
                '    pip install "zcmask[web]"\n然后重新运行 zcmask serve。\n')


def is_loopback(host: str) -> bool:
    """True for ``127.0.0.1``, ``::1``, ``localhost`` and the rest of 127/8."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(subparsers: Any) -> None:
    """Add the ``serve`` verb to the zcmask command line."""
    p = subparsers.add_parser("serve", help="打开本机网页界面：上传、查看、手工修正遮盖并下载（需要 zcmask[web]）",
                              description="在本机启动 zcmask 网页界面。默认只监听 127.0.0.1，"
                                          "其他电脑无法访问；若要监听其他地址，必须用 --token 设置访问口令。")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机可访问）")
    p.add_argument("--port", type=int, default=8765, help="端口（默认 8765；0 表示自动选择空闲端口）")
    p.add_argument("--token", help="申报人访问口令；监听 127.0.0.1 以外的地址时必填，之后每个请求都须携带")
    p.add_argument("--reviewer-token", help="评审口令：评审抽查模式只接受该口令（不同于 --token，至少 8 个字符）")
    p.add_argument("--review-root", action="append", type=str, default=[], metavar="DIR",
                   help="允许评审抽查的文件夹（可重复）；服务器模式下只显示其中 zcmask 报告所列的遮盖后页面。"
                        "监听 127.0.0.1 以外的地址时，不指定则不开放评审抽查")
    p.add_argument("--session-minutes", type=float, default=120.0,
                   help="会话闲置多少分钟后自动删除其上传文件（默认 120）")
    p.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    p.add_argument("--dpi", type=int, default=200, help="PDF 页面渲染分辨率（默认 200）")
    p.add_argument("--seals", choices=("applicant", "all", "none"), default="applicant",
                   help="遮盖哪些印章（默认 applicant：本单位公章与本人名章）")
    p.add_argument("--no-eyes", action="store_true", help="不遮盖照片眼部")
    p.add_argument("--max-upload-mb", type=float, default=50.0, help="单个上传文件大小上限（MB，默认 50）")
    p.add_argument("--max-pages", type=int, default=500, help="每个会话的页数上限（默认 500）")
    p.add_argument("--no-cache", action="store_true",
                   help="不在会话文件夹中缓存页面识别结果（按通知审核时每页重新识别）")
    from zcmask._pool import default_jobs

    p.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                   help="识别页面的并行进程数（默认按 CPU 核数与内存自动选择，最多 4；1 表示在服务进程内逐页识别）")
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    p.set_defaults(func=cmd_serve)


def app_from_args(args: argparse.Namespace, **overrides: Any) -> Any:
    """The web application ``zcmask serve`` would run for ``args`` (checked like the CLI does).

    ``overrides`` go to :func:`zcmask.web.create_app` (tests pass ``temp_root``
    and a fake OCR engine's options).
    """
    from zcmask.options import Options
    from zcmask.web._safety import WebLimits
    from zcmask.web.app import create_app

    if not 0 <= args.port <= 65535:
        raise BadArgsError("--port 应在 0–65535 之间。")
    loopback = is_loopback(args.host)
    if not loopback and not args.token:
        raise BadArgsError(f"监听 {args.host} 会让其他电脑访问本机文件，必须同时用 --token 设置访问口令。")
    if args.token is not None and len(args.token) < 8:
        raise BadArgsError("--token 至少 8 个字符。")
    if args.reviewer_token is not None and len(args.reviewer_token) < 8:
        raise BadArgsError("--reviewer-token 至少 8 个字符。")
    if args.reviewer_token is not None and args.reviewer_token == args.token:
        raise BadArgsError("--reviewer-token 不能与 --token 相同：申报人与评审应使用不同的口令。")
    roots = []
    for r in args.review_root:
        rp = Path(r).expanduser().resolve()
        if not rp.is_dir():
            raise BadArgsError(f"--review-root {r} 不是已存在的文件夹。")
        roots.append(rp)
    if args.session_minutes <= 0:
        raise BadArgsError("--session-minutes 必须为正数。")
    if args.max_upload_mb <= 0 or args.max_pages < 1:
        raise BadArgsError("--max-upload-mb 与 --max-pages 必须为正数。")
    jobs = getattr(args, "jobs", 1)
    if not 1 <= jobs <= 64:
        raise BadArgsError("--jobs 应在 1–64 之间。")
    opts = Options.build(dpi=args.dpi, seals=args.seals, eyes=not args.no_eyes, progress=False,
                         cache=not getattr(args, "no_cache", False))
    limits = WebLimits(max_file_mb=args.max_upload_mb, max_total_mb=max(500.0, args.max_upload_mb),
                       max_pages=args.max_pages, idle_minutes=args.session_minutes)
    allowed = {"127.0.0.1", "localhost", "::1", args.host.strip("[]").lower()} if loopback else None
    # On the user's own PC with no token, reviews may open any folder; on a shared
    # server only the named roots, and only masked output listed by a report.
    anywhere = loopback and not roots and not args.token and not args.reviewer_token
    kw: dict[str, Any] = dict(token=args.token, limits=limits, allowed_hosts=allowed,
                              reviewer_token=args.reviewer_token, review_roots=roots, review_anywhere=anywhere,
                              workers=jobs)
    kw.update(overrides)
    return create_app(kw.pop("options", opts), **kw)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web server until Ctrl+C; uploads are removed on exit."""
    try:
        import fastapi  # noqa: F401
        import multipart  # noqa: F401
        import uvicorn
    except ImportError:
        sys.stderr.write(INSTALL_HINT)
        return int(ExitCode.missing_dependency)
    app = app_from_args(args)
    from zcmask.web._memo import install

    install(app.state.workspace.options.ocr_engine)  # the notice check reuses the analysis' OCR
    if app.state.workspace.workers > 1:
        from zcmask._pool import start_fork_server

        start_fork_server()  # from the main thread, so the workers die with the server
    roots = app.state.review_scope.roots or ()
    anywhere = app.state.review_scope.roots is None
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning",
                            lifespan="on", access_log=False)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.1)
        port = args.port
        for srv in getattr(server, "servers", []):
            for sock in getattr(srv, "sockets", []):
                port = sock.getsockname()[1]
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
        shown = f"[{shown}]" if ":" in shown else shown
        url = f"http://{shown}:{port}/" + (f"?token={args.token}" if args.token else "")
        sys.stderr.write(f"zcmask serve: 已启动，请在浏览器中打开 {url}\n"
                         "（按 Ctrl+C 停止；上传的文件保存在临时文件夹中，停止时自动删除）\n")
        if args.reviewer_token:
            sys.stderr.write(f"  评审入口：http://{shown}:{port}/?token={args.reviewer_token}\n")
        if roots:
            sys.stderr.write("  允许抽查的文件夹：" + "；".join(str(r) for r in roots) + "\n")
        elif not anywhere:
            sys.stderr.write("  未用 --review-root 指定文件夹：评审抽查模式关闭。\n")
        if not args.no_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run()
    finally:
        app.state.workspace.close()
    return int(ExitCode.ok)
