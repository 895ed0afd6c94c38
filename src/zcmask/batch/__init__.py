"""Resumable batch masking of many applicants, with progress in SQLite.

Public names: :func:`run_batch`, :class:`BatchResult`, :class:`BatchState`,
:func:`load_roster`, :func:`find_applicants`, :class:`Applicant`,
:class:`LocalExecutor`, :class:`DaskExecutor`, :func:`make_executor`,
:func:`export_batch`, :func:`page_id`, :func:`state_path`.

The per-page work is :func:`zcmask.pipeline.process_page`, unchanged; this
package plans, schedules, records and exports. It does not parse command lines
(see :mod:`zcmask.batch.cli`).
"""

from __future__ import annotations

from zcmask.batch._executors import DaskExecutor, LocalExecutor, PageExecutor, make_executor
from zcmask.batch._export import export_batch
from zcmask.batch._identity import Applicant, find_applicants, load_roster
from zcmask.batch._run import BatchResult, run_batch
from zcmask.batch._state import BatchState, page_id, state_path

__all__ = ["Applicant", "BatchResult", "BatchState", "DaskExecutor", "LocalExecutor", "PageExecutor",
           "export_batch", "find_applicants", "load_roster", "make_executor", "page_id", "run_batch",
           "state_path"]
