"""The ``zcmask.report/1`` JSON report and its human-readable HTML twin.

This module only turns results into documents; it runs no OCR.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zcmask import __version__
from zcmask._io import write_bytes_atomic
from zcmask.locate._variants import is_han
from zcmask.messages import regions_zh
from zcmask.options import Identity
from zcmask.results import FileResult, PageResult

SCHEMA = "zcmask.report/1"


@dataclass(frozen=True)
class Report:
    """A finished run: the command, who it was for, and every file's result."""

    command: str
    identity: Identity | None
    files: tuple[FileResult, ...]

    @property
    def errors(self) -> int:
        """Files that could not be processed."""
        return sum(1 for f in self.files if f.status == "error")

    def listed_pages(self, f: FileResult) -> tuple[PageResult, ...]:
        """The pages of ``f`` the report lists: for ``mask`` only those written.

        A page that failed, or whose file failed, has no output; the file's ``error``
        names it (:func:`zcmask.results.pages_error`), and the contract wants an output
        on every page a ``mask`` report lists.
        """
        return tuple(p for p in f.pages if p.output) if self.command == "mask" else f.pages

    @property
    def error_issues(self) -> int:
        """Issues of severity ``error`` on any listed page or file."""
        n = sum(1 for f in self.files for i in f.issues if i.severity == "error")
        return n + sum(1 for f in self.files for p in self.listed_pages(f) for i in p.issues if i.severity == "error")

    def to_json(self) -> dict[str, Any]:
        regions: Counter[str] = Counter()
        issues: Counter[str] = Counter()
        for f in self.files:
            for p in self.listed_pages(f):
                regions.update(r.kind for r in p.regions)
                issues.update(i.code for i in p.issues)
            issues.update(i.code for i in f.issues)
        files = [f.to_json(self.listed_pages(f)) for f in self.files]
        return {
            "schema": SCHEMA,
            "command": self.command,
            "zcmask_version": __version__,
            "applicant": self.identity.to_json() if self.identity else None,
            "files": files,
            "summary": {
                "files": len(self.files),
                "pages": sum(len(f["pages"]) for f in files),
                "errors": self.errors,
                "error_issues": self.error_issues,
                "regions": dict(sorted(regions.items())),
                "issues": dict(sorted(issues.items())),
            },
        }


def write_report(report: Report, path: str | Path, *, html_too: bool = True) -> Path:
    """Write the JSON report (and ``.html`` beside it) atomically; return the JSON path."""
    path = Path(path)
    data = report.to_json()
    write_bytes_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    if html_too:
        thumbs = {(fi, p.index): (p.fix.before, p.fix.after) for fi, f in enumerate(report.files)
                  for p in f.pages if p.fix is not None and p.fix.after}
        write_bytes_atomic(path.with_suffix(".html"), render_html(data, thumbs=thumbs).encode("utf-8"))
    return path


