"""Database migrations with Alembic: ``Migrate`` and the ``erlen db`` commands.

The API of Flask-Migrate 4: ``migrate = Migrate(app, db)`` in the app factory, then
``erlen db init``, ``erlen db migrate -m "..."``, ``erlen db upgrade``...  The
commands are also functions (``from erlen.db.migrate import upgrade``) for deploy
scripts and tests; they need an app context.
"""

from __future__ import annotations

from .commands import (
    branches,
    check,
    current,
    downgrade,
    edit,
    heads,
    history,
    init,
    list_templates,
    merge,
    migrate,
    revision,
    show,
    stamp,
    upgrade,
)
from .extension import Config, Migrate, MigrateState

__all__ = [
    "Config",
    "Migrate",
    "MigrateState",
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "heads",
    "history",
    "init",
    "list_templates",
    "merge",
    "migrate",
    "revision",
    "show",
    "stamp",
    "upgrade",
]
