"""The batch's progress database, ``OUT/.zcmask/state.sqlite``.

One row per input file (sha256, status, outputs, timings, error), one per
applicant, plus the reviewers' audit findings and verdicts. Only the main
process writes here; workers never touch the database. Every change is one
transaction, and the database runs in WAL mode, so a ``kill -9`` loses at most
the file that was in flight and never leaves a half-recorded one.

This module does not process pages and writes no output files.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zcmask.exceptions import OutputFileError

STATE_DIR = ".zcmask"
STATE_FILE = "state.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applicants (
    folder TEXT PRIMARY KEY,
    identity TEXT,
    status TEXT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    summary TEXT,
    report TEXT,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    applicant TEXT NOT NULL,
    rel TEXT NOT NULL,
    input TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    outputs TEXT NOT NULL DEFAULT '[]',
    result TEXT,
    error_code TEXT,
    error_message TEXT,
    started REAL,
    finished REAL,
    seconds REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (applicant, rel)
);
CREATE TABLE IF NOT EXISTS audits (
    page_id TEXT PRIMARY KEY,
    applicant TEXT,
    input TEXT,
    page INTEGER,
    output TEXT,
    category TEXT,
    leaked INTEGER NOT NULL,
    regions TEXT NOT NULL,
    report TEXT,
    audited REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS verdicts (
    page_id TEXT PRIMARY KEY,
    verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),
    note TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL DEFAULT '',
    decided REAL NOT NULL
);
"""

#: File statuses: ``done`` and ``failed`` are final; anything else is redone.
DONE, FAILED = "done", "failed"


@dataclass(frozen=True)
class FileRow:
    """One input file as the database remembers it."""

    applicant: str
    rel: str
    input: str
    sha256: str
    fingerprint: str
    status: str
    pages: int
    outputs: tuple[str, ...]
    result: dict[str, Any] | None
    error: tuple[str, str] | None
    seconds: float | None
    attempts: int


def page_id(applicant: str, rel: str, page: int) -> str:
    """The stable id of one page: ``<applicant folder>/<file>#<page>``; reviewers quote it."""
    return f"{applicant}/{rel}#{page}"


def state_path(out: str | Path) -> Path:
    """Where the database of the batch written to ``out`` lives."""
    return Path(out) / STATE_DIR / STATE_FILE