_TITLES = {"mask": "遮盖报告", "check": "上传前检查报告", "audit": "抽查报告", "fix": "转换报告"}
_SEV_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def render_html(data: dict[str, Any], *, images: Sequence[tuple[str, str]] = (),
                thumbs: Mapping[tuple[int, int], tuple[str, str]] | None = None) -> str:
    """A self-contained HTML page (no external resources) for a report dict.

    ``thumbs`` maps (file position, page index) to before/after ``data:`` previews
    of pages that ``check --fix`` or ``mask --flatten`` changed.
    """
    e = html.escape
    title = _TITLES.get(str(data.get("command")), "报告")
    ap = data.get("applicant") or {}
    s = data.get("summary", {})
    rows = []
    for fi, f in enumerate(data.get("files", [])):
        if f.get("status") == "error":
            err = f.get("error") or {}
            rows.append(f"<tr class=err><td>{e(f['input'])}</td><td>—</td><td colspan=3>"
                        f"<b>{e(err.get('code', ''))}</b> {e(err.get('message', ''))}</td></tr>")
        if f.get("issues"):  # the file's own notes: a repaired PDF, a renamed output, PDF pages as images
            notes = "<br>".join(_issue_html(i) for i in f["issues"])
            rows.append(f"<tr><td>{e(f['input'])}</td><td>全文件</td><td colspan=2></td><td>{notes}</td></tr>")
        for p in f.get("pages", []):
            kinds = Counter(r["kind"] for r in p.get("regions", []))
            reg = regions_zh(kinds)
            kept = [k for k in p.get("seals", []) if not k.get("masked")]
            if kept and "applicant" in data and not ap.get("units"):  # no unit given: whose seal was not judged
                reg += "；公章×{}（未提供工作单位，未判断归属：{}）".format(
                    len(kept), "、".join(_seal_words(k.get("text", "")) for k in kept))
            elif kept:  # an issuer's seal left visible on purpose: say whose, so a reviewer need not wonder
                reg += "；保留他方公章×{}（{}）".format(len(kept), "、".join(_seal_words(k.get("text", "")) for k in kept))
            iss = "<br>".join(_issue_html(i) for i in p.get("issues", [])) or "✓"
            out = e(p.get("output") or "")
            leg = p.get("legibility") or {}
            rows.append(
                f"<tr><td>{e(f['input'])}</td><td>{p['index']}</td>"
                f"<td>{out}<br><small>{p['width']}×{p['height']} · 旋转 {p['rotation']}° · "
                f"清晰度 {leg.get('score', '')}</small>{_fix_html(p, (thumbs or {}).get((fi, p['index'])))}"
                f"</td><td>{e(reg)}</td><td>{iss}</td></tr>")
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>zcmask {e(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}th{{background:#f0f0f0;white-space:nowrap}}
td{{overflow-wrap:anywhere}}
.err td{{background:#fee}}.error{{color:#b00}}.warning{{color:#a60}}.info{{color:#06c}}</style>
<h1>zcmask {e(title)}</h1>
<p>申报人：{e(str(ap.get('name', '—')))}　单位：{e('、'.join(ap.get('units', [])) or '未提供')}</p>
<p>文件 {s.get('files', 0)} 个，页面 {s.get('pages', 0)} 页，无法处理 {s.get('errors', 0)} 个，
错误级问题 {s.get('error_issues', 0)} 项。遮盖区域：{e(regions_zh(s.get('regions', {})))}</p>
<table><tr><th>文件</th><th>页</th><th>输出</th><th>遮盖/发现</th><th>问题与处理办法</th></tr>
{''.join(rows)}</table></html>
"""


def _seal_words(text: str) -> str:
    """A kept seal's reading when it says something (four Chinese characters, or two words of five letters).

    >>> _seal_words("中国数学会"), _seal_words("susn oont 田"), _seal_words("HKU SCHOOL OF EDUCATION")
    ('中国数学会', '印文未识读', 'HKU SCHOOL OF EDUCATION')
    """
    han = sum(map(is_han, text))
    words = sum(len(w) >= 5 and w.isalpha() for w in text.split())
    return text if han >= 4 or words >= 2 else "印文未识读"


def _issue_html(i: dict[str, Any]) -> str:
    e = html.escape
    return (f"<span class={e(i['severity'])}>[{_SEV_ZH.get(i['severity'], i['severity'])}] "
            f"{e(i['code'])}</span>：{e(i['message'])}")


_STEP_ZH = {"perspective": "透视校正", "dewarp": "展平弯曲", "light": "匀光", "deskew": "纠偏", "rotate": "转正", "mirror": "左右翻转"}


def _fix_html(page: dict[str, Any], thumbs: tuple[str, str] | None) -> str:
    """The fixed copy of a page: what was done, and small before/after previews."""
    fix = page.get("fix")
    if not fix:
        return ""
    e = html.escape
    steps = "、".join(_STEP_ZH.get(s["step"], s["step"]) for s in fix.get("steps", [])) or "无需处理（原样复制）"
    out = f"<br><small>修正：{e(steps)}"
    if fix.get("output"):
        out += f" → {e(str(fix['output']))}"
    out += "</small>"
    if thumbs and thumbs[1]:
        before, after = thumbs
        img = "<img src='{}' alt='{}' style='max-height:180px;border:1px solid #ccc;margin:2px'>"
        out += "<br>" + (img.format(e(before), "原图") if before else "") + " → " + img.format(e(after), "修正后")
    return out
