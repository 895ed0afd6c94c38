"""The web UI's state: sessions of uploaded files, analysed pages, hand edits and jobs.

A :class:`Workspace` owns one temporary folder for the whole server; each browser
session gets a sub-folder that is removed with it (and everything is removed when
the server stops). Long work (analysis, re-rotation, export, validation) runs as a
:class:`Job` on one background thread so requests return at once and the page
polls for progress.

Pages go through the same stages as ``zcmask mask``/``check``
(:func:`zcmask.pipeline.analyse_page`, :func:`~zcmask.pipeline.locate`,
:func:`~zcmask.pipeline.page_check_issues`), with the one
:class:`~zcmask.options.Options`. The upright image of each page is kept on disk
so hand edits are masked on exactly the pixels that were analysed. This module has
no web framework in it; :mod:`zcmask.web.app` maps it to HTTP.

What masks are drawn on is the upright page exactly as analysed. A page is kept as a
recipe (its rotation, resolution and a SHA-256 of its pixels) and rebuilt from the upload
when it is needed (a download, a new applicant's name), and the rebuilt pixels must match
the digest or nothing is masked on them; only a page flattened by ``--fix``-style light
correction is kept as PNG (lossless, a few MB, not the ~12 MB of a raw array). A session nobody has used for ``WebLimits.idle_minutes``
is removed with its files. Each session has a secret (the web layer puts it in a
cookie); this module only stores it and compares it.
"""

from __future__ import annotations

import atexit
import contextlib
import hmac
import io
import json
import logging
import re
import secrets
import shutil
import tempfile
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from PIL import Image

from zcmask._analysis_cache import pixel_digest, rebuild_upright
from zcmask._io import encode_jpeg, write_bytes_atomic
from zcmask.api import InputFile, output_names
from zcmask.documents import SUPPORTED_SUFFIXES, page_count
from zcmask.exceptions import BadArgsError, InputFileError, ZcmaskError
from zcmask.masking import MASK_KINDS, mask_regions
from zcmask.messages import KIND_ZH
from zcmask.options import Identity, Options
from zcmask.pipeline import (
    UNMASKED_CODE,
    PageAnalysis,
    PageContext,
    analyse_page,
    locate_and_assess,
    page_check_issues,
)
from zcmask.report import Report, render_html
from zcmask.results import (
    FileResult,
    Issue,
    Legibility,
    Orientation,
    PageResult,
    Region,
    SealSeen,
    TextLine,
    pages_error,
)
from zcmask.web._safety import (
    UnsafeNameError,
    WebLimits,
    extract_zip,
    inside,
    safe_relpath,
    unique_relpath,
)

log = logging.getLogger(__name__)

#: Issues the masked, upright JPG output no longer has.
FIXED_BY_OUTPUT = frozenset({"not_jpg", "rotated", "exif_rotated", "mirrored_page"})
_UNMASKED = frozenset(UNMASKED_CODE.values())
PREVIEW_SIDE = 1400
#: The ZIP's report folder: kept apart from the files to upload, and named so.
REPORT_FOLDER = "报告（不要上传）"
MAX_REGIONS_PER_PAGE = 400


class WebError(ZcmaskError):
    """A request the web UI cannot honour; the message is shown to the user."""

    code = "web_error"


class NotFoundError(WebError):
    code = "not_found"
    default_message = "找不到该会话或页面（可能服务已重启），请刷新页面后重新上传。"


class LimitError(WebError):
    code = "limit_exceeded"


class ConfirmError(WebError):
    """The request needs the user's explicit confirmation (the page asks, then repeats it)."""

    code = "confirm_needed"


class ForbiddenError(WebError):
    code = "forbidden"
    default_message = "当前口令无权进行该操作。"


class JobCancelled(WebError):
    code = "cancelled"
    default_message = "已取消。"


#: Kinds whose removal by hand leaves the applicant visible (the page asks first).
SENSITIVE_KINDS = frozenset({"name", "unit", "seal", "eyes", "signature", "id_number"})


# ----------------------------------------------------------------------------- jobs


@dataclass
class Job:
    """Background work with progress the page polls: ``done`` of ``total`` steps."""

    id: str
    kind: str
    total: int = 0
    done: int = 0
    state: str = "queued"  # queued | running | done | error | cancelled
    current: str = ""
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    owner: str = ""  # "s:<session id>" or "r:<review id>": who may see and cancel it
    cancelled: bool = False
    ahead: int = 0  # jobs queued before this one when it was submitted

    def check(self) -> None:
        """Raise :class:`JobCancelled` once the user has cancelled this job."""
        if self.cancelled:
            raise JobCancelled()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "total": self.total, "done": self.done,
                "state": self.state, "current": self.current, "message": self.message,
                "result": self.result, "ahead": self.ahead if self.state == "queued" else 0}


# ----------------------------------------------------------------------------- pages


@dataclass
class UploadedFile:
    """One uploaded document (or the error that stops it being read)."""

    rel: str
    path: Path
    pages: int = 0
    error: tuple[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.rel, "pages": self.pages,
                "error": None if self.error is None else {"code": self.error[0], "message": self.error[1]}}


