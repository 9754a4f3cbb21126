"""JSON helpers that use the current app's JSON provider (``app.json``).

Outside an app context they fall back to the standard library with erlen's defaults for
dates, decimals, UUIDs, dataclasses and ``__html__`` objects.
"""

from __future__ import annotations

import json as _json
import typing as t

from ..globals import _get_app_ctx
from .provider import _default

if t.TYPE_CHECKING:
    from ..wrappers import Response

__all__ = ["dump", "dumps", "jsonify", "load", "loads"]


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize *obj* with ``current_app.json.dumps`` (or the stdlib outside an app)."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None:
        return app_ctx.app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    """Serialize *obj* to a text file."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None:
        app_ctx.app.json.dump(obj, fp, **kwargs)
        return
    kwargs.setdefault("default", _default)
    _json.dump(obj, fp, **kwargs)


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Parse JSON text with ``current_app.json.loads`` (or the stdlib outside an app)."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None:
        return app_ctx.app.json.loads(s, **kwargs)
    return _json.loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    """Parse JSON from a file."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None:
        return app_ctx.app.json.load(fp, **kwargs)
    return _json.load(fp, **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """A JSON response of the arguments: one value, several (a list), or keywords (a
    dict).  Compact and key-sorted unless the provider says otherwise."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is None:
        from ..globals import _no_app_msg

        raise RuntimeError(_no_app_msg)
    if len(args) == 1 and not kwargs:  # the usual call: no argument packing on the way
        return app_ctx.app.json.response(args[0])
    return app_ctx.app.json.response(*args, **kwargs)
