"""The Python API behind every front end: ``mask``, ``check`` and their planning.

The command line, the batch runner and the web UI call these functions with one
:class:`~zcmask.options.Options`. Pages run through :func:`zcmask.pipeline.process_page`,
in process or in a local process pool; results are merged here into file results.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zcmask._io import sha256_file
from zcmask._pool import (
    LOG_FORMAT,
    counted,
    default_jobs,  # noqa: F401 - public name, kept here
    note_pool,
    usable_cpus,
)
from zcmask._pool import start_fork_server as _start_fork_server
from zcmask.documents import SUPPORTED_SUFFIXES, page_count
from zcmask.documents._read import CONVERT_ADVICE
from zcmask.exceptions import (
    BadArgsError,
    InputFileError,
    OverwriteInputError,
    ZcmaskError,
)
from zcmask.messages import issue, not_jpg_issue
from zcmask.options import Identity, Options, require_safe_identity
from zcmask.pipeline import Command, PageContext, process_page
from zcmask.report import Report, write_report
from zcmask.results import FileResult, Issue, PageResult, pages_error

log = logging.getLogger(__name__)

# Suffixes collected from folders: what we read, plus the documents and archives an applicant
# may have put there, reported with how to convert them (never skipped in silence).
_FOLDER_SUFFIXES = SUPPORTED_SUFFIXES | set(CONVERT_ADVICE)

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class InputFile:
    """One input file, how it is shown in reports, and where its outputs go."""

    path: Path
    shown: str
    rel: Path  # path relative to its input root, used to name outputs


def discover(inputs: Iterable[str | Path], *, exclude: Path | None = None) -> list[InputFile]:
    """Expand files and folders (recursively, sorted) into input files.

    Hidden files and anything under ``exclude`` (the output folder) are skipped.
    A path that does not exist raises :class:`InputFileError`.
    """
    out: list[InputFile] = []
    seen: set[Path] = set()
    ex = exclude.resolve() if exclude else None
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            raise InputFileError(f"找不到输入 {p}，请检查路径是否正确。")
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() not in _FOLDER_SUFFIXES:
                    continue
                rf = f.resolve()
                if ex is not None and (rf == ex or ex in rf.parents):
                    continue
                if rf not in seen:
                    seen.add(rf)
                    out.append(InputFile(f, str(f), f.relative_to(p)))
        else:
            rf = p.resolve()
            if rf not in seen:
                seen.add(rf)
                out.append(InputFile(p, str(p), Path(p.name)))
    return out


def output_names(files: Sequence[InputFile], counts: dict[Path, int], outdir: Path, *,
                 identity: Identity | None = None) -> dict[tuple[Path, int], Path]:
    """Name the JPG of every page: ``<rel stem>.jpg``, or ``<rel stem>-<n>.jpg`` for multi-page files.

    Two inputs that would share a name (``a.png`` and ``a.jpg``) keep their suffix
    in the output name (``a.png.jpg``) so nothing is overwritten. With ``identity``,
    the applicant's name and units are replaced in every component
    (:mod:`zcmask._naming`); names that then collide get ``_2``, ``_3`` ...
    """
    from zcmask._naming import clean_relpath

    rels = {f.path: clean_relpath(f.rel, identity) for f in files}
    stems: dict[Path, int] = {}
    for f in files:
        key = f.rel.with_suffix("")
        stems[key] = stems.get(key, 0) + 1
    names: dict[tuple[Path, int], Path] = {}
    used: set[str] = set()
    for f in files:
        n = counts.get(f.path, 0)
        rel = rels[f.path]
        base = rel.with_suffix("")
        if stems[f.rel.with_suffix("")] > 1:
            base = rel.with_name(rel.name.replace(".", "_"))
        for k in range(1, 1000):
            stem = base.name if k == 1 else f"{base.name}_{k}"
            dests = [outdir / base.parent / (f"{stem}.jpg" if n == 1 else f"{stem}-{i + 1}.jpg")
                     for i in range(n)]
            if not any(str(d).casefold() in used for d in dests):
                break
        for i, d in enumerate(dests):
            used.add(str(d).casefold())
            names[(f.path, i)] = d
    return names


def _init_worker(threads: int) -> None:
    os.environ["ZCMASK_OCR_THREADS"] = str(threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover
        pass


def _init_pool_worker(threads: int, user_init: Callable[[], None] | None, owner_pid: int | None = None,
                      log_level: int | None = None, busy: Any = None, cpus: int = 1) -> None:
    if owner_pid is not None:
        from zcmask._lifeline import guard_worker

        guard_worker(owner_pid)  # kill -9 of zcmask takes its workers with it
    if log_level is not None and log_level < logging.WARNING:
        # Workers come from the fork server, started before the command line set up logging:
        # without this, -v would show nothing of what happens inside a page.
        logging.basicConfig(level=log_level, stream=sys.stderr, format=LOG_FORMAT)
    _init_worker(threads)
    from zcmask._memory import keep_freed_memory

    keep_freed_memory()  # a worker reads page after page: reuse the freed buffers
    if busy is not None:
        note_pool(busy, cpus)
    if user_init is not None:
        user_init()


def process_pool(jobs: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """``jobs`` worker processes for page work, started by a fork server.

    Forking a parent whose OpenCV or ONNX Runtime thread pools already run can
    leave a child waiting forever on a lock it inherited; a fork server starts
    clean. Each worker gets an equal share of the CPUs for ONNX Runtime, then
    runs ``initializer`` (tests register a fake OCR engine with it). The fork
    server imports the pipeline and RapidOCR once (:mod:`zcmask.ocr._preload`),
    so workers do not each pay for those imports.
    """
    threads = max(1, (os.cpu_count() or 1) // jobs)
    mp = multiprocessing.get_context("forkserver")
    _start_fork_server()  # sets the preload; a no-op when the command line started it already
    busy = mp.Value("i", 0)
    return _CountingPool(max_workers=jobs, mp_context=mp, initializer=_init_pool_worker,
                         initargs=(threads, initializer, os.getpid(), logging.getLogger().getEffectiveLevel(),
                                   busy, usable_cpus()))


class _CountingPool(ProcessPoolExecutor):
    """A process pool whose workers count, in shared memory, how many of them are busy.

    A worker that finds a CPU of the pool idle (:func:`zcmask._pool.spare_cpus`) may
    then split its work in two threads: the last page of a batch, or a single page
    on the web page, no longer runs on one CPU while the other waits.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(counted, fn, *args, **kwargs)



