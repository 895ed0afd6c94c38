"""The FastAPI application behind ``zcmask serve``.

:func:`create_app` maps HTTP to :mod:`zcmask.web._workspace` (applicant mode) and
:mod:`zcmask.web._review` (reviewer mode), and serves the static page from
``zcmask/web/static`` (plain HTML, CSS and JS; nothing is fetched from the
internet). Every error reaches the browser as ``{"code", "message"}`` with a
zh-CN message, never a stack trace. With a token, every ``/api`` call must carry
it (header ``X-Zcmask-Token`` or query ``token``).

Two roles share one server. The applicant token (``token``) opens applicant
mode; each session it creates is bound to a secret cookie, so another browser
(even with the same token) cannot see, download or delete it, and there is no
list of sessions. The reviewer token (``reviewer_token``) opens reviewer mode,
which shows only masked output under the administrator's review roots (see
:class:`~zcmask.web._review.ReviewScope`); without a reviewer token on a shared
server reviewer mode shows nothing unless roots were named.

Every state-changing request must come from the page itself (``Origin`` and
``Sec-Fetch-Site`` are checked), JSON must be sent as ``application/json``,
bodies are refused by size before they are read, and the page cannot be framed.

This module needs the ``web`` extra (fastapi, uvicorn, python-multipart).
"""

from __future__ import annotations

