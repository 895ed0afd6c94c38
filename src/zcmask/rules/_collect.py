"""Find an application's attachments, read each page once, and sort files into categories.

Every page goes through :func:`zcmask.pipeline.analyse_page` exactly once (decode,
orientation, OCR or PDF text layer); the same analysis gives the ``check``
issues of the page, its text for the content rules, a QR-code flag and a
signature flag. Sorting uses, in order: the ``attachments:`` list of
``application.yaml``, the name of a sub-folder, then the page text (and, when
the text says nothing, the file name). This module judges no rule.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zcmask.api import InputFile, discover
from zcmask.documents import page_count
from zcmask.exceptions import InvalidConfigError, ZcmaskError
from zcmask.locate._variants import OTHER_SIGNERS, in_signature_word
from zcmask.messages import issue
from zcmask.options import Options
from zcmask.pipeline import (
    PageContext,
    analyse_page,
    locate,
    page_check_issues,
    page_legibility,
    visible_regions,
)
from zcmask.results import Issue, TextLine
from zcmask.rules._model import CATEGORIES, Application
from zcmask.rules._read import fold

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class PageFacts:
    """What one page of an attachment shows, read once."""

    index: int
    text: str
    lines: tuple[TextLine, ...]
    issues: tuple[Issue, ...]
    qr: bool | None = None  # None: not looked for (only QR_CATEGORIES are)
    signature: bool | None = None  # None: no signature line on the page
    error: tuple[str, str] | None = None


@dataclass(frozen=True)
class Attachment:
    """One attachment file, its category, how it was sorted, and its pages."""

    path: Path
    shown: str  # path relative to the application folder
    category: str
    how: str  # folder | listed | ocr
    pages: tuple[PageFacts, ...]
    issues: tuple[Issue, ...] = ()  # file-level issues (unreadable, too large ...)
    basis: str = ""  # for "ocr": the keyword that decided, or "文件名"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)

    @property
    def lines(self) -> tuple[TextLine, ...]:
        return tuple(ln for p in self.pages for ln in p.lines)

    def to_json(self) -> dict[str, object]:
        return {"file": self.shown, "input": self.shown, "category": self.category, "how": self.how,
                "basis": self.basis, "pages": len(self.pages)}


# --------------------------------------------------------------------------- sorting

#: Ordered keyword rules for sorting by text: the first category whose keyword
#: appears in the page's heading wins, else the first whose keyword appears anywhere.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("免试审批表", ("免除继续教育", "免试审批表", "继续教育免试", "免试申请表")),
    ("学信网备案表", ("学历证书电子注册备案表", "电子注册备案表", "学信网", "学籍在线验证", "学历在线验证")),
    ("公示结果", ("公示结果", "公示无异议", "公示期满")),
    ("公示", ("公示",)),
    ("推荐意见", ("推荐意见", "同意推荐")),
    ("承诺书", ("承诺书", "本人承诺")),
    ("评审表", ("任职资格评审表", "职务任职资格评审表", "评审表")),
    ("任职资格文件", ("任职资格的通知", "任职资格的批复", "评审通过", "任职资格文件", "取得任职资格")),
    ("职称证书", ("专业技术资格证书", "职称证书", "专业技术职务资格证书", "资格证书")),
    ("年度考核表", ("年度考核", "考核登记表", "考核等次")),
    ("继续教育证书", ("继续教育", "公需科目", "专业科目", "学时证明", "培训合格证")),
    ("社保缴费", ("社会保险", "养老保险", "缴费汇总", "缴费对账单", "社保")),
    ("学位证书", ("学位证书", "学士学位", "硕士学位", "博士学位")),
    ("学历证书", ("毕业证书", "学历证书")),
    ("身份证", ("居民身份证", "公民身份号码", "签发机关", "有效期限")),
    ("工作总结", ("工作总结", "个人总结", "业务技术总结", "工作小结", "述职")),
    ("获奖证书", ("荣誉证书", "获奖证书", "奖励证书")),
    ("知识产权", ("发明专利证书", "专利证书", "知识产权", "软件著作权")),
    ("论文", ("摘要", "关键词", "参考文献")),
    ("一寸照", ("免冠照片", "一寸照", "证件照")),
    ("业绩材料", ("项目", "业绩", "验收", "合同")),
)

#: Categories whose pages are searched for a QR code (only these: detection is slow).
QR_CATEGORIES = frozenset({"社保缴费", "学信网备案表"})
_HEAD_CHARS = 40


def classify_text(text: str) -> tuple[str, str]:
    """Return ``(category, keyword)`` for a page text; ``("其他", "")`` when nothing fits."""
    s = fold(text)
    head = s[:_HEAD_CHARS]
    for part in (head, s):
        for cat, words in KEYWORDS:
            for w in words:
                if w in part:
                    return cat, w
    return "其他", ""


def classify_name(name: str) -> str | None:
    """A category named in a folder or file name (the longest match), or None."""
    hits = [c for c in CATEGORIES if c in name and c != "其他"]
    if not hits:
        for cat, words in KEYWORDS:
            if any(w in name for w in words[:3]):
                return cat
        return None
    return max(hits, key=len)


# --------------------------------------------------------------------------- reading pages


def _dark(img: np.ndarray, box: tuple[int, int, int, int], level: int) -> float:
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return 0.0
    crop = img[y0:y1, x0:x1]
    gray = crop.mean(axis=2) if crop.ndim == 3 else crop
    return float((gray < level).mean())


def _filled_box(img: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the black pixels inside ``box`` form one solid rectangle (a mask), not strokes."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return False
    crop = img[y0:y1, x0:x1]
    black = (crop.max(axis=2) if crop.ndim == 3 else crop) < 50
    if black.sum() < 0.05 * black.size:
        return False
    ys, xs = np.nonzero(black)
    fill = black.sum() / float((ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1))
    return fill > 0.85


_SIGN_LABEL = re.compile(r"(承诺人签字|承诺人签名|申报人签字|申报人签名|本人签字|本人签名|承诺人|签字|签名)")


def find_signature(img: np.ndarray, lines: Sequence[TextLine]) -> bool | None:
    """Whether the applicant's signature line carries a signature.

    Returns None when the page has no signature line of the applicant (labels of
    other signers such as 单位负责人 are ignored), True when text other than a
    placeholder follows the label or the space after it holds ink (handwriting)
    or a filled mask box, and False when it is blank.
    """
    found: bool | None = None
    for ln in lines:
        t = fold(ln.text)
        m = _SIGN_LABEL.search(t)
        while m and in_signature_word(t, m.start(), m.group(0)):  # "电子签名法": running text
            m = _SIGN_LABEL.search(t, m.end())
        if not m or any(o in t for o in OTHER_SIGNERS) or len(t) > 24:
            continue
        after = re.sub(r"[:：()（）\[\]【】]|承诺人|申报人|本人|签字|签名|按手印|手印", "", t[m.end():])
        if re.search(r"\d{4}年", after):
            after = after[: after.find(re.search(r"\d{4}年", after).group(0))]  # type: ignore[union-attr]
        if after.strip("×xX_＿ "):
            return True
        chh = max(8.0, ln.bbox[3] - ln.bbox[1])
        x0 = int(ln.bbox[2] + 0.2 * chh)
        box = (x0, int(ln.bbox[1] - 0.8 * chh), int(x0 + 8 * chh), int(ln.bbox[3] + 0.8 * chh))
        # Other recognised lines in that area (handwriting OCR could read) count as a signature.
        for other in lines:
            ob = other.bbox
            near = other is not ln and box[0] - chh <= ob[0] < box[2] and ob[1] < box[3] and ob[3] > box[1]
            if near and not re.fullmatch(r"[\d年月日×xX]+", fold(other.text)):
                return True
        ink = _dark(img, box, 150)
        found = ink > 0.01
        if found:
            return True
    return found


def detect_qr(img: np.ndarray) -> bool:
    """Whether a QR code is visible on the page (H, W, 3) uint8 RGB, via OpenCV."""
    import cv2

    gray = img.mean(axis=2).astype(np.uint8) if img.ndim == 3 else img
    det = cv2.QRCodeDetector()
    h, w = gray.shape[:2]
    # Detection cost grows with the pixel count: try a ~1200 px page first.
    first = min(1.0, 1200.0 / max(h, w))
    for scale in dict.fromkeys((first, 1.0, 0.5 * first)):
        g = gray if scale == 1.0 else cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))),
                                                 interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        try:
            ok, pts = det.detect(g)
        except cv2.error:
            continue
        if ok and pts is not None:
            p = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
            area = abs(float(cv2.contourArea(p.astype(np.float32))))
            if area > 0.0004 * g.shape[0] * g.shape[1]:
                return True
    return False


def _refine_signature_issues(img: np.ndarray, lines: Sequence[TextLine],
                             issues: list[Issue]) -> list[Issue]:
    """Drop ``unmasked_signature`` guesses that are already masked, blank, or someone else's."""
    out = []
    for i in issues:
        if i.code != "unmasked_signature" or i.bbox is None:
            out.append(i)
            continue
        x0, y0, x1, y1 = i.bbox
        cy = (y0 + y1) / 2
        row = [fold(ln.text) for ln in lines if ln.bbox[1] <= cy <= ln.bbox[3] and ln.bbox[0] < x0]
        if any(o in t for t in row for o in OTHER_SIGNERS):
            continue
        if _filled_box(img, i.bbox):  # already masked
            continue
        if _dark(img, i.bbox, 150) < 0.005:  # nothing written there
            continue
        out.append(i)
    return out