def page_pool(engine: str, jobs: int) -> Executor:
    """An executor of ``jobs`` workers for page work.

    Real engines run in :func:`process_pool`. An engine that lives only in this
    process's registry (the tests' ``fake``) runs in threads instead.
    """
    if engine == "fake":
        return ThreadPoolExecutor(max_workers=jobs)
    return process_pool(jobs)


def run_pages(contexts: Sequence[PageContext], jobs: int = 1,
              progress: ProgressFn | None = None, *, cache_dir: Path | None = None) -> list[PageResult]:
    """Process page contexts in order, in process (``jobs=1``) or in a process pool.

    With ``cache_dir``, masked pages whose file, options and version are unchanged
    are taken from the page cache (:mod:`zcmask._cache`) instead of being processed.
    """
    if cache_dir is not None:
        from zcmask._cache import run_cached

        return run_cached(contexts, cache_dir, lambda todo, prog: run_pages(todo, jobs, prog), progress)
    results: list[PageResult] = []
    total = len(contexts)
    if jobs <= 1 or total <= 1:
        for i, ctx in enumerate(contexts):
            results.append(process_page(ctx))
            if progress:
                progress(i + 1, total)
        return results
    jobs = min(jobs, total)  # a worker per page at most: each one loads the models
    with page_pool(contexts[0].options.ocr_engine, jobs) as ex:
        # Heaviest pages first, so that no worker is left alone with a dense page at the end.
        futures = {i: ex.submit(process_page, contexts[i]) for i in heaviest_first(contexts)}
        for n, _ in enumerate(as_completed(futures.values())):
            if progress:
                progress(n + 1, total)
        results = [futures[i].result() for i in range(total)]
    return results


