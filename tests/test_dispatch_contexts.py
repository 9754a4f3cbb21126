"""The contexts of a request served by the dispatch fast path.

``_fast_wsgi_call`` and its ASGI twin build the app and request contexts themselves
(``erlen.ctx._enter_request``) instead of calling the classes.  These tests hold those
objects to what ``RequestContext(app, environ).push()`` makes, and check that an app
class that overrides ``request_context`` or ``app_context`` gets its own contexts.
"""

from __future__ import annotations

import asyncio
import typing as t

import pytest

from erlen import Erlen, Request, g, request
from erlen.ctx import AppContext, RequestContext
from erlen.globals import _cv_app, _cv_request

from .asgi.test_asgi import call, http_scope


def _slots(cls: type) -> list[str]:
    return [name for name in cls.__slots__ if name != "__dict__"]  # type: ignore[attr-defined]


def _snapshot() -> dict[str, t.Any]:
    """Every slot of the current contexts (tokens as 'set or not')."""
    ctx, app_ctx = _cv_request.get(), _cv_app.get()
    seen: dict[str, t.Any] = {}
    for owner, obj in (("request", ctx), ("app", app_ctx)):
        assert type(obj) in (RequestContext, AppContext)
        for name in _slots(type(obj)):
            value = getattr(obj, name)  # AttributeError: a slot the fast path left unset
            if name == "_token":
                value = value is not None
            elif name == "_app_ctx":
                value = value is app_ctx
            elif name == "request":
                value = value is request._get_current_object()
            elif name == "app":
                value = value.name
            seen[f"{owner}.{name}"] = value
    return seen


def _app(with_hook: bool) -> tuple[Erlen, list[dict[str, t.Any]]]:
    app = Erlen(__name__)
    seen: list[dict[str, t.Any]] = []
    if with_hook:
        app.before_request(lambda: None)  # the general lifecycle

    @app.get("/items/<int:item>")
    def item(item: int) -> str:
        seen.append(_snapshot())
        g.item = item
        return f"item {item}"

    @app.get("/async")
    async def coroutine() -> str:
        await asyncio.sleep(0)
        seen.append(_snapshot())
        return "async"

    return app, seen


def test_fast_path_contexts_match_the_pushed_ones_over_wsgi() -> None:
    fast, fast_seen = _app(with_hook=False)
    general, general_seen = _app(with_hook=True)
    for app in (fast, general):
        client = app.test_client()
        assert client.get("/items/1").text == "item 1"
        assert client.get("/items/2").text == "item 2"
    assert fast_seen == general_seen
    assert fast_seen[0]["request.request"] is True
    assert fast_seen[0]["request._app_ctx"] is True
    assert fast_seen[0]["app._token"] is True
    # Popped afterwards, and g was the request's own.
    assert _cv_app.get(None) is None and _cv_request.get(None) is None


def test_fast_path_contexts_match_the_pushed_ones_over_asgi() -> None:
    fast, fast_seen = _app(with_hook=False)
    general, general_seen = _app(with_hook=True)
    for app in (fast, general):
        assert call(app, http_scope("/items/3")).body == b"item 3"
        assert call(app, http_scope("/async")).body == b"async"
    assert fast_seen == general_seen
    assert len(fast_seen) == 2


class _MarkedAppContext(AppContext):
    pass


class _MarkedRequestContext(RequestContext):
    pass


@pytest.mark.parametrize("override", ["app_context", "request_context"])
@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_an_app_class_overriding_a_context_factory_gets_its_contexts(
    override: str, interface: str
) -> None:
    class CustomApp(Erlen):
        if override == "app_context":

            def app_context(self) -> AppContext:
                return _MarkedAppContext(self)
        else:

            def request_context(self, environ: dict[str, t.Any]) -> RequestContext:
                return _MarkedRequestContext(self, environ)

    app = CustomApp(__name__)
    seen: list[tuple[type, type]] = []

    @app.get("/")
    def index() -> str:
        seen.append((type(_cv_app.get()), type(_cv_request.get())))
        return "ok"

    if interface == "wsgi":
        assert app.test_client().get("/").text == "ok"
    else:
        assert call(app, http_scope("/")).body == b"ok"
    if override == "app_context":
        assert seen == [(_MarkedAppContext, RequestContext)]
    else:
        assert seen == [(AppContext, _MarkedRequestContext)]