def inspect_page(ctx: PageContext) -> PageFacts:
    """Analyse one page once and return everything validation needs from it.

    The ``check`` issues are those of :func:`zcmask.pipeline.page_check_issues`
    (identity given only when the notice requires masking).
    """
    t0 = time.perf_counter()
    try:
        an = analyse_page(ctx)
        regions, _seals, issues = locate(an, ctx.options, strict=True)
        regions = visible_regions(an.image, regions)
        legibility, leg_issues = page_legibility(an)
        issues = list(issues) + page_check_issues(ctx, an, regions, legibility, leg_issues)
        issues = _refine_signature_issues(an.image, an.lines, issues)
        lines = tuple(an.lines)
        from zcmask.locate import build_stream

        ordered, _ = build_stream(lines)
        text = "\n".join(ln.text for ln in ordered)
        facts = PageFacts(ctx.page_index + 1, text, tuple(ordered), tuple(issues),
                          qr=None, signature=find_signature(an.image, ordered))
        log.debug("%s p%d read in %.2fs", ctx.input_path, ctx.page_index + 1, time.perf_counter() - t0)
        return facts
    except ZcmaskError as e:
        return PageFacts(ctx.page_index + 1, "", (), (issue("unreadable_file"),), error=(e.code, e.message))
    except Exception as e:  # noqa: BLE001 - one bad page must not stop the validation
        log.exception("unexpected error on %s page %d", ctx.input_path, ctx.page_index + 1)
        return PageFacts(ctx.page_index + 1, "", (), (issue("unreadable_file"),),
                         error=("internal_error", f"读取该页时发生内部错误（{type(e).__name__}）"))


