"""The context variables and the proxies that read them.

``_cv_app`` holds the active :class:`~erlen.ctx.AppContext`, ``_cv_request`` the active
:class:`~erlen.ctx.RequestContext`.  ``current_app``, ``g``, ``request`` and
``session`` are proxies to objects of those contexts.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from .local import make_proxy

if t.TYPE_CHECKING:
    from .app import Erlen
    from .ctx import AppContext, RequestContext, _AppCtxGlobals
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = ["app_ctx", "current_app", "g", "request", "request_ctx", "session"]

_no_app_msg = """\
Working outside of application context.

This typically means that you attempted to use functionality that needed
the current application. To solve this, set up an application context
with app.app_context(). See the documentation for more information."""

_no_req_msg = """\
Working outside of request context.

This typically means that you attempted to use functionality that needed
an active HTTP request. Consult the documentation on testing for
information about how to avoid this problem."""

_cv_app: ContextVar[AppContext] = ContextVar("erlen.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("erlen.request_ctx")

# The variables' methods, bound once.  On Python 3.11 ``_cv_app.get()`` on a name that
# another module imported compiles to an attribute load, which builds a method object
# on every call; modules on the request path call these instead.
_get_app_ctx = _cv_app.get
_set_app_ctx = _cv_app.set
_reset_app_ctx = _cv_app.reset
_get_request_ctx = _cv_request.get
_set_request_ctx = _cv_request.set
_reset_request_ctx = _cv_request.reset

app_ctx: AppContext = make_proxy(_cv_app, None, _no_app_msg, "app_ctx")
current_app: Erlen = make_proxy(_cv_app, "app", _no_app_msg, "current_app")
g: _AppCtxGlobals = make_proxy(_cv_app, "g", _no_app_msg, "g")
request_ctx: RequestContext = make_proxy(_cv_request, None, _no_req_msg, "request_ctx")
request: Request = make_proxy(_cv_request, "request", _no_req_msg, "request")
session: SessionMixin = make_proxy(_cv_request, "session", _no_req_msg, "session")
