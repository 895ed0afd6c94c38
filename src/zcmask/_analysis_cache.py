"""A content-hash cache of page analyses, shared by mask, check, validate, audit and the web UI.

A page's analysis (:class:`zcmask.pipeline.PageAnalysis`: which way up it is and
the text read on it) depends on the page's bytes and on how it is read, never on
who the applicant is or on what gets masked. It is about 85% of a page's CPU.
This module keeps analyses on disk so that reading the same page again, by
another verb or with other masking options, costs a decode instead of OCR.

Key
    the input file's sha256, the page index, the zcmask version, a hash of the
    package's own source and model files (so that edited code never reuses an
    old answer), the OCR engine's fingerprint, the ONNX Runtime version, the
    rotation override, and every option except those known not to change the
    analysis (:data:`NOT_ANALYSIS`): a new option is part of the key until
    someone decides otherwise.
Entry
    the orientation, the text lines and a digest of the upright page's pixels,
    as compressed JSON (never pickle, so a cache folder zcmask finds by itself
    cannot run code). On a hit the page is decoded again and turned by the
    stored rotation; its pixels must hash to the stored digest or the entry is
    a miss. A damaged or foreign entry is a miss; writes are atomic.

Where (:func:`cache_options`)
    ``--no-cache`` (``Options.cache=False``): nowhere. Otherwise the folder of
    ``--cache DIR`` (``Options.cache_dir``), else of ``ZCMASK_CACHE_DIR``, else
    the verb's default: ``mask`` uses ``OUTDIR/.zcmask-cache`` (the page
    cache's folder), the web UI its session folder, and the other verbs none.
    ``check`` and ``validate`` also *read* the cache of an earlier ``mask`` run
    of the same input (:func:`find_mask_caches`), without writing to it.
    Nothing goes to a home directory unless the user names one.

It deliberately does not cache locating, masking or legibility (they depend on
the options or cost little), and never evicts (delete the folder to empty it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zcmask import __version__
from zcmask.results import Char, Issue, Legibility, Orientation, TextLine

if TYPE_CHECKING:
    from zcmask.documents import LoadedPage
    from zcmask.ocr import OcrEngine
    from zcmask.options import Options
    from zcmask.pipeline import PageAnalysis, PageContext
    from zcmask.results import FixStep

log = logging.getLogger(__name__)

#: Environment variable naming a cache folder for every verb run from that shell.
ENV = "ZCMASK_CACHE_DIR"
#: Name of the cache folder ``mask`` keeps under its output folder.
FOLDER = ".zcmask-cache"
#: Sub-folder of a cache folder holding the analyses.
SUBDIR = "analysis"
#: File in :data:`SUBDIR` listing the inputs a ``mask`` run read, to find the cache again.
INPUTS_FILE = "inputs.json"
#: Options that cannot change a page's analysis (identity, masking scope, limits, run settings).
NOT_ANALYSIS = frozenset({
    "identity", "seals", "eyes", "pad", "jpeg_quality", "max_file_mb", "min_side_px", "max_side_px",
    "write_pdf", "fix_outdir", "jobs", "progress", "cache", "cache_dir", "cache_lookup",
    "allow_short_identity",
})
_FORMAT = 2  # 2: legibility kept beside the text
_MAGIC = b"ZCA1\n"
_TYPES: dict[str, type] = {"Char": Char, "TextLine": TextLine, "Orientation": Orientation,
                           "Legibility": Legibility, "Issue": Issue}
_SCAN_LIMIT = 2000  # folder entries looked at when finding an earlier mask run's cache


# --------------------------------------------------------------------------- key


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of zcmask's version, its Python source and its bundled model files.

    An installed release always gives the same value; a working copy gives a new
    one whenever any module changes, so a cache never outlives the code that
    wrote it.
    """
    import zcmask

    h = hashlib.sha256(__version__.encode())
    pkg = Path(zcmask.__file__).resolve().parent
    for p in sorted(pkg.rglob("*")):
        if p.suffix not in (".py", ".onnx") or "__pycache__" in p.parts:
            continue
        try:
            h.update(p.relative_to(pkg).as_posix().encode())
            h.update(p.read_bytes() if p.suffix == ".py" else str(p.stat().st_size).encode())
        except OSError:
            h.update(b"?")
    try:
        from importlib.metadata import version

        h.update(version("onnxruntime").encode())
    except Exception:  # noqa: BLE001 - metadata missing in odd installs
        h.update(b"ort?")
    return h.hexdigest()


