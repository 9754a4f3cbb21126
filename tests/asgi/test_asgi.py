"""The ASGI interface in process: HTTP, async views, streaming, lifespan, bad input."""

from __future__ import annotations

import asyncio
import threading
import typing as t

import pytest

import erlen
from erlen import Erlen, request, stream_with_context

Message = dict[str, t.Any]


def http_scope(
    path: str, method: str = "GET", headers: list | None = None, query: bytes = b""
) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "client": ("127.0.0.1", 4000),
        "server": ("testserver", 80),
    }


class Exchange:
    """A fake server for one request: scripted incoming messages, recorded output."""

    def __init__(self, incoming: list[Message] | None = None) -> None:
        self.incoming = list(
            incoming or [{"type": "http.request", "body": b"", "more_body": False}]
        )
        self.sent: list[Message] = []
        self.received = 0
        self.done = asyncio.Event()

    async def receive(self) -> Message:
        self.received += 1
        if self.incoming:
            return self.incoming.pop(0)
        await self.done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            self.done.set()

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    @property
    def headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.sent[0]["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent[1:])


def call(app: Erlen, scope: dict, exchange: Exchange | None = None) -> Exchange:
    exchange = exchange or Exchange()
    asyncio.run(app.asgi(scope, exchange.receive, exchange.send))
    return exchange


@pytest.fixture
def app() -> Erlen:
    app = Erlen(__name__)

    @app.route("/")
    def index() -> str:
        return "sync hello"

    @app.route("/async/<int:n>")
    async def async_view(n: int) -> str:
        await asyncio.sleep(0)
        return f"async {n} at {request.path}"

    @app.post("/echo")
    async def echo() -> dict:
        return {"form": request.form.to_dict(), "json": request.get_json(silent=True)}

    @app.post("/raw")
    def raw() -> str:
        return f"{len(request.get_data())} bytes"

    return app


def test_sync_and_async_views(app: Erlen) -> None:
    assert call(app, http_scope("/")).body == b"sync hello"
    result = call(app, http_scope("/async/7"))
    assert (result.status, result.body) == (200, b"async 7 at /async/7")
    assert result.headers["content-type"] == "text/html; charset=utf-8"


def test_async_view_reads_the_body_synchronously(app: Erlen) -> None:
    body = b"name=ada&lang=py"
    exchange = Exchange(
        [
            {"type": "http.request", "body": body[:5], "more_body": True},
            {"type": "http.request", "body": body[5:], "more_body": False},
        ]
    )
    scope = http_scope(
        "/echo",
        "POST",
        [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    result = call(app, scope, exchange)
    assert result.status == 200
    assert erlen.json.loads(result.body) == {"form": {"name": "ada", "lang": "py"}, "json": None}


def test_sync_view_runs_in_the_thread_pool_with_its_context(app: Erlen) -> None:
    seen: dict[str, t.Any] = {}

    @app.route("/where")
    def where() -> str:
        seen["thread"] = threading.current_thread().name
        seen["path"] = request.path
        return "ok"

    assert call(app, http_scope("/where")).body == b"ok"
    assert seen["thread"].startswith("erlen-sync")
    assert seen["path"] == "/where"


def test_many_concurrent_async_views_run_concurrently(app: Erlen) -> None:
    active = 0
    peak = 0

    @app.route("/slow")
    async def slow() -> str:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.1)
        active -= 1
        return "done"

    async def main() -> list[Exchange]:
        exchanges = [Exchange() for _ in range(50)]
        await asyncio.gather(*(app.asgi(http_scope("/slow"), e.receive, e.send) for e in exchanges))
        return exchanges

    exchanges = asyncio.run(main())
    assert all(e.body == b"done" for e in exchanges)
    assert peak == 50  # every request was waiting at the same time


def test_streamed_sync_and_async_bodies(app: Erlen) -> None:
    @app.route("/gen")
    def gen() -> t.Any:
        def chunks() -> t.Iterator[str]:
            for i in range(3):
                yield f"{request.args['p']}{i};"

        return app.response_class(stream_with_context(chunks()))

    @app.route("/agen")
    async def agen() -> t.Any:
        async def chunks() -> t.AsyncIterator[bytes]:
            for i in range(3):
                await asyncio.sleep(0)
                yield f"a{i};".encode()

        return app.response_class(chunks())

    result = call(app, http_scope("/gen", query=b"p=x"))
    assert result.body == b"x0;x1;x2;"
    assert [m.get("more_body", False) for m in result.sent[1:]][-1] is False
    assert call(app, http_scope("/agen")).body == b"a0;a1;a2;"


def test_lifespan_runs_startup_and_shutdown_in_app_context() -> None:
    app = Erlen(__name__)
    events: list[str] = []

    @app.on_startup
    async def start() -> None:
        events.append(f"start {erlen.current_app.name}")

    @app.on_shutdown
    def stop() -> None:
        events.append("stop")

    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app.asgi({"type": "lifespan"}, receive, send))
    assert events == [f"start {app.name}", "stop"]
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_lifespan_startup_failure_is_reported() -> None:
    app = Erlen(__name__)

    @app.on_startup
    def broken() -> None:
        raise RuntimeError("no database")

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(RuntimeError):
        asyncio.run(app.asgi({"type": "lifespan"}, receive, send))
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "no database" in sent[0]["message"]


def test_root_path_is_honoured_by_routing_and_url_for() -> None:
    app = Erlen(__name__)

    @app.route("/here")
    def here() -> str:
        return erlen.url_for("here") + " " + erlen.url_for("here", _external=True)

    scope = http_scope("/mount/here")
    scope["root_path"] = "/mount"
    assert call(app, scope).body == b"/mount/here http://testserver/mount/here"


def test_client_disconnect_mid_body_runs_teardown_and_serves_the_next_request(app: Erlen) -> None:
    torn_down: list[object] = []
    app.teardown_request(lambda exc: torn_down.append(exc))
    exchange = Exchange(
        [
            {"type": "http.request", "body": b"x" * 10, "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    scope = http_scope("/raw", "POST", [(b"content-length", b"100")])
    result = call(app, scope, exchange)
    assert result.status == 400  # nobody is listening, but the worker answered cleanly
    assert len(torn_down) == 1
    assert call(app, http_scope("/")).body == b"sync hello"


def test_chunked_body_over_the_limit_is_413_without_reading_it_all(app: Erlen) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    incoming = [{"type": "http.request", "body": b"y" * 400, "more_body": True} for _ in range(100)]
    exchange = Exchange(incoming)
    result = call(app, http_scope("/raw", "POST", [(b"transfer-encoding", b"chunked")]), exchange)
    assert result.status == 413
    assert exchange.received < 10  # stopped after the limit, not after 40 kB


def test_client_disconnect_mid_stream_stops_and_closes(app: Erlen) -> None:
    closed: list[bool] = []
    produced: list[int] = []

    @app.route("/endless")
    def endless() -> t.Any:
        def chunks() -> t.Iterator[bytes]:
            try:
                for i in range(10_000):
                    produced.append(i)
                    yield b"." * 100
            finally:
                closed.append(True)

        return app.response_class(chunks())

    class Leaving(Exchange):
        async def send(self, message: Message) -> None:
            await super().send(message)
            if len(self.sent) == 5:
                self.incoming.append({"type": "http.disconnect"})
                self.done.set()

    exchange = Leaving([{"type": "http.request", "body": b"", "more_body": False}])
    call(app, http_scope("/endless"), exchange)
    assert closed == [True]
    assert len(produced) < 10_000
    assert call(app, http_scope("/")).body == b"sync hello"


def test_unknown_scope_type_is_refused(app: Erlen) -> None:
    with pytest.raises(ValueError, match="scope type"):
        asyncio.run(app.asgi({"type": "weird"}, None, None))  # type: ignore[arg-type]


def test_invalid_utf8_path_is_a_400_over_asgi(app: Erlen) -> None:
    scope = http_scope("/x")
    scope["raw_path"] = b"/%FF%FE"
    assert call(app, scope).status == 400


# -- the direct path: a hook-free app's coroutine views run in the server's task ----------


def _runs_in_request_greenlet() -> bool:
    import greenlet

    from erlen.concurrency import RequestGreenlet

    return isinstance(greenlet.getcurrent(), RequestGreenlet)


def test_coroutine_views_of_a_hook_free_app_run_without_a_request_greenlet() -> None:
    def make(with_hook: bool) -> tuple[Erlen, list[bool]]:
        app = Erlen(__name__)
        seen: list[bool] = []
        if with_hook:
            # A before_request hook needs the general lifecycle (in a request greenlet).
            app.before_request(lambda: None)

        @app.route("/where-async")
        async def where_async() -> str:
            seen.append(_runs_in_request_greenlet())
            await asyncio.sleep(0)
            return "ok"

        return app, seen

    for with_hook in (False, True):
        app, seen = make(with_hook)
        assert call(app, http_scope("/where-async")).body == b"ok"
        # (ERLEN_GENERAL_PATH=1 turns the inlined paths off: then always a greenlet.)
        assert seen == [with_hook or not Erlen._fast_path_enabled]


def test_direct_path_async_error_handler_after_this_request_and_teardown(app: Erlen) -> None:
    events: list[str] = []

    @app.errorhandler(KeyError)
    async def missing(error: KeyError) -> tuple[str, int]:
        await asyncio.sleep(0)
        events.append(f"handler in greenlet={_runs_in_request_greenlet()}")
        return "no such key", 404

    @app.teardown_appcontext
    async def teardown(exc: BaseException | None) -> None:
        await asyncio.sleep(0)
        events.append(f"teardown {exc!r}")

    @app.route("/lookup")
    async def lookup() -> str:
        @erlen.after_this_request
        async def stamp(response: t.Any) -> t.Any:
            await asyncio.sleep(0)
            response.headers["X-Stamped"] = "yes"
            return response

        return {"a": "1"}[request.args["key"]]

    found = call(app, http_scope("/lookup", query=b"key=a"))
    assert (found.status, found.body, found.headers["x-stamped"]) == (200, b"1", "yes")
    missing_key = call(app, http_scope("/lookup", query=b"key=b"))
    assert (missing_key.status, missing_key.body) == (404, b"no such key")
    # The async handler ran in a request greenlet (sync code may call it); the
    # teardown saw no error, since the handler dealt with it.
    assert events == ["teardown None", "handler in greenlet=True", "teardown None"]


def test_direct_path_unhandled_error_is_a_500_and_propagates_when_testing(app: Erlen) -> None:
    @app.route("/boom")
    async def boom() -> str:
        await asyncio.sleep(0)
        raise ZeroDivisionError("boom")

    assert call(app, http_scope("/boom")).status == 500
    app.testing = True
    with pytest.raises(ZeroDivisionError, match="boom"):
        call(app, http_scope("/boom"))


def test_direct_path_disconnect_while_the_body_arrives(app: Erlen) -> None:
    @app.post("/length")
    async def length() -> str:
        return f"{len(request.get_data())} bytes"

    exchange = Exchange(
        [
            {"type": "http.request", "body": b"x" * 10, "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    result = call(app, http_scope("/length", "POST", [(b"content-length", b"100")]), exchange)
    assert result.status == 400
    assert call(app, http_scope("/")).body == b"sync hello"


def test_large_body_streams_to_a_coroutine_view_through_the_general_path(app: Erlen) -> None:
    chunk = b"z" * 10_000
    incoming = [{"type": "http.request", "body": chunk, "more_body": True} for _ in range(19)]
    incoming.append({"type": "http.request", "body": chunk, "more_body": False})
    exchange = Exchange(incoming)

    @app.post("/big")
    async def big() -> str:
        return f"{len(request.get_data())} bytes, greenlet={_runs_in_request_greenlet()}"

    scope = http_scope("/big", "POST", [(b"content-length", b"200000")])
    assert call(app, scope, exchange).body == b"200000 bytes, greenlet=True"


def test_an_overridden_ensure_sync_still_wraps_coroutine_views() -> None:
    calls: list[str] = []

    class Tracing(Erlen):
        def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            wrapped = super().ensure_sync(func)

            def traced(*args: t.Any, **kwargs: t.Any) -> t.Any:
                calls.append(getattr(func, "__name__", "?"))
                return wrapped(*args, **kwargs)

            return traced

    app = Tracing(__name__)

    @app.route("/")
    async def index() -> str:
        return "traced"

    assert call(app, http_scope("/")).body == b"traced"
    assert calls == ["index"]


def _tagging(wsgi_app: t.Callable, tag: str) -> t.Callable:
    """WSGI middleware that adds an ``X-Tag`` response header."""

    def middleware(environ: dict, start_response: t.Callable) -> t.Any:
        def start(status: str, headers: list, exc_info: t.Any = None) -> t.Any:
            return start_response(status, [*headers, ("X-Tag", tag)], exc_info)

        return wsgi_app(environ, start)

    return middleware


def _add_index(app: Erlen, async_view: bool) -> None:
    """``GET /`` answering "hi", from a coroutine view or a plain one."""
    if async_view:

        @app.get("/")
        async def index() -> str:
            return "hi"

    else:

        @app.get("/")
        def index() -> str:
            return "hi"


@pytest.mark.parametrize("async_view", [False, True])
def test_middleware_assigned_to_wsgi_app_applies_on_both_interfaces(async_view: bool) -> None:
    app = Erlen(__name__)
    _add_index(app, async_view)

    app.wsgi_app = _tagging(app.wsgi_app, "mw")  # type: ignore[method-assign]
    exchange = call(app, http_scope("/"))
    assert (exchange.status, exchange.body, exchange.headers.get("x-tag")) == (200, b"hi", "mw")
    response = app.test_client().get("/")
    assert (response.status_code, response.text, response.headers.get("X-Tag")) == (200, "hi", "mw")


@pytest.mark.parametrize("async_view", [False, True])
def test_a_subclass_overriding_wsgi_app_is_used_under_asgi(async_view: bool) -> None:
    class Tagged(Erlen):
        def wsgi_app(self, environ: dict, start_response: t.Callable) -> t.Any:
            return _tagging(super().wsgi_app, "subclass")(environ, start_response)

    app = Tagged(__name__)
    _add_index(app, async_view)

    exchange = call(app, http_scope("/"))
    assert (exchange.status, exchange.body, exchange.headers.get("x-tag")) == (
        200,
        b"hi",
        "subclass",
    )
    assert app.test_client().get("/").headers.get("X-Tag") == "subclass"


# -- requests without a body, server-level environ values ---------------------------------


@pytest.mark.parametrize("with_hook", [False, True])  # the direct path, the general path
def test_a_request_announcing_no_body_reads_empty_without_asking_the_server(
    with_hook: bool,
) -> None:
    app = Erlen(__name__)
    if with_hook:
        app.before_request(lambda: None)

    @app.route("/read", methods=["GET", "DELETE"])
    async def read() -> str:
        stream = request.environ["wsgi.input"]
        return f"{request.get_data()!r} {stream.read()!r} {stream.readline()!r} {list(stream)}"

    class NothingToReceive(Exchange):
        async def receive(self) -> Message:
            raise AssertionError("receive() was called for a request without a body")

    for method in ("GET", "DELETE"):
        exchange = call(app, http_scope("/read", method=method), NothingToReceive([]))
        assert exchange.status == 200
        assert exchange.body == b"b'' b'' b'' []"


def test_fast_path_text_response_headers_match_the_general_paths() -> None:
    plain = Erlen(__name__)
    hooked = Erlen(__name__)
    hooked.before_request(lambda: None)
    for app in (plain, hooked):
        app.add_url_rule("/t", "t", lambda: "h\u00e9llo")
    fast, general = call(plain, http_scope("/t")), call(hooked, http_scope("/t"))
    assert fast.status == general.status == 200
    assert (
        fast.sent[0]["headers"]
        == general.sent[0]["headers"]
        == [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", b"6"),
        ]
    )
    assert fast.body == general.body == "h\u00e9llo".encode()
    head = call(plain, http_scope("/t", method="HEAD"))
    assert head.headers["content-length"] == "6" and head.body == b""


def test_server_given_as_a_list_and_changing_servers() -> None:
    app = Erlen(__name__)

    @app.route("/where")
    async def where() -> str:
        return f"{request.host_url} {request.environ['SERVER_PORT']!r} {request.scheme}"

    scope = http_scope("/where", headers=[])
    scope["headers"] = []  # no Host: the server's name and port are used
    scope["server"] = ["example.org", 8080]
    assert call(app, scope).body == b"http://example.org:8080/ '8080' http"
    scope = http_scope("/where", headers=[])
    scope["headers"] = []
    scope["server"], scope["scheme"] = ("other.test", 8443), "https"
    assert call(app, scope).body == b"https://other.test:8443/ '8443' https"
    scope["server"] = None
    assert call(app, scope).body == b"https://localhost:80/ '80' https"
