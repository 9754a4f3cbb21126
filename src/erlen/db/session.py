"""``db.session``: one SQLAlchemy session per application context.

The scoped session is keyed on the active :class:`~erlen.ctx.AppContext` object.
erlen pushes a fresh app context for every request, in whatever thread or asyncio
task serves it, so concurrent requests never share a session, and a sync view run in
a worker thread under ASGI uses the same session as the rest of its request.  The
extension removes the session (closing it and returning its connection to the pool)
when the app context is torn down.

:class:`Session` picks the engine for each statement from the bind key of the
metadata of the table or model being queried.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as sa_orm
from sqlalchemy.sql.util import find_tables

from ..globals import _get_app_ctx, _no_app_msg

if t.TYPE_CHECKING:
    from ..ctx import AppContext
    from .extension import SQLAlchemy

__all__ = ["Session", "app_context_scope"]


def app_context_scope() -> AppContext:
    """The scope of ``db.session``: the active app context object itself.

    Keying on the object rather than its ``id()`` means a context that is freed and
    whose address is reused can never be handed an earlier context's session.
    """
    ctx = _get_app_ctx(None)
    if ctx is None:
        raise RuntimeError(_no_app_msg)
    return ctx


class Session(sa_orm.Session):
    """The class of ``db.session``'s sessions: routes each query to its bind's engine.

    To customise it, subclass it and pass ``session_options={"class_": MySession}``.
    """

    def __init__(self, db: SQLAlchemy, **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self._db = db
        #: Changed models seen since the last commit (``SQLALCHEMY_TRACK_MODIFICATIONS``).
        self._model_changes: dict[object, tuple[t.Any, str]] = {}

    def get_bind(
        self,
        mapper: t.Any | None = None,
        clause: t.Any | None = None,
        bind: sa.engine.Engine | sa.engine.Connection | None = None,
        **kwargs: t.Any,
    ) -> sa.engine.Engine | sa.engine.Connection:
        """The engine of the model's or table's bind key (the default engine if none).

        An explicit *bind* (a connection joined from a test transaction, say) wins.
        """
        if bind is not None:
            return bind
        engines = self._db.engines
        if mapper is not None:
            try:
                mapper = sa.inspect(mapper)
            except sa_exc.NoInspectionAvailable as e:
                if isinstance(mapper, type):
                    raise sa_orm.exc.UnmappedClassError(mapper) from e
                raise
            engine = _engine_for(mapper.local_table, engines)
            if engine is not None:
                return engine
        if clause is not None:
            engine = _engine_for(clause, engines)
            if engine is not None:
                return engine
        if None in engines:
            return engines[None]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _table_of(clause: t.Any) -> sa.Table | None:
    """The table whose metadata decides the bind of *clause*, if there is one.

    A table, a DML statement on a table, or a Core ``select()`` whose tables all share
    one metadata (so ``db.session.execute(select(some_table))`` reaches the table's
    bind, not the default engine).
    """
    if isinstance(clause, sa.Table):
        return clause
    if isinstance(clause, sa.UpdateBase):
        return clause.table if isinstance(clause.table, sa.Table) else None
    if isinstance(clause, sa.Select):
        tables = [
            table
            for table in find_tables(clause, include_joins=True, include_aliases=True)
            if isinstance(table, sa.Table)
        ]
        if tables and all(table.metadata is tables[0].metadata for table in tables):
            return tables[0]
    return None


def _engine_for(
    clause: t.Any, engines: t.Mapping[str | None, sa.engine.Engine]
) -> sa.engine.Engine | None:
    """The engine for a statement by its table's metadata's bind key."""
    table = _table_of(clause)
    if table is None:
        return None
    info = table.metadata.info
    if "bind_key" not in info:
        return None
    key = info["bind_key"]
    try:
        return engines[key]
    except KeyError:
        raise sa_exc.UnboundExecutionError(
            f"Bind key {key!r} is not in 'SQLALCHEMY_BINDS' config; add it there"
            f" (table {table.name!r} is in that bind's metadata)."
        ) from None
