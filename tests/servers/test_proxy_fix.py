"""``erlen.middleware.ProxyFix`` (WSGI) against Werkzeug's, ``ASGIProxyFix`` against both,
the two in an app in process, and both behind real servers given ``X-Forwarded-*``."""

from __future__ import annotations

import asyncio
import json
import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect
from werkzeug.middleware.proxy_fix import ProxyFix as WerkzeugProxyFix

from erlen import Erlen, request, url_for
from erlen.asgi import build_environ
from erlen.middleware import ASGIProxyFix, ProxyFix
from erlen.middleware.proxy_fix import ProxyFix as ProxyFixFromModule

from .apps import proxied
from .conftest import APPS, Server, ServerFactory, gunicorn_argv, uvicorn_argv

# -- WSGI: the same environ through Werkzeug's middleware and erlen's -------------------

BASE_ENVIRON = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/page",
    "QUERY_STRING": "",
    "SERVER_NAME": "internal",
    "SERVER_PORT": "8000",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "10.0.0.1",
    "wsgi.url_scheme": "http",
    "HTTP_HOST": "internal:8000",
}

HEADER_KEYS = {
    "for": "HTTP_X_FORWARDED_FOR",
    "proto": "HTTP_X_FORWARDED_PROTO",
    "host": "HTTP_X_FORWARDED_HOST",
    "port": "HTTP_X_FORWARDED_PORT",
    "prefix": "HTTP_X_FORWARDED_PREFIX",
}


def seen_through(middleware: t.Callable[..., t.Any], environ: dict, **trust: int) -> dict:
    """The environ the wrapped app receives."""
    seen: dict[str, t.Any] = {}

    def app(env: dict, start_response: t.Any) -> list[bytes]:
        seen.update(env)
        return []

    middleware(app, **trust)(dict(environ), lambda *args: None)
    return seen


def assert_same_as_werkzeug(environ: dict, **trust: int) -> dict:
    ours = seen_through(ProxyFix, environ, **trust)
    theirs = seen_through(WerkzeugProxyFix, environ, **trust)
    assert ours.pop("erlen.proxy_fix.orig") == theirs.pop("werkzeug.proxy_fix.orig")
    assert ours == theirs
    return ours


def environ_with(headers: dict[str, str], **overrides: t.Any) -> dict:
    environ = {**BASE_ENVIRON, **overrides}
    for name, value in headers.items():
        environ[HEADER_KEYS[name]] = value
    return environ


CASES: list[tuple[dict[str, str], dict[str, int], dict[str, str]]] = [
    # (forwarded headers, trust, what the app must see)
    ({"for": "203.0.113.7", "proto": "https"}, {}, {"REMOTE_ADDR": "203.0.113.7"}),
    ({"for": "1.1.1.1, 2.2.2.2"}, {"x_for": 1}, {"REMOTE_ADDR": "2.2.2.2"}),
    ({"for": "1.1.1.1, 2.2.2.2"}, {"x_for": 2}, {"REMOTE_ADDR": "1.1.1.1"}),
    ({"for": "1.1.1.1, 2.2.2.2"}, {"x_for": 3}, {"REMOTE_ADDR": "10.0.0.1"}),
    ({"for": "1.1.1.1"}, {"x_for": 0}, {"REMOTE_ADDR": "10.0.0.1"}),
    ({"for": '"[2001:db8::1]:4711", 2.2.2.2'}, {"x_for": 2}, {"REMOTE_ADDR": "[2001:db8::1]:4711"}),
    ({"for": " , ,3.3.3.3 , "}, {"x_for": 1}, {"REMOTE_ADDR": "3.3.3.3"}),
    ({"for": ""}, {"x_for": 1}, {"REMOTE_ADDR": "10.0.0.1"}),
    ({"proto": "https, http"}, {"x_proto": 1}, {"wsgi.url_scheme": "http"}),
    ({"proto": "https, http"}, {"x_proto": 2}, {"wsgi.url_scheme": "https"}),
    ({"host": "example.com"}, {"x_host": 1}, {"HTTP_HOST": "example.com", "SERVER_PORT": "8000"}),
    ({"host": "example.com:8443"}, {"x_host": 1}, {"SERVER_NAME": "example.com"}),
    ({"host": "[2001:db8::1]"}, {"x_host": 1}, {"SERVER_NAME": "[2001:db8::1]"}),
    ({"host": "[2001:db8::1]:8443"}, {"x_host": 1}, {"SERVER_PORT": "8443"}),
    ({"host": "a.test, b.test"}, {"x_host": 1}, {"HTTP_HOST": "b.test"}),
    ({"host": "a.test, b.test"}, {"x_host": 0}, {"HTTP_HOST": "internal:8000"}),
    ({"port": "443"}, {"x_port": 1}, {"HTTP_HOST": "internal:443", "SERVER_PORT": "443"}),
    (
        {"host": "example.com", "port": "8080"},
        {"x_host": 1, "x_port": 1},
        {"HTTP_HOST": "example.com:8080"},
    ),
    ({"host": "[::1]:1", "port": "2"}, {"x_host": 1, "x_port": 1}, {"HTTP_HOST": "[::1]:2"}),
    ({"host": "[::1]", "port": "2"}, {"x_host": 1, "x_port": 1}, {"HTTP_HOST": "[::1]:2"}),
    ({"prefix": "/shop"}, {"x_prefix": 1}, {"SCRIPT_NAME": "/shop", "PATH_INFO": "/page"}),
    ({"prefix": "/outer, /inner"}, {"x_prefix": 2}, {"SCRIPT_NAME": "/outer"}),
    (
        {
            "for": "7.7.7.7, 8.8.8.8",
            "proto": "https",
            "host": "shop.test",
            "port": "443",
            "prefix": "/x",
        },
        {"x_for": 2, "x_proto": 1, "x_host": 1, "x_port": 1, "x_prefix": 1},
        {"REMOTE_ADDR": "7.7.7.7", "HTTP_HOST": "shop.test:443", "SCRIPT_NAME": "/x"},
    ),
    # Unclosed quotes make the whole list invalid, as in Werkzeug.
    ({"for": '"1.1.1.1, 2.2.2.2'}, {"x_for": 1}, {"REMOTE_ADDR": "10.0.0.1"}),
]


