"""Reviewer spot-audit of masked output: is anything of the applicant still visible.

``zcmask audit PATH...`` samples pages (all, ``N`` or ``P%``; seeded, stratified
by applicant and by document category), re-reads each masked page with the same
per-page pipeline (:func:`zcmask.pipeline.process_page`, command ``audit``) and
reports every name, unit, unit seal or pair of eyes it can still find, with its
box. A black box is not text, so a correctly masked page yields no findings.

PATH is either a batch output folder (``zcmask batch -o OUT``: pages, originals
and identities come from its progress database, and the findings are stored
there for the CSV export) or any folder/file of masked pages (identity from the
flags or a ``profile.yaml`` beside them; originals from ``--originals DIR``).

This module never changes a masked page. Reviewer verdicts are recorded with
``zcmask review`` (:mod:`zcmask.batch.cli`).
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import math
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zcmask.exceptions import BadArgsError, ExitCode, ZcmaskError
from zcmask.messages import KIND_ZH
from zcmask.options import Identity, Options, load_profile
from zcmask.results import FileResult, PageResult

log = logging.getLogger(__name__)

#: Document categories (the contract's names), longest first so 公示结果 wins over 公示.
CATEGORIES = ("身份证", "一寸照", "社保缴费", "学历证书", "学位证书", "学信网备案表", "职称证书",
              "任职资格文件", "评审表", "年度考核表", "继续教育证书", "免试审批表", "公示", "公示结果",
              "推荐意见", "承诺书", "工作总结", "业绩材料", "获奖证书", "论文")
_KEYWORDS: tuple[tuple[str, str], ...] = tuple(sorted(
    [(c, c) for c in CATEGORIES] + [
        ("社保", "社保缴费"), ("学历", "学历证书"), ("毕业证", "学历证书"), ("学位", "学位证书"),
        ("学信", "学信网备案表"), ("考核", "年度考核表"), ("继续教育", "继续教育证书"),
        ("承诺", "承诺书"), ("推荐", "推荐意见"), ("总结", "工作总结"), ("业绩", "业绩材料"),
        ("获奖", "获奖证书"), ("照片", "一寸照"), ("资格证", "职称证书"), ("评审表", "评审表")],
    key=lambda kv: -len(kv[0])))
LEAK_KINDS = ("name", "unit", "seal", "eyes")
_PAGE_SUFFIX = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)$")


def category_of(rel: str) -> str:
    """The document category of a file from keywords in its folder or file name (else 其他)."""
    for kw, cat in _KEYWORDS:
        if kw in rel:
            return cat
    return "其他"


@dataclass(frozen=True)
class AuditItem:
    """One masked page to audit, and what is known about where it came from."""

    page_id: str
    applicant: str
    category: str
    masked: Path
    masked_page: int  # 0-based page of the masked file
    identity: Identity | None
    original: Path | None = None
    original_page: int = 0
    original_rotation: int = 0
    original_dpi: int = 200
    batch_out: Path | None = None
    input: str = ""


# -- sampling ---------------------------------------------------------------

def parse_sample(spec: str | None) -> tuple[str, float] | None:
    """``"20"`` -> ``("n", 20)``; ``"10%"`` -> ``("p", 10)``; None -> None (every page)."""
    if spec is None:
        return None
    s = spec.strip()
    try:
        if s.endswith("%"):
            p = float(s[:-1])
            if not 0 < p <= 100:
                raise ValueError
            return ("p", p)
        n = int(s)
        if n < 1:
            raise ValueError
        return ("n", float(n))
    except ValueError:
        raise BadArgsError(f"--sample {spec!r} 有误：应为页数（如 20）或百分比（如 10%）。") from None


def sample_items(items: Sequence[AuditItem], spec: str | None, seed: int = 0) -> list[AuditItem]:
    """Draw a seeded sample stratified by applicant and document category.

    Strata (applicant, category) are visited round-robin, interleaving
    applicants, and one random page is taken from each in turn, so that a sample
    at least as large as the number of strata covers every applicant and every
    category. The result is sorted by page id; the same seed gives the same sample.
    """
    parsed = parse_sample(spec)
    ordered = sorted(items, key=lambda it: it.page_id)
    if parsed is None:
        return ordered
    kind, value = parsed
    n = int(value) if kind == "n" else math.ceil(value / 100.0 * len(ordered))
    n = min(n, len(ordered))
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[AuditItem]] = defaultdict(list)
    for it in ordered:
        strata[(it.applicant, it.category)].append(it)
    by_app: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(strata):
        rng.shuffle(strata[key])
        by_app[key[0]].append(key)
    apps = sorted(by_app)
    rng.shuffle(apps)
    for a in apps:
        rng.shuffle(by_app[a])
    order: list[tuple[str, str]] = []
    for i in range(max((len(v) for v in by_app.values()), default=0)):
        order += [by_app[a][i] for a in apps if i < len(by_app[a])]
    picked: list[AuditItem] = []
    while len(picked) < n:
        for key in order:
            if strata[key] and len(picked) < n:
                picked.append(strata[key].pop())
    return sorted(picked, key=lambda it: it.page_id)


# -- collecting pages --------------------------------------------------------

def _identity_from_json(d: dict[str, Any] | None) -> Identity | None:
    if not d or not d.get("name"):
        return None
    return Identity.from_mapping(d)


def _batch_items(out: Path, override: Identity | None) -> list[AuditItem]:
    from zcmask.batch import BatchState, page_id
    from zcmask.batch._state import DONE

    items: list[AuditItem] = []
    with BatchState.open(out) as state:
        idents = {a["folder"]: _identity_from_json(a["identity"]) for a in state.applicants()}
        for row in state.files():
            if row.status != DONE or not row.result:
                continue
            pages = row.result.get("pages", [])
            for p, output in zip(pages, row.outputs, strict=False):
                original = Path(row.input)
                items.append(AuditItem(
                    page_id=page_id(row.applicant, row.rel, p["index"]), applicant=row.applicant,
                    category=category_of(row.rel), masked=Path(output), masked_page=0,
                    identity=override or idents.get(row.applicant), original=original,
                    original_page=p["index"] - 1, original_rotation=p.get("rotation", 0),
                    original_dpi=p.get("dpi", 200), batch_out=out, input=row.input))
    return items


def _find_profile(path: Path, top: Path) -> tuple[Identity | None, str]:
    """The nearest ``profile.yaml`` from ``path``'s folder up to ``top``, and that folder's name."""
    d = path.parent
    while True:
        for name in ("profile.yaml", "profile.yml"):
            if (d / name).is_file():
                return load_profile(d / name), (d.name if d != top else "")
        if d == top or d.parent == d or top not in d.parents:
            return None, ""
        d = d.parent


def _original_for(rel: Path, originals: Path | None) -> tuple[Path | None, int]:
    """Match a masked page (``a/公示.jpg`` or ``a/公示-2.jpg``) to its original under ``originals``."""
    if originals is None:
        return None, 0
    from zcmask.documents import SUPPORTED_SUFFIXES

    stem, page = rel.stem, 0
    for cand_stem, cand_page in ((stem, 0), *(((m["stem"], int(m["n"]) - 1),)
                                              if (m := _PAGE_SUFFIX.match(stem)) else ())):
        for suf in sorted(SUPPORTED_SUFFIXES):
            for s in (suf, suf.upper()):
                cand = originals / rel.parent / f"{cand_stem}{s}"
                if cand.is_file():
                    return cand, cand_page
    return None, page


def _is_report_asset(path: Path) -> bool:
    """A thumbnail an earlier audit report wrote (``<report>-pages/``), not a masked page."""
    d = path.parent
    return d.name.endswith("-pages") and d.with_name(d.name[: -len("-pages")] + ".json").is_file()


def _folder_items(path: Path, override: Identity | None, originals: Path | None) -> list[AuditItem]:
    from zcmask.api import discover
    from zcmask.documents import page_count

    top = path if path.is_dir() else path.parent
    items: list[AuditItem] = []
    for f in discover([path]):
        if f.path.name.startswith("zcmask-") or _is_report_asset(f.path):
            continue
        ident, applicant = (override, "") if override else _find_profile(f.path, top)
        if override is not None:
            _, applicant = _find_profile(f.path, top)
        rel = f.rel if path.is_dir() else Path(f.path.name)
        try:
            n = page_count(f.path)
        except ZcmaskError:
            n = 1  # the page run reports the error
        orig, orig_page = _original_for(rel, originals)
        for i in range(n):
            items.append(AuditItem(
                page_id=f"{rel.as_posix()}#{i + 1}", applicant=applicant or (rel.parts[0] if len(rel.parts) > 1 else ""),
                category=category_of(rel.as_posix()), masked=f.path, masked_page=i, identity=ident,
                original=orig, original_page=orig_page + i))
    return items


def collect(paths: Sequence[str | Path], identity: Identity | None = None,
            originals: str | Path | None = None) -> list[AuditItem]:
    """Every masked page under ``paths`` (batch outputs or plain folders/files)."""
    from zcmask.batch import state_path
    from zcmask.exceptions import InputFileError

    items: list[AuditItem] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputFileError(f"找不到 {p}，请检查路径是否正确。")
        if p.is_dir() and state_path(p).is_file():
            items += _batch_items(p, identity)
        else:
            items += _folder_items(p, identity, Path(originals) if originals else None)
    return items


# -- running -----------------------------------------------------------------

@dataclass(frozen=True)
class AuditResult:
    """The audited pages with their results, the population size and the sample spec."""

    items: tuple[AuditItem, ...]
    results: tuple[PageResult, ...]
    population: int
    sample: str | None
    seed: int

    @property
    def leaked(self) -> list[tuple[AuditItem, PageResult]]:
        return [(it, r) for it, r in zip(self.items, self.results, strict=True) if findings(r)]

    @property
    def failed(self) -> list[tuple[AuditItem, PageResult]]:
        return [(it, r) for it, r in zip(self.items, self.results, strict=True) if r.error is not None]

    @property
    def exit_code(self) -> ExitCode:
        """1 when anything leaks; 3 when a page could not be read; else 0."""
        if self.leaked:
            return ExitCode.issues_found
        return ExitCode.input_file if self.failed else ExitCode.ok


def findings(r: PageResult) -> list[dict[str, Any]]:
    """What of the applicant is still visible on an audited page, each with its box."""
    return [x.to_json() for x in r.regions]


def audit(paths: Sequence[str | Path], options: Options, *, sample: str | None = None, seed: int = 0,
          originals: str | Path | None = None, report_path: str | Path | None = None,
          progress: Any = None) -> AuditResult:
    """Audit masked output; record findings in the batch database; write the report.

    ``options.identity``, when set, applies to every page; otherwise each page's
    identity comes from its batch database or ``profile.yaml``.
    """
    from zcmask.pipeline import PageContext

    population = collect(paths, options.identity, originals)
    missing = sorted({it.page_id for it in population if it.identity is None})
    if missing:
        raise BadArgsError(f"不知道 {missing[0]} 等 {len(missing)} 页属于谁：请用 --name/--profile 提供申报人身份，"
                           "或对 zcmask batch 的输出目录抽查，或在其文件夹中放置 profile.yaml。")
    picked = sample_items(population, sample, seed)
    from zcmask._analysis_cache import cache_options

    options = cache_options(options)  # --cache DIR or ZCMASK_CACHE_DIR: masked pages are other content
    contexts = [PageContext(str(it.masked), it.masked_page, options.model_copy(update={"identity": it.identity}),
                            "audit") for it in picked]
    # Layout locators (a signature beside 承诺人, a photo's eyes) report where something
    # *would* be; the pipeline drops those that are black already (``already_hidden``).
    results = _run(contexts, options.jobs, progress)
    res = AuditResult(tuple(picked), tuple(results), len(population), sample, seed)
    report = to_report(res, options.identity)
    if report_path is not None:
        write_audit_report(res, report, Path(report_path))
    _record(res, str(report_path) if report_path else None)
    return res


def _run(contexts: list[Any], jobs: int, progress: Any) -> list[PageResult]:
    """Run the audit pages in order, in process or in the batch's fork-server pool."""
    from zcmask.batch import LocalExecutor

    index = {id(c): i for i, c in enumerate(contexts)}
    out: list[PageResult | None] = [None] * len(contexts)
    with LocalExecutor(jobs) as ex:
        for n, (ctx, res) in enumerate(ex.run(contexts), start=1):
            out[index[id(ctx)]] = res
            if progress:
                progress(n, len(contexts))
    return [r for r in out if r is not None]


