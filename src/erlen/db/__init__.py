"""erlen's database battery: SQLAlchemy 2 and Alembic migrations (``pip install erlen[db]``).

The API of Flask-SQLAlchemy 3.1 and Flask-Migrate 4: a Flask app ports by changing

    from flask_sqlalchemy import SQLAlchemy
    from flask_migrate import Migrate

to ``from erlen.db import SQLAlchemy, Migrate``.  On top: the N+1 query guard
(:mod:`erlen.db.nplusone`).  ``Migrate`` (and with it Alembic) is imported on first use.
"""

from __future__ import annotations

import typing as t

from .extension import SQLAlchemy
from .model import Model
from .nplusone import NPlusOneError, allow_n_plus_one
from .pagination import Pagination, QueryPagination, SelectPagination
from .query import Query
from .record_queries import QueryInfo, get_recorded_queries
from .session import Session
from .track_modifications import before_models_committed, models_committed

if t.TYPE_CHECKING:
    from .migrate import Migrate

__all__ = [
    "Migrate",
    "Model",
    "NPlusOneError",
    "Pagination",
    "Query",
    "QueryInfo",
    "QueryPagination",
    "SQLAlchemy",
    "SelectPagination",
    "Session",
    "allow_n_plus_one",
    "before_models_committed",
    "get_recorded_queries",
    "models_committed",
]


def __getattr__(name: str) -> t.Any:
    if name == "Migrate":
        from .migrate import Migrate

        return Migrate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
