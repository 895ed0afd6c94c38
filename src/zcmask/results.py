"""Typed, immutable results passed between the pipeline stages.

Boxes are ``(x0, y0, x1, y1)`` in pixels of the page the stage worked on,
origin top-left, x1/y1 exclusive. Nothing here touches pixels or files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BBox = tuple[float, float, float, float]
IntBBox = tuple[int, int, int, int]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Char:
    """One recognised character and its box."""

    text: str
    bbox: BBox
    score: float = 1.0


@dataclass(frozen=True)
class TextLine:
    """One recognised text line.

    ``chars`` holds one entry per visible character (no spaces). ``bbox`` is the
    axis-aligned box of the whole detected line, which may be taller than the
    characters on a skewed scan.
    """

    text: str
    bbox: BBox
    score: float
    chars: tuple[Char, ...]
    source: str = "ocr"


@dataclass(frozen=True)
class Region:
    """Something located on a page: what it is, where, and why.

    ``kind`` is ``name``, ``unit``, ``seal``, ``eyes`` (and ``signature``,
    ``manual`` ...); ``source`` says how it was found (``ocr``, ``text_layer``,
    ``layout``, ``color``, ``shape``, ``face``, ``manual``).
    """

    kind: str
    bbox: IntBBox
    text: str = ""
    source: str = "ocr"
    score: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "bbox": [int(v) for v in self.bbox],
            "text": self.text,
            "source": self.source,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class SealSeen:
    """A seal that was found, whether it was masked or left visible."""

    bbox: IntBBox
    text: str
    owner: str  # "applicant" | "authority" | "unknown"
    masked: bool
    shape: str = "round"
    score: float = 1.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["bbox"] = [int(v) for v in self.bbox]
        d["score"] = round(float(self.score), 4)
        return d


@dataclass(frozen=True)
class Issue:
    """A problem on a page or file, with a stable code and a zh-CN fix."""

    code: str
    severity: Severity
    message: str
    bbox: IntBBox | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.bbox is not None:
            d["bbox"] = [int(v) for v in self.bbox]
        return d


@dataclass(frozen=True)
class Orientation:
    """Content rotation, clockwise from upright, and how sure we are.

    ``mirrored``: the upright page read left to right only when flipped (a photo taken
    with a phone's front camera, a sheet scanned through from behind), so it was flipped
    back after the turn, as a turned page is turned back: boxes are on the flipped page.
    """

    rotation: int = 0
    confidence: float = 1.0
    source: str = "none"
    mirrored: bool = False

    def to_json(self) -> dict[str, Any]:
        out = {"rotation": self.rotation, "confidence": round(float(self.confidence), 4), "source": self.source}
        if self.mirrored:
            out["mirrored"] = True
        return out


@dataclass(frozen=True)
class Legibility:
    """Whether a page can be read, a score in [0, 1], and why not."""

    legible: bool = True
    score: float = 1.0
    reasons: tuple[str, ...] = ()
    metrics: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "legible": self.legible,
            "score": round(float(self.score), 4),
            "reasons": list(self.reasons),
            "metrics": {k: round(float(v), 4) for k, v in self.metrics},
        }


@dataclass(frozen=True)
class FixStep:
    """One correction ``check --fix`` or ``mask --flatten`` applied to a page, with its parameters."""

    step: str  # perspective | dewarp | light | deskew | rotate | mirror | copy
    params: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, **dict(self.params)}


@dataclass(frozen=True)
class PageFix:
    """What was done to make a page upload-ready, where it went, and small before/after previews.

    ``before`` and ``after`` are JPEG data URIs for the HTML report; they are not
    written to the JSON.
    """

    steps: tuple[FixStep, ...] = ()
    output: str | None = None
    before: str = field(default="", repr=False)
    after: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"output": self.output, "steps": [s.to_json() for s in self.steps]}


@dataclass(frozen=True)
class PageResult:
    """What processing one page produced. Immutable; merged by :mod:`zcmask.report`."""

    index: int
    width: int
    height: int
    dpi: int
    rotation: int
    orientation: Orientation
    legibility: Legibility
    regions: tuple[Region, ...]
    issues: tuple[Issue, ...]
    output: str | None = None
    seals: tuple[SealSeen, ...] = ()
    text_chars: int = 0
    text: str = ""
    seconds: float = 0.0
    error: tuple[str, str] | None = None  # (code, message) when this page failed
    fix: PageFix | None = None  # check --fix / mask --flatten only

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "output": self.output,
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
            "rotation": self.rotation,
            "orientation": self.orientation.to_json(),
            "legibility": self.legibility.to_json(),
            "regions": [r.to_json() for r in self.regions],
            "seals": [s.to_json() for s in self.seals],
            "issues": [i.to_json() for i in self.issues],
            "text_chars": self.text_chars,
            "seconds": round(self.seconds, 3),
        } | ({"fix": self.fix.to_json()} if self.fix is not None else {})


@dataclass(frozen=True)
class FileResult:
    """All pages of one input file, or the error that stopped it."""

    input: str
    sha256: str | None
    status: Literal["ok", "error"]
    pages: tuple[PageResult, ...] = ()
    error: tuple[str, str] | None = None  # (code, zh-CN message)
    issues: tuple[Issue, ...] = field(default=())

    def to_json(self, pages: Sequence[PageResult] | None = None) -> dict[str, Any]:
        """The contract's file entry, listing ``pages`` (default: all of them).

        A ``mask`` report lists only the pages written (:meth:`zcmask.report.Report.listed_pages`).
        """
        pages = self.pages if pages is None else pages
        return {
            "input": self.input,
            "sha256": self.sha256,
            "status": self.status,
            "error": None if self.error is None else {"code": self.error[0], "message": self.error[1]},
            "issues": [i.to_json() for i in self.issues],
            "pages": [p.to_json() for p in pages],
        }


def pages_error(pages: Sequence[PageResult]) -> tuple[str, str] | None:
    """The file's error when any of its pages failed: the first failure, naming every failed page."""
    failed = [p for p in pages if p.error is not None]
    if not failed:
        return None
    code, msg = failed[0].error  # type: ignore[misc]
    if len(pages) > 1:
        msg = f"第 {'、'.join(str(p.index) for p in failed)} 页：{msg}"
    return code, msg
