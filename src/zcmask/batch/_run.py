"""Resumable batch masking: one sub-folder per applicant, progress in SQLite.

The runner plans every applicant folder, skips files that are already finished
with the same content and options, sends the pages of the others to an
executor, and records each file in one transaction as soon as its last page is
back. Output JPGs are written atomically by the page workers, so a ``kill -9``
leaves either a whole file or none; the file is simply redone on the next run.
Outputs of a file that fails are removed, so nothing partial is left behind.

This module does not parse command lines and renders no HTML (see ``_export``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from zcmask._io import sha256_file
from zcmask._written import claim
from zcmask.api import OUTPUT_ERROR_CODES, InputFile, discover, file_notes, output_names
from zcmask.batch._executors import LocalExecutor, PageExecutor
from zcmask.batch._export import applicant_summary, export_batch, file_result_from_json
from zcmask.batch._identity import Applicant, find_applicants, load_roster
from zcmask.batch._state import DONE, FAILED, BatchState
from zcmask.documents import page_count
from zcmask.exceptions import (
    ExitCode,
    OutputFileError,
    OverwriteInputError,
    OverwriteUserFileError,
    ZcmaskError,
)
from zcmask.options import Options, identity_problem
from zcmask.pipeline import PageContext
from zcmask.report import Report, write_report
from zcmask.results import FileResult, PageResult, pages_error

log = logging.getLogger(__name__)

REPORT_NAME = "zcmask-report.json"
ProgressFn = Callable[[int, int], None]
FileHook = Callable[[str, str], None]


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did: counts, and the files it processed this time."""

    out: Path
    applicants: int
    applicant_errors: tuple[str, ...]
    files: int
    skipped: int
    processed: tuple[str, ...]
    failed: tuple[str, ...]
    pages: int
    seconds: float
    executor: str = "local"
    output_failed: bool = False  # an item failed for the output's sake (disk full, a user's file)

    @property
    def exit_code(self) -> ExitCode:
        """0 when every item was processed; 4 when an output could not be written; 3 otherwise."""
        if self.output_failed:
            return ExitCode.output_file
        return ExitCode.input_file if (self.applicant_errors or self.failed) else ExitCode.ok


@dataclass
class _Task:
    applicant: str
    rel: str
    file: InputFile
    sha256: str
    fingerprint: str
    options: Options
    outputs: list[str]
    previous_outputs: tuple[str, ...] = ()
    results: dict[int, PageResult] = field(default_factory=dict)
    started: float = 0.0