def heaviest_first(contexts: Sequence[PageContext]) -> list[int]:
    """Indexes of ``contexts`` by decreasing expected work: bytes per page of the input file.

    A page's OCR time grows with how much is printed on it, and so does the size
    of its compressed file; the order only balances the workers, results keep
    their own order.
    """
    sizes: dict[str, float] = {}
    pages: dict[str, int] = {}
    for c in contexts:
        pages[c.input_path] = pages.get(c.input_path, 0) + 1
    for path, n in pages.items():
        try:
            sizes[path] = Path(path).stat().st_size / n
        except OSError:
            sizes[path] = 0.0
    return sorted(range(len(contexts)), key=lambda i: -sizes[contexts[i].input_path])


def _file_results(files: Sequence[InputFile], counts: dict[Path, int], errors: dict[Path, ZcmaskError],
                  page_results: dict[tuple[Path, int], PageResult], options: Options,
                  command: Command) -> list[FileResult]:
    out: list[FileResult] = []
    for f in files:
        try:
            digest = sha256_file(f.path)
        except OSError:
            digest = None
        if f.path in errors:
            e = errors[f.path]
            file_issues: tuple[Issue, ...] = ()
            if command != "mask":
                code = "encrypted_pdf" if e.code == "encrypted_pdf" else "unreadable_file"
                file_issues = (Issue(code, "error", e.message),)
                if f.path.suffix.lower() not in (".jpg", ".jpeg"):
                    file_issues += (not_jpg_issue(f.path.suffix or "未知"),)
            out.append(FileResult(f.shown, digest, "error", (), (e.code, e.message), file_issues))
            continue
        pages = tuple(page_results[(f.path, i)] for i in range(counts[f.path]))
        failed = pages_error(pages)
        extra: list[Issue] = []
        if command != "mask":
            size_mb = f.path.stat().st_size / (1 << 20)
            if size_mb > options.max_file_mb:
                extra.append(issue("file_too_large", mb=size_mb, limit=options.max_file_mb))
        if failed:
            out.append(FileResult(f.shown, digest, "error", pages, failed, tuple(extra)))
        else:
            out.append(FileResult(f.shown, digest, "ok", pages, None, tuple(extra)))
    return out


def _plan(files: Sequence[InputFile], options: Options) -> tuple[dict[Path, int], dict[Path, ZcmaskError]]:
    counts: dict[Path, int] = {}
    errors: dict[Path, ZcmaskError] = {}
    for f in files:
        try:
            counts[f.path] = page_count(f.path, options.max_pixels)
        except ZcmaskError as e:
            errors[f.path] = e
    return counts, errors


def mask(inputs: Sequence[str | Path], outdir: str | Path, options: Options, *,
         report_path: str | Path | None = None, progress: ProgressFn | None = None) -> Report:
    """Mask every page of every input and write upright JPGs plus the report under ``outdir``.

    Returns the :class:`Report`; files that could not be processed carry an error
    and every other file is still written. A file that fails on any page leaves
    none of its pages behind. Output names never carry the identity
    (:mod:`zcmask._naming`), and a file zcmask did not write is never replaced
    (:mod:`zcmask._written`).
    """
    from zcmask._written import claim

    if options.identity is None:
        raise BadArgsError("请用 --name（或 --profile）提供申报人姓名，zcmask 才知道要遮盖什么。")
    require_safe_identity(options.identity, options.allow_short_identity)
    out = Path(outdir)
    for raw in inputs:
        if Path(raw).is_dir() and Path(raw).resolve() == out.resolve():
            raise OverwriteInputError(f"输出目录 {out} 就是输入目录，会覆盖原始文件；请用 -o 指定另一个目录。")
    files = discover(inputs, exclude=out)
    counts, errors = _plan(files, options)
    names = output_names(files, counts, out, identity=options.identity)
    pdf_names = _pdf_names(files, names, out, options) if options.write_pdf else {}
    input_paths = {f.path.resolve() for f in files}
    for dest in [*names.values(), *pdf_names.values()]:
        if dest.resolve() in input_paths:
            raise OverwriteInputError(f"输出文件 {dest} 会覆盖原始文件，请用 -o 指定另一个目录。")
    report_dest = Path(report_path) if report_path else out / "zcmask-report.json"
    claim(out, [*names.values(), *pdf_names.values(), report_dest, report_dest.with_suffix(".html")])
    _remove_stale_parts([*names.values(), *pdf_names.values()])
    options = _with_analysis_cache(options, inputs, default=out / ".zcmask-cache", record=True)
    contexts = [PageContext(str(f.path), i, options, "mask", str(names[(f.path, i)]))
                for f in files if f.path in counts for i in range(counts[f.path])]
    results = run_pages(contexts, options.jobs, progress,
                        cache_dir=out / ".zcmask-cache" if options.cache else None)
    by_key = {(Path(c.input_path), c.page_index): r for c, r in zip(contexts, results, strict=True)}
    file_results = _file_results(files, counts, errors, by_key, options, "mask")
    file_results = [_drop_partial(fr, [names[(f.path, i)] for i in range(counts.get(f.path, 0))])
                    for f, fr in zip(files, file_results, strict=True)]
    file_results = _with_notes(files, file_results, options, "mask", names)
    if options.write_pdf:
        file_results = _write_pdfs(files, file_results, pdf_names, options)
    report = Report("mask", options.identity, tuple(file_results))
    write_report(report, report_dest)
    return report