# Page facts by (file digest, page, options, engine): the same bytes read with the same
# options give the same facts, so a re-validation after fixing one file reads only that file.
_CACHE: dict[tuple[str, int, str, int], PageFacts] = {}
_CACHE_MAX = 2048


def _cache_key(ctx: PageContext, digest: str) -> tuple[str, int, str, int]:
    from zcmask.ocr import get_engine

    return (digest, ctx.page_index, ctx.options.model_dump_json(), id(get_engine(ctx.options.ocr_engine)))


def _run(contexts: Sequence[PageContext], jobs: int, progress: ProgressFn | None,
         digests: dict[str, str]) -> list[PageFacts]:
    total = len(contexts)
    results: list[PageFacts | None] = [None] * total
    keys = [_cache_key(c, digests[c.input_path]) if c.options.cache and c.input_path in digests else None
            for c in contexts]
    todo = [i for i, k in enumerate(keys) if k is None or k not in _CACHE]
    for i, k in enumerate(keys):
        if k is not None and k in _CACHE:
            results[i] = _CACHE[k]
    done = total - len(todo)
    if progress and done:
        progress(done, total)
    fresh = _inspect_all([contexts[i] for i in todo], jobs, progress, done, total)
    for i, f in zip(todo, fresh, strict=True):
        results[i] = f
        k = keys[i]
        if k is not None and f.error is None:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[k] = f
    return [r for r in results if r is not None]


def _inspect_all(contexts: Sequence[PageContext], jobs: int, progress: ProgressFn | None,
                 done: int, total: int) -> list[PageFacts]:
    if jobs <= 1 or len(contexts) <= 1:
        out = []
        for i, c in enumerate(contexts):
            out.append(inspect_page(c))
            if progress:
                progress(done + i + 1, total)
        return out
    from zcmask.api import page_pool

    res = []
    with page_pool(contexts[0].options.ocr_engine, jobs) as ex:
        for i, r in enumerate(ex.map(inspect_page, contexts, chunksize=1)):
            res.append(r)
            if progress:
                progress(done + i + 1, total)
    return res


_QR_CACHE: dict[tuple[str, int, int], bool] = {}


