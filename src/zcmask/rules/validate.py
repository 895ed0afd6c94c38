"""Validate a whole application folder against one notice: the ``zcmask.validation/1`` report.

:func:`validate` loads ``application.yaml`` and the notice's rules, reads every
attachment once (:mod:`zcmask.rules._collect`), runs each rule
(:mod:`zcmask.rules.checks`) and returns a :class:`ValidationReport`.
:func:`write_validation_report` writes the JSON and a readable HTML page beside
it. Nothing here prints; the command line lives in :mod:`zcmask.rules.cli`.
"""

from __future__ import annotations

import html
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zcmask import __version__
from zcmask._io import write_bytes_atomic
from zcmask.exceptions import InputFileError
from zcmask.options import Identity, Options, require_safe_identity
from zcmask.rules._collect import Attachment, ProgressFn, collect
from zcmask.rules._model import Application, Notice, load_application, load_notice
from zcmask.rules.checks import Context, Finding, run_rule

log = logging.getLogger(__name__)

SCHEMA = "zcmask.validation/1"
_SEV_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one application against one notice."""

    notice: Notice
    application: Application
    attachments: tuple[Attachment, ...]
    findings: tuple[Finding, ...]
    app_dir: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def to_json(self) -> dict[str, Any]:
        sev = Counter(f.severity for f in self.findings)
        codes = Counter(f.code for f in self.findings)
        a = self.application
        return {
            "schema": SCHEMA,
            "command": "validate",
            "zcmask_version": __version__,
            "notice": {"id": self.notice.id, "title": self.notice.title, "year": self.notice.year,
                       "blind_review": self.notice.blind_review,
                       "window": [self.notice.window.start.isoformat(), self.notice.window.end.isoformat()]},
            "applicant": {**a.identity.to_json(), "employer_type": a.applicant.employer_type,
                          "status": a.applicant.status, "series": a.application.series,
                          "specialty": a.application.specialty, "level": a.application.level,
                          "route": a.application.route,
                          "submitted": a.application.submitted.isoformat() if a.application.submitted else None},
            "app_dir": self.app_dir,
            "attachments": [x.to_json() for x in self.attachments],
            "findings": [f.to_json() for f in self.findings],
            "summary": {"attachments": len(self.attachments),
                        "pages": sum(len(x.pages) for x in self.attachments),
                        "errors": sev.get("error", 0), "warnings": sev.get("warning", 0),
                        "infos": sev.get("info", 0), "codes": dict(sorted(codes.items())),
                        "passed": self.ok},
        }


def scoped_options(base: Options, scope: tuple[str, ...] | list[str], identity: Identity | None) -> Options:
    """``base`` limited to a masking scope (``name``, ``unit``, ``seal``, ``eyes``).

    An empty scope masks nothing. Used by ``validate`` (what a notice asks to mask
    is what it checks) and by ``mask --notice`` (its default).
    """
    kinds = set(scope)
    if not kinds or identity is None:
        return base.model_copy(update={"identity": None, "seals": "none", "eyes": False})
    ident = identity if "unit" in kinds else identity.model_copy(update={"units": ()})
    update: dict[str, object] = {"identity": ident}
    if "seal" not in kinds:
        update["seals"] = "none"
    if "eyes" not in kinds:
        update["eyes"] = False
    return base.model_copy(update=update)


def validation_options(notice: Notice, app: Application, base: Options | None = None) -> Options:
    """The options attachments are checked with: the notice's own masking scope, nothing more."""
    return scoped_options(base or Options.build(), notice.mask_scope, app.identity)