import contextlib
import hmac
import importlib
import inspect
import json
import logging
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from zcmask import __version__
from zcmask.exceptions import BadArgsError, InvalidConfigError, ZcmaskError
from zcmask.options import Identity, Options, load_profile
from zcmask.web._review import Review, ReviewScope, open_review
from zcmask.web._safety import WebLimits
from zcmask.web._workspace import (
    ConfirmError,
    ForbiddenError,
    Job,
    LimitError,
    NotFoundError,
    Session,
    WebError,
    Workspace,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")

#: Notice ids of the contract, with their titles (used when zcmask.rules is absent).
NOTICES: dict[str, str] = {
    "bz-dianli-2024": "巴州 工程系列电力专业 中、初级 2024",
    "bz-shuili-2021": "巴州 工程系列水利专业 中、初级 2021",
    "xj-zhenggao-2024": "自治区 正高级工程师、正高级经济师等5个系列 2024",
    "bz-jianzhu-2023": "巴州 工程系列建筑专业 中、初级 2023",
    "yuli-chuding-2024": "尉犁县 初定初级 2024",
}

_STATUS = {"not_found": 404, "limit_exceeded": 413, "bad_token": 401, "forbidden": 403,
           "confirm_needed": 409, "unsupported_media_type": 415, "review_refused": 403}

#: Name prefix of the cookie that binds a browser to its session (``zcmask_s_<id>``).
SESSION_COOKIE = "zcmask_s_"
#: Largest JSON request body.
MAX_JSON_BYTES = 256 << 10
MAX_PROFILE_BYTES = 1 << 20
#: A session's disk (uploads, page images, previews, download) may reach this many times its upload limit.
DISK_FACTOR = 4
_UPLOAD_PATH = re.compile(r"^/api/sessions/[^/]+/files$")
_PROFILE_PATH = re.compile(r"^/api/sessions/[^/]+/profile$")
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                                "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class UnsupportedMediaError(WebError):
    code = "unsupported_media_type"
    default_message = "请求内容须为 JSON（Content-Type: application/json），请刷新页面后重试。"


class BodyLimit:
    """Refuse a request body over its limit before reading it (pure ASGI middleware).

    ``Content-Length`` is checked first; a body without one (chunked) is counted
    as it streams and stopped at the limit.
    """

    def __init__(self, app: Any, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > limit):
            resp = _err("limit_exceeded", f"请求内容过大（上限 {limit / (1 << 20):.1f} MB），已拒绝。"
                                          "请压缩或拆分文件后再上传。", 413)
            for k, v in SECURITY_HEADERS.items():
                resp.headers[k] = v
            await resp(scope, receive, send)
            return
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise LimitError(f"请求内容过大（上限 {limit / (1 << 20):.1f} MB），已拒绝。")
            return msg

        await self.app(scope, counted, send)


def rules_validator() -> Any | None:
    """``zcmask.rules.validate`` when that package is installed, else None (checked per call)."""
    try:
        mod = importlib.import_module("zcmask.rules")
    except Exception:  # noqa: BLE001 - an unfinished or broken rules package means "unavailable"
        return None
    fn = getattr(mod, "validate", None)
    return fn if callable(fn) else None


def _call_validate(fn: Any, app_dir: Path, notice: str, options: Options,
                   job: Job | None = None) -> dict[str, Any]:
    params = inspect.signature(fn).parameters
    kwargs: dict[str, Any] = {}
    pos: list[Any] = []
    for name, prm in params.items():
        if name in ("app_dir", "path", "folder", "application", "directory", "root"):
            value: Any = app_dir
        elif name in ("notice", "notice_id"):
            value = notice
        elif name in ("options", "opts"):
            value = options
        elif name == "progress" and job is not None:
            value = _job_progress(job)
        else:
            continue
        if prm.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            pos.append(value)
    result = fn(*pos, **kwargs) if (pos or kwargs) else fn(app_dir, notice)
    if hasattr(result, "to_json"):
        result = result.to_json()
    if not isinstance(result, dict):
        raise WebError("材料审核模块返回了无法识别的结果，请改用命令行 zcmask validate。")
    return result


def _job_progress(job: Job) -> Any:
    def cb(done: int, total: int) -> None:
        job.done, job.total = done, max(total, 1)

    return cb


def _err(code: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def create_app(options: Options | None = None, *, token: str | None = None,
               limits: WebLimits | None = None, allowed_hosts: set[str] | None = None,
               temp_root: Path | None = None, reviewer_token: str | None = None,
               review_roots: Sequence[Path] | None = None, review_anywhere: bool | None = None,
               workers: int = 1) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    options : Options
        The server-wide options (OCR engine, dpi, seals, eyes ...); each session
        adds its applicant to a copy of them.
    token : str, optional
        The applicant token: when given, every ``/api`` request must carry it
        (or the reviewer token).
    reviewer_token : str, optional
        The reviewer token: when given, reviewer mode (``/api/review``) needs
        it, and the applicant token no longer opens it.
    review_roots : sequence of Path, optional
        Folders under which reviews may be opened; only pages listed as masked
        output by a mask report or batch database are then served.
    review_anywhere : bool, optional
        Allow reviews of any folder (a single-user server on the user's own PC).
        Default: True when neither token is set and no roots are given.
    limits : WebLimits, optional
        Upload size, file and page limits per session.
    allowed_hosts : set of str, optional
        Accepted ``Host`` header names (without port); guards a loopback server
        against DNS rebinding. None accepts any.
    temp_root : Path, optional
        Where the per-server temporary folder is created (default: the system's).
    workers : int
        Worker processes that read pages when a session is analysed (``zcmask
        serve --jobs``); 1 reads them in the server process, one after another.

    """
    opts = options or Options.build()
    ws = Workspace(opts, limits, temp_root, workers=workers)
    if review_anywhere is None:
        review_anywhere = token is None and reviewer_token is None and review_roots is None
    rscope = ReviewScope(roots=None if review_anywhere else tuple(Path(r) for r in (review_roots or ())),
                         forbidden=(ws.root,), masked_only=not review_anywhere)

    def limit_for(path: str) -> int:
        if _UPLOAD_PATH.match(path):
            return ws.limits.max_file_bytes + (64 << 10)  # one file per request, plus form overhead
        if _PROFILE_PATH.match(path):
            return MAX_PROFILE_BYTES + (64 << 10)
        return MAX_JSON_BYTES

    def given_token(request: Request) -> str:
        return request.headers.get("x-zcmask-token") or request.query_params.get("token") or ""

    def is_reviewer(request: Request) -> bool:
        if reviewer_token:
            return hmac.compare_digest(given_token(request).encode(), reviewer_token.encode())
        return is_applicant(request)

    def is_applicant(request: Request) -> bool:
        if token:
            return hmac.compare_digest(given_token(request).encode(), token.encode())
        return True

    def same_origin(request: Request) -> bool:
        site = (request.headers.get("sec-fetch-site") or "").lower()
        if site and site not in ("same-origin", "none"):
            return False
        origin = request.headers.get("origin")
        if origin is None:
            return True  # not a browser (curl, scripts): the token protects
        m = re.fullmatch(r"https?://([^/]+)", origin.strip().lower())
        host = (request.headers.get("host") or "").strip().lower()
        return m is not None and m.group(1) == host

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            ws.close()

    app = FastAPI(title="zcmask", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.workspace = ws
    app.state.review_scope = rscope

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        resp = await _guarded(request, call_next)
        for k, v in SECURITY_HEADERS.items():
            resp.headers[k] = v
        if request.url.path.startswith("/api/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    async def _guarded(request: Request, call_next: Any) -> Response:
        if allowed_hosts is not None:
            host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
            if host not in allowed_hosts:
                return _err("bad_host", "拒绝来自该主机名的访问。请用启动时显示的地址打开页面。", 403)
        path = request.url.path
        if request.method in _STATE_CHANGING and not same_origin(request):
            return _err("bad_origin", "拒绝来自其他网站的请求。请直接在 zcmask 页面中操作。", 403)
        if path.startswith("/api/"):
            ok = is_reviewer(request) if path.startswith("/api/review") else (
                is_applicant(request) or is_reviewer(request))
            if not ok:
                return _err("bad_token", "访问口令（token）不正确。请使用启动服务时显示的完整地址打开页面。", 401)
        try:
            return await call_next(request)
        except Exception as e:  # noqa: BLE001 - the last line of defence: no traceback to the browser
            known = _zcmask_error(e)  # e.g. BodyLimit's, raised while the body streamed in
            if known is not None:
                return _err(known.code, known.message, _STATUS.get(known.code, 400))
            log.exception("unhandled web error on %s", request.url.path)
            return _err("internal_error", "服务内部错误，请重试；如反复出现请把命令行窗口中的信息反馈给维护者。", 500)

    def sess(request: Request, sid: str) -> Session:
        """The session ``sid``, only for the browser holding its cookie (else "not found")."""
        secret = request.cookies.get(SESSION_COOKIE + sid) or request.headers.get("x-zcmask-session") or ""
        return ws.session(sid, secret)

    @app.exception_handler(ZcmaskError)
    async def on_zcmask(_r: Request, e: ZcmaskError) -> JSONResponse:
        return _err(e.code, e.message, _STATUS.get(e.code, 400))

    @app.exception_handler(RequestValidationError)
    async def on_validation(_r: Request, e: RequestValidationError) -> JSONResponse:
        return _err("bad_args", "请求内容不完整或格式有误，请刷新页面后重试。", 422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_r: Request, e: StarletteHTTPException) -> JSONResponse:
        msg = "找不到该地址。" if e.status_code == 404 else f"请求无法处理（{e.status_code}）。"
        return _err("http_error", msg, e.status_code)

    # ------------------------------------------------------------------ page and info

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-store"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/info")
    async def info(request: Request) -> dict[str, Any]:
        lim = ws.limits
        reviewer = is_reviewer(request)
        return {"version": __version__, "notices": [{"id": k, "title": v} for k, v in NOTICES.items()],
                "rules_available": rules_validator() is not None,
                "limits": {"max_file_mb": lim.max_file_mb, "max_total_mb": lim.max_total_mb,
                           "max_files": lim.max_files, "max_pages": lim.max_pages},
                "ocr_engine": opts.ocr_engine,
                "role": "reviewer" if reviewer and reviewer_token else "applicant",
                "applicant": is_applicant(request),
                "review": {"enabled": reviewer and rscope.enabled,
                           "roots": [str(r) for r in rscope.roots or ()] if reviewer else [],
                           "masked_only": rscope.masked_only}}

    # ------------------------------------------------------------------ sessions

    @app.post("/api/sessions")
    async def new_session() -> JSONResponse:
        s = ws.new_session()
        # The cookie binds this browser to the session; scripts may send the same
        # secret as X-Zcmask-Session instead. Nothing lists sessions.
        resp = JSONResponse({**s.to_json(), "secret": s.secret})
        resp.set_cookie(SESSION_COOKIE + s.id, s.secret, httponly=True, samesite="strict", path="/api/")
        return resp

    @app.get("/api/sessions/{sid}")
    async def get_session(sid: str, request: Request) -> dict[str, Any]:
        return sess(request, sid).to_json()

    @app.delete("/api/sessions/{sid}")
    async def drop_session(sid: str, request: Request) -> JSONResponse:
        s = sess(request, sid)
        ws.drop_session(s.id)
        resp = JSONResponse({"ok": True})
        resp.delete_cookie(SESSION_COOKIE + s.id, path="/api/")
        return resp

    @app.post("/api/sessions/{sid}/files")
    async def upload(sid: str, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        size = request.headers.get("content-length")
        if size is None or not size.isdigit():
            raise LimitError("上传请求缺少长度信息，请用页面上的上传按钮。")
        if int(size) > s.limits.max_file_bytes + (64 << 10):  # one file per request, plus form overhead
            raise LimitError(f"单个文件不能超过 {s.limits.max_file_mb:g} MB，请压缩或拆分后再上传。")
        form = await request.form(max_files=8, max_fields=8)
        names = _json_list(form.get("paths"))
        out: list[dict[str, Any]] = []
        try:
            uploads = [v for k, v in form.multi_items() if k == "files" and not isinstance(v, str)]
            if not uploads:
                raise BadArgsError("没有收到文件，请重新选择后上传。")
            for i, up in enumerate(uploads):
                name = names[i] if i < len(names) and names[i] else (up.filename or f"file{i}")
                with tempfile.NamedTemporaryFile(dir=s.root, delete=False) as tmp:
                    n = 0
                    while chunk := await up.read(1 << 20):
                        n += len(chunk)
                        if n > s.limits.max_file_bytes:
                            break
                        tmp.write(chunk)
                tmp_path = Path(tmp.name)
                try:
                    if n > s.limits.max_file_bytes:
                        out.append({"name": name, "pages": 0, "error": {
                            "code": "limit_exceeded",
                            "message": f"单个文件不能超过 {s.limits.max_file_mb:g} MB，请压缩或拆分后再上传。"}})
                    elif n == 0:
                        out.append({"name": name, "pages": 0, "error": {
                            "code": "empty_file", "message": "文件是空的（0 字节），请重新扫描或重新复制该文件。"}})
                    else:
                        out += await _in_thread(s.add_upload, name, tmp_path, n)
                finally:
                    tmp_path.unlink(missing_ok=True)
        finally:
            await form.close()
        return {"results": out, "session": s.to_json()}

    @app.delete("/api/sessions/{sid}/files")
    async def remove_file(sid: str, name: str, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        s.remove_file(name)
        return s.to_json()

    @app.post("/api/sessions/{sid}/profile")
    async def upload_profile(sid: str, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        size = request.headers.get("content-length")
        if size is None or not size.isdigit() or int(size) > MAX_PROFILE_BYTES + (64 << 10):
            raise LimitError("profile.yaml 文件过大（上限 1 MB）。")
        form = await request.form(max_files=1, max_fields=4)
        try:
            up = form.get("file")
            if up is None or isinstance(up, str):
                raise BadArgsError("没有收到 profile.yaml 文件。")
            data = await up.read()
        finally:
            await form.close()
        if len(data) > MAX_PROFILE_BYTES:
            raise LimitError("profile.yaml 文件过大（上限 1 MB）。")
        with tempfile.NamedTemporaryFile(dir=s.root, suffix=".yaml", delete=False) as tmp:
            tmp.write(data)
        try:
            ident = await _in_thread(load_profile, tmp.name)
        except InvalidConfigError as e:
            raise InvalidConfigError(e.message.replace(tmp.name, "profile.yaml")) from e
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        is_app = b"applicant:" in data
        with s.lock:
            s.application_yaml = data if is_app else None
        return {"identity": ident.to_json(), "units": [u.model_dump() for u in ident.units],
                "application": is_app}

    # ------------------------------------------------------------------ analysis & edits

    @app.post("/api/sessions/{sid}/analyse")
    async def analyse(sid: str, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        body = await _json_body(request)
        ident = _identity(body)
        opt = ws.options_for(ident)
        with s.lock:
            s.identity = ident
            key = json.dumps(ident.to_json(), ensure_ascii=False, sort_keys=True)
            todo = [p for p in s.pages if not p.analysed or p.error is not None or p.identity_key != key]
        if not s.pages:
            raise BadArgsError("请先上传要遮盖的文件（JPG、PNG 或 PDF）。")
        if await _in_thread(s.disk_bytes) > DISK_FACTOR * s.limits.max_total_bytes:
            raise LimitError("本次会话占用的磁盘空间已达上限，请点击“清空重来”后分批处理。")

        def work(job: Job) -> None:
            job.total = len(todo)
            for p in todo:
                if p.error is not None:
                    p.analysed = False
            job.current = f"{todo[0].file.rel} 第 {todo[0].page_index + 1} 页" if todo else ""
            for p in s.analyse_pages(todo, opt, ws.analysis_pool(), job.check):
                job.done += 1
                job.current = f"{p.file.rel} 第 {p.page_index + 1} 页"
            job.current = ""

        return ws.submit("analyse", work, f"s:{s.id}").to_json()

    def owned_job(request: Request, jid: str) -> Job:
        """The job ``jid``, only for its owner: the session's browser or a reviewer."""
        j = ws.job(jid)
        kind, _, oid = j.owner.partition(":")
        try:
            if kind == "s":
                sess(request, oid)
            elif kind == "r":
                if not (is_reviewer(request) and rscope.enabled):
                    raise NotFoundError()
            else:
                raise NotFoundError()
        except NotFoundError as e:
            raise NotFoundError("找不到该任务（可能服务已重启），请刷新页面。") from e
        return j

    @app.get("/api/jobs/{jid}")
    async def job(jid: str, request: Request) -> dict[str, Any]:
        return owned_job(request, jid).to_json()

    @app.post("/api/jobs/{jid}/cancel")
    async def cancel_job(jid: str, request: Request) -> dict[str, Any]:
        j = owned_job(request, jid)
        ws.cancel(j)
        return j.to_json()

    @app.get("/api/sessions/{sid}/pages/{pid}")
    async def page(sid: str, pid: int, request: Request) -> dict[str, Any]:
        return sess(request, sid).page(pid).to_json()

    @app.get("/api/sessions/{sid}/pages/{pid}/image")
    async def page_image(sid: str, pid: int, request: Request) -> FileResponse:
        s = sess(request, sid)
        p = s.page(pid)
        path = s.preview_path(p)
        if not p.analysed or not path.exists():
            raise NotFoundError("该页尚未识别完成。")
        return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.put("/api/sessions/{sid}/pages/{pid}/regions")
    async def put_regions(sid: str, pid: int, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        p = s.page(pid)
        body = await _json_body(request)
        wanted = body.get("regions")
        if not isinstance(wanted, list) or not all(isinstance(r, dict) for r in wanted):
            raise BadArgsError("regions 应为遮盖框列表。")
        s.set_regions(p, wanted, confirm=body.get("confirm_removal") is True)
        return p.to_json()

    @app.post("/api/sessions/{sid}/pages/{pid}/rotate")
    async def rotate(sid: str, pid: int, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        p = s.page(pid)
        body = await _json_body(request)
        try:
            delta = int(body.get("degrees", 90))
        except (TypeError, ValueError) as e:
            raise BadArgsError("旋转角度应为 90、180 或 270。") from e
        if s.identity is None:
            raise BadArgsError("请先填写姓名并开始识别。")
        opt = ws.options_for(s.identity)
        s.rotate(p, delta)

        def work(job: Job) -> None:
            job.total, job.current = 1, f"{p.file.rel} 第 {p.page_index + 1} 页"
            s.analyse(p, opt, ws.analysis_pool())
            job.done = 1

        return ws.submit("rotate", work, f"s:{s.id}").to_json()

    # ------------------------------------------------------------------ output

    @app.post("/api/sessions/{sid}/export")
    async def export(sid: str, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        body = await _json_body(request)
        with s.lock:
            ready = [p for p in s.pages if p.analysed and p.error is None]
        if not ready:
            raise BadArgsError("还没有识别完成的页面，请先上传文件并点击“开始识别”。")
        visible = s.visible_after_removal()
        if visible and body.get("confirm_visible") is not True:
            pages = "；".join(f"{v['file']} 第 {v['index']} 页" for v in visible[:5])
            raise ConfirmError(f"有 {len(visible)} 页删除了识别到的姓名、单位、公章或眼睛框，下载的文件中这些位置不会遮盖"
                               f"（{pages}{'…' if len(visible) > 5 else ''}）。确定仍要生成下载文件吗？")

        def work(job: Job) -> None:
            s.export(job, lambda: None)

        return ws.submit("export", work, f"s:{s.id}").to_json()

    @app.get("/api/sessions/{sid}/download")
    async def download(sid: str, request: Request) -> FileResponse:
        s = sess(request, sid)
        if s.export_path is None or not s.export_path.exists():
            raise NotFoundError("还没有生成下载文件，请先点击“下载遮盖结果”。")
        return FileResponse(s.export_path, media_type="application/zip", filename=s.export_name)

    @app.get("/api/sessions/{sid}/report")
    async def report(sid: str, request: Request) -> dict[str, Any]:
        return sess(request, sid).build_report()

    @app.post("/api/sessions/{sid}/validate")
    async def validate(sid: str, request: Request) -> dict[str, Any]:
        s = sess(request, sid)
        body = await _json_body(request)
        notice = str(body.get("notice") or "")
        if notice not in NOTICES:
            raise BadArgsError("请选择一个申报通知。")
        fn = rules_validator()
        if fn is None:
            raise WebError("本机未安装材料审核模块（zcmask.rules），暂时无法按通知审核；遮盖功能不受影响。")
        opt = s.with_cache(ws.options_for(s.identity))

        def work(job: Job) -> None:
            job.total, job.current = 1, "按通知审核全部材料"
            app_dir = s.write_application(notice)
            job.result = _call_validate(fn, app_dir, notice, opt, job)
            job.done = job.total

        return ws.submit("validate", work, f"s:{s.id}").to_json()

    # ------------------------------------------------------------------ reviewer mode

    @app.post("/api/review")
    async def review_open(request: Request) -> dict[str, Any]:
        body = await _json_body(request)
        seed = body.get("seed")
        try:
            seed_i = int(seed) if seed not in (None, "") else None
        except (TypeError, ValueError) as e:
            raise BadArgsError("随机种子应为整数。") from e
        ident = _identity(body) if str(body.get("name") or "").strip() else None
        rv = await _in_thread(open_review, str(body.get("folder") or ""), body.get("sample"), seed_i, ident,
                              rscope)
        ws.reviews[rv.id] = rv
        return rv.to_json()

    def _review(rid: str) -> Review:
        rv = ws.reviews.get(rid)
        if rv is None:
            raise NotFoundError("找不到该抽查（可能服务已重启），请重新打开文件夹。")
        return rv

    @app.get("/api/review/{rid}")
    async def review_get(rid: str) -> dict[str, Any]:
        return _review(rid).to_json()

    @app.get("/api/review/{rid}/image/{k}")
    async def review_image(rid: str, k: int) -> Response:
        rv = _review(rid)
        it = rv.item(k)
        if not it.path.is_file():
            raise NotFoundError("图片已不存在。")
        path = rv.image_path(k)
        if path.suffix.lower() in (".jpg", ".jpeg", ".png") and it.page == 0:
            kind = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
            return FileResponse(path, media_type=kind, headers={"Cache-Control": "no-store"})
        if rscope.masked_only:
            raise ForbiddenError("服务器只显示遮盖后的 JPG/PNG 页面。")
        data = await _in_thread(_render_page, path, it.page, opts)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.post("/api/review/{rid}/verdict")
    async def review_verdict(rid: str, request: Request) -> dict[str, Any]:
        rv = _review(rid)
        body = await _json_body(request)
        try:
            k = int(body.get("index", -1))
        except (TypeError, ValueError) as e:
            raise BadArgsError("抽查序号应为整数。") from e
        await _in_thread(rv.record, k, str(body.get("verdict") or ""), str(body.get("note") or ""),
                         str(body.get("reviewer") or ""))
        return rv.to_json()

    @app.post("/api/review/{rid}/audit/{k}")
    async def review_audit(rid: str, k: int, request: Request) -> dict[str, Any]:
        rv = _review(rid)
        rv.item(k)
        body = await _json_body(request)
        ident = _identity(body) if str(body.get("name") or "").strip() else None
        if ident is None and rv.item(k).identity is None:
            raise BadArgsError("不知道该页属于谁：请填写申报人姓名，或在文件夹中放置 profile.yaml。")

        def work(job: Job) -> None:
            job.total, job.current = 1, rv.item(k).page_id
            job.result = rv.audit(k, opts, ident)
            job.done = 1

        return ws.submit("audit", work, f"r:{rv.id}").to_json()

    app.add_middleware(BodyLimit, limit_for=limit_for)  # outermost: before anything reads the body
    return app


def _zcmask_error(e: BaseException, depth: int = 0) -> ZcmaskError | None:
    """The :class:`ZcmaskError` inside ``e`` (an exception group or a chained cause), if any."""
    if isinstance(e, ZcmaskError):
        return e
    if depth > 8:
        return None
    for inner in (*getattr(e, "exceptions", ()), e.__cause__, e.__context__):
        if inner is not None:
            found = _zcmask_error(inner, depth + 1)
            if found is not None:
                return found
    return None


async def _in_thread(fn: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise LimitError("请求内容过大。")
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if raw.strip() and ctype != "application/json":
        # A cross-site form can send text/plain without a CORS preflight; JSON cannot.
        raise UnsupportedMediaError()
    try:
        data = json.loads(raw or b"{}")
    except ValueError as e:
        raise BadArgsError("请求内容不是有效的 JSON，请刷新页面后重试。") from e
    if not isinstance(data, dict):
        raise BadArgsError("请求内容格式有误，请刷新页面后重试。")
    return data


def _render_page(path: Path, page: int, options: Options) -> bytes:
    from zcmask._io import encode_jpeg
    from zcmask.documents import load_page

    lp = load_page(path, page, dpi=options.dpi, max_pixels=options.max_pixels)
    return encode_jpeg(lp.image, lp.dpi, 85)


def _json_list(raw: object) -> list[str]:
    if not isinstance(raw, str) or not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    return [str(x) for x in data] if isinstance(data, list) else []


def _identity(body: dict[str, Any]) -> Identity:
    """The applicant from the page's form, through the same strict schema as ``profile.yaml``."""
    name = body.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        raise BadArgsError("请填写申报人姓名（或载入 profile.yaml），zcmask 才知道要遮盖什么。")
    try:
        return Identity.from_mapping({"name": name, "aliases": body.get("aliases") or [],
                                      "units": body.get("units") or []})
    except InvalidConfigError as e:
        raise BadArgsError(e.message) from None
    except ValueError as e:
        raise BadArgsError("姓名或单位填写有误，请检查后重试。") from e