def _record(res: AuditResult, report: str | None) -> None:
    """Store the findings in each batch's database and refresh its CSV export."""
    from zcmask.batch import BatchState, export_batch

    outs = sorted({it.batch_out for it in res.items if it.batch_out is not None})
    for out in outs:
        with BatchState.open(out) as state:
            for it, r in zip(res.items, res.results, strict=True):
                if it.batch_out != out:
                    continue
                state.record_audit(it.page_id, it.applicant, it.input, it.original_page + 1, str(it.masked),
                                   it.category, findings(r), report)
            export_batch(state, out)


def to_report(res: AuditResult, identity: Identity | None) -> dict[str, Any]:
    """The ``zcmask.report/1`` envelope (command ``audit``), plus audit fields per file."""
    from zcmask.report import Report

    files = []
    for it, r in zip(res.items, res.results, strict=True):
        files.append(FileResult(str(it.masked), None, "error" if r.error else "ok", (r,), r.error))
    idents = {it.identity for it in res.items if it.identity is not None}
    top = identity or (next(iter(idents)) if len(idents) == 1 else None)
    data = Report("audit", top, tuple(files)).to_json()
    for fd, it, r in zip(data["files"], res.items, res.results, strict=True):
        fd.update({"page_id": it.page_id, "applicant": it.applicant, "category": it.category,
                   "original": str(it.original) if it.original else None,
                   "original_page": it.original_page + 1 if it.original else None,
                   "leaked": bool(findings(r))})
        from zcmask._io import sha256_file

        try:
            fd["sha256"] = sha256_file(it.masked)
        except OSError:
            fd["sha256"] = None
    data["applicants"] = {it.applicant: it.identity.to_json() for it in res.items if it.identity}
    strata: dict[str, int] = defaultdict(int)
    for it in res.items:
        strata[f"{it.applicant or '—'}/{it.category}"] += 1
    data["audit"] = {
        "population": res.population, "sampled": len(res.items), "sample": res.sample, "seed": res.seed,
        "strata": dict(sorted(strata.items())), "leaked_pages": len(res.leaked),
        "unreadable_pages": len(res.failed),
        "leaks": [{"page_id": it.page_id, "findings": findings(r)} for it, r in res.leaked],
    }
    return data