def validate(app_dir: str | Path, notice: str | Notice, options: Options | None = None, *,
             progress: ProgressFn | None = None, facts: Application | None = None) -> ValidationReport:
    """Validate the application in ``app_dir`` against ``notice`` (an id, a path or a Notice).

    ``facts`` gives the applicant's facts directly (a roster row); otherwise they are read
    from ``app_dir/application.yaml``.

    Raises
    ------
    BadArgsError
        Unknown notice id (exit 2); a one-character name, alias or unit without
        ``options.allow_short_identity`` (:class:`~zcmask.exceptions.ShortIdentityError`, exit 2).
    InvalidConfigError
        ``application.yaml`` or the rule file is invalid (exit 6).
    InputFileError
        ``app_dir`` is not a folder (exit 3).


    """
    d = Path(app_dir)
    if not d.is_dir():
        raise InputFileError(f"找不到申报材料目录 {d}，请检查路径（目录中应有 application.yaml 和附件）。")
    nt = notice if isinstance(notice, Notice) else load_notice(notice)
    app = facts if facts is not None else load_application(d / "application.yaml")
    # A one-character name matches nearly every page: refused as `mask --name` refuses it.
    require_safe_identity(app.identity, bool(options and options.allow_short_identity))
    opts = validation_options(nt, app, options)
    atts = collect(d, app, opts, progress=progress)
    ctx = Context(app, nt, tuple(atts))
    findings: list[Finding] = []
    for rule in nt.rules:
        findings += run_rule(rule, ctx)
    findings.sort(key=lambda f: _SEV_ORDER[f.severity])
    return ValidationReport(nt, app, tuple(atts), tuple(findings), str(d))


