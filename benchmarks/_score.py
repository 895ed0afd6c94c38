"""The held-out judge's scoring rule, applied to one tool's output page.

- A true instance (name, unit, seal, eyes) counts as **masked** only when at
  least 95% of its pixels fall inside the regions the tool reported *and* are
  black in the output JPG. An instance's pixels are its ink (text, seal) or its
  whole box (the eye band), on the page as written.
- **Over-mask** is the share of the page area that is masked (inside a reported
  region and black) away from every true instance's boxes.
- ``other`` instances (other people, authority seals) must stay visible; one
  counts as wrongly hidden when more than half of its pixels are masked.

The output frame is the tool's own: zcmask writes the page upright and reports
the rotation it undid, so truths are turned the same way; a tool that does not
turn pages is scored on the page as it was given. Orientation accuracy is
reported separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks._templates import Instance

MASKED_SHARE = 0.95
BLACK_MAX = 48  # JPEG ringing keeps a filled rectangle just above 0
KINDS = ("name", "unit", "seal", "eyes")


@dataclass(frozen=True)
class InstanceScore:
    """How one true instance fared."""

    kind: str
    case: str
    text: str
    covered: float  # share of its pixels inside a region and black
    masked: bool


@dataclass(frozen=True)
class PageScore:
    """The scores of one page: instances, wrongly hidden others, over-mask share."""

    instances: tuple[InstanceScore, ...]
    others_hidden: int
    others: int
    over_mask: float
    frame_ok: bool


def region_mask(shape: tuple[int, int], boxes: Sequence[Sequence[float]]) -> np.ndarray:
    """A (H, W) bool mask of the union of ``[x0, y0, x1, y1]`` boxes, clipped to the page."""
    h, w = shape
    m = np.zeros((h, w), bool)
    for b in boxes:
        x0, y0 = max(0, int(np.floor(b[0]))), max(0, int(np.floor(b[1])))
        x1, y1 = min(w, int(np.ceil(b[2]))), min(h, int(np.ceil(b[3])))
        if x1 > x0 and y1 > y0:
            m[y0:y1, x0:x1] = True
    return m


def score_page(instances: Sequence[Instance], page_shape: tuple[int, int], output: np.ndarray,
               regions: Sequence[Sequence[float]], rotation: int = 0) -> PageScore:
    """Score one output page.

    Parameters
    ----------
    instances : sequence of Instance
        Truth, with masks on the page as given to the tool, of shape ``page_shape`` (H, W).
    output : ndarray, shape (H', W', 3) or (H', W') uint8
        The tool's output page.
    regions : sequence of [x0, y0, x1, y1]
        The boxes the tool reported, in output pixels.
    rotation : int
        How far the tool turned the page counter-clockwise (the report's ``rotation``).
    """
    k = (rotation // 90) % 4
    oh, ow = output.shape[:2]
    gray_max = output.max(axis=2) if output.ndim == 3 else output
    hit = region_mask((oh, ow), regions) & (gray_max <= BLACK_MAX)
    expect = page_shape if k % 2 == 0 else (page_shape[1], page_shape[0])
    frame_ok = expect == (oh, ow)
    scores: list[InstanceScore] = []
    others = hidden = 0
    zone = np.zeros(page_shape, bool)
    for inst in instances:
        if inst.kind in KINDS:
            zone |= region_mask(page_shape, inst.parts or [inst.bbox()])
    zone = np.rot90(zone, k)
    for inst in instances:
        if not frame_ok:
            if inst.kind in KINDS:
                scores.append(InstanceScore(inst.kind, inst.case, inst.text, 0.0, False))
            continue
        m = np.rot90(inst.full_mask(page_shape), k)
        n = int(m.sum())
        cov = float(hit[m].sum()) / n if n else 1.0
        if inst.kind in KINDS:
            scores.append(InstanceScore(inst.kind, inst.case, inst.text, cov, cov >= MASKED_SHARE))
        else:
            others += 1
            hidden += cov > 0.5
    over = float((hit & ~zone).sum()) / float(oh * ow) if frame_ok else float(hit.mean())
    return PageScore(tuple(scores), hidden, others, over, frame_ok)


def summarise(pages: Sequence[PageScore]) -> dict[str, object]:
    """Recall per kind and per (kind, case), mean and max over-mask, others wrongly hidden."""
    per_kind: dict[str, list[bool]] = {}
    per_case: dict[str, list[bool]] = {}
    for p in pages:
        for s in p.instances:
            per_kind.setdefault(s.kind, []).append(s.masked)
            per_case.setdefault(f"{s.kind}/{s.case}", []).append(s.masked)

    def rate(v: list[bool]) -> dict[str, object]:
        return {"recall": round(sum(v) / len(v), 4) if v else None, "n": len(v), "masked": int(sum(v))}

    over = [p.over_mask for p in pages]
    return {
        "recall_per_kind": {k: rate(per_kind.get(k, [])) for k in KINDS},
        "recall_per_case": {c: rate(v) for c, v in sorted(per_case.items())},
        "recall_all": rate([m for v in per_kind.values() for m in v]),
        "over_mask_mean": round(float(np.mean(over)), 5) if over else None,
        "over_mask_max": round(float(np.max(over)), 5) if over else None,
        "others_hidden": int(sum(p.others_hidden for p in pages)),
        "others": int(sum(p.others for p in pages)),
        "pages": len(pages),
    }
