"""A content-hash cache of masked pages, so re-running a folder skips unchanged pages.

An entry is keyed by the input file's sha256, the page index, a hash of every
option that can change the output, the zcmask version, the OCR engine's
fingerprint, and the page's manual regions and rotation override. It stores the
:class:`~zcmask.results.PageResult` and the masked JPG bytes. On a hit the JPG is
written (atomically) to the page's output path and the stored result is
returned with that path, without decoding or reading the page.

The cache lives under the output folder (``OUTDIR/.zcmask-cache/``), so it goes
away with the outputs and no applicant's text is left in a home directory.

It deliberately does not: cache ``check`` or ``audit`` runs (they write no
pages), cache failed pages, or evict anything (delete the folder to empty it).
A damaged entry is treated as a miss. When an entry misses (other options), the
page's analysis may still come from :mod:`zcmask._analysis_cache`, which keeps
its entries in the ``analysis/`` sub-folder of the same folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from zcmask import __version__
from zcmask._io import sha256_file, write_bytes_atomic
from zcmask.ocr import get_engine
from zcmask.options import Options
from zcmask.pipeline import PageContext
from zcmask.results import PageResult

log = logging.getLogger(__name__)

#: Options that only change how a run is carried out, never what it writes.
_NEUTRAL_OPTIONS = frozenset({"jobs", "progress", "cache", "cache_dir", "cache_lookup", "fix_outdir",
                              "allow_short_identity"})
_FORMAT = 1

RunFn = Callable[[Sequence[PageContext], Callable[[int, int], None] | None], list[PageResult]]


def options_hash(options: Options) -> str:
    """Hash of the options that can change a page's output (not ``jobs``, ``progress``, ``cache``)."""
    data = options.model_dump(mode="json", exclude=set(_NEUTRAL_OPTIONS))
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class PageCache:
    """Page results and masked JPG bytes on disk, one file per entry under ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def key(self, ctx: PageContext, file_sha256: str, engine_fingerprint: str) -> str:
        """The entry key of one page of one file under one set of options."""
        from zcmask._analysis_cache import code_fingerprint

        parts = {
            "format": _FORMAT,
            "version": __version__,
            "code": code_fingerprint(),  # a working copy's edits never meet its old entries
            "sha256": file_sha256,
            "page": ctx.page_index,
            "command": ctx.command,
            "options": options_hash(ctx.options),
            "engine": engine_fingerprint,
            "manual": [[r.kind, list(r.bbox), r.text, r.source] for r in ctx.manual_regions],
            "rotation": ctx.rotation_override,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> tuple[PageResult, bytes] | None:
        """The stored result and JPG bytes for ``key``, or None (also for a damaged entry)."""
        p = self._path(key)
        try:
            data = pickle.loads(p.read_bytes())  # noqa: S301 - our own files under the output folder
            result, jpg = data["result"], data["jpg"]
        except FileNotFoundError:
            return None
        except Exception as e:  # noqa: BLE001 - a damaged entry is only a miss
            log.debug("ignoring damaged cache entry %s: %r", p, e)
            return None
        if not isinstance(result, PageResult) or not isinstance(jpg, bytes):
            return None
        return result, jpg

    def put(self, key: str, result: PageResult, jpg: bytes) -> None:
        """Store an entry; a cache that cannot be written only costs speed."""
        try:
            write_bytes_atomic(self._path(key), pickle.dumps({"result": result, "jpg": jpg}, protocol=4))
        except Exception as e:  # noqa: BLE001
            log.warning("could not write the page cache under %s: %r", self.root, e)


def run_cached(contexts: Sequence[PageContext], cache_dir: str | Path, run: RunFn,
               progress: Callable[[int, int], None] | None = None) -> list[PageResult]:
    """Run ``contexts`` through ``run``, reusing cached pages and caching new ones.

    Only pages that write an output JPG (``mask``) take part; the rest always run.
    Results come back in the order of ``contexts``.
    """
    cache = PageCache(cache_dir)
    total = len(contexts)
    digests: dict[str, str | None] = {}
    fingerprints: dict[str, str] = {}
    results: list[PageResult | None] = [None] * total
    keys: list[str | None] = [None] * total
    todo: list[int] = []
    for i, ctx in enumerate(contexts):
        if ctx.command != "mask" or not ctx.output_path:
            todo.append(i)
            continue
        if ctx.input_path not in digests:
            try:
                digests[ctx.input_path] = sha256_file(ctx.input_path)
            except OSError:
                digests[ctx.input_path] = None
        digest = digests[ctx.input_path]
        name = ctx.options.ocr_engine
        if name not in fingerprints:
            fingerprints[name] = get_engine(name).fingerprint()
        if digest is None:
            todo.append(i)
            continue
        keys[i] = k = cache.key(ctx, digest, fingerprints[name])
        hit = cache.get(k)
        if hit is None:
            todo.append(i)
            continue
        result, jpg = hit
        try:
            write_bytes_atomic(ctx.output_path, jpg)
        except Exception:  # noqa: BLE001 - cannot restore the output: process the page again
            todo.append(i)
            continue
        results[i] = replace(result, output=ctx.output_path)
    hits = total - len(todo)
    if hits:
        log.info("page cache: %d of %d pages unchanged, reused from %s", hits, total, cache.root)
        if progress:
            progress(hits, total)

    def sub_progress(done: int, _n: int) -> None:
        if progress:
            progress(hits + done, total)

    fresh = run([contexts[i] for i in todo], sub_progress) if todo else []
    for i, res in zip(todo, fresh, strict=True):
        results[i] = res
        key = keys[i]
        if key is None or res.error is not None or not res.output:
            continue
        try:
            jpg = Path(res.output).read_bytes()
        except OSError:
            continue
        cache.put(key, res, jpg)
    return [r for r in results if r is not None]
