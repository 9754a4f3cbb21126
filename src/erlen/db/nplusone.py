"""The N+1 query guard: notice a view running the same SELECT once per row.

The classic slow page loads a list of orders, then touches ``order.user`` for each,
which lazy-loads the users one SELECT at a time.  Every one of those SELECTs has the
same SQL text (only the bound parameters differ), so the guard counts SQL texts per
app context (per request) and, when one SELECT runs more than the threshold times,
reports it once: the view's endpoint, the statement and, when the statements are lazy
loads of a relationship, the eager load that would replace them
(``selectinload(Order.user)``).  The inspirations are Rails' Bullet and Laravel's
``Model::preventLazyLoading()``.

Configuration (read by ``db.init_app``):

``SQLALCHEMY_N_PLUS_ONE``
    ``"warn"`` (log a warning), ``"raise"`` (raise :class:`NPlusOneError` at the
    offending query: use it in tests), or ``"off"``.  Unset (``None``): ``"warn"`` when
    ``SQLALCHEMY_WARN_N_PLUS_ONE`` is true or the app is in debug mode, else ``"off"``.
``SQLALCHEMY_WARN_N_PLUS_ONE``
    ``True`` warns even outside debug mode; ``False`` keeps the guard off in debug mode.
``SQLALCHEMY_N_PLUS_ONE_THRESHOLD``
    How many runs of one SELECT are fine (default 5): the guard fires on the next.

When the guard is off nothing is installed, so it costs nothing.  Code that knowingly
loops over queries can say so with ``with allow_n_plus_one(): ...``.
"""

from __future__ import annotations

import contextlib
import typing as t

import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.orm as sa_orm

from ..globals import _get_app_ctx, _get_request_ctx

if t.TYPE_CHECKING:
    from ..app import Erlen
    from ..ctx import AppContext

__all__ = ["DEFAULT_THRESHOLD", "NPlusOneError", "NPlusOneGuard", "allow_n_plus_one"]

#: Runs of one SELECT per request that are still fine.
DEFAULT_THRESHOLD = 5
_MODES = {"warn", "raise", "off"}
_EXTENSION_KEY = "erlen.db.n_plus_one"
_G_KEY = "_erlen_n_plus_one"


class NPlusOneError(RuntimeError):
    """Raised in ``SQLALCHEMY_N_PLUS_ONE = "raise"`` mode at the query that crossed the
    threshold.  The message says which view, which SQL and what to eager-load."""

    def __init__(
        self, message: str, *, endpoint: str | None, statement: str, count: int, fix: str | None
    ) -> None:
        super().__init__(message)
        #: The view's endpoint, ``None`` outside a request.
        self.endpoint = endpoint
        #: The repeated SQL.
        self.statement = statement
        #: How many times it ran when the guard fired.
        self.count = count
        #: The suggested eager load, e.g. ``"selectinload(Order.user)"``, if known.
        self.fix = fix


class _Tally:
    """What the guard knows about the queries of one app context."""

    __slots__ = ("allowed", "counts", "pending_relationship", "relationships", "reported")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.relationships: dict[str, sa_orm.RelationshipProperty[t.Any]] = {}
        self.reported: set[str] = set()
        #: The relationship whose lazy load is about to run its SQL.
        self.pending_relationship: sa_orm.RelationshipProperty[t.Any] | None = None
        #: Depth of ``allow_n_plus_one()`` blocks.
        self.allowed = 0


def _tally(ctx: AppContext) -> _Tally:
    namespace = ctx.g.__dict__
    tally = namespace.get(_G_KEY)
    if tally is None:
        tally = namespace[_G_KEY] = _Tally()
    return tally  # type: ignore[no-any-return]


@contextlib.contextmanager
def allow_n_plus_one() -> t.Iterator[None]:
    """Let the queries in this block repeat without the guard counting them."""
    ctx = _get_app_ctx(None)
    if ctx is None:
        yield
        return
    tally = _tally(ctx)
    tally.allowed += 1
    try:
        yield
    finally:
        tally.allowed -= 1


