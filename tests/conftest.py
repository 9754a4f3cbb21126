"""Suite-wide switches and fixtures.

``ERLEN_GENERAL_PATH=1`` turns off erlen's inlined request fast path, so the whole suite
can be run against the general lifecycle too (``make test`` runs the differential
suite both ways).
"""

from __future__ import annotations

import os

# The database fixtures (one PostgreSQL server for the whole session), for tests/db and
# tests/example alike.
from tests.postgres import database_url, postgres, postgres_database  # noqa: F401

if os.environ.get("ERLEN_GENERAL_PATH"):
    from erlen.app import Erlen

    Erlen._fast_path_enabled = False