@pytest.mark.parametrize(("headers", "trust", "expected"), CASES)
def test_wsgi_matches_werkzeug(headers: dict, trust: dict, expected: dict) -> None:
    seen = assert_same_as_werkzeug(environ_with(headers), **trust)
    for key, value in expected.items():
        assert seen[key] == value


def test_wsgi_without_a_host_header() -> None:
    environ = environ_with({"port": "8443"})
    del environ["HTTP_HOST"]
    seen = assert_same_as_werkzeug(environ, x_host=1, x_port=1)
    assert "HTTP_HOST" not in seen and seen["SERVER_PORT"] == "8443"


def test_original_values_are_kept() -> None:
    seen = seen_through(ProxyFix, environ_with({"for": "1.2.3.4", "proto": "https"}))
    assert seen["REMOTE_ADDR"] == "1.2.3.4"
    assert seen["erlen.proxy_fix.orig"] == {
        "REMOTE_ADDR": "10.0.0.1",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "internal:8000",
        "SERVER_NAME": "internal",
        "SERVER_PORT": "8000",
        "SCRIPT_NAME": "",
    }


def test_importable_where_werkzeug_users_look() -> None:
    assert ProxyFixFromModule is ProxyFix
    fix = ProxyFix(lambda e, s: [])
    assert (fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (1, 1, 0, 0, 0)


# Header values built from the characters that matter to list parsing.
_header_values = st.one_of(
    st.none(),
    st.lists(st.text(alphabet='ab1.:[]" ,/\\', max_size=12), min_size=1, max_size=4).map(", ".join),
)
_trust = st.integers(min_value=0, max_value=3)


@settings(max_examples=300, deadline=None)
@given(
    headers=st.fixed_dictionaries({name: _header_values for name in HEADER_KEYS}),
    trust=st.fixed_dictionaries(
        {key: _trust for key in ("x_for", "x_proto", "x_host", "x_port", "x_prefix")}
    ),
)
def test_wsgi_matches_werkzeug_on_any_header_values(
    headers: dict[str, str | None], trust: dict[str, int]
) -> None:
    present = {name: value for name, value in headers.items() if value is not None}
    assert_same_as_werkzeug(environ_with(present), **trust)


# -- ASGI: the scope rewrite leads to the environ Werkzeug's middleware produces --------

ENVIRON_KEYS = (
    "REMOTE_ADDR",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
)
HEADER_NAMES = {name: f"x-forwarded-{name}".encode() for name in HEADER_KEYS}


def http_scope(headers: dict[str, str], **overrides: t.Any) -> dict[str, t.Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/page",
        "raw_path": b"/page",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"internal:8000")]
        + [(HEADER_NAMES[name], value.encode("latin-1")) for name, value in headers.items()],
        "client": ("10.0.0.1", 50123),
        "server": ("internal", 8000),
    }
    scope.update(overrides)
    return scope


