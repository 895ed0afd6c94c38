"""Reviewer mode: work through a spot-check sample of a masked output folder.

The reviewer opens a folder written by ``zcmask mask`` or ``zcmask batch``; a
reproducible (seeded) sample of its pages is drawn, and each verdict
(``accept``/``reject`` with a note) is saved at once, so a review can be stopped
and resumed: opening the same folder again resumes the same sample.

What is used, checked at run time:

- sampling: :func:`zcmask.audit.collect` and :func:`zcmask.audit.sample_items`
  when :mod:`zcmask.audit` is importable (stratified by applicant and category,
  identities from the batch database or ``profile.yaml``); otherwise every
  JPG/PNG in the folder, sampled with a seeded :class:`random.Random`;
- verdicts: always ``zcmask-review.json`` in the folder (schema
  ``zcmask.review/1``); for a batch output folder also the batch database
  (:meth:`zcmask.batch.BatchState.record_verdict`, the same store as
  ``zcmask review``), with its CSV export refreshed;
- looking for what is still visible: :func:`zcmask.pipeline.process_page` with
  command ``audit``, the per-page step of ``zcmask audit``.

Where a reviewer may look (:class:`ReviewScope`): on a shared server only
under the roots the administrator named at start (``--review-root``), never in
the server's own working folders, and only pages that a ``zcmask`` mask report
or batch database lists as masked output. Originals are never served, even
when they sit in the same folder.

This module never changes or deletes the reviewed images.
"""

from __future__ import annotations

import importlib
import json
import logging
import random
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from zcmask._io import write_bytes_atomic
from zcmask.exceptions import BadArgsError, InputFileError, ZcmaskError
from zcmask.options import Identity, Options

log = logging.getLogger(__name__)

REVIEW_FILE = "zcmask-review.json"
REVIEW_SCHEMA = "zcmask.review/1"
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
VERDICTS = ("accept", "reject")