@dataclass
class PageState:
    """One page as the UI shows it: detected regions, hand edits and issues."""

    pid: int
    file: UploadedFile
    page_index: int
    analysed: bool = False
    identity_key: str = ""
    width: int = 0
    height: int = 0
    dpi: int = 200
    format: str = ""
    exif_rotation: int = 0
    orientation: Orientation = field(default_factory=Orientation)
    rotation_override: int | None = None
    legibility: Legibility = field(default_factory=Legibility)
    lines: tuple[TextLine, ...] = ()
    auto: list[Region] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    region_ids: list[str] = field(default_factory=list)
    removed: list[Region] = field(default_factory=list)
    seals: tuple[SealSeen, ...] = ()
    issues: list[Issue] = field(default_factory=list)
    error: tuple[str, str] | None = None
    version: int = 0
    seconds: float = 0.0

    @property
    def rotation(self) -> int:
        return self.orientation.rotation

    def uncovered(self) -> list[Region]:
        """Detected regions removed by hand that no remaining box covers (still visible)."""
        return [r for r in self.removed if r.kind in SENSITIVE_KINDS and not _covered(r.bbox, self.regions)]

    def removal_issues(self) -> list[Issue]:
        """A warning per detected box removed by hand whose place stays visible."""
        return [Issue("removed_detection", "warning",
                      f"已手工删除识别到的{KIND_ZH.get(r.kind, r.kind)}框"
                      f"{'“' + r.text + '”' if r.text else ''}，下载的文件中该处不会遮盖。"
                      "若是误识别可保留现状；否则请重新框选遮盖。", r.bbox)
                for r in self.uncovered()]

    def to_json(self) -> dict[str, Any]:
        regs = []
        for rid, r in zip(self.region_ids, self.regions, strict=True):
            d = r.to_json()
            d["id"] = rid
            regs.append(d)
        return {
            "id": self.pid, "file": self.file.rel, "index": self.page_index + 1,
            "analysed": self.analysed, "version": self.version,
            "width": self.width, "height": self.height, "dpi": self.dpi,
            "rotation": self.rotation, "orientation": self.orientation.to_json(),
            "legibility": self.legibility.to_json(),
            "regions": regs,
            "removed": [dict(r.to_json(), source="manual") for r in self.removed],
            "visible": [r.to_json() for r in self.uncovered()],
            "issues": [web_issue(i, self).to_json() for i in (*self.issues, *self.removal_issues())],
            "error": None if self.error is None else {"code": self.error[0], "message": self.error[1]},
        }


def _identity_key(ident: Identity | None) -> str:
    return json.dumps(ident.to_json() if ident else None, ensure_ascii=False, sort_keys=True)


_CLI_HINT = re.compile(r"[，,；;]?\s*(?:或)?(?:可)?用\s*(?:zcmask|--fix)[^，。；）)]*[）)]?|（可用 zcmask [^）]*）")


def web_issue(i: Issue, p: PageState) -> Issue:
    """The issue as the web page says it: what the download already fixes, no command-line advice.

    ``not_jpg``, ``rotated``, ``mirrored_page`` and ``exif_rotated`` are fixed by the
    downloaded JPG; the other messages lose their ``zcmask check --fix`` hints.
    """
    if i.code == "not_jpg":
        return Issue(i.code, i.severity, f"原文件不是 JPG（{(p.format or '其他格式').upper()}），下载的文件已转换为 JPG。",
                     i.bbox)
    if i.code == "rotated":
        how = "已按你手工指定的方向" if p.orientation.source == "manual" else "已自动识别方向并"
        return Issue(i.code, i.severity, f"原页面方向不正，{how}转正：下载的 JPG 是正向的。"
                     "若方向仍不对，请用本页的“向左转/向右转”按钮调整。", i.bbox)
    if i.code == "mirrored_page":  # the download is the page flipped back, as a turned page is turned back
        return Issue(i.code, i.severity, "原页面是左右镜像的（字是反的，常见于前置摄像头拍摄），下载的 JPG 已翻转回来。"
                     "以后请用后置摄像头拍摄。", i.bbox)
    if i.code == "exif_rotated":
        return Issue(i.code, i.severity, "原图片靠 EXIF 方向标记才显示为正向（平台会忽略该标记），下载的 JPG 已转正。",
                     i.bbox)
    msg = _CLI_HINT.sub("", i.message)
    if "zcmask" in msg or "--fix" in msg:
        msg = re.sub(r"[^。]*(?:zcmask|--fix)[^。]*。?", "", msg).strip() or "请按页面提示处理后重新上传。"
    return i if msg == i.message else Issue(i.code, i.severity, msg, i.bbox)


def _covered(b: tuple[int, int, int, int], regions: list[Region], share: float = 0.9) -> bool:
    """True when the union of ``regions`` covers at least ``share`` of box ``b``."""
    x0, y0, x1, y1 = b
    w, h = max(0, x1 - x0), max(0, y1 - y0)
    if not w or not h:
        return True
    grid = np.zeros((h, w), bool)
    for r in regions:
        if r.kind not in MASK_KINDS and r.kind != "manual":
            continue
        a0, b0, a1, b1 = max(x0, r.bbox[0]), max(y0, r.bbox[1]), min(x1, r.bbox[2]), min(y1, r.bbox[3])
        if a1 > a0 and b1 > b0:
            grid[b0 - y0:b1 - y0, a0 - x0:a1 - x0] = True
    return float(grid.mean()) >= share


def turn_box(b: tuple[int, int, int, int], quarter_turns_cw: int, w: int, h: int) -> tuple[int, int, int, int]:
    """Map a box on a ``w`` x ``h`` image through clockwise quarter turns of the image."""
    x0, y0, x1, y1 = b
    for _ in range(quarter_turns_cw % 4):
        x0, y0, x1, y1 = h - y1, x0, h - y0, x1
        w, h = h, w
    return x0, y0, x1, y1


# ----------------------------------------------------------------------------- sessions


