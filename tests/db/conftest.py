"""Fixtures of the database battery's tests.

The databases (``database_url``, ``postgres``...) come from :mod:`tests.postgres`,
shared with the example application's tests.
"""

from __future__ import annotations

import logging
import typing as t

import pytest


@pytest.fixture(autouse=True)
def _restore_logging() -> t.Iterator[None]:
    """Alembic's env.py configures logging from alembic.ini (handlers bound to the CLI
    runner's streams); put the logging setup back after each test."""
    names = [None, "alembic", "sqlalchemy", "sqlalchemy.engine", "erlen.db"]
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, list(logger.handlers), logger.propagate))
    try:
        yield
    finally:
        for logger, level, handlers, propagate in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