def _resolve_mode(config: t.Mapping[str, t.Any], debug: bool) -> str:
    mode = config.get("SQLALCHEMY_N_PLUS_ONE")
    if mode is None:
        warn = config.get("SQLALCHEMY_WARN_N_PLUS_ONE")
        return "warn" if (debug if warn is None else warn) else "off"
    if mode is False:
        return "off"
    if mode is True:
        return "warn"
    mode = str(mode).lower()
    if mode not in _MODES:
        raise ValueError(f"SQLALCHEMY_N_PLUS_ONE must be 'warn', 'raise' or 'off', not {mode!r}.")
    return mode


class NPlusOneGuard:
    """The guard of one app: its mode and threshold, and the listeners that count."""

    __slots__ = ("app", "mode", "threshold")

    def __init__(self, app: Erlen, mode: str, threshold: int) -> None:
        self.app = app
        self.mode = mode
        self.threshold = threshold

    @classmethod
    def install(
        cls,
        app: Erlen,
        engines: t.Iterable[sa.engine.Engine],
        session: sa_orm.scoped_session[t.Any],
    ) -> NPlusOneGuard | None:
        """Set up the guard for *app* if its config turns it on; ``None`` if off."""
        config = app.config
        mode = _resolve_mode(config, app.debug)
        if mode == "off":
            return None
        threshold = config.get("SQLALCHEMY_N_PLUS_ONE_THRESHOLD")
        threshold = DEFAULT_THRESHOLD if threshold is None else int(threshold)
        guard = cls(app, mode, threshold)
        app.extensions[_EXTENSION_KEY] = guard
        for engine in engines:
            sa_event.listen(engine, "before_cursor_execute", guard._count)
        if not sa_event.contains(session, "do_orm_execute", _note_lazy_load):
            sa_event.listen(session, "do_orm_execute", _note_lazy_load)
        return guard

    def _count(
        self,
        conn: t.Any,
        cursor: t.Any,
        statement: str,
        parameters: t.Any,
        context: t.Any,
        executemany: bool,
    ) -> None:
        """``before_cursor_execute``: count the SELECT and act on crossing the threshold."""
        ctx = _get_app_ctx(None)
        if ctx is None or ctx.app is not self.app:
            return
        tally = _tally(ctx)
        relationship = tally.pending_relationship
        tally.pending_relationship = None
        if executemany or tally.allowed or statement.lstrip()[:6].upper() != "SELECT":
            return
        count = tally.counts[statement] = tally.counts.get(statement, 0) + 1
        if relationship is not None:
            tally.relationships[statement] = relationship
        if count > self.threshold and statement not in tally.reported:
            tally.reported.add(statement)
            self._report(statement, count, tally.relationships.get(statement))

    def _report(
        self,
        statement: str,
        count: int,
        relationship: sa_orm.RelationshipProperty[t.Any] | None,
    ) -> None:
        request_ctx = _get_request_ctx(None)
        endpoint = request_ctx.request.endpoint if request_ctx is not None else None
        where = f"view {endpoint!r}" if endpoint else "this app context (no request)"
        sql = " ".join(statement.split())
        if relationship is not None:
            owner = relationship.parent.class_.__name__
            fix = f"selectinload({owner}.{relationship.key})"
            advice = (
                f"They are lazy loads of {owner}.{relationship.key}: eager-load it in the"
                f" query that loads the {owner} objects, e.g. .options({fix})"
                f" (from sqlalchemy.orm import selectinload)."
            )
        else:
            fix = None
            advice = (
                "Load the rows in one query instead (an IN (...) filter, a join, or an"
                " eager load of the relationship that triggers them)."
            )
        message = (
            f"N+1 queries in {where}: the same SELECT ran {count} times"
            f" (SQLALCHEMY_N_PLUS_ONE_THRESHOLD is {self.threshold}).\n"
            f"    {sql}\n{advice}"
        )
        if self.mode == "raise":
            raise NPlusOneError(
                message, endpoint=endpoint, statement=statement, count=count, fix=fix
            )
        self.app.logger.warning(message)


def _note_lazy_load(state: sa_orm.ORMExecuteState) -> None:
    """``do_orm_execute``: remember which relationship the next SELECT lazy-loads."""
    ctx = _get_app_ctx(None)
    if ctx is None or _EXTENSION_KEY not in ctx.app.extensions:
        return
    if not state.is_select or state.lazy_loaded_from is None:
        return
    path = state.loader_strategy_path
    prop = path[-1] if path is not None and len(path) else None
    if isinstance(prop, sa_orm.RelationshipProperty):
        _tally(ctx).pending_relationship = prop
