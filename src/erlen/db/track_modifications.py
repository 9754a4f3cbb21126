"""``SQLALCHEMY_TRACK_MODIFICATIONS``: signals around commits that changed models.

Off by default (it costs a little on every flush).  When on, the blinker signals
:data:`before_models_committed` and :data:`models_committed` are sent with
``sender=app`` and ``changes=[(instance, "insert" | "update" | "delete"), ...]``.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.orm as sa_orm
from blinker import Namespace

from ..globals import _get_app_ctx

if t.TYPE_CHECKING:
    from ..app import Erlen
    from .session import Session

__all__ = ["before_models_committed", "listen", "models_committed"]

_signals = Namespace()

#: Sent after a commit that changed models: ``sender=app, changes=[(obj, op), ...]``.
models_committed = _signals.signal("models-committed")
#: Sent before such a commit, with the same arguments.
before_models_committed = _signals.signal("before-models-committed")


def listen(session: sa_orm.scoped_session[Session]) -> None:
    """Track the changes of the sessions *session* makes."""
    sa_event.listen(session, "before_flush", _record_changes, named=True)
    sa_event.listen(session, "before_commit", _record_changes, named=True)
    sa_event.listen(session, "before_commit", _before_commit)
    sa_event.listen(session, "after_commit", _after_commit)
    sa_event.listen(session, "after_rollback", _after_rollback)


def _tracking_app() -> Erlen | None:
    ctx = _get_app_ctx(None)
    if ctx is None or not ctx.app.config.get("SQLALCHEMY_TRACK_MODIFICATIONS"):
        return None
    return ctx.app


def _record_changes(session: Session, **kwargs: t.Any) -> None:
    if _tracking_app() is None:
        return
    for instances, operation in (
        (session.new, "insert"),
        (session.dirty, "update"),
        (session.deleted, "delete"),
    ):
        for instance in instances:
            state = sa.inspect(instance)
            key = state.identity_key if state.has_identity else id(instance)
            session._model_changes[key] = (instance, operation)


def _before_commit(session: Session) -> None:
    app = _tracking_app()
    if app is not None and session._model_changes:
        before_models_committed.send(app, changes=list(session._model_changes.values()))


def _after_commit(session: Session) -> None:
    app = _tracking_app()
    if app is not None and session._model_changes:
        changes = list(session._model_changes.values())
        session._model_changes.clear()
        models_committed.send(app, changes=changes)


def _after_rollback(session: Session) -> None:
    session._model_changes.clear()
