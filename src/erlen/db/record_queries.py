"""``SQLALCHEMY_RECORD_QUERIES``: what SQL ran in this app context, and from where.

With the setting on, every statement run inside an app context is recorded in ``g``;
:func:`get_recorded_queries` returns the list for the current context (a request,
usually), e.g. to log slow queries in an ``after_request`` hook or to assert on the
number of queries in a test.
"""

from __future__ import annotations

import dataclasses
import sys
import typing as t
from time import perf_counter

import sqlalchemy as sa
import sqlalchemy.event as sa_event

from ..globals import _get_app_ctx

__all__ = ["QueryInfo", "get_recorded_queries"]

_G_KEY = "_sqlalchemy_queries"


@dataclasses.dataclass
class QueryInfo:
    """One executed statement, as recorded by ``SQLALCHEMY_RECORD_QUERIES``."""

    #: The SQL, with the driver's parameter placeholders.
    statement: str | None
    #: The parameters sent with it.
    parameters: t.Any
    #: ``time.perf_counter()`` when execution started and when it returned.
    start_time: float
    end_time: float
    #: ``"file:line (function)"`` of the innermost frame in the app's package, or
    #: ``"<unknown>"``.  A debugging aid; the format may change.
    location: str

    @property
    def duration(self) -> float:
        """Seconds the statement took."""
        return self.end_time - self.start_time


def get_recorded_queries() -> list[QueryInfo]:
    """The statements recorded in the current app context (empty when not recording)."""
    ctx = _get_app_ctx(None)
    if ctx is None:
        return []
    return ctx.g.get(_G_KEY, [])  # type: ignore[no-any-return]


def listen(engine: sa.engine.Engine) -> None:
    """Record the statements *engine* runs."""
    sa_event.listen(engine, "before_cursor_execute", _record_start, named=True)
    sa_event.listen(engine, "after_cursor_execute", _record_end, named=True)


def _record_start(context: sa.engine.ExecutionContext, **kwargs: t.Any) -> None:
    if _get_app_ctx(None) is not None:
        context._erlen_start_time = perf_counter()  # type: ignore[attr-defined]


def _record_end(context: sa.engine.ExecutionContext, **kwargs: t.Any) -> None:
    ctx = _get_app_ctx(None)
    if ctx is None:
        return
    end_time = perf_counter()
    start_time = getattr(context, "_erlen_start_time", end_time)
    queries = ctx.g.__dict__.setdefault(_G_KEY, [])
    queries.append(
        QueryInfo(
            statement=context.statement,
            parameters=context.parameters,
            start_time=start_time,
            end_time=end_time,
            location=_app_location(ctx.app.import_name),
        )
    )


def _app_location(import_name: str) -> str:
    """Where in the app's own package the query came from."""
    package = import_name.partition(".")[0]
    prefix = package + "."
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__")
        if module and (module == package or module.startswith(prefix)):
            code = frame.f_code
            return f"{code.co_filename}:{frame.f_lineno} ({code.co_name})"
        frame = frame.f_back  # type: ignore[assignment]
    return "<unknown>"
