"""Locating what must be hidden: the applicant's name and units, seals, eyes.

Public names: :func:`find_identity` (text), :func:`find_seals`, :func:`find_eyes`.
Every locator returns :class:`~zcmask.results.Region` values and never draws.
"""

from __future__ import annotations

from zcmask.locate._text import build_stream, find_identity, name_patterns, unit_patterns

__all__ = ["build_stream", "find_identity", "name_patterns", "unit_patterns"]
