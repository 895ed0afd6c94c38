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
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import logging
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from PIL import Image

from zcmask._io import encode_jpeg, write_bytes_atomic
from zcmask.api import InputFile, output_names
from zcmask.documents import SUPPORTED_SUFFIXES, page_count
from zcmask.exceptions import BadArgsError, ZcmaskError
from zcmask.masking import MASK_KINDS, mask_regions
from zcmask.options import Identity, Options
from zcmask.pipeline import (
    UNMASKED_CODE,
    PageAnalysis,
    PageContext,
    analyse_page,
    locate,
    page_check_issues,
)
from zcmask.quality import assess_legibility
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
)
from zcmask.web._safety import (
    UnsafeNameError,
    WebLimits,
    extract_zip,
    inside,
    safe_relpath,
)

log = logging.getLogger(__name__)

#: Issues the masked, upright JPG output no longer has.
FIXED_BY_OUTPUT = frozenset({"not_jpg", "rotated", "exif_rotated"})
_UNMASKED = frozenset(UNMASKED_CODE.values())
PREVIEW_SIDE = 1400
MAX_REGIONS_PER_PAGE = 400


class WebError(ZcmaskError):
    """A request the web UI cannot honour; the message is shown to the user."""

    code = "web_error"


class NotFoundError(WebError):
    code = "not_found"
    default_message = "找不到该会话或页面（可能服务已重启），请刷新页面后重新上传。"


class LimitError(WebError):
    code = "limit_exceeded"


# ----------------------------------------------------------------------------- jobs


@dataclass
class Job:
    """Background work with progress the page polls: ``done`` of ``total`` steps."""

    id: str
    kind: str
    total: int = 0
    done: int = 0
    state: str = "queued"  # queued | running | done | error
    current: str = ""
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "total": self.total, "done": self.done,
                "state": self.state, "current": self.current, "message": self.message,
                "result": self.result}


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
            "issues": [i.to_json() for i in self.issues],
            "error": None if self.error is None else {"code": self.error[0], "message": self.error[1]},
        }