def asgi_view(scope: dict, **trust: int) -> dict[str, t.Any]:
    fixed = ASGIProxyFix(None, **trust).fix_scope(scope)  # type: ignore[arg-type]
    environ = build_environ(fixed, None)
    return {key: environ.get(key) for key in ENVIRON_KEYS}


def werkzeug_view(scope: dict, **trust: int) -> dict[str, t.Any]:
    seen = seen_through(WerkzeugProxyFix, build_environ(scope, None), **trust)
    return {key: seen.get(key) for key in ENVIRON_KEYS}


@pytest.mark.parametrize(("headers", "trust", "expected"), CASES)
def test_asgi_leads_to_the_same_environ(headers: dict, trust: dict, expected: dict) -> None:
    scope = http_scope(headers)
    assert asgi_view(scope, **trust) == werkzeug_view(scope, **trust)


_ports = st.one_of(st.none(), st.integers(1, 65535).map(str))
_hosts = st.one_of(
    st.none(),
    st.sampled_from(["example.com", "a.test:8443", "[2001:db8::1]", "[::1]:9000", "x, y.test"]),
)


@settings(max_examples=300, deadline=None)
@given(
    client=_header_values,
    proto=st.one_of(st.none(), st.sampled_from(["https", "http", "http, https"])),
    host=_hosts,
    port=_ports,
    prefix=st.one_of(st.none(), st.sampled_from(["/p", "/a/b", "/o, /i", "/with space"])),
    root_path=st.sampled_from(["", "/mounted"]),
    trust=st.fixed_dictionaries(
        {key: _trust for key in ("x_for", "x_proto", "x_host", "x_port", "x_prefix")}
    ),
)
def test_asgi_matches_werkzeug_on_any_header_values(
    client: str | None,
    proto: str | None,
    host: str | None,
    port: str | None,
    prefix: str | None,
    root_path: str,
    trust: dict[str, int],
) -> None:
    given_headers = {"for": client, "proto": proto, "host": host, "port": port, "prefix": prefix}
    headers = {name: value for name, value in given_headers.items() if value is not None}
    # Like uvicorn --root-path: the root path is part of path and raw_path.
    scope = http_scope(
        headers,
        root_path=root_path,
        path=root_path + "/page",
        raw_path=(root_path + "/page").encode(),
    )
    assert asgi_view(scope, **trust) == werkzeug_view(scope, **trust)


def test_asgi_ports_are_integers() -> None:
    # The one documented difference: ASGI wants an integer port, so a forwarded port is
    # normalised ("0443" is 443) and one that is not a number leaves the port unset,
    # where Werkzeug copies the text into SERVER_PORT.  HTTP_HOST keeps the text.
    middleware = ASGIProxyFix(None, x_host=1, x_port=1)  # type: ignore[arg-type]
    fixed = middleware.fix_scope(http_scope({"port": "0443"}))
    assert fixed["server"] == ("internal", 443)
    fixed = middleware.fix_scope(http_scope({"host": "example.com:https"}))
    assert fixed["server"] == ("example.com", None)
    assert (b"host", b"example.com:https") in fixed["headers"]
    assert build_environ(fixed, None)["SERVER_PORT"] == ""


def test_asgi_scope_is_copied_and_originals_kept() -> None:
    scope = http_scope(
        {"for": "1.2.3.4", "proto": "https", "host": "shop.test", "prefix": "/shop"},
        root_path="/old",
        path="/old/page",
        raw_path=b"/old/page",
    )
    before = json.dumps(scope, default=repr)
    middleware = ASGIProxyFix(None, x_host=1, x_prefix=1)  # type: ignore[arg-type]
    fixed = middleware.fix_scope(scope)
    assert json.dumps(scope, default=repr) == before  # the server's scope is untouched
    assert fixed["client"] == ("1.2.3.4", 50123)
    assert fixed["scheme"] == "https"
    assert fixed["server"] == ("shop.test", 8000)
    assert (fixed["root_path"], fixed["path"], fixed["raw_path"]) == (
        "/shop",
        "/shop/page",
        b"/shop/page",
    )
    assert [value for name, value in fixed["headers"] if name == b"host"] == [b"shop.test"]
    assert fixed["erlen.proxy_fix.orig"] == {
        "client": ("10.0.0.1", 50123),
        "scheme": "http",
        "host": "internal:8000",
        "server": ("internal", 8000),
        "root_path": "/old",
        "path": "/old/page",
        "raw_path": b"/old/page",
    }


