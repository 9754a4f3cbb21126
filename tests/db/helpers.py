"""Small helpers shared by the db tests."""

from __future__ import annotations

import typing as t


def invoke(app: t.Any, *args: str) -> t.Any:
    """Run ``erlen <args>`` against *app*'s commands and return the click result.

    Exceptions other than the ``SystemExit`` of a failed command are re-raised.
    """
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result