def _identity_key(ident: Identity | None) -> str:
    return json.dumps(ident.to_json() if ident else None, ensure_ascii=False, sort_keys=True)


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
            return [_refused(str(rel), "不支持的文件类型，请上传 JPG、PNG 或 PDF（或包含它们的 ZIP 压缩包）。",
                             "unsupported_format")]
        dest = inside(self.uploads, rel)
        if str(rel) in self.files:
            return [_refused(str(rel), "已上传过同名文件，已忽略本次上传。", "duplicate")]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(data_path), dest)
        with self.lock:
            self.bytes_used += size
        return [self._register(str(rel), dest)]

    def _add_zip(self, rel: PurePosixPath, archive: Path) -> list[dict[str, Any]]:
        prefix = rel.with_suffix("")
        with self.lock:
            budget = self.limits.max_total_bytes - self.bytes_used
        members, written = extract_zip(archive, self.uploads, prefix=prefix, limits=self.limits,
                                       budget=budget)
        with self.lock:
            self.bytes_used += written
        out = []
        for m in members:
            if m.path is None:
                out.append(_refused(m.name, m.error or "无法解压该文件。", "archive_member"))
            elif m.name in self.files:
                out.append(_refused(m.name, "已上传过同名文件，已忽略。", "duplicate"))
            else:
                out.append(self._register(m.name, m.path))
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
        return self.work / f"p{p.pid}.npy"

    def preview_path(self, p: PageState) -> Path:
        return self.work / f"p{p.pid}-v{p.version}.jpg"

    def analyse(self, p: PageState, options: Options) -> None:
        """Analyse one page (OCR at most once per rotation) and locate the applicant on it."""
        t0 = time.perf_counter()
        ctx = PageContext(str(p.file.path), p.page_index, options, "check",
                          rotation_override=p.rotation_override)
        try:
            if p.analysed and p.error is None and self.image_path(p).exists():
                an = PageAnalysis(np.load(self.image_path(p)), p.dpi, p.format, p.orientation,
                                  p.lines, p.exif_rotation)
            else:
                an = analyse_page(ctx)
                np.save(self.image_path(p), an.image)
            regions, seals, issues = locate(an, options)
            legibility, leg_issues = assess_legibility(an.image, an.lines, an.dpi)
            issues += page_check_issues(ctx, an, [], legibility, leg_issues)
        except ZcmaskError as e:
            self._failed(p, e.code, e.message)
            return
        except MemoryError:
            self._failed(p, "out_of_memory", "处理该页时内存不足，请缩小图片后重试。")
            return
        except Exception as e:  # noqa: BLE001 - one bad page must never stop the others
            log.exception("web analysis failed on %s page %d", p.file.rel, p.page_index + 1)
            self._failed(p, "internal_error", f"处理该页时发生内部错误（{type(e).__name__}），请换一份文件重试或反馈维护者。")
            return
        h, w = an.image.shape[:2]
        # The preview must exist before the new version is visible to the page.
        _write_preview(an.image, self.work / f"p{p.pid}-v{p.version + 1}.jpg")
        with self.lock:
            manual = [(rid, r) for rid, r in zip(p.region_ids, p.regions, strict=True) if r.source == "manual"]
            old_preview = self.preview_path(p)
            p.version += 1
            p.analysed, p.error = True, None
            p.identity_key = _identity_key(options.identity)
            p.width, p.height, p.dpi, p.format = w, h, an.dpi, an.format
            p.exif_rotation, p.orientation, p.lines = an.exif_rotation, an.orientation, an.lines
            p.legibility, p.issues, p.seals = legibility, issues, tuple(seals)
            p.auto = list(regions)
            p.regions = list(regions) + [r for _, r in manual]
            p.region_ids = [f"a{i}" for i in range(len(regions))] + [rid for rid, _ in manual]
            p.removed = []
            p.seconds = time.perf_counter() - t0
        old_preview.unlink(missing_ok=True)

    def _failed(self, p: PageState, code: str, message: str) -> None:
        with self.lock:
            p.version += 1
            p.analysed, p.error = True, (code, message)
            p.auto, p.regions, p.region_ids, p.removed, p.issues = [], [], [], [], []

    def set_regions(self, p: PageState, wanted: list[dict[str, Any]]) -> None:
        """Replace a page's regions with what the user now wants, recording every change.

        ``wanted`` holds ``{id, kind, bbox}``. An automatic region (``id`` ``a<n>``)
        whose box is unchanged keeps its source; one that was moved or resized
        becomes ``source: "manual"``; one left out is recorded in ``removed``; any
        other entry is a new manual box.
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
        with self.lock:
            p.regions, p.region_ids = regions, ids
            p.removed = [r for rid, r in auto.items() if rid not in seen]

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
                    extra[(fi, len(pages) - 1)] = {
                        "removed_regions": [dict(r.to_json(), source="manual") for r in p.removed],
                        "rotation_source": p.orientation.source,
                    }
                failed = [pr for pr in pages if pr.error is not None]
                if failed:
                    code, msg = failed[0].error  # type: ignore[misc]
                    files.append(FileResult(f.rel, _sha(f.path), "error", tuple(pages),
                                            (code, f"第 {failed[0].index} 页：{msg}")))
                else:
                    files.append(FileResult(f.rel, _sha(f.path), "ok", tuple(pages)))
            data = Report("mask", self.identity, tuple(files)).to_json()
        data["generator"] = "zcmask serve"
        for (fi, pi), more in extra.items():
            data["files"][fi]["pages"][pi].update(more)
        return data

    def _page_result(self, p: PageState, output: str | None, hidden: list[Region] | None) -> PageResult:
        if not p.analysed:
            return PageResult(p.page_index + 1, 0, 0, p.dpi, 0, Orientation(0, 0.0, "none"),
                              Legibility(False, 0.0), (), (), error=("not_analysed", "该页尚未识别，请先点击“开始识别”。"))
        if p.error is not None:
            return PageResult(p.page_index + 1, 0, 0, p.dpi, 0, Orientation(0, 0.0, "none"),
                              Legibility(False, 0.0), (), (), error=p.error)
        issues = tuple(i for i in p.issues if i.code not in FIXED_BY_OUTPUT and i.code not in _UNMASKED)
        return PageResult(p.page_index + 1, p.width, p.height, p.dpi, p.rotation, p.orientation,
                          p.legibility, tuple(hidden if hidden is not None else p.regions), issues,
                          output=output, seals=p.seals, text_chars=sum(len(ln.chars) for ln in p.lines),
                          seconds=p.seconds)

    def export(self, job: Job, progress: Callable[[], None]) -> Path:
        """Write the zip: upright masked JPGs named for upload, plus JSON and HTML reports."""
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
                if p.analysed and p.error is None:
                    image = np.load(self.image_path(p))
                    masked, hid = mask_regions(image, p.regions)
                    name = names[(p.file.path, p.page_index)].as_posix()
                    zf.writestr(name, encode_jpeg(masked, p.dpi, 92))
                    outputs[p.pid], hidden[p.pid] = name, hid
                job.done += 1
                progress()
            data = self.build_report(outputs, hidden)
            zf.writestr("报告/zcmask-report.json", json.dumps(data, ensure_ascii=False, indent=2))
            zf.writestr("报告/zcmask-report.html", render_html(data))
        buf.replace(dest)
        with self.lock:
            if self.export_path is not None and self.export_path != dest:
                self.export_path.unlink(missing_ok=True)
            self.export_path, self.export_name, self.last_report = dest, dest.name, data
        job.done = job.total
        job.result = {"download": dest.name, "summary": data["summary"],
                      "skipped": sum(1 for p in pages if p.pid not in outputs)}
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
                 root: Path | None = None) -> None:
        self.options = options
        self.limits = limits or WebLimits()
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
        sid = secrets.token_urlsafe(12)
        s = Session(sid, self.root / sid, self.limits)
        with self._lock:
            self.sessions[sid] = s
        return s

    def session(self, sid: str) -> Session:
        s = self.sessions.get(sid)
        if s is None:
            raise NotFoundError()
        return s

    def drop_session(self, sid: str) -> None:
        with self._lock:
            s = self.sessions.pop(sid, None)
        if s is not None:
            shutil.rmtree(s.root, ignore_errors=True)

    def job(self, jid: str) -> Job:
        j = self.jobs.get(jid)
        if j is None:
            raise NotFoundError("找不到该任务（可能服务已重启），请刷新页面。")
        return j

    def submit(self, kind: str, fn: Callable[[Job], None]) -> Job:
        """Run ``fn(job)`` on the background thread; its errors become the job's message."""
        job = Job(secrets.token_urlsafe(8), kind)
        self.jobs[job.id] = job

        def run() -> None:
            job.state = "running"
            try:
                fn(job)
                job.state = "done"
            except ZcmaskError as e:
                job.state, job.message = "error", e.message
            except Exception as e:  # noqa: BLE001 - the page shows a message, never a trace
                log.exception("web job %s failed", kind)
                job.state = "error"
                job.message = f"处理时发生内部错误（{type(e).__name__}），请重试或反馈维护者。"

        self._executor.submit(run)
        return job

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
        shutil.rmtree(self.root, ignore_errors=True)