def parse_sample(text: str | int | None, total: int) -> int:
    """``"20"`` -> 20 pages, ``"10%"`` -> a tenth (at least one); empty -> every page.

    Examples
    --------
    >>> parse_sample("10%", 45), parse_sample("3", 45), parse_sample("", 4)
    (5, 3, 4)

    """
    if text is None or str(text).strip() == "":
        return total
    s = str(text).strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", s)
    try:
        n = int(-(-total * float(m.group(1)) // 100)) if m else int(s)
    except ValueError as e:
        raise BadArgsError("抽查数量应为页数（如 20）或百分比（如 10%）。") from e
    if n < 1:
        raise BadArgsError("抽查数量至少为 1。")
    return min(total, n)


class ReviewRefusedError(InputFileError):
    """A folder or page the reviewer may not see on this server (HTTP 403)."""

    code = "review_refused"


@dataclass(frozen=True)
class ReviewScope:
    """Which folders a reviewer may open, and whether only listed masked output is served.

    Parameters
    ----------
    roots : tuple of Path or None
        Folders under which a review may be opened; None means anywhere (a
        single-user server on the user's own PC). An empty tuple turns reviewer
        mode off.
    forbidden : tuple of Path
        Folders never reviewable, nor any folder holding them (the server's own
        temporary folder).
    masked_only : bool
        Serve only pages that a mask report (``zcmask-report.json``) or a batch
        database lists as output.

    """

    roots: tuple[Path, ...] | None = None
    forbidden: tuple[Path, ...] = ()
    masked_only: bool = False

    @property
    def enabled(self) -> bool:
        return self.roots is None or bool(self.roots)

    def check_folder(self, folder: Path) -> Path:
        """The resolved ``folder`` when a review may be opened there, else :class:`InputFileError`."""
        if not self.enabled:
            raise ReviewRefusedError("本服务器未开启评审抽查。管理员需在启动时用 --review-root 指定允许抽查的文件夹，"
                                 "并用 --reviewer-token 设置评审口令。")
        real = folder.resolve()
        for bad in self.forbidden:
            b = bad.resolve()
            if real == b or b in real.parents or real in b.parents:
                raise ReviewRefusedError("该文件夹是 zcmask 服务自己的临时文件夹（存有申报人上传的原件），不能抽查。"
                                     "请输入遮盖后的输出文件夹。")
        if any(part.startswith("zcmask-web-") for part in real.parts):
            raise ReviewRefusedError("该文件夹是 zcmask 网页服务的临时文件夹，不能抽查。请输入遮盖后的输出文件夹。")
        if self.roots is not None:
            allowed = [r.resolve() for r in self.roots]
            if not any(real == r or r in real.parents for r in allowed):
                raise ReviewRefusedError("只能抽查管理员允许的文件夹（--review-root）之内的遮盖输出："
                                     + "；".join(str(r) for r in allowed))
        return real

    def check_page(self, folder: Path, path: Path) -> Path:
        """``path`` resolved, when it lies inside ``folder`` and outside every forbidden folder."""
        real = path.resolve()
        base = folder.resolve()
        if base not in real.parents:
            raise ReviewRefusedError("该页不在所抽查的文件夹中，已拒绝显示。")
        for bad in self.forbidden:
            if bad.resolve() in real.parents:
                raise ReviewRefusedError("该页位于服务器的临时文件夹中，已拒绝显示。")
        return real


def resolve_output(folder: Path, raw: str | Path) -> Path | None:
    """Find a report's ``output`` path on disk, relative paths taken against ``folder``.

    A batch or mask run with a relative ``-o out`` records ``out/王建国/公示.jpg``,
    relative to wherever it was run; the same file is ``folder/王建国/公示.jpg``.
    Leading components are dropped until the rest exists under ``folder``.

    Examples
    --------
    >>> resolve_output(Path("/nonexistent"), "out/a.jpg") is None
    True

    """
    p = Path(str(raw))
    if p.is_absolute():
        return p if p.is_file() else None
    parts = p.parts
    for k in range(len(parts)):
        cand = folder.joinpath(*parts[k:])
        if cand.is_file():
            return cand
    return None


def masked_outputs(folder: Path) -> set[Path]:
    """Every masked page a ``zcmask`` mask report or batch database under ``folder`` lists (resolved)."""
    out: set[Path] = set()
    reports = [*folder.glob("zcmask-report*.json"), *folder.glob("*/zcmask-report*.json")]
    for rep_path in reports:
        try:
            data = json.loads(rep_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("command") != "mask":
            continue
        # The web ZIP keeps its report in a sub-folder with names relative to the ZIP's top.
        bases = [rep_path.parent, folder]
        for f in data.get("files") or []:
            for pg in (f.get("pages") or []) if isinstance(f, dict) else []:
                raw = pg.get("output") if isinstance(pg, dict) else None
                if not raw:
                    continue
                for base in bases:
                    hit = resolve_output(base, raw)
                    if hit is not None:
                        out.add(hit.resolve())
                        break
    try:
        batch = importlib.import_module("zcmask.batch")
        if batch.state_path(folder).is_file():
            with batch.BatchState.open(folder) as state:
                for row in state.files():
                    for raw in row.outputs or ():
                        hit = resolve_output(folder, raw)
                        if hit is not None:
                            out.add(hit.resolve())
    except ZcmaskError:
        raise
    except Exception:  # noqa: BLE001 - no batch package or an unreadable database: reports only
        log.debug("could not read the batch database of %s", folder, exc_info=True)
    return out


@dataclass(frozen=True)
class ReviewPage:
    """One sampled page: its stable id, the masked file and page, and whose it is."""

    page_id: str
    path: Path
    page: int = 0
    identity: Identity | None = None


@dataclass
class Review:
    """An open review: the folder, its sample, and the verdicts so far."""

    id: str
    folder: Path
    seed: int
    sample: list[ReviewPage]
    total: int
    batch: bool = False
    source: str = "local"
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    scope: ReviewScope = field(default_factory=ReviewScope)
    sample_spec: str = ""

    def item(self, k: int) -> ReviewPage:
        if not 0 <= k < len(self.sample):
            raise BadArgsError("抽查序号超出范围。")
        return self.sample[k]

    def to_json(self) -> dict[str, Any]:
        counts = {v: sum(1 for x in self.verdicts.values() if x.get("verdict") == v) for v in VERDICTS}
        return {"id": self.id, "folder": str(self.folder), "seed": self.seed, "total": self.total,
                "batch": self.batch, "sampler": self.source,
                "sample": [{"name": it.page_id, "verdict": self.verdicts.get(it.page_id, {}).get("verdict"),
                            "note": self.verdicts.get(it.page_id, {}).get("note", ""),
                            "has_identity": it.identity is not None,
                            "findings": self.findings.get(it.page_id)} for it in self.sample],
                "counts": counts, "review_file": str(self.folder / REVIEW_FILE),
                "resumed_sample": self.sample_spec}

    def image_path(self, k: int) -> Path:
        """The masked file of sampled page ``k``, checked against the review's scope."""
        return self.scope.check_page(self.folder, self.item(k).path)

    def file_json(self) -> dict[str, Any]:
        return {"schema": REVIEW_SCHEMA, "folder": str(self.folder), "seed": self.seed,
                "total": self.total, "sample": [it.page_id for it in self.sample],
                "sample_spec": self.sample_spec, "verdicts": self.verdicts}

    def record(self, k: int, verdict: str, note: str = "", reviewer: str = "") -> None:
        """Save one verdict: the review file always, the batch database for a batch folder."""
        if verdict not in VERDICTS:
            raise BadArgsError("结论只能是 accept（通过）或 reject（退回）。")
        it = self.item(k)
        with self.lock:
            self.verdicts[it.page_id] = {"verdict": verdict, "note": note[:2000], "reviewer": reviewer[:200],
                                         "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            write_bytes_atomic(self.folder / REVIEW_FILE,
                               json.dumps(self.file_json(), ensure_ascii=False, indent=2).encode("utf-8"))
            if self.batch:
                _record_in_batch(self.folder, it.page_id, verdict, note[:2000], reviewer[:200])

    def audit(self, k: int, options: Options, identity: Identity | None) -> dict[str, Any]:
        """Look for anything of the applicant still visible on sampled page ``k``."""
        from zcmask.pipeline import PageContext, process_page

        it = self.item(k)
        self.image_path(k)
        ident = identity or it.identity
        if ident is None:
            raise BadArgsError("不知道该页属于谁：请填写申报人姓名，或在文件夹中放置 profile.yaml。")
        opts = options.model_copy(update={"identity": ident})
        r = process_page(PageContext(str(it.path), it.page, opts, "audit"))
        if r.error is not None:
            raise InputFileError(r.error[1])
        found = [x.to_json() for x in r.regions]
        self.findings[it.page_id] = found
        return {"regions": found, "issues": [i.to_json() for i in r.issues],
                "width": r.width, "height": r.height}


def _record_in_batch(folder: Path, pid: str, verdict: str, note: str, reviewer: str) -> None:
    try:
        batch = importlib.import_module("zcmask.batch")
        with batch.BatchState.open(folder) as state:
            state.record_verdict(pid, verdict, note, reviewer)
            batch.export_batch(state, folder)
    except ZcmaskError:
        raise
    except Exception as e:  # noqa: BLE001 - the JSON file already holds the verdict
        log.warning("could not record the verdict in the batch database: %s", e)


def list_images(folder: Path) -> list[str]:
    """Every JPG/PNG under ``folder`` (relative POSIX names, sorted), hidden ones skipped."""
    out = []
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if f.is_file() and f.suffix.lower() in _IMAGE_SUFFIXES and not any(
                p.startswith(".") for p in rel.parts):
            out.append(rel.as_posix())
    return out


def _population(folder: Path, identity: Identity | None) -> tuple[list[ReviewPage], str, Any]:
    """Every masked page of ``folder``, through :mod:`zcmask.audit` when it is there."""
    try:
        audit = importlib.import_module("zcmask.audit")
        items = list(audit.collect([folder], identity))
        pages = []
        for it in items:
            # A batch run with a relative -o recorded paths relative to where it ran.
            path = Path(it.masked)
            if not path.is_absolute() or not path.is_file():
                path = resolve_output(folder, it.masked) or folder / Path(it.masked).name
            pages.append(ReviewPage(it.page_id, path, int(it.masked_page), it.identity))
        return pages, "zcmask.audit", (audit, items)
    except ZcmaskError:
        raise
    except Exception:  # noqa: BLE001 - an unfinished audit package: use the local listing
        log.debug("zcmask.audit unavailable, sampling locally", exc_info=True)
    names = list_images(folder)
    return [ReviewPage(f"{n}#1", folder / n, 0, identity) for n in names], "local", None


def open_review(folder: str | Path, sample: str | int | None = None, seed: int | None = None,
                identity: Identity | None = None, scope: ReviewScope | None = None) -> Review:
    """Open (or resume) a review of the masked output ``folder``.

    Resuming keeps the saved sample, unless ``sample`` asks for a different size
    than the one saved (then a new sample is drawn with the saved seed, and the
    verdicts already given are kept).
    """
    scope = scope or ReviewScope()
    if not scope.enabled:
        scope.check_folder(Path())
    p = Path(str(folder)).expanduser()
    if not str(folder).strip() or not p.is_absolute() and scope.roots is not None:
        raise InputFileError(f"找不到文件夹 {folder}，请输入遮盖输出文件夹的完整路径。")
    # The scope first: outside it, whether a folder exists is not told.
    p = scope.check_folder(p)
    if not p.is_dir():
        raise InputFileError(f"找不到文件夹 {folder}，请输入遮盖输出文件夹的完整路径。")
    pages, source, native = _population(p, identity)
    pages = _in_scope(p, pages, scope)
    if not pages:
        if scope.masked_only:
            raise InputFileError("该文件夹中没有 zcmask 遮盖报告（zcmask-report.json）或批量数据库所列的遮盖后页面。"
                                 "为防止原件外泄，服务器只显示遮盖后的输出，请选择 zcmask mask / batch 的输出文件夹。")
        raise InputFileError("该文件夹中没有遮盖后的页面（JPG/PNG），请选择 zcmask 遮盖后的输出文件夹。")
    batch = _is_batch(p)
    by_id = {pg.page_id: pg for pg in pages}
    saved = p / REVIEW_FILE
    spec = "" if sample is None else str(sample).strip()
    if saved.exists():
        try:
            data = json.loads(saved.read_text(encoding="utf-8"))
            kept = [by_id[n] for n in data.get("sample", []) if n in by_id]
            if data.get("schema") == REVIEW_SCHEMA and kept:
                old_verdicts: dict[str, dict[str, Any]] = {
                    k: v for k, v in (data.get("verdicts") or {}).items() if k in by_id}
                same_size = not spec or parse_sample(spec, len(pages)) == len(kept)
                if same_size:
                    return Review(secrets.token_urlsafe(18), p, int(data.get("seed", 0)), kept, len(pages),
                                  batch, source, {**_batch_verdicts(p, batch, by_id), **old_verdicts},
                                  scope=scope, sample_spec=str(data.get("sample_spec") or ""))
                # Another sample size: keep the pages already sampled (judged ones
                # first) and draw the rest with the saved seed.
                n = parse_sample(spec, len(pages))
                s0 = int(data.get("seed", 0))
                judged = [pg for pg in kept if pg.page_id in old_verdicts]
                rest = [pg for pg in kept if pg.page_id not in old_verdicts]
                resized = (judged + rest)[:n]
                if len(resized) < n:
                    ids = {pg.page_id for pg in resized}
                    others = [pg for pg in pages if pg.page_id not in ids]
                    resized += random.Random(s0).sample(others, n - len(resized))
                resized.sort(key=lambda pg: pg.page_id)
                ids = {pg.page_id for pg in resized}
                return Review(secrets.token_urlsafe(18), p, s0, resized, len(pages), batch, source,
                              {k: v for k, v in {**_batch_verdicts(p, batch, by_id), **old_verdicts}.items()
                               if k in ids}, scope=scope, sample_spec=spec)
        except (OSError, ValueError, TypeError, AttributeError) as e:
            log.warning("ignoring unreadable %s: %s", saved, e)
    n = parse_sample(sample, len(pages))
    s = int(seed) if seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    chosen: list[ReviewPage] | None = None
    if native is not None:
        audit, items = native
        try:
            want = None if n >= len(pages) else str(n)
            chosen = [by_id[it.page_id] for it in audit.sample_items(items, want, s)]
        except Exception:  # noqa: BLE001 - fall back to the local sampler
            log.debug("zcmask.audit.sample_items failed", exc_info=True)
    if chosen is None:
        chosen = sorted(random.Random(s).sample(pages, n), key=lambda pg: pg.page_id)
    return Review(secrets.token_urlsafe(18), p, s, chosen, len(pages), batch, source,
                  _batch_verdicts(p, batch, by_id), scope=scope, sample_spec=spec)


def _in_scope(folder: Path, pages: list[ReviewPage], scope: ReviewScope) -> list[ReviewPage]:
    """Drop pages outside the folder or the server's own folders; with ``masked_only``, unlisted ones."""
    allowed = masked_outputs(folder) if scope.masked_only else None
    out = []
    for pg in pages:
        try:
            real = scope.check_page(folder, pg.path)
        except (InputFileError, OSError):
            continue
        if allowed is not None and real not in allowed:
            continue
        out.append(pg)
    return out


def _batch_verdicts(folder: Path, batch: bool, known: dict[str, ReviewPage]) -> dict[str, dict[str, Any]]:
    """Verdicts already in a batch database (recorded with ``zcmask review``)."""
    if not batch:
        return {}
    try:
        mod = importlib.import_module("zcmask.batch")
        with mod.BatchState.open(folder) as state:
            return {k: {"verdict": v["verdict"], "note": v.get("note", ""), "reviewer": v.get("reviewer", "")}
                    for k, v in state.verdicts().items() if k in known}
    except Exception:  # noqa: BLE001 - the review file still works
        log.debug("could not read batch verdicts", exc_info=True)
        return {}


def _is_batch(folder: Path) -> bool:
    try:
        batch = importlib.import_module("zcmask.batch")
        return bool(batch.state_path(folder).is_file())
    except Exception:  # noqa: BLE001 - no batch package: a plain folder
        return False
