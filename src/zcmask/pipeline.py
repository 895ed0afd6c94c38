"""Per-page work: a picklable :class:`PageContext` in, an immutable PageResult out.

``process_page`` runs every stage on one page: decode, orientation, OCR (or the
PDF text layer), locating, masking, legibility and writing. It is a plain
function of its context so that a process pool or a Dask cluster can run it;
merging page results into file results and reports happens in :mod:`zcmask.api`.
It never raises for a bad page: the error is recorded in the result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from zcmask import _geometry
from zcmask._io import write_jpeg_atomic
from zcmask.documents import LoadedPage, load_page
from zcmask.exceptions import ZcmaskError
from zcmask.locate import find_identity, name_patterns, unit_patterns
from zcmask.locate._faint import erase_faint, faint_print, looks_mirrored
from zcmask.locate._faint_seal import (
    PageWindows,
    faint_lone_seal,
    faint_seals_beside,
    faint_unit_seals,
)
from zcmask.locate._field import unread_column_rest, unread_name_fields
from zcmask.locate._ink import fit_to_ink
from zcmask.locate._lone_glyphs import lone_glyph_lines
from zcmask.locate._other_script import other_script_copies
from zcmask.locate._overprint import overprint_lines
from zcmask.locate._pale_print import pale_print_lines, pale_print_regions
from zcmask.locate._seal_block import seal_block_regions
from zcmask.locate._subtitle import small_print_beside
from zcmask.locate._text import lookalike_lines, unreadable_name_chars
from zcmask.locate._under_seal import under_seal_regions
from zcmask.locate._unread_rest import unit_rest_unread
from zcmask.locate._wordmark import (
    unread_emblems,
    unread_row_emblems,
    unread_stacked_logos,
    unread_wordmarks,
)
from zcmask.locate.faces import find_eyes
from zcmask.locate.seals import find_seals, judge_seals
from zcmask.masking import mask_regions
from zcmask.messages import ISSUE_ZH, issue, not_jpg_issue, rotated_issue
from zcmask.ocr import OcrEngine, get_engine
from zcmask.ocr._layer import new_lines, unread_ink, unreadable
from zcmask.options import Identity, Options
from zcmask.quality import assess_legibility
from zcmask.quality._fixout import page_fix, write_fixed
from zcmask.quality.orientation import read_orientation, reads_mirrored
from zcmask.results import (
    FixStep,
    Issue,
    Legibility,
    Orientation,
    PageResult,
    Region,
    SealSeen,
    TextLine,
)

log = logging.getLogger(__name__)

Command = Literal["mask", "check", "audit", "fix"]

# Region kinds reported by check/audit as still visible, with their issue code.
UNMASKED_CODE = {"name": "unmasked_name", "unit": "unmasked_unit", "seal": "unmasked_seal",
                 "eyes": "unmasked_eyes", "signature": "unmasked_signature"}


@dataclass(frozen=True)
class PageContext:
    """Everything a worker needs to process one page; small and picklable."""

    input_path: str
    page_index: int
    options: Options
    command: Command = "mask"
    output_path: str | None = None
    fix_path: str | None = None
    manual_regions: tuple[Region, ...] = field(default=())
    rotation_override: int | None = None


@dataclass(frozen=True)
class PageAnalysis:
    """The shared analysis of one upright page, reused by mask, check, audit and seals."""

    image: np.ndarray
    dpi: int
    format: str
    orientation: Orientation
    lines: tuple[TextLine, ...]
    exif_rotation: int = 0
    fix: tuple[FixStep, ...] | None = None  # with options.flatten: what flattening did
    before: np.ndarray | None = None  # with options.flatten: a small preview of the page as read
    #: legibility of this page when already known (the analysis cache keeps it beside the text)
    legibility: tuple[Legibility, tuple[Issue, ...]] | None = None


def page_legibility(an: PageAnalysis) -> tuple[Legibility, list[Issue]]:
    """The page's legibility and its issues: the analysis's own when it carries them, else measured."""
    if an.legibility is not None:
        return an.legibility[0], list(an.legibility[1])
    return assess_legibility(an.image, an.lines, an.dpi)


def decode_page(input_path: str, page_index: int, *, dpi: int, max_pixels: int, flatten: bool,
                ) -> tuple[LoadedPage, tuple[FixStep, ...] | None, np.ndarray | None]:
    """A page as every reading of it starts: decoded, and flattened when asked.

    Returns the page, what flattening did (None when it did not run) and a small
    preview of the page as read (with flattening). :func:`analyse_page`, the
    analysis cache and the web page's kept pages all decode through here, so a page
    rebuilt later is the page that was read (they check that with a pixel digest).
    """
    page = load_page(input_path, page_index, dpi=dpi, max_pixels=max_pixels)
    if not flatten or page.text_lines:  # a PDF with a text layer is born digital: never a photo
        return page, None, None
    from zcmask.quality._flatten import flatten_page

    return flatten_page(page)


def analyse_page(ctx: PageContext, engine: OcrEngine | None = None) -> PageAnalysis:
    """Decode a page, turn it upright and read its text once."""
    opts = ctx.options
    if opts.cache and (opts.cache_dir is not None or opts.cache_lookup):
        from zcmask._analysis_cache import cached_analysis

        return cached_analysis(ctx, engine)  # runs this function with cache=False on a miss
    page, fix_steps, before = decode_page(ctx.input_path, ctx.page_index, dpi=opts.dpi,
                                          max_pixels=opts.max_pixels, flatten=opts.flatten)
    engine = engine or get_engine(opts.ocr_engine)
    ocr_lines: tuple[TextLine, ...] | None = None
    if ctx.rotation_override is not None:
        orient = Orientation(ctx.rotation_override % 360, 1.0, "manual")
    elif opts.detect_orientation:
        reading = read_orientation(page.image, engine=engine, exif_rotation=page.exif_rotation,
                                   text_lines=page.text_lines)
        orient, ocr_lines = reading.orientation, reading.lines
    else:
        orient = Orientation(0, 1.0, "assumed")
    h, w = page.image.shape[:2]
    img = _geometry.upright(page.image, orient.rotation)
    if ocr_lines is not None and not page.text_lines:
        lines = list(ocr_lines)  # orientation already read the upright page: OCR once
    else:
        lines = _read_text(img, page.text_lines, page.image_rects, orient.rotation, w, h, engine)
    if not page.text_lines and reads_mirrored(lines, img, engine):
        # a mirrored photo: flipped back, as a turned page is turned back, and read again
        img = np.ascontiguousarray(img[:, ::-1])
        lines = engine.recognize(img)
        orient = replace(orient, mirrored=True)
    return PageAnalysis(img, page.dpi, page.format, orient, tuple(lines), page.exif_rotation, fix_steps, before)


def _read_text(img: np.ndarray, layer: tuple[TextLine, ...], image_rects: tuple, rotation: int,
               w: int, h: int, engine: OcrEngine) -> list[TextLine]:
    """Use the PDF text layer where there is one, and OCR for everything drawn as pixels.

    Pixels are the page's images, and any other ink the layer does not account for:
    text drawn as vector outlines, and lines whose characters the layer cannot name
    (:mod:`zcmask.ocr._layer`).
    """
    if not layer:
        return engine.recognize(img)
    lines = [ln for ln in _geometry.lines_upright(list(layer), rotation, w, h) if not unreadable(ln.text)]
    covered: list[tuple[float, float, float, float]] = [c.bbox for ln in lines for c in ln.chars]
    H, W = img.shape[:2]

    def read(x0: float, y0: float, x1: float, y1: float) -> list[TextLine]:
        a0, b0 = max(0, int(x0)), max(0, int(y0))
        a1, b1 = min(W, int(np.ceil(x1))), min(H, int(np.ceil(y1)))
        if a1 - a0 < 8 or b1 - b0 < 8:
            return []
        return [_geometry.shift_line(ln, a0, b0) for ln in engine.recognize(np.ascontiguousarray(img[b0:b1, a0:a1]))]

    for r in image_rects:
        x0, y0, x1, y1 = _geometry.box_upright(r, rotation, w, h)
        if (x1 - x0) * (y1 - y0) < 0.02 * W * H or x1 - x0 < 32 or y1 - y0 < 32:
            continue
        lines += read(x0, y0, x1, y1)
        covered.append((x0, y0, x1, y1))
    for box in unread_ink(img, covered):
        lines += new_lines(read(*box), covered)
    return lines


def locate(an: PageAnalysis, options: Options, engine: OcrEngine | None = None, *, strict: bool = False,
           ) -> tuple[list[Region], list[SealSeen], list[Issue]]:
    """Find everything of the applicant on an analysed page.

    ``strict`` is for reading pages that may be masked already (``check``,
    ``audit``, ``validate``): the shape detectors then ask for more evidence
    before they call something a face or a seal, so that a blacked-out photo
    is not reported as a leak. Masking is never strict: recall comes first.
    """
    h, w = an.image.shape[:2]
    regions: list[Region] = []
    seals: list[SealSeen] = []
    issues: list[Issue] = []
    ident = options.identity
    eng = engine or get_engine(options.ocr_engine)  # built once per process; models load on first use
    s_regions: list[Region] = []
    if options.seals != "none":
        # seals first: a unit printed under a seal is read with errors, and
        # find_identity tolerates more of them there
        s_regions, seals, s_issues = find_seals(an.image, an.lines, ident, mode=options.seals,
                                                engine=eng, strict=strict)
        issues += s_issues
    if ident is not None:
        unreadable = unreadable_name_chars(ident, eng.charset()) if an.lines and any(
            ln.source == "ocr" for ln in an.lines) else frozenset()
        if unreadable:
            issues.append(_unreadable_name_issue(ident, unreadable))
        seal_boxes = [s.bbox for s in seals]

        def match(lines: Sequence[TextLine]) -> list[Region]:
            return find_identity(lines, ident, (w, h), pad=options.pad, seal_boxes=seal_boxes, unreadable=unreadable)

        matched = match(an.lines)
        # a name holding 丁 or 丫, each standing alone read as T or Y, sure (丁丁 at 120 dpi: 经办人：TT)
        named = lookalike_lines(an.lines, ident) or an.lines
        if named is not an.lines:
            matched += match(named)
        # Again without faint print (the back of the sheet showing through, read as text that
        # runs on from a real line, or hiding a row from the detector): on the lines without
        # its characters, and on a second reading of the page with it whitened. What it hid is
        # added; nothing found above is taken away.
        faint = faint_print(an.lines, an.image)
        if faint is not None:
            matched += match(faint.lines)
            if looks_mirrored(faint, an.image, eng):  # the back of the sheet, not coloured print
                matched += match(eng.recognize(erase_faint(an.image, faint.erase_above)))
        # Again without a light overprint (white letters printed across coloured award paper):
        # the doubtful lines read once more with it painted out.
        matched += match(overprint_lines(an.lines, an.image, eng))
        lone: list[TextLine] = []
        if not strict:
            # characters standing alone that the detector did not see (丁 | 丁 down a margin), read
            # one by one and matched with the page's lines
            lone = lone_glyph_lines(an.lines, an.image, eng, seal_boxes)
            if lone:
                matched += match([*an.lines, *lone])
            # a unit read only in part, its rest unread ink beside it (a calligraphic wordmark)
            matched += unit_rest_unread(an.lines, an.image, unit_patterns(ident), matched)
            # small print under the unit's name set large (a wordmark's English line)
            matched += match(small_print_beside(an.lines, an.image, matched, eng))
        regions += fit_to_ink(matched, an.image, options.pad)
        # the unit's name printed large and pale across the page (a watermark), read on the
        # page with its dark print left out
        watermark = pale_print_lines(an.image, an.lines, matched, seal_boxes, eng)
        if watermark:
            regions += pale_print_regions(watermark, ident, (w, h), pad=options.pad, seal_boxes=seal_boxes)
        if not strict:
            # the name or unit again in Uyghur, Kazakh or Mongolian letters over or under it
            regions += other_script_copies(an.lines, an.image, regions)
            # a name field's value nobody could read (too small, blurred, scrawled)
            regions += unread_name_fields(named, an.image, matched, ident.name)
            regions += unread_column_rest([*named, *lone], an.image, matched, ident.name)  # 于 | 一 down a margin
            regions += unread_wordmarks(an.lines, an.image, matched)  # a brush-written name over the title
            regions += unread_emblems(an.lines, an.image, matched)  # a school's name arched in its emblem
            regions += unread_row_emblems(an.lines, an.image, matched)  # an emblem beside a heading's unit
            regions += unread_stacked_logos(an.lines, an.image, matched)  # a logo over or under the unit's name
        regions += seal_block_regions(an.lines, seals, ident, (w, h))
        if options.seals != "none" and not strict:
            # a faint seal over the unit's name signed at the foot (a phone photo under glare,
            # orange award paper) that the page-wide search did not find
            windows = PageWindows(an.image)  # the page's paper measured once for both searches
            pale = faint_unit_seals(an.image, [r.bbox for r in matched if r.kind == "unit"], an.lines, seal_boxes,
                                    page=windows)
            regions += pale
            seals += [SealSeen(r.bbox, "", "applicant", True, "round", r.score) for r in pale]
            # a faint seal beside one that was found, of its size and in its row (two bodies
            # signing a certificate), read and decided like any seal
            beside = faint_seals_beside(an.image, [s.bbox for s in seals if s.shape == "round"], an.lines,
                                        page=windows)
            if not seals:
                # the page's only stamp ink, too little for the page-wide search (a transcript's
                # faded 教务科 seal over the table's last rules)
                beside += faint_lone_seal(an.image, page=windows)
            if beside:
                page = windows.neutral()  # read as the page-wide search's seals are
                b_regions, b_seals, b_issues = judge_seals(an.image, [(c, page) for c in beside], an.lines, ident,
                                                           mode=options.seals, engine=eng)
                regions += b_regions
                seals += b_seals
                issues += b_issues
        if seals:
            # the text under the unit's own seal, read again without the stamp ink
            regions += fit_to_ink(under_seal_regions(an.image, seals, ident, eng, (w, h), options.pad, found=matched),
                                  an.image, options.pad)
    regions += s_regions
    if options.eyes:
        regions += find_eyes(an.image, strict=strict)
    return _distinct(regions), seals, issues


def _distinct(regions: list[Region]) -> list[Region]:
    """``regions`` without repeats (the same kind and box), in their order.

    One occurrence matched twice (alone, and joined with the next line's when a unit
    runs on) gave the same box twice, counted twice in the report.
    """
    seen: set[tuple[str, tuple[float, ...]]] = set()
    out = []
    for r in regions:
        key = (r.kind, tuple(r.bbox))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _unreadable_name_issue(ident: Identity, chars: frozenset[str]) -> Issue:
    """The warning for a name with characters the recogniser cannot return."""
    usable = bool(name_patterns(ident, chars))
    how = ("已把这些字按任意汉字匹配，请逐页核对遮盖结果。" if usable
           else "无法自动找到该姓名，请在输出中手工遮盖姓名后再上传。")
    return issue("name_chars_unreadable", chars="".join(sorted(chars)), how=how,
                 severity=None if usable else "error")


def locate_and_assess(an: PageAnalysis, options: Options, engine: OcrEngine | None = None, *,
                      strict: bool = False) -> tuple[tuple[list[Region], list[SealSeen], list[Issue]],
                                                     tuple[Legibility, list[Issue]]]:
    """:func:`locate` and :func:`page_legibility` of one page.

    In a pool worker with an idle CPU beside it (the last page of a batch, a single
    upload on the web page) legibility is measured on the worker's helper thread
    while this thread locates; the results are the same either way.
    """
    from zcmask._pool import beside

    fut = beside(page_legibility, an)
    found = locate(an, options, engine, strict=strict)
    return found, (fut.result() if fut is not None else page_legibility(an))


def process_page(ctx: PageContext, engine: OcrEngine | None = None) -> PageResult:
    """Run every stage on one page and return its result; errors become ``error``."""
    t0 = time.perf_counter()
    opts = ctx.options
    try:
        an = analyse_page(ctx, engine)
        h, w = an.image.shape[:2]
        (regions, seals, issues), (legibility, leg_issues) = locate_and_assess(an, opts, engine,
                                                                               strict=ctx.command != "mask")
        regions += list(ctx.manual_regions)
        empty = is_empty_page(legibility)
        if empty:
            issues.append(issue("empty_page"))
        output = None
        fix = None
        if ctx.command == "mask":
            if not legibility.legible and not empty:
                issues.append(unverified_issue(legibility))
            if an.orientation.mirrored:  # flipped back and masked; the applicant should know
                issues.append(Issue("mirrored_page", "warning", MIRRORED_FIXED))
            masked, regions = mask_regions(an.image, regions)
            if ctx.output_path:
                write_jpeg_atomic(ctx.output_path, masked, an.dpi, opts.jpeg_quality)
                output = ctx.output_path
            if an.fix is not None:
                fix = page_fix(an, None, masked)
        else:
            regions = visible_regions(an.image, regions)
            issues += page_check_issues(ctx, an, regions, legibility, leg_issues)
            if ctx.fix_path:
                fix = write_fixed(ctx, an)
        text = "\n".join(ln.text for ln in an.lines)
        return PageResult(
            index=ctx.page_index + 1, width=w, height=h, dpi=an.dpi,
            rotation=an.orientation.rotation, orientation=an.orientation, legibility=legibility,
            regions=tuple(regions), issues=tuple(issues), output=output, seals=tuple(seals),
            text_chars=sum(len(ln.chars) for ln in an.lines), text=text,
            seconds=time.perf_counter() - t0, fix=fix,
        )
    except ZcmaskError as e:
        return _failed(ctx, e.code, e.message, t0)
    except MemoryError:
        return _failed(ctx, "out_of_memory", "处理该页时内存不足，请缩小图片后重试。", t0)
    except Exception as e:  # noqa: BLE001 - one bad page must never stop a batch
        log.exception("unexpected error on %s page %d", ctx.input_path, ctx.page_index + 1)
        return _failed(ctx, "internal_error", f"处理该页时发生内部错误（{type(e).__name__}），请将报告反馈给维护者。", t0)


#: ``mirrored_page`` as ``mask`` says it: the page it writes is already flipped back.
MIRRORED_FIXED = ("原页面是左右镜像的（字是反的，常见于用手机前置摄像头拍摄），输出时已翻转回来并完成遮盖，"
                  "请上传输出的 JPG，并核对遮盖结果；以后请用后置摄像头拍摄。")


def unverified_issue(legibility: Legibility) -> Issue:
    """``mask_unverified``: an illegible page was masked, but what it shows could not all be read.

    ``check`` reports the legibility codes themselves as errors; ``mask`` only writes,
    so it says why its own result cannot be trusted on such a page.
    """
    why = "、".join(ISSUE_ZH.get(r, r) for r in legibility.reasons) or ISSUE_ZH["illegible"]
    return issue("mask_unverified", why=why)


def is_empty_page(legibility: Legibility) -> bool:
    """True for a blank page: nothing read and (almost) no ink on light paper.

    A blank page is what a scanner gives for the wrong side, a blank first frame
    of an image, or a page a repaired (truncated) PDF lost; it is reported as
    ``empty_page`` rather than passing silently.
    """
    m = dict(legibility.metrics)
    return (m.get("chars", 1.0) < 2 and m.get("ink_share", 1.0) < 0.001
            and m.get("page_paper", 0.0) >= 150 and m.get("page_paper", 0.0) - m.get("page_ink", 0.0) < 40)


def visible_regions(image: np.ndarray, regions: Sequence[Region]) -> list[Region]:
    """The regions of a page being checked (it may be masked already) that still show."""
    return [r for r in regions if not already_hidden(image, r)]


def already_hidden(image: np.ndarray, region: Region, dark: int = 60, share: float = 0.9) -> bool:
    """True when ``region`` of an upright page is blacked out already.

    Text is only found where it is readable, but layout-based locators (the
    handwriting area beside 承诺人, a photo's eye band) report where something
    *would* be; on a masked page that place is a black box, and black is not a
    leak. A layout area counts as hidden when nearly all of it is black, or
    when no ink is left in it outside solid black boxes.
    """
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in region.bbox)
    crop = image[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    if not crop.size:
        return False
    black = crop.max(axis=2) < dark if crop.ndim == 3 else crop < dark
    if float(black.mean()) >= share:
        return True
    return region.source == "layout" and _ink_share(crop, black) < 0.004


def _ink_share(crop: np.ndarray, black: np.ndarray) -> float:
    """Share of a crop that is ink: dark pixels outside solid black boxes."""
    import cv2

    solid = cv2.morphologyEx(black.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0
    gray = crop.max(axis=2) if crop.ndim == 3 else crop
    ink = (gray < 140) & ~cv2.dilate(solid.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return float(ink.mean())


# A failed page's issue: what the user must do depends on what failed, not only on the input.
_FAILED_ISSUE = {"encrypted_pdf": "encrypted_pdf", "disk_full": "disk_full", "output_file": "output_file",
                 "overwrite_user_file": "output_file", "overwrite_input": "output_file"}


def _failed(ctx: PageContext, code: str, message: str, t0: float) -> PageResult:
    return PageResult(index=ctx.page_index + 1, width=0, height=0, dpi=ctx.options.dpi, rotation=0,
                      orientation=Orientation(0, 0.0, "none"), legibility=Legibility(False, 0.0),
                      regions=(), issues=(issue(_FAILED_ISSUE.get(code, "unreadable_file")),),
                      seconds=time.perf_counter() - t0, error=(code, message))


def page_check_issues(ctx: PageContext, an: PageAnalysis, regions: list[Region],
                      legibility: Legibility, leg_issues: list[Issue]) -> list[Issue]:
    """The pre-upload check's issues for one analysed page."""
    opts = ctx.options
    out: list[Issue] = []
    suffix = Path(ctx.input_path).suffix.lower()
    if ctx.page_index == 0 and (an.format != "jpeg" or suffix not in (".jpg", ".jpeg")):
        out.append(not_jpg_issue(an.format if an.format != "jpeg" else suffix,
                                 jpeg_content=an.format == "jpeg"))
    if an.orientation.mirrored:
        out.append(issue("mirrored_page"))
    if an.orientation.rotation:
        out.append(rotated_issue(an.orientation.rotation, an.exif_rotation))
    elif an.exif_rotation:
        out.append(issue("exif_rotated"))
    h, w = an.image.shape[:2]
    if min(w, h) < opts.min_side_px:
        out.append(issue("too_small", w=w, h=h))
    elif max(w, h) > opts.max_side_px:
        out.append(issue("too_large", w=w, h=h))
    if not legibility.legible and not leg_issues:
        out.append(issue("illegible"))
    out += leg_issues
    for r in regions:
        code = UNMASKED_CODE.get(r.kind)
        if code is not None:
            out.append(issue(code, bbox=r.bbox, text=r.text))
    return out