def _with_analysis_cache(options: Options, inputs: Sequence[str | Path], *, default: Path | None = None,
                         discover: bool = False, record: bool = False) -> Options:
    """``options`` with the page-analysis cache of this run (:mod:`zcmask._analysis_cache`)."""
    from zcmask._analysis_cache import cache_options, record_inputs

    options = cache_options(options, inputs, default=default, discover=discover)
    if record and options.cache_dir is not None:
        record_inputs(options.cache_dir, inputs)
    return options


def _remove_stale_parts(dests: Sequence[Path]) -> None:
    """Temporary ``.<name>.*.part`` files a killed run left beside our own destinations."""
    import contextlib

    by_dir: dict[Path, set[str]] = {}
    for d in dests:
        by_dir.setdefault(d.parent, set()).add(d.name)
    for folder, own in by_dir.items():
        if not folder.is_dir():
            continue
        for p in folder.glob(".*.part"):
            stem = p.name[1:].rsplit(".", 2)[0] if p.name.count(".") >= 3 else ""
            if stem in own:
                with contextlib.suppress(OSError):
                    p.unlink()


def _pdf_names(files: Sequence[InputFile], names: dict[tuple[Path, int], Path], out: Path,
               options: Options) -> dict[Path, Path]:
    """``<name>.masked.pdf`` beside the page JPGs of every PDF input (identity-free names)."""
    from zcmask._naming import clean_relpath

    pdfs: dict[Path, Path] = {}
    for f in files:
        if f.path.suffix.lower() != ".pdf":
            continue
        first = names.get((f.path, 0))
        rel = clean_relpath(f.rel, options.identity)
        parent = first.parent if first is not None else out / rel.parent
        pdfs[f.path] = parent / f"{rel.with_suffix('').name}.masked.pdf"
    return pdfs


def _drop_partial(fr: FileResult, dests: Sequence[Path]) -> FileResult:
    """A file that failed keeps none of its pages: remove the ones written, like ``batch`` does."""
    if fr.status != "error" or not fr.pages:
        return fr
    import contextlib
    import dataclasses

    for d in dests:
        with contextlib.suppress(OSError):
            d.unlink()
    return dataclasses.replace(fr, pages=tuple(dataclasses.replace(p, output=None) for p in fr.pages))


#: File error codes that are the output's fault, not the input's (exit 4, not 3).
OUTPUT_ERROR_CODES = frozenset({"disk_full", "output_file", "overwrite_user_file", "overwrite_input"})


def file_notes(f: InputFile, identity: Identity | None, command: Command,
               first_output: Path | None = None, *, pages: int = 0) -> tuple[Issue, ...]:
    """File-level notes shared by ``mask``, ``check`` and ``batch``.

    ``renamed_output`` when the written name had the identity replaced;
    ``repaired_file`` when a PDF had to be repaired to be read; ``multi_frame``
    when an image held several frames (each one became a page).
    """
    from zcmask._naming import clean_relpath
    from zcmask.documents import pdf_repaired

    notes: list[Issue] = []
    if first_output is not None and clean_relpath(f.rel, identity) != f.rel:
        notes.append(issue("renamed_output", name=first_output.name))
    try:
        if pdf_repaired(f.path):
            notes.append(issue("repaired_file", pages=pages))
    except ZcmaskError:
        pass
    if pages > 1 and f.path.suffix.lower() != ".pdf":
        notes.append(issue("multi_frame", frames=pages))
    return tuple(notes)