def _with_qr(path: Path, pages: tuple[PageFacts, ...], options: Options,
             digest: str | None) -> tuple[PageFacts, ...]:
    """Look for a QR code on each page of a file (decoding it again, without OCR)."""
    from dataclasses import replace

    from zcmask.documents import load_page

    out = []
    for pg in pages:
        if pg.error is not None or pg.qr is not None:
            out.append(pg)
            continue
        key = (digest, pg.index, options.dpi) if digest else None
        if key is not None and key in _QR_CACHE:
            found = _QR_CACHE[key]
        else:
            try:
                page = load_page(path, pg.index - 1, dpi=options.dpi, max_pixels=options.max_pixels)
                found = detect_qr(page.image)
            except ZcmaskError:
                found = False
            if key is not None:
                if len(_QR_CACHE) >= _CACHE_MAX:
                    _QR_CACHE.pop(next(iter(_QR_CACHE)))
                _QR_CACHE[key] = found
        out.append(replace(pg, qr=found))
    return tuple(out)


# --------------------------------------------------------------------------- collecting


def _listed(app_dir: Path, app: Application) -> dict[Path, str]:
    out: dict[Path, str] = {}
    for cat, files in app.attachments.items():
        for f in files:
            p = (app_dir / f).resolve()
            if not p.is_file():
                raise InvalidConfigError(f"application.yaml 的 attachments.{cat} 列出的文件 {f} 不存在，请检查路径。")
            out[p] = cat
    return out


def _folder_category(rel: Path) -> str | None:
    for part in reversed(rel.parts[:-1]):
        cat = "其他" if part == "其他" else classify_name(part)
        if cat:
            return cat
    return None


def collect(app_dir: Path, app: Application, options: Options, *,
            progress: ProgressFn | None = None) -> list[Attachment]:
    """Discover, read and sort every attachment under ``app_dir``."""
    from zcmask._analysis_cache import cache_options

    app_dir = Path(app_dir)
    # --cache DIR / ZCMASK_CACHE_DIR, and (read-only) the cache of an earlier mask run of this folder
    options = cache_options(options, [app_dir], discover=True)
    listed = _listed(app_dir, app)
    files = [f for f in discover([app_dir]) if f.path.name != "application.yaml"]
    known = {f.path.resolve() for f in files}
    for p in listed:
        if p not in known:  # listed files outside the folder or with other suffixes
            files.append(_input(p))
    plans: list[tuple[Path, str, int, ZcmaskError | None]] = []
    for f in files:
        try:
            rel = f.path.resolve().relative_to(app_dir.resolve()).as_posix()
        except ValueError:
            rel = str(f.path)
        try:
            n = page_count(f.path, options.max_pixels)
            plans.append((f.path, rel, n, None))
        except ZcmaskError as e:
            plans.append((f.path, rel, 0, e))
    contexts = [PageContext(str(p), i, options, "check") for p, _r, n, _e in plans for i in range(n)]
    digests: dict[str, str] = {}
    if options.cache:
        from zcmask._io import sha256_file

        for p, _r, n, _e in plans:
            if n:
                with contextlib.suppress(OSError):
                    digests[str(p)] = sha256_file(p)
    facts = _run(contexts, options.jobs, progress, digests)
    by_file: dict[str, list[PageFacts]] = {}
    for c, fc in zip(contexts, facts, strict=True):
        by_file.setdefault(c.input_path, []).append(fc)
    out: list[Attachment] = []
    for p, rel, _n, err in plans:
        pages = tuple(by_file.get(str(p), ()))
        file_issues: list[Issue] = []
        if err is not None:
            code = "encrypted_pdf" if err.code == "encrypted_pdf" else "unreadable_file"
            file_issues.append(Issue(code, "error", err.message))
        if p.suffix.lower() not in (".jpg", ".jpeg") and err is not None:
            file_issues.append(issue("not_jpg", fmt=p.suffix.lstrip(".").upper() or "未知"))
        try:
            mb = p.stat().st_size / (1 << 20)
            if mb > options.max_file_mb:
                file_issues.append(issue("file_too_large", mb=mb, limit=options.max_file_mb))
        except OSError:
            pass
        rp = p.resolve()
        if rp in listed:
            cat, how, basis = listed[rp], "listed", ""
        elif (by_folder := _folder_category(Path(rel))) is not None:
            cat, how, basis = by_folder, "folder", ""
        else:
            cat, basis = classify_text("\n".join(pg.text for pg in pages))
            how = "ocr"
            if cat == "其他":
                by_name = classify_name(Path(rel).stem)
                if by_name:
                    cat, basis = by_name, "文件名"
                elif pages and sum(len(pg.text) for pg in pages) < 4 and err is None:
                    cat, basis = "一寸照", "无文字的照片"
        if cat in QR_CATEGORIES:
            pages = _with_qr(p, pages, options, digests.get(str(p)))
        out.append(Attachment(p, rel, cat, how, pages, tuple(file_issues), basis))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    out.sort(key=lambda a: (order.get(a.category, 99), a.shown))
    return out


def _input(p: Path) -> InputFile:

    return InputFile(p, str(p), Path(p.name))