# -- HTML ----------------------------------------------------------------------

def _thumb(image: np.ndarray, dest: Path, width: int = 800) -> None:
    from PIL import Image

    from zcmask._io import encode_jpeg, write_bytes_atomic

    im = Image.fromarray(image, "RGB")
    if im.width > width:
        im = im.resize((width, max(1, round(im.height * width / im.width))), Image.Resampling.BILINEAR)
    write_bytes_atomic(dest, encode_jpeg(np.asarray(im), 72, 90))


def _page_images(it: AuditItem, r: PageResult, assets: Path, n: int) -> tuple[str | None, str | None]:
    """Write thumbnails of the masked page and the (upright) original; return their names."""
    from zcmask import _geometry
    from zcmask.documents import load_page

    names: list[str | None] = []
    for which, path, page, rot, dpi in (("masked", it.masked, it.masked_page, r.rotation, r.dpi),
                                        ("orig", it.original, it.original_page, it.original_rotation,
                                         it.original_dpi)):
        if path is None:
            names.append(None)
            continue
        try:
            img = _geometry.upright(load_page(path, page, dpi=dpi).image, rot)
            name = f"{n:04d}-{which}.jpg"
            _thumb(img, assets / name)
            names.append(f"{assets.name}/{name}")
        except (ZcmaskError, OSError) as e:
            log.warning("cannot draw %s: %s", path, e)
            names.append(None)
    return names[0], names[1]




