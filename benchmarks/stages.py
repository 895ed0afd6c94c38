"""CPU seconds per page for each stage of ``zcmask mask``, in one process.

``python -m benchmarks.stages DIR --name N --unit U... [--repeat R]`` runs the
pipeline's stages one after another on every page of ``DIR`` (JPGs, in name
order) and prints the process CPU time (``time.process_time``) each stage took,
per page, as the median over ``--repeat`` passes, plus wall time. OCR time is
split into detection and recognition by timing RapidOCR's own stages, and the
OCR calls made from inside orientation and seal reading are counted as OCR,
not as those stages. CPU time, unlike wall time, hardly moves when other jobs
share the cores, so before/after comparisons stay meaningful on a busy machine.

Model loading (the first call) is reported apart, as ``load``.
This script changes nothing; it only calls the public pipeline pieces.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ACC: dict[str, float] = defaultdict(float)
_STACK: list[str] = []


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Charge the CPU time of the block to ``name`` (nested blocks are charged to themselves only)."""
    t = time.process_time()
    _STACK.append(name)
    try:
        yield
    finally:
        _STACK.pop()
        dt = time.process_time() - t
        _ACC[name] += dt
        if _STACK:
            _ACC[_STACK[-1]] -= dt


def _wrap(obj: object, attr: str, name: str) -> None:
    fn = getattr(obj, attr)

    def wrapped(*a, **k):  # type: ignore[no-untyped-def]
        with stage(name):
            return fn(*a, **k)

    setattr(obj, attr, wrapped)


def _instrument(engine: object) -> None:
    """Split OCR into detection and recognition by wrapping RapidOCR's stage objects."""
    eng = engine._engine()  # type: ignore[attr-defined]
    det, rec = eng._load_det_model(), eng._load_rec_model()
    for obj, name in ((det, "ocr_det"), (rec, "ocr_rec")):
        cls = type(obj)
        call = cls.__call__

        def sub(self, *a, _call=call, _name=name, **k):  # type: ignore[no-untyped-def]
            with stage(_name):
                return _call(self, *a, **k)

        obj.__class__ = type(cls.__name__ + "Timed", (cls,), {"__call__": sub})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--name", required=True)
    ap.add_argument("--unit", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--pages", type=int, default=0, help="first N pages only (0: all)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    from zcmask import pipeline
    from zcmask._io import write_jpeg_atomic
    from zcmask.documents import load_page
    from zcmask.locate import faces, seals
    from zcmask.masking import mask_regions
    from zcmask.ocr import get_engine
    from zcmask.options import Identity, Options, Unit
    from zcmask.quality import legibility, orientation

    opts = Options(identity=Identity(name=args.name, units=tuple(Unit(name=u) for u in args.unit)))
    t = time.process_time()
    engine = get_engine(opts.ocr_engine)
    engine._engine()  # type: ignore[attr-defined]
    orientation.classifier_probs(__import__("numpy").full((300, 300, 3), 255, "uint8"))
    load = time.process_time() - t
    _instrument(engine)
    _wrap(engine, "recognize", "ocr_other")
    _wrap(engine, "recognize_lines", "ocr_other")

    # Charge each stage through the functions the pipeline calls.
    _wrap(pipeline, "load_page", "decode")
    _wrap(orientation, "classifier_probs", "orientation")
    _wrap(pipeline, "read_orientation", "orientation")
    _wrap(pipeline, "find_identity", "locate_text")
    _wrap(pipeline, "fit_to_ink", "locate_text")
    _wrap(pipeline, "find_seals", "seals")
    _wrap(pipeline, "find_eyes", "eyes")
    _wrap(pipeline, "assess_legibility", "legibility")
    _wrap(pipeline, "mask_regions", "mask")
    _wrap(pipeline, "write_jpeg_atomic", "write")
    del load_page, faces, seals, mask_regions, write_jpeg_atomic, legibility

    files = sorted(Path(args.folder).glob("*.jpg"))
    if args.pages:
        files = files[: args.pages]
    out = Path("/tmp/zcmask-stages-out")
    out.mkdir(exist_ok=True)
    passes: list[dict[str, float]] = []
    walls: list[float] = []
    for _ in range(args.repeat):
        _ACC.clear()
        w = time.perf_counter()
        c = time.process_time()
        for f in files:
            ctx = pipeline.PageContext(str(f), 0, opts, "mask", str(out / f.name))
            r = pipeline.process_page(ctx, engine)
            if r.error:
                print(f"{f.name}: {r.error}", file=sys.stderr)
        walls.append((time.perf_counter() - w) / len(files))
        total = (time.process_time() - c) / len(files)
        row = {k: v / len(files) for k, v in _ACC.items()}
        row["other"] = total - sum(row.values())
        row["total"] = total
        passes.append(row)
    keys = ["decode", "orientation", "ocr_det", "ocr_rec", "ocr_other", "locate_text", "seals", "eyes", "legibility",
            "mask", "write", "other", "total"]
    med = {k: statistics.median(p.get(k, 0.0) for p in passes) for k in keys}
    med["wall"] = statistics.median(walls)
    med["load"] = load
    print(f"{len(files)} pages, median of {args.repeat}; CPU s/page per stage:")
    for k in [*keys, "wall", "load"]:
        print(f"  {k:12s} {med[k]:6.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": len(files), "repeat": args.repeat, "median": med,
                                               "passes": passes}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
