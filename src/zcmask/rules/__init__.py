"""Notice rules: validate a whole 职称 application against one notice.

Each notice is a YAML file under ``rules/notices/`` whose rules use the check
types of :mod:`zcmask.rules.checks`; a new notice needs only a new file.
Public names: :func:`validate`, :func:`write_validation_report`,
:class:`ValidationReport`, :class:`Finding`, :func:`load_notice`,
:func:`load_application`, :func:`notice_ids`, :class:`Application`,
:class:`Notice`, :data:`CATEGORIES`, :data:`CHECKS`.
"""

from __future__ import annotations

from zcmask.rules._model import (
    CATEGORIES,
    Application,
    Notice,
    load_application,
    load_notice,
    notice_ids,
)
from zcmask.rules.checks import CHECKS, FINDING_CODES, Finding
from zcmask.rules.validate import ValidationReport, validate, write_validation_report

__all__ = [
    "CATEGORIES", "CHECKS", "FINDING_CODES", "Application", "Finding", "Notice", "ValidationReport",
    "load_application", "load_notice", "notice_ids", "validate", "write_validation_report",
]
