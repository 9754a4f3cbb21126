"""Routing errors (404, 405, the strict-slash redirect) under ASGI.

The direct ASGI path answers a routing error without a request greenlet when no user
code is involved; these tests hold it to the general path's answers, and check that
whatever user code could be involved (error handlers, overridden methods, trapping,
debug mode) still runs as it does on the general path.
"""

from __future__ import annotations

import asyncio
import typing as t

import pytest

from erlen import Erlen
from erlen.concurrency import AsgiBridge
from erlen.exceptions import HTTPException, NotFound

from .test_asgi import _runs_in_request_greenlet, call, http_scope

ROUTING_ERRORS = [
    ("GET", "/missing"),  # 404
    ("HEAD", "/missing"),
    ("DELETE", "/items/"),  # 405 with Allow
    ("GET", "/items"),  # 308 to /items/
    ("POST", "/items"),  # 308 keeps the method
]


def _add_routes(app: Erlen) -> None:
    @app.route("/items/", methods=["GET", "POST"])
    async def items() -> str:
        await asyncio.sleep(0)
        return "items"


@pytest.fixture
def greenlet_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions run in a request greenlet (the real bridge runs them)."""
    runs: list[str] = []
    real_run = AsgiBridge.run

    async def counting_run(self: AsgiBridge, func: t.Callable[..., t.Any], *args: t.Any) -> t.Any:
        runs.append(getattr(func, "__name__", repr(func)))
        return await real_run(self, func, *args)

    monkeypatch.setattr(AsgiBridge, "run", counting_run)
    return runs


@pytest.mark.parametrize(("method", "path"), ROUTING_ERRORS)
def test_routing_errors_answer_as_on_the_general_path_without_a_greenlet(
    method: str, path: str, greenlet_runs: list[str]
) -> None:
    plain, hooked = Erlen(__name__), Erlen(__name__)
    hooked.before_request(lambda: None)  # the general request lifecycle
    for app in (plain, hooked):
        _add_routes(app)
    direct = call(plain, http_scope(path, method=method, query=b"page=2"))
    runs_on_direct_path = list(greenlet_runs)
    general = call(hooked, http_scope(path, method=method, query=b"page=2"))
    assert direct.status in (404, 405, 308)
    assert direct.status == general.status
    assert direct.sent[0]["headers"] == general.sent[0]["headers"]
    assert direct.body == general.body
    if direct.status == 405:
        # (In no particular order, as in Werkzeug.)
        assert set(direct.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    if direct.status == 308:
        assert direct.headers["location"] == "http://testserver/items/?page=2"
    # (ERLEN_GENERAL_PATH=1 turns the direct path off: then everything runs in one.)
    assert runs_on_direct_path == ([] if Erlen._fast_path_enabled else ["wsgi_app"])
    assert greenlet_runs[len(runs_on_direct_path) :] == ["wsgi_app"]


@pytest.mark.parametrize("registered_for", [404, NotFound, HTTPException])
@pytest.mark.parametrize("is_async", [False, True])
def test_a_registered_handler_still_answers_a_404(registered_for: t.Any, is_async: bool) -> None:
    app = Erlen(__name__)
    _add_routes(app)
    seen: list[bool] = []
    if is_async:

        async def handler(error: HTTPException) -> tuple[str, int]:
            await asyncio.sleep(0)
            seen.append(_runs_in_request_greenlet())
            return f"handled {error.code}", 404
    else:

        def handler(error: HTTPException) -> tuple[str, int]:
            seen.append(_runs_in_request_greenlet())
            return f"handled {error.code}", 404

    app.register_error_handler(registered_for, handler)
    answer = call(app, http_scope("/missing"))
    assert (answer.status, answer.body) == (404, b"handled 404")
    assert seen == [True]  # in a request greenlet, as on the general path
    # A handler for 404 is not one for a 405 or a redirect: those stay plain.
    if registered_for == 404:
        assert call(app, http_scope("/items/", method="DELETE")).status == 405
        assert call(app, http_scope("/items")).status == 308


def test_an_overridden_handle_http_exception_is_used() -> None:
    class Custom(Erlen):
        def handle_http_exception(self, e: HTTPException) -> t.Any:
            return f"custom {e.code}", e.code

    app = Custom(__name__)
    _add_routes(app)
    assert call(app, http_scope("/missing")).body == b"custom 404"
    assert call(app, http_scope("/items/", method="DELETE")).body == b"custom 405"


def test_trapped_http_exceptions_are_errors_as_on_the_general_path() -> None:
    app = Erlen(__name__)
    _add_routes(app)
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    # Trapped and unhandled: a 500 in production, the error itself when testing.
    assert call(app, http_scope("/missing")).status == 500
    app.testing = True
    with pytest.raises(NotFound):
        call(app, http_scope("/missing"))


def test_debug_mode_answers_routing_errors_through_the_general_path(
    greenlet_runs: list[str],
) -> None:
    app = Erlen(__name__)
    _add_routes(app)
    app.debug = True
    answer = call(app, http_scope("/missing"))
    assert answer.status == 404
    assert "dispatch_request" in greenlet_runs or "wsgi_app" in greenlet_runs