class _RecordingRequest(Request):
    made: t.ClassVar[list[str]] = []

    def __init__(self, environ: dict[str, t.Any], *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(environ, *args, **kwargs)
        self.made.append(environ["PATH_INFO"])

    @property
    def shouted(self) -> str:
        return self.path.upper()


@pytest.mark.parametrize("how", ["instance", "subclass"])
@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_a_custom_request_class_is_used_on_every_path(how: str, interface: str) -> None:
    if how == "subclass":

        class CustomApp(Erlen):
            request_class = _RecordingRequest

        app = CustomApp(__name__)
    else:
        app = Erlen(__name__)
        app.request_class = _RecordingRequest

    @app.get("/<name>")
    def named(name: str) -> str:
        assert type(request._get_current_object()) is _RecordingRequest
        return request.shouted

    _RecordingRequest.made.clear()
    if interface == "wsgi":
        assert app.test_client().get("/abc").text == "/ABC"
    else:
        assert call(app, http_scope("/abc")).body == b"/ABC"
    assert _RecordingRequest.made == ["/abc"]


def test_the_stock_request_on_the_fast_path_is_a_plain_request() -> None:
    app = Erlen(__name__)
    seen: list[tuple[type, bool, str]] = []

    @app.get("/")
    def index() -> str:
        current = request._get_current_object()
        seen.append((type(current), current.shallow, current.environ["PATH_INFO"]))
        return "ok"

    assert app.test_client().get("/").text == "ok"
    assert seen == [(Request, False, "/")]


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_rules_added_to_the_map_directly_answer_like_flask(interface: str) -> None:
    """A Rule added with ``url_map.add`` has no ``provide_automatic_options`` and, with
    no methods, takes any method; ``request.method`` is upper case whatever was sent."""
    import flask
    from werkzeug.routing import Rule as WerkzeugRule

    from erlen.routing import Rule

    app = Erlen(__name__)
    reference = flask.Flask(__name__)
    for target, rule_class, current in (
        (app, Rule, request),
        (reference, WerkzeugRule, flask.request),
    ):
        target.url_map.add(rule_class("/any", endpoint="any"))
        target.url_map.add(rule_class("/items/<int:item>", endpoint="item"))
        target.view_functions["any"] = lambda current=current: current.method
        target.view_functions["item"] = lambda item, current=current: f"{current.method} {item}"
    expected_client = reference.test_client()
    for method in ("GET", "get", "PATCH", "OPTIONS", "options"):
        for path in ("/any", "/items/7"):
            expected = expected_client.open(path, method=method)
            if interface == "wsgi":
                answer = app.test_client().open(path, method=method)
                status, body = answer.status_code, answer.get_data()
            else:
                exchange = call(app, http_scope(path, method=method))
                status, body = exchange.status, exchange.body
            assert (status, body) == (expected.status_code, expected.get_data()), (method, path)


def test_coroutine_function_check_agrees_with_inspect() -> None:
    """ensure_sync's check answers plain functions from their code flags and asks
    inspect about everything else: the two must agree."""
    import functools
    import inspect

    from erlen.dispatch import _is_coroutine_function

    def plain() -> None:
        pass

    async def coroutine() -> None:
        pass

    @functools.wraps(coroutine)
    def wrapped_sync() -> None:
        pass

    @functools.wraps(plain)
    async def wrapped_async() -> None:
        pass

    class Holder:
        async def method(self) -> None:
            pass

        def sync_method(self) -> None:
            pass

        async def __call__(self) -> None:
            pass

    def generator():  # type: ignore[no-untyped-def]
        yield 1

    async def async_generator():  # type: ignore[no-untyped-def]
        yield 1

    plain_with_attribute = lambda: None  # noqa: E731
    plain_with_attribute.flag = True  # type: ignore[attr-defined]
    candidates: list[t.Any] = [
        plain,
        coroutine,
        wrapped_sync,
        wrapped_async,
        Holder().method,
        Holder().sync_method,
        Holder(),
        Holder,
        functools.partial(coroutine),
        functools.partial(plain),
        generator,
        async_generator,
        len,
        plain_with_attribute,
        lambda: None,
    ]
    if hasattr(inspect, "markcoroutinefunction"):  # Python 3.12+

        def marked() -> None:
            pass

        candidates.append(inspect.markcoroutinefunction(marked))
    for candidate in candidates:
        assert _is_coroutine_function(candidate) is inspect.iscoroutinefunction(candidate), (
            candidate
        )
    assert _is_coroutine_function(coroutine) and not _is_coroutine_function(plain)
