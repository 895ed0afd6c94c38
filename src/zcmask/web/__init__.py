"""The local web page of zcmask (``zcmask serve``), for applicants and reviewers.

Public names: :func:`create_app` (needs the ``web`` extra: fastapi, uvicorn,
python-multipart) and :class:`WebLimits`. The page itself is plain HTML, CSS and
JS in ``static/`` with no external resources. Importing this package does not
import fastapi; :mod:`zcmask.web.cli` registers the ``serve`` verb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zcmask.web._safety import WebLimits

if TYPE_CHECKING:
    from zcmask.web.app import create_app

__all__ = ["WebLimits", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from zcmask.web.app import create_app

        return create_app
    raise AttributeError(name)
