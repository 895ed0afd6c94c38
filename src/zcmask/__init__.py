"""zcmask: mask applicant names, units, seals and eyes in 职称 attachments for blind review."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