def write_validation_report(report: ValidationReport, path: str | Path) -> Path:
    """Write the JSON report and ``<path>.html`` beside it, atomically; return the JSON path."""
    p = Path(path)
    data = report.to_json()
    write_bytes_atomic(p, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    write_bytes_atomic(p.with_suffix(".html"), render_html(data).encode("utf-8"))
    return p


_SEV_ZH = {"error": "错误（将被退回）", "warning": "警告（请核对）", "info": "提示"}
_HOW_ZH = {"folder": "按文件夹", "listed": "按 application.yaml 列表", "ocr": "按识别文字自动归类"}


def render_html(data: dict[str, Any]) -> str:
    """A self-contained, readable HTML page for a validation report dict."""
    e = html.escape
    s = data["summary"]
    ap = data["applicant"]
    nt = data["notice"]
    verdict = ("<p class=ok>✓ 未发现会导致退回的问题。</p>" if s["passed"]
               else f"<p class=bad>✗ 发现 {s['errors']} 项会导致退回的问题，请按下表逐项处理。</p>")
    frows = "".join(
        f"<tr class={f['severity']}><td>{e(_SEV_ZH.get(f['severity'], f['severity']))}</td>"
        f"<td><code>{e(f['code'])}</code></td><td>{e(f['rule'])}</td><td>{e(f['message'])}</td>"
        f"<td>{'<br>'.join(e(x) for x in f['files'])}</td></tr>" for f in data["findings"]) or \
        "<tr><td colspan=5>无</td></tr>"
    arows = "".join(
        f"<tr><td>{e(a['file'])}</td><td>{e(a['category'])}</td>"
        f"<td>{e(_HOW_ZH.get(a['how'], a['how']))}{('（' + e(a['basis']) + '）') if a.get('basis') else ''}</td>"
        f"<td>{a['pages']}</td></tr>" for a in data["attachments"])
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>zcmask 申报材料校验报告</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;width:100%;margin-bottom:2em}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}th{{background:#f0f0f0}}
tr.error td{{background:#fee}}tr.warning td{{background:#fff6e0}}tr.info td{{background:#eef6ff}}
.ok{{color:#060;font-weight:bold}}.bad{{color:#b00;font-weight:bold}}</style>
<h1>申报材料校验报告</h1>
<p>通知：{e(nt['title'])}（<code>{e(nt['id'])}</code>）</p>
<p>申报人：{e(str(ap.get('name', '')))}　{e(ap.get('series') or '')}{e(ap.get('specialty') or '')}
{e(ap.get('level') or '')}（{e(ap.get('route') or '')}）　提交日期：{e(str(ap.get('submitted') or '未填写'))}</p>
{verdict}
<p>附件 {s['attachments']} 个、{s['pages']} 页；错误 {s['errors']} 项，警告 {s['warnings']} 项，提示 {s['infos']} 项。</p>
<h2>发现的问题</h2>
<table><tr><th>级别</th><th>代码</th><th>规则（通知条款）</th><th>说明与处理办法</th><th>涉及文件</th></tr>
{frows}</table>
<h2>附件归类</h2>
<table><tr><th>文件</th><th>类别</th><th>归类依据</th><th>页数</th></tr>{arows}</table>
</html>
"""


ROSTER_SCHEMA = "zcmask.validation-roster/1"


def roster_json(notice: Notice, roster: str | Path,
                results: list[tuple[int, str, str, ValidationReport | str | None]]) -> dict[str, Any]:
    """One report for a whole roster: each applicant's ``zcmask.validation/1`` report, by row.

    A row's report is None when its folder is missing, or a message (zh-CN) saying why the
    row could not be validated (a one-character name).
    """
    items = []
    for row, name, app_dir, rep in results:
        if isinstance(rep, str):
            items.append({"row": row, "name": name, "app_dir": app_dir, "passed": False,
                          "summary": rep, "report": None})
            continue
        if rep is None:
            items.append({"row": row, "name": name, "app_dir": app_dir, "passed": False,
                          "summary": f"找不到材料文件夹 {app_dir}（以姓名命名，或在花名册“材料文件夹”列填写）",
                          "report": None})
            continue
        d = rep.to_json()
        s = d["summary"]
        items.append({"row": row, "name": name, "app_dir": app_dir, "passed": s["passed"],
                      "summary": f"错误 {s['errors']} 项，警告 {s['warnings']} 项", "report": d})
    return {"schema": ROSTER_SCHEMA, "command": "validate", "zcmask_version": __version__,
            "notice": {"id": notice.id, "title": notice.title, "year": notice.year},
            "roster": str(roster), "applicants": items,
            "summary": {"applicants": len(items), "passed": sum(1 for i in items if i["passed"]),
                        "failed": sum(1 for i in items if not i["passed"])}}


def render_roster_html(data: dict[str, Any]) -> str:
    """A readable HTML page for a roster report: one summary table, then each applicant's findings."""
    e = html.escape
    rows = "".join(
        f"<tr class={'ok' if i['passed'] else 'error'}><td>{i['row']}</td><td>{e(i['name'])}</td>"
        f"<td>{'通过' if i['passed'] else '未通过'}</td><td>{e(i['summary'])}</td></tr>" for i in data["applicants"])
    parts = []
    for i in data["applicants"]:
        rep = i["report"]
        if rep is None:
            continue
        frows = "".join(
            f"<tr class={f['severity']}><td>{e(_SEV_ZH.get(f['severity'], f['severity']))}</td>"
            f"<td>{e(f['rule'])}</td><td>{e(f['message'])}</td><td>{'<br>'.join(e(x) for x in f['files'])}</td></tr>"
            for f in rep["findings"] if f["severity"] != "info") or "<tr><td colspan=4>无</td></tr>"
        parts.append(f"<h2>第 {i['row']} 行 {e(i['name'])}</h2><table><tr><th>级别</th><th>规则（通知条款）</th>"
                     f"<th>说明与处理办法</th><th>涉及文件</th></tr>{frows}</table>")
    s = data["summary"]
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>zcmask 花名册校验报告</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;width:100%;margin-bottom:2em}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}th{{background:#f0f0f0}}
tr.error td{{background:#fee}}tr.warning td{{background:#fff6e0}}tr.ok td{{background:#efe}}</style>
<h1>花名册校验报告</h1>
<p>通知：{e(data['notice']['title'])}（<code>{e(data['notice']['id'])}</code>）　花名册：{e(data['roster'])}</p>
<p>共 {s['applicants']} 人，通过 {s['passed']} 人，未通过 {s['failed']} 人。</p>
<table><tr><th>行</th><th>姓名</th><th>结果</th><th>概况</th></tr>{rows}</table>
{''.join(parts)}
</html>
"""
