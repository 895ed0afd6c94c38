"""The worker pool's fork server, startable before the heavy imports.

A run with a process pool waits about a second before its first page: the fork
server imports the pipeline and RapidOCR (:mod:`zcmask.ocr._preload`) before it
can fork a worker. This module imports nothing heavy, so the command line can
start the fork server right after parsing its arguments (:func:`warm_up`) and
let those imports run on the second core while the main process imports the API,
reads the profile and lists the input files.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: How log lines look on stderr, in the main process and in pool workers.
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"

#: What the fork server imports once, so that every worker inherits it.
PRELOAD = ["zcmask._lifeline", "zcmask.pipeline", "zcmask.ocr._preload"]

#: Suffixes of files that may hold more than one page.
_MULTI_PAGE = frozenset({".pdf", ".tif", ".tiff", ".gif", ".webp"})


#: Pages being worked on by this pool's workers, shared by them (set in each worker).
_BUSY: Any = None
#: CPUs this worker's pool may use.
_POOL_CPUS = 1


def note_pool(busy: Any, cpus: int) -> None:
    """In a pool worker: remember the pool's shared count of busy workers and its CPUs."""
    global _BUSY, _POOL_CPUS
    _BUSY, _POOL_CPUS = busy, max(1, cpus)


def in_pool() -> bool:
    """True in a worker of :func:`zcmask.api.process_pool` (one that counts its busy workers)."""
    return _BUSY is not None


def spare_cpus() -> int:
    """CPUs of this process's pool that no worker is using now (0 outside a pool).

    A worker alone on the machine (the last page of a batch, a single upload on the
    web page) may then use its helper thread (:func:`beside`) for work that splits
    without changing its result: the recogniser's line crops, the page's legibility.
    """
    busy = _BUSY
    if busy is None:
        return 0
    return max(0, _POOL_CPUS - int(busy.value))


_HELPER: Any = None


def helper() -> Any:
    """The one helper thread of this process (a ``ThreadPoolExecutor``), started on first use."""
    global _HELPER
    if _HELPER is None:
        from concurrent.futures import ThreadPoolExecutor

        _HELPER = ThreadPoolExecutor(1, thread_name_prefix="zcmask-helper")
    return _HELPER


def beside(fn: Callable[..., Any], /, *args: Any) -> Any:
    """Start ``fn(*args)`` on the helper thread when a CPU of the pool is idle; else return None.

    The caller goes on with other work of the same page and then takes the result
    (``future.result()``), or runs ``fn`` itself when this returned None.
    """
    if spare_cpus() < 1:
        return None
    return helper().submit(fn, *args)


def counted(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a pool worker, counted as busy in the pool's shared count while it runs."""
    busy = _BUSY
    if busy is None:
        return fn(*args, **kwargs)
    with busy.get_lock():
        busy.value += 1
    try:
        return fn(*args, **kwargs)
    finally:
        with busy.get_lock():
            busy.value -= 1


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform says, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_jobs() -> int:
    """Worker processes for this machine: one per usable CPU, at most 4, about 600 MB each."""
    cpus = usable_cpus()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        by_mem = max(1, int(mem // (600 << 20)))
    except (ValueError, OSError, AttributeError):
        by_mem = 1
    return max(1, min(cpus, 4, by_mem))


def start_fork_server() -> None:
    """Start the fork server from the main thread, marked to die with this process.

    The parent-death signal fires when the *thread* that started a process
    ends, so only a server started by the main thread asks for it; workers
    watch this process in any case (:mod:`zcmask._lifeline`). Returns at once:
    the server does its imports in its own process.
    """
    from multiprocessing import forkserver

    from zcmask._lifeline import ENV

    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(PRELOAD)
    if threading.current_thread() is not threading.main_thread():
        return
    old = os.environ.get(ENV)
    os.environ[ENV] = str(os.getpid())
    try:
        forkserver.ensure_running()
    finally:
        if old is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = old


def likely_pool(jobs: int, inputs: Sequence[str | os.PathLike[str]]) -> bool:
    """True when a run over ``inputs`` with ``jobs`` workers will probably start a pool.

    A pool runs for more than one page: several inputs, a folder, or a file type
    that can hold several pages. Looks at names only; reads nothing.
    """
    if jobs <= 1 or not inputs:
        return False
    if len(inputs) > 1:
        return True
    p = Path(inputs[0])
    return p.is_dir() or p.suffix.lower() in _MULTI_PAGE


def warm_up(jobs: int, inputs: Sequence[str | os.PathLike[str]]) -> bool:
    """Start the fork server now if the run will probably need it; return whether it was started."""
    if not likely_pool(jobs, inputs):
        return False
    try:
        start_fork_server()
    except Exception:  # noqa: BLE001 - only an optimisation: the pool starts it again when needed
        return False
    return True