_DIGESTS: dict[tuple[str, int, int], str] = {}
_DIGEST_LOCK = threading.Lock()


def file_digest(path: str | Path) -> str:
    """sha256 of a file, remembered by (path, size, mtime) for the pages of one file."""
    from zcmask._io import sha256_file

    st = Path(path).stat()
    k = (str(path), st.st_size, st.st_mtime_ns)
    with _DIGEST_LOCK:
        if k in _DIGESTS:
            return _DIGESTS[k]
    d = sha256_file(path)
    with _DIGEST_LOCK:
        if len(_DIGESTS) > 4096:
            _DIGESTS.clear()
        _DIGESTS[k] = d
    return d


def analysis_options(options: Options) -> dict[str, Any]:
    """The options a page's analysis depends on (all but :data:`NOT_ANALYSIS`), as JSON."""
    return options.model_dump(mode="json", exclude=set(NOT_ANALYSIS))


def analysis_key(ctx: PageContext, file_sha256: str, engine_fingerprint: str) -> str:
    """The entry key of one page's analysis."""
    parts = {
        "format": _FORMAT,
        "version": __version__,
        "code": code_fingerprint(),
        "sha256": file_sha256,
        "page": ctx.page_index,
        "engine": engine_fingerprint,
        "options": analysis_options(ctx.options),
        "rotation": ctx.rotation_override,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def pixel_digest(image: np.ndarray) -> str:
    """Digest of an upright page's pixels, shape and type (about 7 ms for an A4 page).

    SHA-256, not BLAKE2: CPUs of the last decade hash it in hardware, twice as fast here.
    """
    h = hashlib.sha256()
    h.update(repr((image.shape, image.dtype.str)).encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()


# --------------------------------------------------------------------------- encoding


class _Unsupported(TypeError):
    """A value the entry format does not carry exactly: such an analysis is not stored."""


def _enc(x: Any) -> Any:
    t = type(x)
    if x is None or t in (bool, int, float, str):
        return x
    if t is tuple:
        return {"T": [_enc(v) for v in x]}
    if t is list:
        return [_enc(v) for v in x]
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return {"N": x.dtype.str, "v": x.item()}
    name = t.__name__
    if _TYPES.get(name) is t:
        return {"D": name, "f": [_enc(getattr(x, f.name)) for f in fields(t)]}
    raise _Unsupported(t)


def _dec(x: Any) -> Any:
    if isinstance(x, list):
        return [_dec(v) for v in x]
    if not isinstance(x, dict):
        return x
    if "T" in x:
        return tuple(_dec(v) for v in x["T"])
    if "N" in x:
        return np.dtype(x["N"]).type(x["v"])
    return _TYPES[x["D"]](*(_dec(v) for v in x["f"]))


@dataclass(frozen=True)
class Entry:
    """What is kept of one analysis: orientation, text lines and the upright page's digest."""

    key: str
    orientation: Orientation
    lines: tuple[TextLine, ...]
    digest: str
    shape: tuple[int, ...]
    dpi: int
    format: str
    legibility: tuple[Legibility, tuple[Issue, ...]] | None = None

    def to_bytes(self) -> bytes:
        data = {"format": _FORMAT, "key": self.key, "orientation": _enc(self.orientation),
                "lines": _enc(self.lines), "digest": self.digest, "shape": list(self.shape),
                "dpi": self.dpi, "page_format": self.format, "legibility": _enc(self.legibility)}
        return _MAGIC + zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 6)

    @classmethod
    def from_bytes(cls, raw: bytes) -> Entry:
        if not raw.startswith(_MAGIC):
            raise ValueError("not an analysis entry")
        d = json.loads(zlib.decompress(raw[len(_MAGIC):]))
        if d["format"] != _FORMAT:
            raise ValueError("other format")
        orient, lines, leg = _dec(d["orientation"]), _dec(d["lines"]), _dec(d.get("legibility"))
        if not isinstance(orient, Orientation) or not isinstance(lines, tuple) \
                or not all(isinstance(ln, TextLine) for ln in lines):
            raise ValueError("malformed entry")
        if leg is not None and not (isinstance(leg, tuple) and len(leg) == 2 and isinstance(leg[0], Legibility)
                                    and isinstance(leg[1], tuple) and all(isinstance(i, Issue) for i in leg[1])):
            raise ValueError("malformed legibility")
        return cls(str(d["key"]), orient, lines, str(d["digest"]), tuple(int(v) for v in d["shape"]),
                   int(d["dpi"]), str(d["page_format"]), leg)


# --------------------------------------------------------------------------- the store


class AnalysisCache:
    """Analyses on disk: read from ``root`` and then ``lookup``, written to ``root`` only.

    Each entry is one file ``<cache>/analysis/<key[:2]>/<key>.zca``.
    """

    def __init__(self, root: str | Path | None, lookup: Sequence[str | Path] = ()) -> None:
        self.root = Path(root) if root is not None else None
        self.lookup = tuple(Path(p) for p in lookup)

    @staticmethod
    def path(folder: Path, key: str) -> Path:
        return folder / SUBDIR / key[:2] / f"{key}.zca"

    def get(self, key: str) -> Entry | None:
        """The entry for ``key`` in the first folder that has a sound one, else None."""
        for folder in ([self.root] if self.root is not None else []) + list(self.lookup):
            p = self.path(folder, key)
            try:
                entry = Entry.from_bytes(p.read_bytes())
            except (FileNotFoundError, NotADirectoryError):
                continue
            except Exception as e:  # noqa: BLE001 - a damaged entry is only a miss
                log.debug("ignoring damaged analysis entry %s: %r", p, e)
                continue
            if entry.key == key:
                return entry
        return None

    def put(self, entry: Entry) -> None:
        """Store an entry in ``root``; a cache that cannot be written only costs speed."""
        if self.root is None:
            return
        from zcmask._io import write_bytes_atomic

        try:
            write_bytes_atomic(self.path(self.root, entry.key), entry.to_bytes())
        except Exception as e:  # noqa: BLE001
            log.warning("could not write the analysis cache under %s: %r", self.root, e)


def entry_of(key: str, an: PageAnalysis) -> Entry | None:
    """The entry for an analysis, or None when it would not come back exactly."""
    try:
        entry = Entry(key, an.orientation, tuple(an.lines), pixel_digest(an.image),
                      tuple(an.image.shape), int(an.dpi), str(an.format), an.legibility)
        back = Entry.from_bytes(entry.to_bytes())
    except (_Unsupported, ValueError, TypeError, KeyError) as e:
        log.debug("analysis not cached: %r", e)
        return None
    if back.orientation != entry.orientation or back.lines != entry.lines:
        return None  # NaN or another value that does not compare equal to itself
    if back.legibility != entry.legibility:
        entry = replace(entry, legibility=None)  # e.g. a NaN metric: keep the text, measure legibility again
    return entry


def rebuild_upright(input_path: str, page_index: int, rotation: int, digest: str, *, dpi: int, max_pixels: int,
                    flatten: bool, mirrored: bool = False) -> tuple[LoadedPage, tuple[FixStep, ...] | None,
                                                                    np.ndarray | None, np.ndarray] | None:
    """A page decoded again and turned upright, or None when its pixels are not ``digest``'s.

    What the analysis cache and the web page's kept pages both do before they use a
    page read earlier: the same decode as :func:`zcmask.pipeline.analyse_page`
    (:func:`zcmask.pipeline.decode_page`), the stored rotation, then the pixel digest,
    which covers the shape too. Returns the page as decoded, what flattening did, its
    preview, and the upright image. Decoding errors are raised.
    """
    from zcmask import _geometry
    from zcmask.pipeline import decode_page

    page, fix_steps, before = decode_page(input_path, page_index, dpi=dpi, max_pixels=max_pixels, flatten=flatten)
    img = _geometry.upright(page.image, rotation)
    if mirrored:
        img = np.ascontiguousarray(img[:, ::-1])
    if pixel_digest(img) != digest:
        return None
    return page, fix_steps, before, img


def _rebuild(ctx: PageContext, entry: Entry) -> PageAnalysis | None:
    """The analysis of ``ctx`` from a stored entry: decode, turn upright, check the pixels."""
    from zcmask.pipeline import PageAnalysis

    opts = ctx.options
    try:
        rebuilt = rebuild_upright(ctx.input_path, ctx.page_index, entry.orientation.rotation, entry.digest,
                                  dpi=opts.dpi, max_pixels=opts.max_pixels, flatten=opts.flatten,
                                  mirrored=entry.orientation.mirrored)
    except Exception as e:  # noqa: BLE001 - the full analysis reports the error properly
        log.debug("analysis cache: cannot rebuild %s page %d: %r", ctx.input_path, ctx.page_index + 1, e)
        return None
    if rebuilt is None or rebuilt[0].dpi != entry.dpi:
        log.info("analysis cache: %s page %d decodes differently now; reading it again",
                 ctx.input_path, ctx.page_index + 1)
        return None
    page, fix_steps, before, img = rebuilt
    return PageAnalysis(img, page.dpi, page.format, entry.orientation, entry.lines, page.exif_rotation,
                        fix_steps, before, entry.legibility)


#: Hits and misses of this process (for tests and ``-v`` logs).
STATS = {"hits": 0, "misses": 0}


def cached_analysis(ctx: PageContext, engine: OcrEngine | None = None) -> PageAnalysis:
    """:func:`zcmask.pipeline.analyse_page` through the cache named by ``ctx.options``."""
    from zcmask.ocr import get_engine
    from zcmask.pipeline import analyse_page

    opts = ctx.options
    plain = replace(ctx, options=opts.model_copy(update={"cache": False}))
    try:
        digest = file_digest(ctx.input_path)
        fingerprint = (engine or get_engine(opts.ocr_engine)).fingerprint()
    except OSError:
        return analyse_page(plain, engine)
    cache = AnalysisCache(opts.cache_dir, opts.cache_lookup)
    key = analysis_key(ctx, digest, fingerprint)
    entry = cache.get(key)
    if entry is not None:
        an = _rebuild(ctx, entry)
        if an is not None:
            STATS["hits"] += 1
            log.debug("analysis cache hit: %s page %d", ctx.input_path, ctx.page_index + 1)
            return an
    STATS["misses"] += 1
    an = analyse_page(plain, engine)
    if cache.root is not None:
        # Every caller measures legibility next; measured here, it is kept with the text
        # and a later reading of the page skips it too (0.2 CPU s per page).
        from zcmask.quality import assess_legibility

        legibility, leg_issues = assess_legibility(an.image, an.lines, an.dpi)
        an = replace(an, legibility=(legibility, tuple(leg_issues)))
        fresh = entry_of(key, an)
        if fresh is not None:
            cache.put(fresh)
    return an


# --------------------------------------------------------------------------- where


def cache_root(folder: str | Path) -> Path:
    """The cache folder meant by ``folder``: a ``mask`` output folder means its ``.zcmask-cache``."""
    p = Path(folder).expanduser()
    return p / FOLDER if (p / FOLDER).is_dir() else p


def record_inputs(root: str | Path, inputs: Iterable[str | Path]) -> None:
    """Add ``inputs`` (resolved) to the list kept in ``root`` for :func:`find_mask_caches`."""
    from zcmask._io import write_bytes_atomic

    dest = Path(root) / SUBDIR / INPUTS_FILE
    known = _recorded(dest)
    new = [str(Path(p).resolve()) for p in inputs]
    merged = list(dict.fromkeys([*known, *new]))
    if merged == known:
        return
    try:
        write_bytes_atomic(dest, json.dumps({"inputs": merged}, ensure_ascii=False, indent=1).encode())
    except Exception as e:  # noqa: BLE001
        log.warning("could not record the inputs of the analysis cache %s: %r", root, e)


def _recorded(marker: Path) -> list[str]:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        return [str(p) for p in data["inputs"] if isinstance(p, str)]
    except Exception:  # noqa: BLE001 - missing or damaged: nothing recorded
        return []


def _related(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def find_mask_caches(inputs: Iterable[str | Path], *, cwd: Path | None = None) -> list[Path]:
    """Cache folders of earlier ``mask`` runs over (part of) ``inputs``, newest first.

    Looked for: ``.zcmask-cache`` in each input folder, in the folders beside it
    (``zcmask mask APP -o APP-masked``), in the folders inside it, and in the
    current folder and the folders inside it. A cache counts when its
    ``inputs.json`` names an input, a folder holding one, or a path inside one.
    """
    targets = []
    for p in inputs:
        try:
            targets.append(Path(p).resolve())
        except OSError:
            continue
    bases: list[Path] = []
    for t in targets:
        base = t if t.is_dir() else t.parent
        bases += [base, base.parent]
    here = (cwd or Path.cwd()).resolve()
    bases.append(here)
    candidates: list[Path] = []
    budget = _SCAN_LIMIT
    for b in dict.fromkeys(bases):
        candidates.append(b)
        try:
            with os.scandir(b) as it:
                for e in it:
                    budget -= 1
                    if budget < 0:
                        break
                    if not e.name.startswith(".") and e.is_dir(follow_symlinks=False):
                        candidates.append(Path(e.path))
        except OSError:
            continue
    found: list[tuple[float, Path]] = []
    for c in dict.fromkeys(candidates):
        marker = c / FOLDER / SUBDIR / INPUTS_FILE
        recorded = _recorded(marker)
        if recorded and any(_related(Path(r), t) for r in recorded for t in targets):
            try:
                found.append((marker.stat().st_mtime, c / FOLDER))
            except OSError:
                continue
    return [p for _, p in sorted(found, key=lambda x: -x[0])]


def cache_options(options: Options, inputs: Iterable[str | Path] = (), *, default: str | Path | None = None,
                  discover: bool = False) -> Options:
    """``options`` with the analysis cache a verb uses filled in (see the module text).

    ``default`` is the verb's own folder (``mask``: ``OUTDIR/.zcmask-cache``);
    ``discover`` adds, read-only, the caches of earlier ``mask`` runs of ``inputs``.
    """
    if not options.cache:
        return options.model_copy(update={"cache_dir": None, "cache_lookup": ()})
    root: Path | None = Path(options.cache_dir) if options.cache_dir is not None else None
    if root is None:
        env = os.environ.get(ENV, "").strip()
        root = Path(env) if env else (Path(default) if default is not None else None)
    if root is not None:
        root = cache_root(root)
    lookup = [Path(p) for p in options.cache_lookup]
    if discover:
        lookup += find_mask_caches(inputs)
    lookup = [p for p in dict.fromkeys(lookup) if root is None or p.resolve() != root.resolve()]
    return options.model_copy(update={"cache_dir": root, "cache_lookup": tuple(lookup)})