class Session:
    """One browser session: its uploads folder, pages, applicant and edits."""

    def __init__(self, sid: str, root: Path, limits: WebLimits) -> None:
        self.id = sid
        self.secret = secrets.token_urlsafe(32)
        self.last_seen = time.monotonic()
        self.root = root
        self.uploads = root / "uploads"
        self.work = root / "work"
        self.uploads.mkdir(parents=True)
        self.work.mkdir()
        self.limits = limits
        self.files: dict[str, UploadedFile] = {}
        self.pages: list[PageState] = []
        self.identity: Identity | None = None
        self.application_yaml: bytes | None = None
        self.bytes_used = 0
        self.lock = threading.RLock()
        self.export_path: Path | None = None
        self.export_name = ""
        self.last_report: dict[str, Any] | None = None
        #: pages being read in worker processes (see :meth:`Workspace.drop_session`)
        self.reading: set[Future[WebAnalysis]] = set()
        #: set when the session is dropped: a reading that finishes after that is thrown away
        self.dropped = False

    def owned_by(self, secret: str) -> bool:
        """True when ``secret`` is this session's (constant-time comparison)."""
        return hmac.compare_digest(secret.encode(), self.secret.encode())

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    # -- uploads -------------------------------------------------------------

    def add_upload(self, name: str, data_path: Path, size: int) -> list[dict[str, Any]]:
        """Take one uploaded file (already spooled to ``data_path``) into the session.

        Returns one entry per document added or refused; never raises for a bad
        file, so one bad upload does not stop the others.
        """
        try:
            rel = safe_relpath(name)
        except UnsafeNameError as e:
            return [{"name": name, "error": {"code": "unsafe_name", "message": str(e)}}]
        with self.lock:
            if len(self.files) >= self.limits.max_files:
                return [_refused(str(rel), f"每次最多处理 {self.limits.max_files} 个文件，请分批处理。")]
            if self.bytes_used + size > self.limits.max_total_bytes:
                return [_refused(str(rel), f"上传总量超过 {self.limits.max_total_mb:g} MB，请分批处理。")]
        if rel.suffix.lower() == ".zip":
            return self._add_zip(rel, data_path)
        if rel.suffix.lower() not in SUPPORTED_SUFFIXES:
            from zcmask.documents._read import CONVERT_ADVICE, unsupported_message

            how = (unsupported_message(rel.suffix) if rel.suffix.lower() in CONVERT_ADVICE
                   else "不支持的文件类型，请上传 JPG、PNG、PDF 或手机 HEIC 照片（或包含它们的 ZIP 压缩包）。")
            return [_refused(str(rel), how, "unsupported_format")]
        dest = inside(self.uploads, rel)
        if str(rel) in self.files:
            return [_refused(str(rel), "已上传过同名文件，已忽略本次上传（保留先前上传的那份）。", "duplicate")]
        if dest.exists():  # the name of a folder, or of a renamed archive member
            rel = unique_relpath(rel, lambda q: str(q) in self.files or inside(self.uploads, q).exists())
            dest = inside(self.uploads, rel)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(data_path), dest)
        except OSError as e:
            log.info("upload %s not stored: %s", rel, e)
            return [_refused(str(rel), "无法保存该文件：路径与已上传的文件同名（如 f.jpg 与 f.jpg/g.jpg）。"
                                       "请重命名后再上传。", "unsafe_name")]
        with self.lock:
            self.bytes_used += size
        return [self._register(str(rel), dest)]

    def _add_zip(self, rel: PurePosixPath, archive: Path) -> list[dict[str, Any]]:
        prefix = rel.with_suffix("")
        with self.lock:
            budget = self.limits.max_total_bytes - self.bytes_used
        members, written = extract_zip(archive, self.uploads, prefix=prefix, limits=self.limits,
                                       budget=budget, taken=lambda q: str(q) in self.files)
        with self.lock:
            self.bytes_used += written
        out = []
        for m in members:
            if m.path is None:
                out.append(_refused(m.name, m.error or "无法解压该文件。", "archive_member"))
            else:
                res = self._register(m.name, m.path)
                if m.note and res.get("error") is None:
                    res["note"] = m.note
                out.append(res)
        if not members:
            out.append(_refused(str(rel), "压缩包中没有 JPG、PNG 或 PDF 文件。", "empty_archive"))
        return out

    def _register(self, rel: str, path: Path) -> dict[str, Any]:
        f = UploadedFile(rel, path)
        try:
            f.pages = page_count(path)
        except ZcmaskError as e:
            f.error = (e.code, e.message)
        except Exception as e:  # noqa: BLE001 - a bad upload must show a message, not a trace
            log.exception("page count failed for %s", rel)
            f.error = ("unreadable_file", f"文件无法读取（{type(e).__name__}），请重新扫描或导出为 JPG 后上传。")
        with self.lock:
            if f.error is None and len(self.pages) + f.pages > self.limits.max_pages:
                f.error = ("too_many_pages",
                           f"页数已超过每次 {self.limits.max_pages} 页的上限，该文件未加入。请分批处理。")
                f.pages = 0
            if len(self.files) >= self.limits.max_files:
                return _refused(rel, f"每次最多处理 {self.limits.max_files} 个文件，请分批处理。")
            self.files[rel] = f
            for i in range(f.pages):
                self.pages.append(PageState(len(self.pages), f, i))
        return f.to_json()

    def remove_file(self, rel: str) -> None:
        with self.lock:
            f = self.files.pop(rel, None)
            if f is None:
                raise NotFoundError("找不到该文件。")
            self.pages = [p for p in self.pages if p.file is not f]
            with contextlib.suppress(OSError):
                f.path.unlink()

    def page(self, pid: int) -> PageState:
        with self.lock:
            for p in self.pages:
                if p.pid == pid:
                    return p
        raise NotFoundError()

    # -- state -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "identity": self.identity.to_json() if self.identity else None,
                "files": [f.to_json() for f in sorted(self.files.values(), key=lambda f: f.rel)],
                "pages": [p.to_json() for p in sorted(self.pages, key=lambda p: (p.file.rel, p.page_index))],
                "limits": {"max_file_mb": self.limits.max_file_mb, "max_total_mb": self.limits.max_total_mb,
                           "max_files": self.limits.max_files, "max_pages": self.limits.max_pages},
            }

    # -- analysis ----------------------------------------------------------------

    def image_path(self, p: PageState) -> Path:
        return self.work / f"p{p.pid}.page"  # a recipe to rebuild the page, or its PNG (see _keep_page)

    def load_image(self, p: PageState) -> np.ndarray:
        """The upright page image that was analysed, ``(H, W, 3) uint8``.

        Raises
        ------
        InputFileError
            When the page rebuilt from its upload is not, pixel for pixel, the page
            that was analysed (its file was changed): nothing may be masked on it.

        """
        path = self.image_path(p)
        with path.open("rb") as f:
            head = f.read(1)
        if head == b"{":
            return _rebuild_page(p, json.loads(path.read_bytes()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own file, checked on input
            with Image.open(path) as im:
                return np.asarray(im.convert("RGB"))

    def disk_bytes(self) -> int:
        """Bytes this session holds on disk (uploads, page images, previews, downloads)."""
        total = 0
        for f in self.root.rglob("*"):
            with contextlib.suppress(OSError):
                if f.is_file():
                    total += f.stat().st_size
        return total

    def preview_path(self, p: PageState) -> Path:
        return self.work / f"p{p.pid}-v{p.version}.jpg"

    def with_cache(self, options: Options) -> Options:
        """``options`` keeping page analyses in this session's folder (removed with the session).

        The notice check then reads the analyses of the pages it shares with the
        masking view instead of reading them again (:mod:`zcmask._analysis_cache`).
        """
        if not options.cache:
            return options
        return options.model_copy(update={"cache_dir": self.root / ".zcmask-cache"})

    def analyse(self, p: PageState, options: Options, executor: Executor | None = None) -> None:
        """Analyse one page (OCR at most once per rotation) and locate the applicant on it."""
        for _ in self.analyse_pages([p], options, executor):
            pass

    def analyse_pages(self, pages: list[PageState], options: Options, executor: Executor | None = None,
                      check: Callable[[], None] | None = None) -> Iterator[PageState]:
        """Analyse ``pages``, yielding each one as it is done (in the order they finish).

        Pages that need reading go to ``executor`` (the workspace's worker processes,
        which keep the models loaded) when there is one: on two cores a 12-page folder
        then takes about the time ``zcmask mask`` takes. Pages whose reading is reused
        (only the applicant changed) are located here, which needs no models.
        ``check`` runs between pages and may raise to stop (a cancelled job); pages
        already handed to a worker are then abandoned, not waited for.
        """
        options = self.with_cache(options)
        fresh = [] if executor is None else [p for p in pages if not self._reusable(p)]
        for p in pages:
            if p not in fresh:
                if check:
                    check()
                self._apply(p, options, self._analyse_here(p, options))
                yield p
        if executor is None or not fresh:
            return
        futures: dict[Future[WebAnalysis], PageState] = {}
        for p in fresh:
            kept, preview = self._scratch(p)
            fut = executor.submit(analyse_for_web, self._context(p, options), str(kept), str(preview))
            futures[fut] = p
            self.reading.add(fut)
            fut.add_done_callback(self.reading.discard)
        applied: set[Future[WebAnalysis]] = set()
        try:
            for fut in as_completed(futures):
                if check:
                    check()
                if self.dropped:
                    return  # its folder is gone; the files a worker wrote are removed after it
                applied.add(fut)
                self._apply(futures[fut], options, fut.result())
                yield futures[fut]
        finally:
            for fut in futures.keys() - applied:
                if not fut.cancel():
                    # abandoned while a worker reads it: its files are never used, only removed
                    fut.add_done_callback(_discard_files)

    def _context(self, p: PageState, options: Options) -> PageContext:
        return PageContext(str(p.file.path), p.page_index, options, "check", rotation_override=p.rotation_override)

    def _reusable(self, p: PageState) -> bool:
        """True when the page's reading can be reused (only the applicant changed)."""
        return p.analysed and p.error is None and self.image_path(p).exists()

    def _scratch(self, p: PageState) -> tuple[Path, Path]:
        """Fresh names for one reading's upright image and preview.

        Each reading writes its own files and only :meth:`_apply` moves them into
        place: a reading abandoned by a cancelled job may still finish in a worker
        after the page was read again (turned, say), and must not overwrite the
        image the page's regions refer to.
        """
        token = secrets.token_hex(6)
        return self.work / f"p{p.pid}-{token}.page", self.work / f"p{p.pid}-{token}.jpg"

    def _analyse_here(self, p: PageState, options: Options) -> WebAnalysis:
        kept, preview = self._scratch(p)
        if self._reusable(p):
            reuse = PageAnalysis(self.load_image(p), p.dpi, p.format, p.orientation, p.lines, p.exif_rotation)
            return analyse_for_web(self._context(p, options), "", str(preview), reuse)
        return analyse_for_web(self._context(p, options), str(kept), str(preview))

    def _apply(self, p: PageState, options: Options, done: WebAnalysis) -> None:
        """Make a finished analysis the page's new version."""
        if done.error is not None:
            _discard(done)
            self._failed(p, *done.error)
            return
        try:
            if done.image:
                Path(done.image).replace(self.image_path(p))
            # The preview must exist before the new version is visible to the page.
            Path(done.preview).replace(self.work / f"p{p.pid}-v{p.version + 1}.jpg")
        except FileNotFoundError:
            if self.dropped:  # dropped while the page was read: its folder was removed under it
                return
            raise
        with self.lock:
            manual = [(rid, r) for rid, r in zip(p.region_ids, p.regions, strict=True) if r.source == "manual"]
            old_preview = self.preview_path(p)
            p.version += 1
            p.analysed, p.error = True, None
            p.identity_key = _identity_key(options.identity)
            p.width, p.height, p.dpi, p.format = done.width, done.height, done.dpi, done.format
            p.exif_rotation, p.orientation, p.lines = done.exif_rotation, done.orientation, done.lines
            p.legibility, p.issues, p.seals = done.legibility, list(done.issues), done.seals
            p.auto = list(done.regions)
            p.regions = list(done.regions) + [r for _, r in manual]
            p.region_ids = [f"a{i}" for i in range(len(done.regions))] + [rid for rid, _ in manual]
            p.removed = []
            p.seconds = done.seconds
        old_preview.unlink(missing_ok=True)

    def _failed(self, p: PageState, code: str, message: str) -> None:
        with self.lock:
            p.version += 1
            p.analysed, p.error = True, (code, message)
            p.auto, p.regions, p.region_ids, p.removed, p.issues = [], [], [], [], []

    def set_regions(self, p: PageState, wanted: list[dict[str, Any]], confirm: bool = False) -> None:
        """Replace a page's regions with what the user now wants, recording every change.

        ``wanted`` holds ``{id, kind, bbox}``. An automatic region (``id`` ``a<n>``)
        whose box is unchanged keeps its source; one that was moved or resized
        becomes ``source: "manual"``; one left out is recorded in ``removed``; any
        other entry is a new manual box. Removing a detected name, unit, seal
        or eyes box (newly) raises :class:`ConfirmError` unless ``confirm``.
        """
        if not p.analysed or p.error is not None:
            raise WebError("该页尚未识别成功，无法编辑。")
        if len(wanted) > MAX_REGIONS_PER_PAGE:
            raise LimitError(f"每页最多 {MAX_REGIONS_PER_PAGE} 个遮盖框。")
        auto = {f"a{i}": r for i, r in enumerate(p.auto)}
        regions: list[Region] = []
        ids: list[str] = []
        seen: set[str] = set()
        for k, item in enumerate(wanted):
            bbox = _clean_bbox(item.get("bbox"), p.width, p.height)
            if bbox is None:
                continue
            rid = str(item.get("id") or f"m{k}")
            if rid in seen:
                rid = f"{rid}_{k}"
            seen.add(rid)
            base = auto.get(rid)
            if base is not None:
                regions.append(base if tuple(base.bbox) == bbox else
                               Region(base.kind, bbox, base.text, "manual", 1.0))
            else:
                kind = str(item.get("kind") or "manual")
                kind = kind if kind in MASK_KINDS else "manual"
                regions.append(Region(kind, bbox, "", "manual", 1.0))
            ids.append(rid)
        removed = [r for rid, r in auto.items() if rid not in seen]
        newly = [r for r in removed if r.kind in SENSITIVE_KINDS and r not in p.removed
                 and not _covered(r.bbox, regions)]
        if newly and not confirm:
            what = "、".join(dict.fromkeys(KIND_ZH.get(r.kind, r.kind) + (f"“{r.text}”" if r.text else "")
                                          for r in newly))
            raise ConfirmError(f"要删除识别到的{what}框吗？删除后下载的文件中该处不会遮盖，"
                               "申报人的信息会被评审专家看到。只有确认是误识别时才删除。")
        with self.lock:
            p.regions, p.region_ids = regions, ids
            p.removed = removed

    def rotate(self, p: PageState, delta_cw: int) -> None:
        """Turn the upright page ``delta_cw`` degrees clockwise; manual boxes turn with it."""
        if delta_cw % 90:
            raise BadArgsError("只能按 90° 的倍数旋转。")
        turns = (delta_cw // 90) % 4
        with self.lock:
            manual = [(rid, Region(r.kind, turn_box(r.bbox, turns, p.width, p.height), r.text, r.source,
                                   r.score))
                      for rid, r in zip(p.region_ids, p.regions, strict=True) if r.source == "manual"]
            p.rotation_override = (p.rotation - 90 * turns) % 360
            p.regions = [r for _, r in manual]
            p.region_ids = [rid for rid, _ in manual]
            p.analysed = False  # the upright image changes: decode and read it again
            p.auto = []

    # -- output ----------------------------------------------------------------

    def build_report(self, outputs: dict[int, str] | None = None,
                     hidden: dict[int, list[Region]] | None = None) -> dict[str, Any]:
        """The ``zcmask.report/1`` mask report of this session, with hand edits."""
        outputs = outputs or {}
        hidden = hidden or {}
        with self.lock:
            files: list[FileResult] = []
            extra: dict[tuple[int, int], dict[str, Any]] = {}
            for fi, f in enumerate(sorted(self.files.values(), key=lambda f: f.rel)):
                if f.error is not None:
                    files.append(FileResult(f.rel, None, "error", (), f.error))
                    continue
                pages = []
                for p in (q for q in self.pages if q.file is f):
                    pages.append(self._page_result(p, outputs.get(p.pid), hidden.get(p.pid)))
                    extra[(fi, pages[-1].index)] = {
                        "removed_regions": [dict(r.to_json(), source="manual") for r in p.removed],
                        "rotation_source": p.orientation.source,
                    }
                failed = pages_error(pages)
                if failed:
                    files.append(FileResult(f.rel, _sha(f.path), "error", tuple(pages), failed))
                else:
                    files.append(FileResult(f.rel, _sha(f.path), "ok", tuple(pages)))
            data = Report("mask", self.identity, tuple(files)).to_json()
        data["generator"] = "zcmask serve"
        for fi, fd in enumerate(data["files"]):
            for pd in fd["pages"]:  # a mask report lists the written pages only
                pd.update(extra.get((fi, pd["index"]), {}))
        return data

    def _page_result(self, p: PageState, output: str | None, hidden: list[Region] | None) -> PageResult:
        if not p.analysed:
            return PageResult(p.page_index + 1, 0, 0, p.dpi, 0, Orientation(0, 0.0, "none"),
                              Legibility(False, 0.0), (), (), error=("not_analysed", "该页尚未识别，请先点击“开始识别”。"))
        if p.error is not None:
            return PageResult(p.page_index + 1, 0, 0, p.dpi, 0, Orientation(0, 0.0, "none"),
                              Legibility(False, 0.0), (), (), error=p.error)
        issues = tuple(i for i in p.issues if i.code not in FIXED_BY_OUTPUT and i.code not in _UNMASKED)
        issues += tuple(p.removal_issues())
        return PageResult(p.page_index + 1, p.width, p.height, p.dpi, p.rotation, p.orientation,
                          p.legibility, tuple(hidden if hidden is not None else p.regions), issues,
                          output=output, seals=p.seals, text_chars=sum(len(ln.chars) for ln in p.lines),
                          seconds=p.seconds)

    def visible_after_removal(self) -> list[dict[str, Any]]:
        """Pages where a detected box was removed by hand and nothing covers its place."""
        with self.lock:
            return [{"page": p.pid, "file": p.file.rel, "index": p.page_index + 1,
                     "kinds": sorted({r.kind for r in p.uncovered()})}
                    for p in self.pages if p.analysed and p.error is None and p.uncovered()]

    def export(self, job: Job, progress: Callable[[], None]) -> Path:
        """Write the zip: upright masked JPGs named for upload, plus JSON and HTML reports.

        The masked files sit at the top of the archive, exactly as they are to be
        uploaded; the reports go in a separate ``报告（不要上传）`` folder.
        """
        with self.lock:
            files = [f for f in self.files.values() if f.error is None and f.pages]
            pages = [p for p in self.pages if p.file.error is None]
        inputs = [InputFile(f.path, f.rel, Path(*PurePosixPath(f.rel).parts)) for f in files]
        names = output_names(inputs, {f.path: f.pages for f in files}, Path(), identity=self.identity)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = self.root / f"zcmask-masked-{stamp}.zip"
        outputs: dict[int, str] = {}
        hidden: dict[int, list[Region]] = {}
        job.total = len(pages) + 1
        buf = dest.with_suffix(".part")
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
            for p in pages:
                job.current = f"{p.file.rel} 第 {p.page_index + 1} 页"
                job.check()
                if p.analysed and p.error is None:
                    image = self.load_image(p)
                    masked, hid = mask_regions(image, p.regions)
                    name = names[(p.file.path, p.page_index)].as_posix()
                    zf.writestr(name, encode_jpeg(masked, p.dpi, 92))
                    outputs[p.pid], hidden[p.pid] = name, hid
                job.done += 1
                progress()
            data = self.build_report(outputs, hidden)
            zf.writestr(f"{REPORT_FOLDER}/zcmask-report.json", json.dumps(data, ensure_ascii=False, indent=2))
            zf.writestr(f"{REPORT_FOLDER}/zcmask-report.html", render_html(data))
        buf.replace(dest)
        with self.lock:
            if self.export_path is not None and self.export_path != dest:
                self.export_path.unlink(missing_ok=True)
            self.export_path, self.export_name, self.last_report = dest, dest.name, data
        job.done = job.total
        job.result = {"download": dest.name, "summary": data["summary"], "report_folder": REPORT_FOLDER,
                      "skipped": sum(1 for p in pages if p.pid not in outputs),
                      "visible": self.visible_after_removal()}
        return dest

    def write_application(self, notice: str) -> Path:
        """Lay the uploads out as an application folder for ``zcmask validate``."""
        app = self.uploads
        if self.application_yaml is not None:
            write_bytes_atomic(app / "application.yaml", self.application_yaml)
        else:
            import yaml

            ident = self.identity
            data = {"applicant": {"name": ident.name if ident else "",
                                  "aliases": list(ident.aliases) if ident else [],
                                  "units": [{"name": u.name, "aliases": list(u.aliases)}
                                            for u in (ident.units if ident else ())]}}
            write_bytes_atomic(app / "application.yaml",
                               yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))
        return app


def _refused(name: str, message: str, code: str = "limit_exceeded") -> dict[str, Any]:
    return {"name": name, "pages": 0, "error": {"code": code, "message": message}}


def _sha(path: Path) -> str | None:
    from zcmask._io import sha256_file

    try:
        return sha256_file(path)
    except OSError:
        return None


def _clean_bbox(raw: object, w: int, h: int) -> tuple[int, int, int, int] | None:
    if not isinstance(raw, (list, tuple)) or len(raw) != 4:
        raise BadArgsError("遮盖框坐标应为 [x0, y0, x1, y1]。")
    try:
        x0, y0, x1, y1 = (round(float(v)) for v in raw)
    except (TypeError, ValueError) as e:
        raise BadArgsError("遮盖框坐标应为数字。") from e
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return x0, y0, x1, y1


@dataclass(frozen=True)
class WebAnalysis:
    """One page analysed for the web page: what a worker process sends back (small, picklable).

    The upright image and its preview are written to disk by whoever analysed the
    page; ``preview`` names the preview, which the session renames to its version.
    """

    width: int = 0
    height: int = 0
    dpi: int = 200
    format: str = ""
    exif_rotation: int = 0
    orientation: Orientation = field(default_factory=Orientation)
    lines: tuple[TextLine, ...] = ()
    legibility: Legibility = field(default_factory=Legibility)
    issues: tuple[Issue, ...] = ()
    seals: tuple[SealSeen, ...] = ()
    regions: tuple[Region, ...] = ()
    image: str = ""  # the kept upright page, recipe or PNG ("" when the reading was reused)
    preview: str = ""
    seconds: float = 0.0
    error: tuple[str, str] | None = None


def _discard(done: WebAnalysis) -> None:
    for f in (done.image, done.preview):
        if f:
            Path(f).unlink(missing_ok=True)


def _discard_files(fut: Future[WebAnalysis]) -> None:
    if not fut.cancelled() and fut.exception() is None:
        _discard(fut.result())


def analyse_for_web(ctx: PageContext, image_path: str, preview_path: str,
                    reuse: PageAnalysis | None = None) -> WebAnalysis:
    """Read one page (or reuse its reading), locate the applicant, and write its images.

    Runs in the server's thread or in a worker process; never raises: a page that
    fails becomes ``WebAnalysis.error`` and the other pages go on. The upright page
    goes to ``image_path`` (unless the reading is reused) and its preview to
    ``preview_path``; the session moves them into place.
    """
    t0 = time.perf_counter()
    image_path = "" if reuse is not None else image_path
    try:
        an = reuse
        if an is None:
            an = analyse_page(ctx)
            _keep_page(ctx, an, Path(image_path))
        (regions, seals, issues), (legibility, leg_issues) = locate_and_assess(an, ctx.options)
        issues += page_check_issues(ctx, an, [], legibility, leg_issues)
        _write_preview(an.image, Path(preview_path))
    except ZcmaskError as e:
        return WebAnalysis(error=(e.code, e.message), image=image_path, preview=preview_path)
    except MemoryError:
        return WebAnalysis(error=("out_of_memory", "处理该页时内存不足，请缩小图片后重试。"),
                           image=image_path, preview=preview_path)
    except Exception as e:  # noqa: BLE001 - one bad page must never stop the others
        log.exception("web analysis failed on %s page %d", ctx.input_path, ctx.page_index + 1)
        return WebAnalysis(error=("internal_error",
                                  f"处理该页时发生内部错误（{type(e).__name__}），请换一份文件重试或反馈维护者。"),
                           image=image_path, preview=preview_path)
    h, w = an.image.shape[:2]
    return WebAnalysis(width=w, height=h, dpi=an.dpi, format=an.format, exif_rotation=an.exif_rotation,
                       orientation=an.orientation, lines=tuple(an.lines), legibility=legibility,
                       issues=tuple(issues), seals=tuple(seals), regions=tuple(regions), image=image_path,
                       preview=preview_path, seconds=time.perf_counter() - t0)


def _keep_page(ctx: PageContext, an: PageAnalysis, dest: Path) -> None:
    """Keep what the page's masks will be drawn on: a recipe to rebuild it, or its pixels.

    A page that is its upload decoded and turned upright is rebuilt on demand
    (:func:`_rebuild_page`) from a few bytes instead of being written as a 3.7 MB PNG
    (0.11 s of CPU for a 200 dpi A4 page, paid by every page analysed); a page whose
    light was corrected is kept as PNG.
    """
    if an.fix is not None:
        _save_png(an.image, dest)
        return
    recipe = {"rotation": an.orientation.rotation, "mirrored": an.orientation.mirrored, "dpi": ctx.options.dpi,
              "max_pixels": ctx.options.max_pixels, "digest": pixel_digest(an.image)}  # the digest covers the shape
    write_bytes_atomic(dest, json.dumps(recipe).encode())


def _rebuild_page(p: PageState, recipe: dict[str, Any]) -> np.ndarray:
    """The analysed upright page rebuilt from its upload, checked against its digest."""
    rebuilt = rebuild_upright(str(p.file.path), p.page_index, recipe["rotation"], recipe["digest"],
                              dpi=recipe["dpi"], max_pixels=recipe["max_pixels"],
                              flatten=False, mirrored=recipe.get("mirrored", False))  # flattened pages are kept as PNG
    if rebuilt is None:
        raise InputFileError(f"{p.file.rel} 第 {p.page_index + 1} 页与识别时的图像不一致（文件在识别后被改动？），"
                             "为免遮错位置，请重新上传该文件并重新识别。")
    return rebuilt[3]


def _save_png(image: np.ndarray, dest: Path) -> None:
    """Write the upright page as a lossless PNG, quickly.

    Every page the web page reads is written once and read back only for a page
    turn or the download, so the write is what counts: OpenCV at zlib level 1 with
    no PNG row filter takes 0.11 s for a 200 dpi A4 page, where Pillow's adaptive
    filters took 0.24 s, for the same size of file (3.7 MB on ``a1``) and the same
    pixels (docs/topics/speed.md).
    """
    import cv2

    params = [cv2.IMWRITE_PNG_COMPRESSION, 1]
    if hasattr(cv2, "IMWRITE_PNG_FILTER"):
        params += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE]
    ok, buf = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGR), params)
    if not ok:  # pragma: no cover - OpenCV's PNG encoder fails only without memory
        raise MemoryError("PNG encoding failed")
    write_bytes_atomic(dest, buf.tobytes())