def _figure(src: str | None, caption: str, boxes: list[dict[str, Any]], w: int, h: int) -> str:
    e = html.escape
    if src is None:
        return f"<figure class=none><figcaption>{e(caption)}</figcaption><p>（无原件）</p></figure>"
    divs = "".join(
        f'<div class=box style="left:{100 * b["bbox"][0] / w:.2f}%;top:{100 * b["bbox"][1] / h:.2f}%;'
        f'width:{100 * (b["bbox"][2] - b["bbox"][0]) / w:.2f}%;height:{100 * (b["bbox"][3] - b["bbox"][1]) / h:.2f}%"'
        f' title="{e(KIND_ZH.get(b["kind"], b["kind"]))} {e(b.get("text", ""))}"></div>' for b in boxes) if w and h else ""
    return (f'<figure><figcaption>{e(caption)}</figcaption><div class=page><img src="{e(src)}" alt="{e(caption)}">'
            f"{divs}</div></figure>")


def render_audit_html(res: AuditResult, data: dict[str, Any], assets: Path | None,
                      verdicts: dict[str, dict[str, Any]] | None = None) -> str:
    """Side-by-side original and masked pages with every finding outlined."""
    e = html.escape
    a = data["audit"]
    verdicts = verdicts or {}
    cards = []
    for n, (it, r) in enumerate(zip(res.items, res.results, strict=True), start=1):
        f = findings(r)
        masked_src, orig_src = _page_images(it, r, assets, n) if assets is not None else (None, None)
        status = ("无法读取：" + r.error[1]) if r.error else (
            "仍可见：" + "、".join(f"{KIND_ZH.get(x['kind'], x['kind'])}“{x.get('text', '')}” {x['bbox']}" for x in f)
            if f else "未发现泄露")
        cls = "leak" if f else ("err" if r.error else "ok")
        v = verdicts.get(it.page_id)
        vtxt = f"审核结论：{'通过' if v['verdict'] == 'accept' else '退回'} {e(v.get('note', ''))}" if v else ""
        hint = ""
        if it.batch_out is not None:
            hint = (f"<code>zcmask review {e(str(it.batch_out))} '{e(it.page_id)}=accept'</code> 或 "
                    f"<code>…=reject --note 原因</code>")
        cards.append(
            f'<section class="{cls}" id="p{n}"><h2>{e(it.page_id)}</h2>'
            f"<p>申报人：{e(it.applicant or '—')}　类别：{e(it.category)}　{e(status)}</p>"
            f"<p>{vtxt}</p><div class=pair>"
            f"{_figure(orig_src, '原件', f, r.width, r.height)}{_figure(masked_src, '遮盖后', f, r.width, r.height)}"
            f"</div><p class=hint>{hint}</p></section>")
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>zcmask 抽查报告</title>
<style>body{{font-family:sans-serif;margin:2em}}.pair{{display:flex;gap:1em}}figure{{margin:0;flex:1}}
.page{{position:relative;border:1px solid #ccc}}.page img{{width:100%;display:block}}
.box{{position:absolute;outline:3px solid #e00;background:rgba(255,0,0,.12)}}
section{{border-top:2px solid #ddd;padding:.5em 0}}section.leak h2{{color:#b00}}section.err h2{{color:#a60}}
.hint{{color:#666;font-size:90%}}</style>
<h1>zcmask 抽查报告</h1>
<p>共 {a['population']} 页，抽查 {a['sampled']} 页（抽样 {e(str(a['sample'] or '全部'))}，种子 {a['seed']}），
发现泄露 {a['leaked_pages']} 页，无法读取 {a['unreadable_pages']} 页。</p>
<p>分层（申报人/类别 → 页数）：{e(json.dumps(a['strata'], ensure_ascii=False))}</p>
{''.join(cards)}</html>
"""


def write_audit_report(res: AuditResult, data: dict[str, Any], path: Path) -> None:
    """Write the JSON report and its HTML twin (with page thumbnails in ``<stem>-pages/``)."""
    from zcmask._io import write_bytes_atomic

    verdicts: dict[str, dict[str, Any]] = {}
    outs = sorted({it.batch_out for it in res.items if it.batch_out is not None})
    if outs:
        from zcmask.batch import BatchState

        for out in outs:
            with BatchState.open(out) as state:
                verdicts.update(state.verdicts())
    write_bytes_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    assets = path.with_name(path.stem + "-pages")
    write_bytes_atomic(path.with_suffix(".html"), render_audit_html(res, data, assets, verdicts).encode("utf-8"))


# -- command line ----------------------------------------------------------------

def register(subparsers: Any) -> None:
    """Add the ``audit`` verb to the ``zcmask`` parser."""
    from zcmask.cli import add_common_args, add_identity_args

    a = subparsers.add_parser(
        "audit", help="抽查已遮盖的输出：是否仍能看到申报人姓名、单位、公章或眼睛",
        description="对遮盖后的页面重新识别，找出仍可见的申报人信息。PATH 可以是 zcmask batch 的输出目录"
                    "（自动取得身份与原件，结果写入其数据库与 pages.csv），也可以是任意遮盖后的文件或文件夹。"
                    "退出码：0=未发现泄露；1=发现泄露；3=有页面无法读取。")
    a.add_argument("paths", nargs="+", metavar="PATH", help="遮盖后的输出目录或文件")
    a.add_argument("--sample", help="抽查页数 N 或比例 P%%（如 20 或 10%%），按申报人与材料类别分层；缺省为全部")
    a.add_argument("--seed", type=int, default=0, help="抽样随机种子（默认 0；相同种子得到相同样本）")
    a.add_argument("--report", type=Path,
                   help="报告 JSON 路径（同时生成 .html 对照页）；批量目录缺省为 OUT/zcmask-audit.json，否则打印到标准输出")
    a.add_argument("--originals", type=Path, help="原件目录（与遮盖输出的相对路径对应），用于对照显示")
    add_identity_args(a)
    add_common_args(a)
    a.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    from zcmask.batch import state_path
    from zcmask.cli import identity_from_args, options_from_args, progress_bar

    ident = identity_from_args(args, required=False)
    opts = options_from_args(args, ident)
    report = args.report
    batch_dirs = [Path(p) for p in args.paths if Path(p).is_dir() and state_path(p).is_file()]
    if report is None and len(batch_dirs) == 1:
        report = batch_dirs[0] / "zcmask-audit.json"
    with progress_bar(opts.progress, "抽查") as cb:
        res = audit(args.paths, opts, sample=args.sample, seed=args.seed, originals=args.originals,
                    report_path=report, progress=cb)
    if report is None:
        sys.stdout.write(json.dumps(to_report(res, ident), ensure_ascii=False, indent=2) + "\n")
    sys.stderr.write(f"zcmask audit: 共 {res.population} 页，抽查 {len(res.items)} 页，"
                     f"发现泄露 {len(res.leaked)} 页，无法读取 {len(res.failed)} 页。\n")
    for it, r in res.leaked:
        for f in findings(r):
            sys.stderr.write(f"  ✗ {it.page_id}: {f['kind']} “{f['text']}” {f['bbox']}\n")
    for it, r in res.failed:
        sys.stderr.write(f"  ✗ {it.page_id}: [{r.error[0]}] {r.error[1]}\n")  # type: ignore[index]
    if report is not None:
        sys.stderr.write(f"  报告：{report}（对照页：{Path(report).with_suffix('.html')}）\n")
    return int(res.exit_code)
