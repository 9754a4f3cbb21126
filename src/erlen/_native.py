"""The optional C extension, ``erlen._speedups``, and the switch that turns it off.

The extension holds C versions of two pieces of per-request work: the query-string
parser (``erlen.http.urls``) and the context proxies' attribute access
(``erlen.local``). It is built at install time when a C compiler is there; each
function has a pure-Python twin that is used otherwise, and that the tests hold the C
version to. ``ERLEN_NO_EXTENSIONS=1`` makes erlen use the twins, as aiohttp's, yarl's
and multidict's variables do for theirs.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["native"]


def native(name: str) -> Any | None:
    """``erlen._speedups.<name>``, or None when the extension is missing (not built,
    or built before *name* existed) or turned off with ``ERLEN_NO_EXTENSIONS``."""
    if os.environ.get("ERLEN_NO_EXTENSIONS"):
        return None
    try:
        from . import _speedups
    except ImportError:
        return None
    return getattr(_speedups, name, None)
