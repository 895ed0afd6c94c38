"""Where a batch's pages run: in process, in a local process pool, or on a Dask cluster.

Every executor runs the same :func:`zcmask.pipeline.process_page` on picklable
:class:`~zcmask.pipeline.PageContext` objects and yields ``(context, result)`` in
completion order. At most ``window`` pages are in flight, so memory stays
bounded however many pages a batch has. Executors never touch the progress
database: the batch runner records results as they come back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from zcmask.exceptions import BadArgsError, MissingDependencyError
from zcmask.pipeline import PageContext, process_page
from zcmask.results import PageResult

log = logging.getLogger(__name__)

Done = Iterator[tuple[PageContext, PageResult]]


class PageExecutor:
    """Runs page contexts; subclasses decide where."""

    name = "inline"
    workers = 1

    def run(self, contexts: Iterable[PageContext]) -> Done:
        """Process ``contexts``, yielding each with its result as soon as it is done."""
        for ctx in contexts:
            yield ctx, process_page(ctx)

    def close(self) -> None:
        """Release workers and connections."""

    def __enter__(self) -> PageExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor(PageExecutor):
    """A local process pool of ``jobs`` workers (in process when ``jobs`` is 1).

    Parameters
    ----------
    jobs : int
        Worker processes.
    initializer : callable, optional
        Run once in every worker (tests register a fake OCR engine with it).

    """

    name = "local"

    def __init__(self, jobs: int = 1, initializer: Callable[[], None] | None = None) -> None:
        self.workers = max(1, jobs)
        self._initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def run(self, contexts: Iterable[PageContext]) -> Done:
        if self.workers == 1:
            if self._initializer is not None:
                self._initializer()
            yield from super().run(contexts)
            return
        if self._pool is None:
            from zcmask.api import process_pool

            self._pool = process_pool(self.workers, self._initializer)
        pool = self._pool
        window = self.workers * 2
        pending: dict[Future[PageResult], PageContext] = {}
        it = iter(contexts)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                ctx = next(it, None)
                if ctx is None:
                    exhausted = True
                    break
                pending[pool.submit(process_page, ctx)] = ctx
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(PageExecutor):
    """Pages on an existing Dask cluster, through ``distributed.Client``.

    Workers need the same zcmask version as this machine and must be able to
    read the inputs and write under the output folder at the same paths.

    Parameters
    ----------
    scheduler : str
        The scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    window : int, optional
        Pages in flight at once; defaults to twice the cluster's thread count.

    """

    name = "dask"

    def __init__(self, scheduler: str, window: int | None = None) -> None:
        try:
            from distributed import Client
        except ImportError as e:
            raise MissingDependencyError("使用 --executor dask 需要安装 distributed：pip install 'zcmask[dask]'。") from e
        try:
            self._client: Any = Client(scheduler, set_as_default=False, timeout="20s")
        except (OSError, TimeoutError, ValueError) as e:
            raise BadArgsError(f"无法连接 Dask 调度器 {scheduler}：{e}。请确认地址（如 tcp://主机:8786）与网络。") from e
        threads = sum(self._client.nthreads().values()) or 1
        self.workers = threads
        self._window = window or max(2, threads * 2)

    def run(self, contexts: Iterable[PageContext]) -> Done:
        from distributed import as_completed

        it = iter(contexts)
        owner: dict[str, PageContext] = {}

        def submit() -> Any:
            ctx = next(it, None)
            if ctx is None:
                return None
            fut = self._client.submit(process_page, ctx, pure=False)
            owner[fut.key] = ctx
            return fut

        first = [f for f in (submit() for _ in range(self._window)) if f is not None]
        if not first:
            return
        ac = as_completed(first, loop=self._client.loop)
        for fut in ac:
            ctx = owner.pop(fut.key)
            res = fut.result()
            fut.release()
            nxt = submit()
            if nxt is not None:
                ac.add(nxt)
            yield ctx, res

    def close(self) -> None:
        self._client.close()


def make_executor(kind: str, *, jobs: int = 1, scheduler: str | None = None,
                  initializer: Callable[[], None] | None = None) -> PageExecutor:
    """Build the executor the command line asked for (``local`` or ``dask``)."""
    if kind == "local":
        return LocalExecutor(jobs, initializer)
    if kind == "dask":
        if not scheduler:
            raise BadArgsError("--executor dask 需要 --scheduler tcp://主机:8786（已运行的 Dask 调度器地址）。")
        return DaskExecutor(scheduler)
    raise BadArgsError(f"未知的执行方式 {kind}：可选 local 或 dask。")
