"""What a batch hands to people: per-applicant summaries, the HR CSVs and an HTML index.

``OUT/batch.csv`` has one row per applicant and ``OUT/pages.csv`` one row per
page (with the audit finding and the reviewer's verdict, when there is one).
Both are UTF-8 with a BOM so that Excel opens them correctly. ``OUT/index.html``
links every applicant's report. Everything is rebuilt from the progress
database and written atomically; this module processes no pages.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter
from pathlib import Path
from typing import Any

from zcmask._io import write_bytes_atomic
from zcmask.batch._state import DONE, BatchState, page_id
from zcmask.report import Report
from zcmask.results import FileResult, Issue, Legibility, Orientation, PageResult, Region, SealSeen

KINDS = ("name", "unit", "seal", "eyes")


def file_result_from_json(d: dict[str, Any]) -> FileResult:
    """Rebuild a :class:`FileResult` from its ``to_json`` form (as stored in the database)."""
    err = d.get("error")
    return FileResult(
        input=d["input"], sha256=d.get("sha256"), status=d["status"],
        pages=tuple(_page(p) for p in d.get("pages", [])),
        error=(err["code"], err["message"]) if err else None,
        issues=tuple(_issue(i) for i in d.get("issues", [])))


def _issue(i: dict[str, Any]) -> Issue:
    bbox = i.get("bbox")
    return Issue(i["code"], i["severity"], i["message"], tuple(bbox) if bbox else None)


def _page(p: dict[str, Any]) -> PageResult:
    o = p.get("orientation") or {}
    leg = p.get("legibility") or {}
    return PageResult(
        index=p["index"], width=p["width"], height=p["height"], dpi=p["dpi"], rotation=p["rotation"],
        orientation=Orientation(o.get("rotation", 0), o.get("confidence", 0.0), o.get("source", "none")),
        legibility=Legibility(leg.get("legible", True), leg.get("score", 0.0), tuple(leg.get("reasons", ())),
                              tuple((leg.get("metrics") or {}).items())),
        regions=tuple(Region(r["kind"], tuple(r["bbox"]), r.get("text", ""), r.get("source", "ocr"),
                             r.get("score", 1.0)) for r in p.get("regions", [])),
        issues=tuple(_issue(i) for i in p.get("issues", [])),
        output=p.get("output"),
        seals=tuple(SealSeen(tuple(s["bbox"]), s.get("text", ""), s.get("owner", "unknown"),
                             s.get("masked", False), s.get("shape", "round"), s.get("score", 1.0))
                    for s in p.get("seals", [])),
        text_chars=p.get("text_chars", 0), seconds=p.get("seconds", 0.0))


def applicant_summary(report: Report) -> dict[str, Any]:
    """Pages, regions by kind and issues of one applicant, plus failed files."""
    regions: Counter[str] = Counter()
    issues: Counter[str] = Counter()
    for f in report.files:
        for p in f.pages:
            regions.update(r.kind for r in p.regions)
            issues.update(i.code for i in p.issues)
    return {
        "files": len(report.files),
        "pages": sum(len(f.pages) for f in report.files if f.status == "ok"),
        "failed_files": report.errors,
        "regions": dict(sorted(regions.items())),
        "issues": dict(sorted(issues.items())),
    }


APPLICANT_COLUMNS = ["applicant", "name", "status", "files", "pages", "failed_files",
                     *(f"regions_{k}" for k in KINDS), "regions_other", "issues",
                     "audited_pages", "leaked_pages", "accepted", "rejected", "report", "error"]
PAGE_COLUMNS = ["applicant", "name", "input", "page", "page_id", "status", "output",
                *(f"regions_{k}" for k in KINDS), "regions_other", "issues", "error_code",
                "error_message", "seconds", "audit", "audit_findings", "verdict", "verdict_note",
                "reviewer"]


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, columns, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def _rel(path: str | None, out: Path) -> str:
    if not path:
        return ""
    try:
        return Path(path).resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return path


def export_batch(state: BatchState, out: Path) -> tuple[Path, Path, Path]:
    """Write ``batch.csv``, ``pages.csv`` and ``index.html`` under ``out``; return their paths."""
    applicants = state.applicants()
    names = {a["folder"]: (a["identity"] or {}).get("name", "") for a in applicants}
    audits = state.audits()
    verdicts = state.verdicts()
    per_app: dict[str, Counter[str]] = {a["folder"]: Counter() for a in applicants}
    page_rows: list[dict[str, Any]] = []
    for row in state.files():
        if row.applicant not in per_app:
            continue
        base = {"applicant": row.applicant, "name": names.get(row.applicant, ""), "input": row.input,
                "status": row.status, "error_code": row.error[0] if row.error else "",
                "error_message": row.error[1] if row.error else ""}
        pages = (row.result or {}).get("pages", [])
        if not pages:
            page_rows.append(base)
            continue
        for p in pages:
            pid = page_id(row.applicant, row.rel, p["index"])
            kinds = Counter(r["kind"] for r in p.get("regions", []))
            a = audits.get(pid)
            v = verdicts.get(pid, {})
            r = dict(base)
            r.update({
                "page": p["index"], "page_id": pid,
                "output": _rel(p.get("output"), out) if row.status == DONE else "",
                **{f"regions_{k}": kinds.get(k, 0) for k in KINDS},
                "regions_other": sum(n for k, n in kinds.items() if k not in KINDS),
                "issues": ";".join(i["code"] for i in p.get("issues", [])),
                "seconds": p.get("seconds", ""),
                "audit": "" if a is None else ("leak" if a["leaked"] else "clean"),
                "audit_findings": "" if a is None else ";".join(
                    f"{f['kind']}@{','.join(str(int(c)) for c in f['bbox'])}" for f in a["regions"]),
                "verdict": v.get("verdict", ""), "verdict_note": v.get("note", ""),
                "reviewer": v.get("reviewer", ""),
            })
            c = per_app[row.applicant]
            c["audited_pages"] += a is not None
            c["leaked_pages"] += bool(a and a["leaked"])
            c["accepted"] += v.get("verdict") == "accept"
            c["rejected"] += v.get("verdict") == "reject"
            page_rows.append(r)
    app_rows = []
    for a in applicants:
        s = a["summary"] or {}
        reg = s.get("regions", {})
        app_rows.append({
            "applicant": a["folder"], "name": names.get(a["folder"], ""), "status": a["status"],
            "files": s.get("files", 0), "pages": s.get("pages", 0), "failed_files": s.get("failed_files", 0),
            **{f"regions_{k}": reg.get(k, 0) for k in KINDS},
            "regions_other": sum(n for k, n in reg.items() if k not in KINDS),
            "issues": ";".join(f"{k}={n}" for k, n in s.get("issues", {}).items()),
            **{k: per_app[a["folder"]][k] for k in ("audited_pages", "leaked_pages", "accepted", "rejected")},
            "report": a["report"] or "", "error": f"[{a['error'][0]}] {a['error'][1]}" if a["error"] else "",
        })
    p_apps, p_pages, p_index = out / "batch.csv", out / "pages.csv", out / "index.html"
    write_bytes_atomic(p_apps, _csv(app_rows, APPLICANT_COLUMNS))
    write_bytes_atomic(p_pages, _csv(page_rows, PAGE_COLUMNS))
    write_bytes_atomic(p_index, render_index(app_rows, out).encode("utf-8"))
    return p_apps, p_pages, p_index


_STATUS_ZH = {"ok": "完成", "incomplete": "部分文件失败", "error": "无法处理"}


def render_index(rows: list[dict[str, Any]], out: Path) -> str:
    """The batch's HTML index: one row per applicant, linking their report."""
    e = html.escape
    audit_link = ""
    if (out / "zcmask-audit.html").is_file():
        audit_link = '<p><a href="zcmask-audit.html">抽查报告</a></p>'
    trs = []
    for r in rows:
        rep = r["report"]
        link = (f'<a href="{e(Path(rep).with_suffix(".html").as_posix())}">报告</a>'
                f' · <a href="{e(rep)}">JSON</a>') if rep else "—"
        regions = "、".join(f"{k}×{r[f'regions_{k}']}" for k in KINDS if r[f"regions_{k}"]) or "无"
        cls = "" if r["status"] == "ok" else " class=err"
        trs.append(
            f"<tr{cls}><td>{e(r['applicant'])}</td><td>{e(r['name'])}</td>"
            f"<td>{e(_STATUS_ZH.get(r['status'], r['status']))}</td><td>{r['files']}</td><td>{r['pages']}</td>"
            f"<td>{r['failed_files']}</td><td>{e(regions)}</td><td>{e(r['issues'])}</td>"
            f"<td>{r['audited_pages']} / {r['leaked_pages']} / {r['accepted']} / {r['rejected']}</td>"
            f"<td>{link}</td><td>{e(r['error'])}</td></tr>")
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>zcmask 批量遮盖索引</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}th{{background:#f0f0f0}}
.err td{{background:#fee}}</style>
<h1>zcmask 批量遮盖索引</h1>
<p>申报人 {len(rows)} 位。导出：<a href="batch.csv">batch.csv</a>（每人一行） ·
<a href="pages.csv">pages.csv</a>（每页一行，含抽查结论）</p>{audit_link}
<table><tr><th>文件夹</th><th>姓名</th><th>状态</th><th>文件</th><th>页面</th><th>失败文件</th>
<th>遮盖区域</th><th>问题</th><th>抽查/泄露/通过/退回</th><th>报告</th><th>错误</th></tr>
{''.join(trs)}</table></html>
"""