def _fingerprint(options: Options, outputs: list[str]) -> str:
    """What else besides the content decides a file's outputs: options, identity, names."""
    opts = options.model_dump(mode="json", exclude={"jobs", "progress", "allow_short_identity",
                                                    "cache_dir", "cache_lookup"})
    blob = json.dumps([opts, outputs], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _clean_partials(out: Path) -> int:
    """Remove temporary ``.*.part`` files a killed run left behind."""
    n = 0
    for dirpath, dirnames, filenames in os.walk(out):
        dirnames[:] = [d for d in dirnames if d != ".zcmask"]
        for f in filenames:
            if f.startswith(".") and f.endswith(".part"):
                with contextlib.suppress(OSError):
                    (Path(dirpath) / f).unlink()
                    n += 1
    if n:
        log.info("removed %d partial files left by an interrupted run", n)
    return n


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Refuse to run two batches into the same output folder at once."""
    import fcntl

    lock = out / ".zcmask" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            raise OutputFileError(f"另一个批量任务正在写入 {out}，请等待其结束后再运行。") from e
        yield


def _unlink_all(paths: list[str] | tuple[str, ...]) -> None:
    for p in paths:
        with contextlib.suppress(OSError):
            Path(p).unlink()


def run_batch(root: str | Path, out: str | Path, options: Options, *,
              roster: str | Path | None = None, retry_failed: bool = False,
              executor: PageExecutor | None = None, progress: ProgressFn | None = None,
              on_file: FileHook | None = None) -> BatchResult:
    """Mask every applicant folder under ``root`` into ``out``, resumably.

    Parameters
    ----------
    root : path
        One sub-folder per applicant.
    out : path
        Output folder; progress lives in ``out/.zcmask/state.sqlite``.
    options : Options
        Shared options; each applicant's identity replaces ``options.identity``.
    roster : path, optional
        CSV with ``folder, name, aliases, units``; otherwise each folder's ``profile.yaml``.
    retry_failed : bool
        Process only files that failed before.
    executor : PageExecutor, optional
        Where pages run; defaults to a local pool of ``options.jobs`` workers.
    on_file : callable, optional
        Called with ``("applicant/file", status)`` after each file is committed.

    """
    t0 = time.perf_counter()
    root_p, out_p = Path(root), Path(out)
    if out_p.resolve() == root_p.resolve():
        raise OverwriteInputError(f"输出目录 {out_p} 就是批量输入目录，会写到原件旁边；请用 -o 指定另一个目录。")
    roster_map = load_roster(roster) if roster else None
    applicants = find_applicants(root_p, roster_map, exclude=out_p)
    out_p.mkdir(parents=True, exist_ok=True)
    own_executor = executor is None
    ex = executor or LocalExecutor(options.jobs)
    from zcmask._analysis_cache import cache_options, record_inputs

    # Page analyses in OUT/.zcmask-cache (a rerun with other options reads no page again);
    # a Dask cluster's workers may be other machines: there only --cache / ZCMASK_CACHE_DIR.
    options = cache_options(options, default=None if ex.name == "dask" else out_p / ".zcmask-cache")
    if options.cache_dir is not None:
        record_inputs(options.cache_dir, [root_p])
    try:
        with _exclusive(out_p), BatchState.open(out_p) as state:
            _clean_partials(out_p)
            tasks, current, skipped, failed_plan = _plan(applicants, out_p, options, state, retry_failed,
                                                         on_file)
            processed, failed, pages = _execute(tasks, ex, state, progress, on_file)
            app_errors = _finish_applicants(applicants, current, out_p, options, state)
            export_batch(state, out_p)
            failed_now = sorted({f"{r.applicant}/{r.rel}" for app, rels in current.items()
                                 for r in state.files(app) if r.status == FAILED and r.rel in set(rels)})
            output_failed = any(
                r.error and r.error[0] in OUTPUT_ERROR_CODES for app, rels in current.items()
                for r in state.files(app) if r.status == FAILED and r.rel in set(rels)) or any(
                a["error"] and a["error"][0] in OUTPUT_ERROR_CODES for a in state.applicants()
                if a["folder"] in set(app_errors))
    finally:
        if own_executor:
            ex.close()
    return BatchResult(out_p, len(applicants), tuple(app_errors), sum(len(v) for v in current.values()),
                       skipped, tuple(processed + failed_plan), tuple(failed_now), pages,
                       time.perf_counter() - t0, ex.name, output_failed)


def _applicant_error(app: Applicant, state: BatchState, err: tuple[str, str]) -> None:
    log.warning("applicant %s: %s", app.folder, err[1])
    state.record_applicant(app.folder, app.identity.to_json() if app.identity else None, "error", err)


def _plan(applicants: list[Applicant], out: Path, options: Options, state: BatchState,
          retry_failed: bool, on_file: FileHook | None,
          ) -> tuple[list[_Task], dict[str, list[str]], int, list[str]]:
    """Decide, file by file, what must run; record files that cannot even be planned."""
    tasks: list[_Task] = []
    current: dict[str, list[str]] = {}
    skipped = 0
    failed_plan: list[str] = []
    for app in applicants:
        if app.identity is None:
            _applicant_error(app, state, app.error or ("missing_identity", "缺少申报人身份信息。"))
            continue
        short = None if options.allow_short_identity else identity_problem(app.identity)
        if short:
            _applicant_error(app, state, ("short_identity", short))
            continue
        try:
            next(iter(app.path.iterdir()), None)  # fails early on an unreadable folder
            files = discover([app.path], exclude=out)
        except (OSError, ZcmaskError) as e:
            msg = getattr(e, "message", None) or f"文件夹 {app.path} 无法读取（{getattr(e, 'strerror', e)}），请检查权限。"
            _applicant_error(app, state, ("unreadable_folder", msg))
            continue
        opts = options.model_copy(update={"identity": app.identity})
        counts: dict[Path, int] = {}
        errors: dict[Path, tuple[str, str]] = {}
        digests: dict[Path, str] = {}
        for f in files:
            try:
                digests[f.path] = sha256_file(f.path)
                counts[f.path] = page_count(f.path, opts.max_pixels)
            except ZcmaskError as e:
                errors[f.path] = (e.code, e.message)
            except OSError as e:
                errors[f.path] = ("unreadable_file", f"文件无法读取（{e.strerror}），请检查权限或重新复制该文件。")
        names = output_names(files, counts, out / app.folder, identity=opts.identity)
        inputs = {f.path.resolve() for f in files}
        if any(dest.resolve() in inputs for dest in names.values()):
            _applicant_error(app, state, ("overwrite_input",
                                          f"输出会覆盖 {app.folder} 中的原始文件，请用 -o 指定 ROOT 之外的目录。"))
            continue
        try:
            claim(out, [*names.values(), out / app.folder / REPORT_NAME,
                        (out / app.folder / REPORT_NAME).with_suffix(".html")],
                  known=[o for row in state.files(app.folder) for o in row.outputs])
        except OverwriteUserFileError as e:
            _applicant_error(app, state, (e.code, e.message))
            continue
        rels = [f.rel.as_posix() for f in files]
        current[app.folder] = rels
        _forget_removed(state, app.folder, set(rels))
        for f, rel in zip(files, rels, strict=True):
            outputs = [str(names[(f.path, i)]) for i in range(counts.get(f.path, 0))]
            sha = digests.get(f.path, "")
            fp = _fingerprint(opts, [str(Path(o).relative_to(out)) for o in outputs])
            prev = state.file(app.folder, rel)
            same = prev is not None and prev.sha256 == sha and prev.fingerprint == fp
            if retry_failed:
                run = prev is not None and prev.status == FAILED
            elif same and prev is not None and prev.status == DONE:
                run = not all(Path(o).is_file() for o in prev.outputs)
            else:
                run = not (same and prev is not None and prev.status == FAILED)
            if not run:
                skipped += 1
                continue
            key = f"{app.folder}/{rel}"
            if f.path in errors:
                if prev is not None:
                    _unlink_all(prev.outputs)
                fr = FileResult(f.shown, sha or None, "error", (), errors[f.path])
                state.record_file(app.folder, rel, f.shown, sha, fp, FAILED, 0, [], fr.to_json(),
                                  errors[f.path], time.time(), 0.0)
                failed_plan.append(key)
                if on_file:
                    on_file(key, FAILED)
                continue
            tasks.append(_Task(app.folder, rel, f, sha, fp, opts, outputs,
                               prev.outputs if prev is not None else ()))
    return tasks, current, skipped, failed_plan


def _forget_removed(state: BatchState, applicant: str, rels: set[str]) -> None:
    """Inputs that disappeared take their outputs and their rows with them."""
    for row in list(state.files(applicant)):
        if row.rel not in rels:
            _unlink_all(row.outputs)
            state.conn.execute("DELETE FROM files WHERE applicant=? AND rel=?", (applicant, row.rel))


def _contexts(tasks: list[_Task]) -> Iterator[PageContext]:
    for t in tasks:
        t.started = time.time()
        for i, dest in enumerate(t.outputs):
            yield PageContext(str(t.file.path), i, t.options, "mask", dest)


def _execute(tasks: list[_Task], ex: PageExecutor, state: BatchState, progress: ProgressFn | None,
             on_file: FileHook | None) -> tuple[list[str], list[str], int]:
    by_input = {(str(t.file.path)): t for t in tasks}
    total = sum(len(t.outputs) for t in tasks)
    processed: list[str] = []
    failed: list[str] = []
    done = 0
    for t in tasks:
        if not t.outputs:  # a document without pages: nothing to run, nothing to write
            _commit(t, state, processed, failed, on_file)
    for ctx, res in ex.run(_contexts([t for t in tasks if t.outputs])):
        t = by_input[ctx.input_path]
        t.results[ctx.page_index] = res
        done += 1
        if progress:
            progress(done, total)
        if len(t.results) == len(t.outputs):
            _commit(t, state, processed, failed, on_file)
            del by_input[ctx.input_path]
    return processed, failed, done


def _commit(t: _Task, state: BatchState, processed: list[str], failed: list[str],
            on_file: FileHook | None) -> None:
    """Record one finished file; a failed file's outputs are removed first."""
    pages = tuple(t.results[i] for i in range(len(t.outputs)))
    bad = pages_error(pages)
    key = f"{t.applicant}/{t.rel}"
    seconds = sum(p.seconds for p in pages)
    if bad:
        _unlink_all(t.outputs)
        _unlink_all([o for o in t.previous_outputs if o not in t.outputs])
        code, msg = bad
        pages = tuple(dataclasses.replace(p, output=None) for p in pages)
        fr = FileResult(t.file.shown, t.sha256, "error", pages, (code, msg))
        state.record_file(t.applicant, t.rel, t.file.shown, t.sha256, t.fingerprint, FAILED, len(pages),
                          [], fr.to_json(), (code, msg), t.started, seconds)
        log.warning("%s: [%s] %s", key, code, msg)
        failed.append(key)
        status = FAILED
    else:
        _unlink_all([o for o in t.previous_outputs if o not in t.outputs])
        notes = file_notes(t.file, t.options.identity, "mask", Path(t.outputs[0]) if t.outputs else None,
                           pages=len(pages))
        fr = FileResult(t.file.shown, t.sha256, "ok", pages, None, notes)
        state.record_file(t.applicant, t.rel, t.file.shown, t.sha256, t.fingerprint, DONE, len(pages),
                          list(t.outputs), fr.to_json(), None, t.started, seconds)
        status = DONE
    processed.append(key)
    t.results.clear()
    if on_file:
        on_file(key, status)


def _finish_applicants(applicants: list[Applicant], current: dict[str, list[str]], out: Path,
                       options: Options, state: BatchState) -> list[str]:
    """Write each applicant's ``zcmask.report/1`` from the database and record its summary."""
    errors = [a.folder for a in applicants if a.folder not in current]
    for app in applicants:
        rels = current.get(app.folder)
        if rels is None:
            continue
        wanted = set(rels)
        files = [file_result_from_json(r.result) for r in state.files(app.folder)
                 if r.rel in wanted and r.result is not None]
        report = Report("mask", app.identity, tuple(files))
        summary = applicant_summary(report)
        path = out / app.folder / REPORT_NAME
        try:
            write_report(report, path)
        except ZcmaskError as e:
            state.record_applicant(app.folder, app.identity.to_json() if app.identity else None, "error",
                                   (e.code, e.message), summary)
            errors.append(app.folder)
            continue
        status = "ok" if summary["failed_files"] == 0 else "incomplete"
        state.record_applicant(app.folder, app.identity.to_json() if app.identity else None, status,
                               None, summary, str(path.relative_to(out)))
    return errors