def test_asgi_prefix_needing_quotes_and_utf8() -> None:
    scope = http_scope({"prefix": "/a b/ü".encode().decode("latin-1")})
    fixed = ASGIProxyFix(None, x_prefix=1).fix_scope(scope)  # type: ignore[arg-type]
    assert fixed["root_path"] == "/a b/ü"
    assert fixed["raw_path"] == b"/a%20b/%C3%BC/page"
    environ = build_environ(fixed, None)
    # The same bytes WSGI middleware would put in SCRIPT_NAME (the header, as latin-1).
    assert environ["SCRIPT_NAME"] == "/a b/ü".encode().decode("latin-1")
    assert environ["PATH_INFO"] == "/page"


def test_asgi_websocket_scheme_and_header_case() -> None:
    scope = http_scope({}, type="websocket", scheme="ws")
    scope["headers"] = [(b"Host", b"internal"), (b"X-Forwarded-Proto", b"https")]
    fixed = ASGIProxyFix(None).fix_scope(scope)  # type: ignore[arg-type]
    assert fixed["scheme"] == "wss"
    scope["headers"] = [(b"x-forwarded-proto", b"http")]
    assert ASGIProxyFix(None).fix_scope(scope)["scheme"] == "ws"  # type: ignore[arg-type]


def test_asgi_passes_other_scopes_through() -> None:
    received: list[dict] = []

    async def app(scope: dict, receive: t.Any, send: t.Any) -> None:
        received.append(scope)

    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}}
    asyncio.run(ASGIProxyFix(app)(lifespan, None, None))  # type: ignore[arg-type]
    assert received == [lifespan] and received[0] is lifespan


# -- in an app, in process ---------------------------------------------------------------

FORWARDED = {
    "X-Forwarded-For": "203.0.113.9, 198.51.100.2",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "shop.example",
    "X-Forwarded-Prefix": "/store",
}


def asgi_get(asgi_app: t.Any, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """One HTTP request through an ASGI app, in process."""
    scope = http_scope({}, path=path, raw_path=path.encode())
    scope["headers"] = [(b"host", b"internal:8000")] + [
        (name.lower().encode(), value.encode()) for name, value in headers.items()
    ]
    sent: list[dict] = []
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(asgi_app(scope, receive, send))
    headers_out = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], headers_out, b"".join(m.get("body", b"") for m in sent[1:])


EXPECTED_VIEW = {
    "remote_addr": "198.51.100.2",
    "scheme": "https",
    "host": "shop.example",
    "script_root": "/store",
    "path": "/where",
    "url": "https://shop.example/store/where",
    "external": "https://shop.example/store/where",
    "socket": "wss://shop.example/store/socket",
}


def test_wsgi_middleware_applies_under_wsgi_and_asgi() -> None:
    app = proxied.create_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, **proxied.TRUST)  # type: ignore[method-assign]
    over_wsgi = app.test_client().get("/where", headers=FORWARDED).get_json()
    status, _, body = asgi_get(app.asgi, "/where", FORWARDED)
    over_asgi = json.loads(body)
    assert status == 200
    for view in (over_wsgi, over_asgi):
        assert {key: view[key] for key in EXPECTED_VIEW} == EXPECTED_VIEW
    # app.asgi went through app.wsgi_app: the WSGI middleware's record is there.
    assert over_asgi["orig"]["REMOTE_ADDR"] == "10.0.0.1"
    assert over_asgi["orig"]["HTTP_HOST"] == "internal:8000"
    _, headers, _ = asgi_get(app.asgi, "/go", FORWARDED)
    assert headers["location"] == "/store/where"


def test_asgi_middleware_in_process() -> None:
    fixed = ASGIProxyFix(proxied.create_app().asgi, **proxied.TRUST)
    status, _, body = asgi_get(fixed, "/where", FORWARDED)
    view = json.loads(body)
    assert status == 200
    assert {key: view[key] for key in EXPECTED_VIEW} == EXPECTED_VIEW
    assert view["orig"]["client"] == ["10.0.0.1", 50123]