def _with_notes(files: Sequence[InputFile], results: list[FileResult], options: Options,
                command: Command, names: dict[tuple[Path, int], Path]) -> list[FileResult]:
    import dataclasses

    out = []
    for f, fr in zip(files, results, strict=True):
        notes = file_notes(f, options.identity, command, names.get((f.path, 0)), pages=len(fr.pages))
        out.append(dataclasses.replace(fr, issues=fr.issues + notes) if notes else fr)
    return out


def check(inputs: Sequence[str | Path], options: Options, *,
          report_path: str | Path | None = None, progress: ProgressFn | None = None,
          command: Command = "check") -> Report:
    """Pre-upload check of every page; writes only the report (and ``--fix`` JPGs)."""
    fix = options.fix_outdir
    require_safe_identity(options.identity, options.allow_short_identity)
    files = discover(inputs, exclude=fix)
    counts, errors = _plan(files, options)
    fix_names = output_names(files, counts, fix, identity=options.identity) if fix else {}
    if fix:
        from zcmask._written import claim

        input_paths = {f.path.resolve() for f in files}
        if any(d.resolve() in input_paths for d in fix_names.values()):
            raise OverwriteInputError("--fix 输出会覆盖原始文件，请用 --fix 指定另一个目录。")
        claim(fix, fix_names.values())
    options = _with_analysis_cache(options, inputs, discover=True)
    contexts = [PageContext(str(f.path), i, options, command, None,
                            str(fix_names[(f.path, i)]) if fix else None)
                for f in files if f.path in counts for i in range(counts[f.path])]
    results = run_pages(contexts, options.jobs, progress)
    by_key = {(Path(c.input_path), c.page_index): r for c, r in zip(contexts, results, strict=True)}
    file_results = _with_notes(files, _file_results(files, counts, errors, by_key, options, command),
                               options, command, fix_names)
    report = Report(command, options.identity, tuple(file_results))
    if report_path:
        write_report(report, report_path)
    return report


def _write_pdfs(files: Sequence[InputFile], results: list[FileResult], dests: dict[Path, Path],
                options: Options) -> list[FileResult]:
    """With ``--pdf``: a truly redacted and scrubbed copy of every PDF input, then verified.

    The copy keeps no metadata, XMP, bookmarks, attachments, annotations, form
    fields, JavaScript, page labels or layer names; the check reads all of them
    and every decompressed object back. A copy that fails the check is removed.
    """
    import dataclasses

    from zcmask.masking import redact_pdf

    ident = options.identity
    needles = [ident.name, *ident.aliases, *ident.unit_names] if ident else []
    out = []
    for f, fr in zip(files, results, strict=True):
        if fr.status != "ok" or f.path not in dests:
            out.append(fr)
            continue
        boxes = {p.index - 1: (p.rotation, p.dpi, [r.bbox for r in p.regions]) for p in fr.pages}
        dest = dests[f.path]
        try:
            check = redact_pdf(f.path, dest, boxes, needles=needles)
        except ZcmaskError as e:
            out.append(FileResult(fr.input, fr.sha256, "error", fr.pages, (e.code, e.message), fr.issues))
            continue
        if not check.clean:
            import contextlib

            with contextlib.suppress(OSError):
                dest.unlink()
            where = "、".join(check.places[:5]) or "被遮盖区域"
            out.append(FileResult(fr.input, fr.sha256, "error", fr.pages,
                                  ("redaction_incomplete",
                                   f"遮盖版 PDF 中仍能读到申报人信息（{where}），已删除该 PDF；请勿上传 PDF，改用输出的 JPG。"),
                                  fr.issues))
        elif check.as_images:
            pages = "、".join(str(n) for n in check.as_images)
            out.append(dataclasses.replace(fr, issues=fr.issues + (issue("pdf_pages_as_images", pages=pages),)))
        else:
            out.append(fr)
    return out