class BatchState:
    """A connection to a batch's progress database.

    Parameters
    ----------
    path : Path
        The SQLite file; created (with its folder) when missing.

    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process (only a power cut can lose the last commit).
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise OutputFileError(f"无法创建或打开进度数据库 {self.path}：{e}。请检查输出目录权限与磁盘空间。") from e

    @classmethod
    def open(cls, out: str | Path) -> BatchState:
        """Open (or create) the database of the batch written to ``out``."""
        return cls(state_path(out))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> BatchState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self, sql: str, params: tuple[Any, ...]) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(sql, params)
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise OutputFileError(f"写入进度数据库失败：{e}。请检查磁盘空间后重新运行（已完成的文件不会重做）。") from e

    # -- files -------------------------------------------------------------
    def file(self, applicant: str, rel: str) -> FileRow | None:
        cur = self.conn.execute("SELECT * FROM files WHERE applicant=? AND rel=?", (applicant, rel))
        row = cur.fetchone()
        return None if row is None else _file_row(row, cur)

    def files(self, applicant: str | None = None) -> Iterator[FileRow]:
        cur = self.conn.cursor()
        if applicant is None:
            cur.execute("SELECT * FROM files ORDER BY applicant, rel")
        else:
            cur.execute("SELECT * FROM files WHERE applicant=? ORDER BY rel", (applicant,))
        for row in cur:
            yield _file_row(row, cur)

    def record_file(self, applicant: str, rel: str, input: str, sha256: str, fingerprint: str,
                    status: str, pages: int, outputs: list[str], result: dict[str, Any] | None,
                    error: tuple[str, str] | None, started: float, seconds: float) -> None:
        """Record a finished (``done`` or ``failed``) file in one transaction."""
        self._tx(
            "INSERT INTO files (applicant, rel, input, sha256, fingerprint, status, pages, outputs, result,"
            " error_code, error_message, started, finished, seconds, attempts)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)"
            " ON CONFLICT(applicant, rel) DO UPDATE SET input=excluded.input, sha256=excluded.sha256,"
            " fingerprint=excluded.fingerprint, status=excluded.status, pages=excluded.pages,"
            " outputs=excluded.outputs, result=excluded.result, error_code=excluded.error_code,"
            " error_message=excluded.error_message, started=excluded.started,"
            " finished=excluded.finished, seconds=excluded.seconds, attempts=files.attempts+1",
            (applicant, rel, input, sha256, fingerprint, status, pages,
             json.dumps(outputs, ensure_ascii=False),
             None if result is None else json.dumps(result, ensure_ascii=False),
             error[0] if error else None, error[1] if error else None,
             started, time.time(), seconds))

    # -- applicants --------------------------------------------------------
    def record_applicant(self, folder: str, identity: dict[str, Any] | None, status: str,
                         error: tuple[str, str] | None = None, summary: dict[str, Any] | None = None,
                         report: str | None = None) -> None:
        self._tx(
            "INSERT OR REPLACE INTO applicants (folder, identity, status, error_code, error_message,"
            " summary, report, updated) VALUES (?,?,?,?,?,?,?,?)",
            (folder, None if identity is None else json.dumps(identity, ensure_ascii=False), status,
             error[0] if error else None, error[1] if error else None,
             None if summary is None else json.dumps(summary, ensure_ascii=False), report, time.time()))

    def applicants(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT folder, identity, status, error_code, error_message, summary, report"
                                " FROM applicants ORDER BY folder")
        out = []
        for folder, ident, status, code, msg, summary, report in cur.fetchall():
            out.append({"folder": folder, "identity": json.loads(ident) if ident else None,
                        "status": status, "error": (code, msg) if code else None,
                        "summary": json.loads(summary) if summary else {}, "report": report})
        return out

    # -- audit and review --------------------------------------------------
    def record_audit(self, pid: str, applicant: str, input: str, page: int, output: str, category: str,
                     regions: list[dict[str, Any]], report: str | None) -> None:
        self._tx("INSERT OR REPLACE INTO audits (page_id, applicant, input, page, output, category, leaked,"
                 " regions, report, audited) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (pid, applicant, input, page, output, category, int(bool(regions)),
                  json.dumps(regions, ensure_ascii=False), report, time.time()))

    def audits(self) -> dict[str, dict[str, Any]]:
        cur = self.conn.execute("SELECT page_id, leaked, regions, category, report FROM audits")
        return {pid: {"leaked": bool(leaked), "regions": json.loads(regions), "category": cat,
                      "report": report} for pid, leaked, regions, cat, report in cur.fetchall()}

    def record_verdict(self, pid: str, verdict: str, note: str = "", reviewer: str = "") -> None:
        self._tx("INSERT OR REPLACE INTO verdicts (page_id, verdict, note, reviewer, decided)"
                 " VALUES (?,?,?,?,?)", (pid, verdict, note, reviewer, time.time()))

    def verdicts(self) -> dict[str, dict[str, Any]]:
        cur = self.conn.execute("SELECT page_id, verdict, note, reviewer, decided FROM verdicts")
        return {pid: {"verdict": v, "note": n, "reviewer": r, "decided": d}
                for pid, v, n, r, d in cur.fetchall()}

    def page_known(self, pid: str) -> bool:
        """Whether ``pid`` names a page of a finished file in this batch."""
        head, _, num = pid.rpartition("#")
        applicant, _, rel = head.partition("/")
        row = self.file(applicant, rel)
        return row is not None and num.isdigit() and 1 <= int(num) <= max(row.pages, 1)


def _file_row(row: tuple[Any, ...], cur: Any) -> FileRow:
    names = [d[0] for d in cur.description]
    d = dict(zip(names, row, strict=True))
    return FileRow(
        applicant=d["applicant"], rel=d["rel"], input=d["input"], sha256=d["sha256"],
        fingerprint=d["fingerprint"], status=d["status"], pages=d["pages"],
        outputs=tuple(json.loads(d["outputs"] or "[]")),
        result=json.loads(d["result"]) if d["result"] else None,
        error=(d["error_code"], d["error_message"]) if d["error_code"] else None,
        seconds=d["seconds"], attempts=d["attempts"])