def ws_exchange(asgi_app: t.Any, headers: dict[str, str]) -> list[dict]:
    scope = http_scope({}, type="websocket", scheme="ws", path="/socket", raw_path=b"/socket")
    scope["headers"] = [
        (b"host", b"internal:8000"),
        (b"connection", b"Upgrade"),
        (b"upgrade", b"websocket"),
    ] + [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    inbox = [{"type": "websocket.connect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        if inbox:
            return inbox.pop(0)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(asgi_app(scope, receive, send))
    return sent


def websocket_view(asgi_app: t.Any) -> dict[str, t.Any]:
    sent = ws_exchange(asgi_app, FORWARDED)
    return json.loads(next(m["text"] for m in sent if m["type"] == "websocket.send"))  # type: ignore[no-any-return]


def test_asgi_middleware_covers_websockets() -> None:
    view = websocket_view(ASGIProxyFix(proxied.create_app().asgi, **proxied.TRUST))
    assert view["remote_addr"] == "198.51.100.2"
    assert view["scheme"] == "wss"
    assert view["host"] == "shop.example"
    assert view["url"] == "wss://shop.example/store/socket"


def test_url_for_in_a_secure_websocket_request() -> None:
    view = websocket_view(ASGIProxyFix(proxied.create_app().asgi, **proxied.TRUST))
    assert view["socket"] == "wss://shop.example/store/socket"
    assert view["external"] == "https://shop.example/store/where"


def test_wsgi_middleware_on_wsgi_app_covers_websockets_under_asgi() -> None:
    app = proxied.create_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, **proxied.TRUST)  # type: ignore[method-assign]
    assert websocket_view(app.asgi)["remote_addr"] == "198.51.100.2"


def test_a_minimal_app_sees_the_client() -> None:
    app = Erlen(__name__)

    @app.route("/")
    def index() -> str:
        return f"{request.remote_addr} {url_for('index', _external=True)}"

    app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]
    headers = {"X-Forwarded-For": "192.0.2.1", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/", headers=headers).text == "192.0.2.1 https://localhost/"


# -- behind real servers -----------------------------------------------------------------

REAL_FORWARDED = {"Host": "internal:8000", **FORWARDED}


def check_http(server: Server, orig_remote: str) -> dict:
    view = server.get("/where", headers=REAL_FORWARDED).json()
    assert {key: view[key] for key in EXPECTED_VIEW} == EXPECTED_VIEW
    redirect = server.get("/go", headers=REAL_FORWARDED)
    assert (redirect.status, redirect.header("location")) == (302, "/store/where")
    # Without forwarded headers nothing changes.
    plain = server.get("/where").json()
    assert plain["remote_addr"] == orig_remote
    assert plain["external"] == f"http://127.0.0.1:{server.port}/where"
    return view


def test_behind_uvicorn_with_wsgi_middleware(servers: ServerFactory) -> None:
    # --no-proxy-headers: uvicorn would otherwise apply X-Forwarded-For/-Proto from
    # 127.0.0.1 itself, and this test is about erlen's middleware.
    server = servers(
        "uvicorn-proxy-wsgi-mw",
        uvicorn_argv(f"{APPS}.proxied:app.asgi", "--no-proxy-headers"),
    )
    view = check_http(server, "127.0.0.1")
    assert view["orig"]["REMOTE_ADDR"] == "127.0.0.1"
    assert view["orig"]["wsgi.url_scheme"] == "http"


def test_behind_uvicorn_with_asgi_middleware(servers: ServerFactory) -> None:
    server = servers(
        "uvicorn-proxy-asgi-mw",
        uvicorn_argv(f"{APPS}.proxied:asgi_fixed", "--no-proxy-headers"),
    )
    view = check_http(server, "127.0.0.1")
    assert view["orig"]["client"][0] == "127.0.0.1"
    assert view["orig"]["server"] == ["127.0.0.1", server.port]
    headers = [(name, value) for name, value in REAL_FORWARDED.items() if name != "Host"]
    with connect(f"ws://127.0.0.1:{server.port}/socket", additional_headers=headers) as ws:
        over_ws = json.loads(ws.recv(timeout=10))
    assert over_ws["remote_addr"] == "198.51.100.2"
    assert over_ws["url"] == "wss://shop.example/store/socket"
    assert over_ws["orig"]["scheme"] == "ws"
    assert over_ws["orig"]["client"][0] == "127.0.0.1"


def test_behind_gunicorn_with_wsgi_middleware(servers: ServerFactory) -> None:
    # gunicorn trusts X-Forwarded-Proto from --forwarded-allow-ips (127.0.0.1 by
    # default); allow nobody, so that only erlen's middleware acts.
    server = servers(
        "gunicorn-proxy",
        gunicorn_argv(f"{APPS}.proxied:app", "sync", "--forwarded-allow-ips", "192.0.2.200"),
    )
    view = check_http(server, "127.0.0.1")
    assert view["orig"]["wsgi.url_scheme"] == "http"