def _write_preview(image: np.ndarray, dest: Path) -> None:
    im = Image.fromarray(image, "RGB")
    scale = PREVIEW_SIDE / max(im.size)
    if scale < 1:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                       Image.Resampling.BILINEAR)
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=85)
    write_bytes_atomic(dest, out.getvalue())


# ----------------------------------------------------------------------------- workspace


class Workspace:
    """Every session and job of one server, in one temporary folder removed on close."""

    def __init__(self, options: Options, limits: WebLimits | None = None,
                 root: Path | None = None, workers: int = 1) -> None:
        self.options = options
        self.limits = limits or WebLimits()
        #: worker processes that read pages for the analysis job (1: in the job's thread)
        self.workers = max(1, workers)
        self._pool: Executor | None = None
        self.root = Path(tempfile.mkdtemp(prefix="zcmask-web-", dir=root))
        self.sessions: dict[str, Session] = {}
        self.jobs: dict[str, Job] = {}
        self.reviews: dict[str, Any] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zcmask-web")
        self._lock = threading.Lock()
        self.closed = False
        # Also on a plain interpreter exit (the server's lifespan normally does it first).
        atexit.register(self.close)

    def new_session(self) -> Session:
        self.expire_idle()
        sid = secrets.token_urlsafe(18)
        with self._lock:
            if len(self.sessions) >= self.limits.max_sessions:
                raise LimitError("服务器上同时进行的会话过多，请稍后再试，或请管理员调大上限。")
            s = Session(sid, self.root / sid, self.limits)
            self.sessions[sid] = s
        return s

    def session(self, sid: str, secret: str | None = None) -> Session:
        """The session ``sid``; with ``secret``, only when it is that session's secret.

        A wrong secret reads exactly like an unknown id, so ids cannot be probed.
        """
        self.expire_idle()
        s = self.sessions.get(sid)
        if s is None or (secret is not None and not s.owned_by(secret)):
            raise NotFoundError()
        s.touch()
        return s

    def expire_idle(self, now: float | None = None) -> list[str]:
        """Remove sessions idle for longer than ``limits.idle_minutes`` (and old finished jobs)."""
        now = time.monotonic() if now is None else now
        limit = self.limits.idle_minutes * 60
        with self._lock:
            busy = {j.owner for j in self.jobs.values() if j.state in ("queued", "running")}
            old = [sid for sid, s in self.sessions.items()
                   if now - s.last_seen > limit and f"s:{sid}" not in busy]
            for jid in [jid for jid, j in self.jobs.items()
                        if j.state not in ("queued", "running") and time.time() - j.started > max(limit, 3600)]:
                del self.jobs[jid]
        for sid in old:
            log.info("removing idle web session %s", sid[:4])
            self.drop_session(sid)
        return old

    def drop_session(self, sid: str) -> None:
        with self._lock:
            s = self.sessions.pop(sid, None)
        if s is not None:
            s.dropped = True
            shutil.rmtree(s.root, ignore_errors=True)
            # A worker still reading one of its pages writes that page's image and analysis
            # (with its text) into the folder again: remove it once more when the worker is done.
            root = s.root

            def remove_again(_: Future[WebAnalysis]) -> None:
                shutil.rmtree(root, ignore_errors=True)

            for fut in list(s.reading):
                fut.add_done_callback(remove_again)

    def job(self, jid: str) -> Job:
        j = self.jobs.get(jid)
        if j is None:
            raise NotFoundError("找不到该任务（可能服务已重启），请刷新页面。")
        return j

    def submit(self, kind: str, fn: Callable[[Job], None], owner: str = "") -> Job:
        """Run ``fn(job)`` on the background thread; its errors become the job's message."""
        with self._lock:
            ahead = sum(1 for j in self.jobs.values() if j.state in ("queued", "running"))
            job = Job(secrets.token_urlsafe(18), kind, owner=owner, ahead=ahead)
            self.jobs[job.id] = job

        def run() -> None:
            if job.cancelled:
                job.state, job.message = "cancelled", JobCancelled.default_message
                return
            job.state = "running"
            try:
                fn(job)
                job.state = "done"
            except JobCancelled as e:
                job.state, job.message = "cancelled", e.message
            except ZcmaskError as e:
                job.state, job.message = "error", e.message
            except Exception as e:  # noqa: BLE001 - the page shows a message, never a trace
                log.exception("web job %s failed", kind)
                job.state = "error"
                job.message = f"处理时发生内部错误（{type(e).__name__}），请重试或反馈维护者。"

        self._executor.submit(run)
        return job

    def analysis_pool(self) -> Executor | None:
        """The worker processes that read pages, started on first use; None with one worker.

        They live as long as the server, so each loads the models once.
        """
        if self.workers <= 1 or self.closed:
            return None
        with self._lock:
            if self._pool is None:
                from zcmask.api import page_pool

                self._pool = page_pool(self.options.ocr_engine, self.workers)
            return self._pool

    def cancel(self, job: Job) -> None:
        """Ask a job to stop: a queued one never starts, a running one stops at its next page."""
        job.cancelled = True
        if job.state == "queued":
            job.state, job.message = "cancelled", JobCancelled.default_message

    def options_for(self, identity: Identity | None) -> Options:
        """The server's options with this session's applicant (one validated object)."""
        data = self.options.model_dump()
        data["identity"] = identity
        return Options.build(**data)

    def close(self) -> None:
        """Stop the worker and remove every upload and output of every session."""
        if self.closed:
            return
        self.closed = True
        atexit.unregister(self.close)
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)
