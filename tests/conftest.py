"""Suite-wide switches.

``ERLEN_GENERAL_PATH=1`` turns off erlen's inlined request fast path, so the whole suite
can be run against the general lifecycle too (``make test`` runs the differential
suite both ways).
"""

from __future__ import annotations

import os

if os.environ.get("ERLEN_GENERAL_PATH"):
    from erlen.app import Erlen

    Erlen._fast_path_enabled = False
