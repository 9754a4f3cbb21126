"""erlen.testing.Client, run_wsgi_app and TestResponse, driven side by side with
Werkzeug 3.1's test client on the same hand-written WSGI applications."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl

import pytest
import werkzeug.test as wzt

from erlen.http.cookies import dump_cookie
from erlen.http.headers import Headers
from erlen.testing import (
    Client,
    ClientRedirectError,
    EnvironBuilder,
    TestResponse,
    create_environ,
    run_wsgi_app,
)
from erlen.wrappers import Request, Response

# -- the applications -------------------------------------------------------------------


def _json_response(start_response, data, status="200 OK", headers=()):
    body = json.dumps(data, sort_keys=True).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers],
    )
    return [body]


def _environ_view(environ):
    view = {
        key: value
        for key, value in environ.items()
        if isinstance(value, (str, bool)) and not key.startswith(("erlen.", "werkzeug."))
    }
    view["body"] = environ["wsgi.input"].read().decode("latin-1")
    return view


def site(environ, start_response):
    """One WSGI app with everything the tests need, chosen by path."""
    path = environ["PATH_INFO"]
    query = dict(parse_qsl(environ["QUERY_STRING"], keep_blank_values=True))
    if path == "/set":
        name = query.pop("name")
        value = query.pop("value", "")
        if "max_age" in query:
            query["max_age"] = int(query["max_age"])
        cookie = dump_cookie(name, value, **query)
        start_response("200 OK", [("Set-Cookie", cookie), ("Content-Type", "text/plain")])
        return [b"set"]
    if path.startswith("/redirect"):
        code = int(query.get("code", "302"))
        location = query.get("to", "/echo")
        start_response(f"{code} REDIRECT", [("Location", location), ("Content-Length", "0")])
        return []
    if path == "/loop":
        start_response("302 FOUND", [("Location", "/loop")])
        return [b""]
    if path.startswith("/count/"):
        remaining = int(path.rsplit("/", 1)[1])
        if remaining:
            start_response("302 FOUND", [("Location", f"/count/{remaining - 1}")])
            return [b""]
    return _json_response(start_response, _environ_view(environ))


def view(response) -> tuple:
    """What is compared between erlen's and Werkzeug's responses."""
    return response.status, list(response.headers.items()), response.get_data()


def run_both(requests, app=site, **client_kwargs):
    """Send the same requests through both clients; return both lists of views."""
    mine, theirs = Client(app, **client_kwargs), wzt.Client(app, **client_kwargs)
    results = []
    for method, args, kwargs in requests:
        results.append(
            (
                _describe(getattr(mine, method)(*args, **kwargs)),
                _describe(getattr(theirs, method)(*args, **kwargs)),
            )
        )
    return results


def _describe(response) -> tuple:
    history = [(r.status_code, r.headers.get("Location"), r.request.url) for r in response.history]
    return (*view(response), history, response.request.url)


def assert_same(requests, **kwargs):
    for mine, theirs in run_both(requests, **kwargs):
        assert mine == theirs


# -- requests --------------------------------------------------------------------------


REQUESTS = [
    ("get", ("/echo",), {}),
    ("get", ("/echo?a=1&b=ü",), {}),
    ("get", ("/echo",), {"query_string": {"q": "x y", "n": [1, 2]}}),
    ("post", ("/echo",), {"data": {"a": "1", "b": ["x", "y"]}}),
    ("post", ("/echo",), {"data": "raw body", "content_type": "text/plain"}),
    ("post", ("/echo",), {"json": {"k": [1, 2]}}),
    ("put", ("/echo",), {"data": b"\x00\xff", "headers": {"X-A": "1"}}),
    ("patch", ("/echo",), {"json": None}),
    ("delete", ("/echo",), {}),
    ("head", ("/echo",), {}),
    ("options", ("/echo",), {}),
    ("trace", ("/echo",), {}),
    ("open", ("/echo",), {"method": "PROPFIND"}),
    ("get", ("/echo",), {"base_url": "https://example.com:8443/app/"}),
    ("get", ("/echo",), {"headers": [("X-R", "1"), ("X-R", "2")], "auth": ("u", "p")}),
    ("get", ("/echo",), {"environ_base": {"REMOTE_ADDR": "10.0.0.1"}}),
]


@pytest.mark.parametrize(("method", "args", "kwargs"), REQUESTS)
def test_requests_match_werkzeug(method, args, kwargs):
    assert_same([(method, args, kwargs)])


def test_open_accepts_builder_environ_and_request():
    builder = EnvironBuilder("/echo", method="POST", data="b")
    first = Client(site).open(builder)
    assert first.json["REQUEST_METHOD"] == "POST" and first.json["body"] == "b"
    environ = create_environ("/echo?x=1", method="PUT", data="e")
    second = Client(site).open(environ)
    assert (second.json["QUERY_STRING"], second.json["body"]) == ("x=1", "e")
    request = Request(create_environ("/echo", headers={"X-Q": "q"}))
    third = Client(site).open(request)
    assert third.request is request
    assert third.json["HTTP_X_Q"] == "q"


def test_application_changes_to_the_environ_do_not_leak():
    def mutating(environ, start_response):
        environ["PATH_INFO"] = "/changed"
        environ["X_ADDED"] = "1"
        start_response("200 OK", [])
        return [b""]

    response = Client(mutating).get("/original")
    assert response.request.environ["PATH_INFO"] == "/original"
    assert "X_ADDED" not in response.request.environ


# -- cookies ---------------------------------------------------------------------------


COOKIE_SEQUENCE = [
    ("get", ("/echo",), {}),
    ("get", ("/set?name=flavour&value=chocolate",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/set?name=theme&value=dark mode",), {}),
    ("get", ("/set?name=flavour&value=vanilla",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/set?name=scoped&value=1&path=/scoped",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/scoped/echo",), {}),
    ("get", ("/scopedness",), {}),
    ("get", ("/set?name=wide&value=w&domain=example.com",), {"base_url": "http://example.com"}),
    ("get", ("/echo",), {"base_url": "http://www.example.com"}),
    ("get", ("/echo",), {"base_url": "http://example.com"}),
    ("get", ("/echo",), {"base_url": "http://other.com"}),
    ("get", ("/set?name=flavour&max_age=0",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/set?name=ünï&value=cöde",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/a/b/set?name=dflt&value=1",), {}),
]


def test_cookie_sequence_matches_werkzeug():
    assert_same(COOKIE_SEQUENCE)


def test_cookie_api_matches_werkzeug():
    mine, theirs = Client(site), wzt.Client(site)
    for client in (mine, theirs):
        client.get("/set?name=k&value=v&path=/p")
        client.set_cookie("manual", "m")
        client.set_cookie("sub", "s", domain="example.com", origin_only=False, path="/x")
        client.set_cookie("gone", "g")
        client.delete_cookie("gone")
        client.set_cookie("expired", "e")
        client.set_cookie("expired", max_age=0)
    for args in [("k", "localhost", "/p"), ("manual",), ("sub", "example.com", "/x"), ("gone",)]:
        a, b = mine.get_cookie(*args), theirs.get_cookie(*args)
        assert (a is None) == (b is None)
        if a is not None:
            assert (a.key, a.value, a.domain, a.path, a.origin_only) == (
                b.key,
                b.value,
                b.domain,
                b.path,
                b.origin_only,
            )
    assert mine.get_cookie("expired") is None is theirs.get_cookie("expired")
    for base in ("http://example.com/x", "http://a.example.com/x/y", "http://localhost/p"):
        assert mine.get("/echo", base_url=base).json.get("HTTP_COOKIE") == theirs.get(
            "/echo", base_url=base
        ).json.get("HTTP_COOKIE")


def test_disabled_cookies():
    client = Client(site, use_cookies=False)
    client.get("/set?name=k&value=v")
    assert "HTTP_COOKIE" not in client.get("/echo").json
    for call in (
        lambda: client.get_cookie("k"),
        lambda: client.set_cookie("k", "v"),
        lambda: client.delete_cookie("k"),
    ):
        with pytest.raises(TypeError, match="Cookies are disabled"):
            call()
    sent = client.get("/echo", headers={"Cookie": "own=1"}).json
    assert sent["HTTP_COOKIE"] == "own=1"


def test_callers_cookie_header_is_sent_with_the_jar():
    # Werkzeug drops a Cookie header passed by the caller when cookies are enabled.
    client = Client(site)
    assert client.get("/echo", headers={"Cookie": "own=1"}).json["HTTP_COOKIE"] == "own=1"
    client.set_cookie("jar", "2")
    response = client.get("/echo", headers={"Cookie": "own=1"})
    assert response.json["HTTP_COOKIE"] == "own=1; jar=2"
    # Sending the same request again does not mistake the jar's cookies for the caller's.
    again = client.open(response.request)
    assert again.json["HTTP_COOKIE"] == "own=1; jar=2"
    assert client.get("/echo").json["HTTP_COOKIE"] == "jar=2"


def test_cookies_set_during_redirects_are_sent_on_the_next_hop():
    def login(environ, start_response):
        if environ["PATH_INFO"] == "/login":
            start_response("302 FOUND", [("Location", "/home"), ("Set-Cookie", "sid=42")])
            return [b""]
        return _json_response(start_response, {"cookie": environ.get("HTTP_COOKIE")})

    assert Client(login).get("/login", follow_redirects=True).json == {"cookie": "sid=42"}
    assert wzt.Client(login).get("/login", follow_redirects=True).json == {"cookie": "sid=42"}


def test_expired_cookies_are_not_sent():
    client = Client(site)
    client.set_cookie("old", "1", expires=1_000_000)  # 1970, but not the epoch itself
    client.get("/set?name=past&value=1&expires=Sat, 01 Jan 2000 00:00:00 GMT")
    assert "HTTP_COOKIE" not in client.get("/echo").json


# -- redirects -------------------------------------------------------------------------


REDIRECTS = [
    ("get", ("/redirect?code=302&to=/echo",), {"follow_redirects": True}),
    ("get", ("/redirect?code=301&to=/echo?x=1",), {"follow_redirects": True}),
    ("post", ("/redirect?code=302",), {"data": {"a": "1"}, "follow_redirects": True}),
    ("post", ("/redirect?code=303",), {"json": [1], "follow_redirects": True}),
    ("put", ("/redirect?code=301",), {"data": "x", "follow_redirects": True}),
    ("head", ("/redirect?code=302",), {"follow_redirects": True}),
    ("post", ("/redirect?code=307",), {"data": "kept", "follow_redirects": True}),
    ("put", ("/redirect?code=308",), {"json": {"k": 1}, "follow_redirects": True}),
    ("get", ("/redirect?code=302&to=http://localhost/echo",), {"follow_redirects": True}),
    ("get", ("/redirect?code=302&to=http://localhost:5000/echo",), {"follow_redirects": True}),
    ("get", ("/redirect?code=302&to=https://localhost/echo",), {"follow_redirects": True}),
    ("get", ("/redirect?code=302&to=/app/echo",), {"base_url": "http://localhost/app"}),
    (
        "get",
        ("/redirect?code=302&to=/app/echo",),
        {"base_url": "http://localhost/app", "follow_redirects": True},
    ),
    (
        "get",
        ("/redirect?code=302&to=/elsewhere",),
        {"base_url": "http://localhost/app", "follow_redirects": True},
    ),
    ("get", ("/count/3",), {"follow_redirects": True}),
    ("get", ("/count/3",), {"follow_redirects": True, "buffered": True}),
    ("get", ("/redirect?code=302",), {"headers": {"X-Keep": "1"}, "follow_redirects": True}),
    ("get", ("/echo",), {"follow_redirects": True}),
]


@pytest.mark.parametrize(("method", "args", "kwargs"), REDIRECTS)
def test_redirects_match_werkzeug(method, args, kwargs):
    assert_same([(method, args, kwargs)])


def test_history_and_final_response():
    response = Client(site).get("/count/2", follow_redirects=True)
    assert [r.status_code for r in response.history] == [302, 302]
    assert [r.request.path for r in response.history] == ["/count/2", "/count/1"]
    assert response.request.path == "/count/0"
    assert response.history[1].history == (response.history[0],)
    assert Client(site).get("/count/2").history == ()


@pytest.mark.parametrize("client_class", [Client, wzt.Client])
def test_redirect_loop_is_detected(client_class):
    with pytest.raises(ClientRedirectError if client_class is Client else wzt.ClientRedirectError):
        client_class(site).get("/loop", follow_redirects=True)


def test_long_chains_stop_at_max_redirects():
    with pytest.raises(ClientRedirectError, match="More than 30 redirects"):
        Client(site).get("/count/40", follow_redirects=True)
    assert Client(site).get("/count/30", follow_redirects=True).status_code == 200

    class Patient(Client):
        max_redirects = 50

    assert Patient(site).get("/count/40", follow_redirects=True).status_code == 200


@pytest.mark.parametrize("client_class", [Client, wzt.Client])
def test_external_and_subdomain_redirects(client_class):
    client = client_class(site)
    with pytest.raises(RuntimeError, match="external"):
        client.get("/redirect?to=http://elsewhere.example/x", follow_redirects=True)
    with pytest.raises(RuntimeError, match="external"):
        client.get(
            "/redirect?to=http://example.com/",
            base_url="http://a.example.com",
            follow_redirects=True,
        )
    with pytest.raises(RuntimeError, match="subdomain"):
        client.get("/redirect?to=http://api.localhost/echo", follow_redirects=True)
    allowed = client_class(site, allow_subdomain_redirects=True)
    response = allowed.get("/redirect?to=http://api.localhost/echo", follow_redirects=True)
    assert response.json["HTTP_HOST"] == "api.localhost"


def test_host_comparison_ignores_case():
    response = Client(site).get("/redirect?to=http://LOCALHOST/echo", follow_redirects=True)
    assert response.status_code == 200


def test_307_resends_a_body_the_application_read():
    # Werkzeug re-sends the consumed stream, so the second request's body is empty.
    mine = Client(site).post("/redirect?code=307", data="kept", follow_redirects=True)
    assert (mine.json["REQUEST_METHOD"], mine.json["body"]) == ("POST", "kept")
    assert mine.json["CONTENT_LENGTH"] == "4"
    files = Client(site).post(
        "/redirect?code=308",
        data={"f": (io.BytesIO(b"file data"), "f.txt")},
        follow_redirects=True,
    )
    assert b"file data" in files.json["body"].encode("latin-1")


def test_relative_location_is_resolved_against_the_request():
    def relative(environ, start_response):
        if environ["PATH_INFO"] == "/dir/page" and not environ["QUERY_STRING"]:
            start_response("302 FOUND", [("Location", environ["HTTP_X_TO"])])
            return [b""]
        return site(environ, start_response)

    client = Client(relative)
    response = client.get("/dir/page", headers={"X-To": "sibling"}, follow_redirects=True)
    assert response.request.path == "/dir/sibling"
    response = client.get("/dir/page", headers={"X-To": "../up"}, follow_redirects=True)
    assert response.request.path == "/up"
    response = client.get("/dir/page", headers={"X-To": "?page=2"}, follow_redirects=True)
    assert (response.request.path, response.json["QUERY_STRING"]) == ("/dir/page", "page=2")
    response = client.get("/dir/page", headers={"X-To": "//localhost/echo"}, follow_redirects=True)
    assert response.json["wsgi.url_scheme"] == "http"
    assert response.request.path == "/echo"


def test_redirect_without_location_ends_the_chain():
    def no_location(environ, start_response):
        start_response("302 FOUND", [])
        return [b"nowhere"]

    response = Client(no_location).get("/", follow_redirects=True)
    assert (response.status_code, response.history, response.text) == (302, (), "nowhere")


def test_intermediate_responses_are_drained_and_closed():
    closed = []

    class Body:
        def __init__(self, path):
            self.path = path

        def __iter__(self):
            return iter([b"x"])

        def close(self):
            closed.append(self.path)

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/first":
            start_response("302 FOUND", [("Location", "/second")])
        else:
            start_response("200 OK", [])
        return Body(path)

    response = Client(app).get("/first", follow_redirects=True)
    assert closed == ["/first"]
    response.close()
    assert closed == ["/first", "/second"]
    # The first request's body is closed when the redirect drops it.
    assert response.history[0].request.environ["wsgi.input"].closed


# -- run_wsgi_app ------------------------------------------------------------------------


class Tracked:
    """An application iterable that records being iterated and closed."""

    def __init__(self, chunks, on_first=None):
        self.chunks, self.on_first, self.closed = list(chunks), on_first, 0
        self.started = False

    def __iter__(self):
        for chunk in self.chunks:
            if not self.started and self.on_first:
                self.on_first()
            self.started = True
            yield chunk

    def close(self):
        self.closed += 1


def test_run_wsgi_app_unbuffered_keeps_close_for_later():
    body = Tracked([b"a", b"b"])

    def app(environ, start_response):
        start_response("200 OK", [("X", "1")])
        return body

    app_iter, status, headers = run_wsgi_app(app, create_environ())
    assert (status, list(headers.items())) == ("200 OK", [("X", "1")])
    assert isinstance(headers, Headers)
    assert body.started and body.closed == 0  # the first chunk is pulled, as in Werkzeug
    assert list(app_iter) == [b"a", b"b"]
    app_iter.close()
    assert body.closed == 1


def test_run_wsgi_app_buffered_closes_at_once():
    body = Tracked([b"a", b"b"])

    def app(environ, start_response):
        start_response("200 OK", [])
        return body

    app_iter, _, _ = run_wsgi_app(app, create_environ(), buffered=True)
    assert app_iter == [b"a", b"b"] and body.closed == 1


def test_start_response_called_while_iterating():
    def lazy(environ, start_response):
        start_response("201 CREATED", [("Lazy", "yes")])
        yield b"first"
        yield b"second"

    for buffered in (False, True):
        app_iter, status, headers = run_wsgi_app(lazy, create_environ(), buffered=buffered)
        assert (list(app_iter), status, headers["Lazy"]) == (
            [b"first", b"second"],
            "201 CREATED",
            "yes",
        )
        theirs = wzt.run_wsgi_app(lazy, wzt.create_environ(), buffered=buffered)
        assert list(theirs[0]) == [b"first", b"second"]


def test_write_callable_output_comes_first():
    def writer(environ, start_response):
        write = start_response("200 OK", [])
        write(b"written ")
        return [b"returned"]

    mine = run_wsgi_app(writer, create_environ())
    theirs = wzt.run_wsgi_app(writer, wzt.create_environ())
    assert b"".join(mine[0]) == b"".join(theirs[0]) == b"written returned"
    # Werkzeug loses written data when buffering; erlen keeps it.
    assert b"".join(run_wsgi_app(writer, create_environ(), buffered=True)[0]) == b"written returned"


def test_exc_info_is_reraised():
    def failing(environ, start_response):
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            start_response("500 ERROR", [], sys.exc_info())
        return [b""]

    with pytest.raises(ValueError, match="boom"):
        run_wsgi_app(failing, create_environ())


def test_missing_start_response_is_a_clear_error():
    with pytest.raises(RuntimeError, match="without calling start_response"):
        run_wsgi_app(lambda environ, start_response: [], create_environ())


def test_run_wsgi_app_accepts_a_request_and_copies_the_environ():
    request = Request(create_environ("/r"))

    def app(environ, start_response):
        environ["PATH_INFO"] = "/mutated"
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    assert list(run_wsgi_app(app, request)[0]) == [b"/mutated"]
    assert request.environ["PATH_INFO"] == "/r"


def test_response_from_app_uses_run_wsgi_app():
    response = Response.from_app(site, create_environ("/echo?q=1"), buffered=True)
    assert json.loads(response.get_data())["QUERY_STRING"] == "q=1"


# -- the response -----------------------------------------------------------------------


def test_test_response_api():
    client = Client(site)
    response = client.post("/echo?x=1", json={"a": 1})
    assert isinstance(response, TestResponse) and isinstance(response, Response)
    assert type(response).__name__ == "TestResponse"
    assert response.status_code == 200 and response.status == "200 OK"
    assert response.json["QUERY_STRING"] == "x=1"
    assert response.get_json()["body"] == '{"a": 1}'
    assert response.text == response.get_data(as_text=True)
    assert isinstance(response.get_data(), bytes)
    assert isinstance(response.request, Request)
    assert response.request.args["x"] == "1"
    assert response.history == ()
    assert response.headers["Content-Type"] == "application/json"


def test_no_content_type_is_assumed():
    def bare(environ, start_response):
        start_response("200 OK", [])
        return [b"x"]

    assert "Content-Type" not in Client(bare).get("/").headers
    assert "Content-Type" not in wzt.Client(bare).get("/").headers


def test_response_wrapper_choice():
    class Mine(Response):
        marker = True

    wrapped = Client(site, response_wrapper=Mine).get("/echo")
    assert isinstance(wrapped, Mine) and isinstance(wrapped, TestResponse)
    assert type(wrapped).__name__ == "WrapperTestResponse"
    assert Client(site, response_wrapper=Mine).response_wrapper is type(wrapped)

    class Ready(TestResponse, Response):
        pass

    assert type(Client(site, response_wrapper=Ready).get("/echo")) is Ready
    assert Client(site, response_wrapper=Response).response_wrapper is Client(site).response_wrapper


def test_closing_the_response_closes_the_application_iterable():
    body = Tracked([b"1", b"2"])

    def app(environ, start_response):
        start_response("200 OK", [])
        return body

    with Client(app).get("/") as response:
        assert response.get_data() == b"12"
    assert body.closed == 1


def test_client_repr_and_with_block():
    client = Client(site)
    assert repr(client) == f"<Client {site!r}>"
    with client as entered:
        assert entered is client


# -- ErlenClient (Flask's FlaskClient) over a stand-in application ------------------------
#
# ``FakeApp`` implements only the hooks the client relies on, so these tests pin that
# contract: ``config``, ``response_class``, ``json``, ``test_request_context``,
# ``session_interface`` and the ``erlen.preserve_context`` environ callback.

PUSHED: list[str] = []


class FakeContext:
    def __init__(self, name: str) -> None:
        self.name = name

    def push(self) -> None:
        PUSHED.append(self.name)

    def pop(self, exc: BaseException | None = None) -> None:
        assert PUSHED[-1] == self.name, f"popping {self.name} but {PUSHED} is pushed"
        PUSHED.pop()

    def __enter__(self) -> FakeContext:
        self.push()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.pop()


class FakeRequestContext(FakeContext):
    def __init__(self, environ: dict) -> None:
        super().__init__(f"request {environ['PATH_INFO']}")
        self.request = Request(environ)


class FakeJSON:
    @staticmethod
    def dumps(obj, **kwargs):
        return json.dumps({"wrapped": obj}, **kwargs)

    @staticmethod
    def loads(data, **kwargs):
        return {"loaded": json.loads(data, **kwargs)}


NULL_SESSION = object()


class FakeSessionInterface:
    def __init__(self) -> None:
        self.opened_with = None

    def open_session(self, app, request):
        self.opened_with = request
        if request.headers.get("X-No-Session"):
            return None
        raw = request.cookies.get("session")
        return json.loads(raw) if raw else {}

    def is_null_session(self, session) -> bool:
        return session is NULL_SESSION

    def save_session(self, app, session, response) -> None:
        assert PUSHED and PUSHED[-1].startswith("request"), "saved outside the request context"
        response.set_cookie("session", json.dumps(session, sort_keys=True))


class FakeApp:
    response_class = Response

    def __init__(self, **config) -> None:
        self.config = {
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "PREFERRED_URL_SCHEME": "http",
            **config,
        }
        self.json = FakeJSON()
        self.session_interface = FakeSessionInterface()
        self.seen_contexts: list[str] = []

    def test_request_context(self, *args, **kwargs) -> FakeRequestContext:
        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return FakeRequestContext(builder.get_environ())
        finally:
            builder.close()

    def __call__(self, environ, start_response):
        app_ctx, request_ctx = FakeContext("app"), FakeRequestContext(environ)
        app_ctx.push()
        request_ctx.push()
        try:
            self.seen_contexts.append(list(PUSHED))
            path = environ["PATH_INFO"]
            if path.startswith("/count/") and path != "/count/0":
                location = f"/count/{int(path.rsplit('/', 1)[1]) - 1}"
                start_response("302 FOUND", [("Location", location)])
                return [b""]
            return _json_response(start_response, _environ_view(environ))
        finally:
            preserve = environ.get("erlen.preserve_context")
            if preserve is not None:
                preserve(app_ctx)
                preserve(request_ctx)
            request_ctx.pop()
            app_ctx.pop()


@pytest.fixture(autouse=False)
def fake_app():
    PUSHED.clear()
    yield FakeApp()
    assert PUSHED == [], "a context was left pushed"


def test_flask_client_alias():
    from erlen.testing import ErlenClient, FlaskClient

    assert FlaskClient is ErlenClient


def test_environ_base_defaults(fake_app):
    from erlen import __version__
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    sent = client.get("/echo").json["loaded"]
    assert sent["REMOTE_ADDR"] == "127.0.0.1"
    assert sent["HTTP_USER_AGENT"] == f"Erlen/{__version__}"
    client.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    assert client.get("/echo").json["loaded"]["REMOTE_ADDR"] == "10.1.1.1"
    mine = client.get("/echo", environ_base={"REMOTE_ADDR": "8.8.8.8"}).json["loaded"]
    assert mine["REMOTE_ADDR"] == "8.8.8.8"
    assert mine["HTTP_USER_AGENT"].startswith("Erlen/")


@pytest.mark.parametrize(
    ("config", "kwargs", "expected"),
    [
        ({}, {}, ("localhost", "http", "")),
        ({"SERVER_NAME": "example.com:8080"}, {}, ("example.com:8080", "http", "")),
        ({"SERVER_NAME": "example.com"}, {"subdomain": "api"}, ("api.example.com", "http", "")),
        ({"APPLICATION_ROOT": "/root"}, {}, ("localhost", "http", "/root")),
        ({"PREFERRED_URL_SCHEME": "https"}, {}, ("localhost", "https", "")),
        ({}, {"url_scheme": "https"}, ("localhost", "https", "")),
        ({}, {"base_url": "http://given.example/base"}, ("given.example", "http", "/base")),
    ],
)
def test_requests_take_defaults_from_the_app(fake_app, config, kwargs, expected):
    from erlen.testing import ErlenClient

    fake_app.config.update(config)
    sent = ErlenClient(fake_app, Response).get("/echo", **kwargs).json["loaded"]
    assert (sent["HTTP_HOST"], sent["wsgi.url_scheme"], sent["SCRIPT_NAME"]) == expected


def test_json_goes_through_the_apps_provider(fake_app):
    from erlen.testing import ErlenClient

    response = ErlenClient(fake_app, Response).post("/echo", json=[1])
    assert response.json_module is fake_app.json
    sent = response.json["loaded"]
    assert sent["body"] == '{"wrapped": [1]}'
    assert sent["CONTENT_TYPE"] == "application/json"


def test_every_kind_of_open_argument_gets_environ_base(fake_app):
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    builder = EnvironBuilder("/echo", environ_base={"X_OWN": "1"})
    for argument in (
        builder,
        create_environ("/echo"),
        Request(create_environ("/echo")),
    ):
        sent = client.open(argument).json["loaded"]
        assert sent["REMOTE_ADDR"] == "127.0.0.1"
    assert builder.environ_base == {"X_OWN": "1"}  # the caller's builder is not changed


def test_contexts_are_kept_inside_with(fake_app):
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    client.get("/outside")
    assert PUSHED == []
    with client:
        client.get("/first")
        assert PUSHED == ["app", "request /first"]
        client.get("/second")
        # The previous request's contexts were popped before the next request ran.
        assert fake_app.seen_contexts[-1] == ["app", "request /second"]
        assert PUSHED == ["app", "request /second"]
    assert PUSHED == []


def test_redirect_chain_keeps_the_last_requests_contexts(fake_app):
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    with client:
        response = client.get("/count/2", follow_redirects=True)
        assert len(response.history) == 2
        assert PUSHED == ["app", "request /count/0"]
    assert PUSHED == []


def test_with_blocks_do_not_nest(fake_app):
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    with client, pytest.raises(RuntimeError, match="Cannot nest"), client:
        pass
    with client:  # usable again afterwards
        client.get("/again")
    assert PUSHED == []


def test_session_transaction(fake_app):
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    with client.session_transaction() as session:
        assert session == {}
        session["user"] = "ada"
    assert client.get_cookie("session").decoded_value == '{"user": "ada"}'
    assert client.get("/echo").json["loaded"]["HTTP_COOKIE"] == 'session="{\\"user\\": \\"ada\\"}"'
    with client.session_transaction() as session:
        assert session == {"user": "ada"}  # the client's cookies were sent
        session["n"] = 1
    with client.session_transaction() as session:
        assert session == {"user": "ada", "n": 1}


def test_session_transaction_arguments_reach_the_request(fake_app):
    from erlen.testing import ErlenClient

    client = ErlenClient(fake_app, Response)
    with client.session_transaction("/shop", base_url="http://shop.example") as session:
        session["cart"] = 3
    request = fake_app.session_interface.opened_with
    assert (request.host, request.path) == ("shop.example", "/shop")
    assert client.get_cookie("session") is None
    assert client.get_cookie("session", domain="shop.example").decoded_value == '{"cart": 3}'


def test_session_transaction_errors(fake_app):
    from erlen.testing import ErlenClient

    with (
        pytest.raises(TypeError, match="Cookies are disabled"),
        ErlenClient(fake_app, Response, use_cookies=False).session_transaction(),
    ):
        pass
    client = ErlenClient(fake_app, Response)
    with (
        pytest.raises(RuntimeError, match="did not open a session"),
        client.session_transaction(headers={"X-No-Session": "1"}),
    ):
        pass


def test_null_sessions_are_not_saved(fake_app):
    from erlen.testing import ErlenClient

    fake_app.session_interface.open_session = lambda app, request: NULL_SESSION
    client = ErlenClient(fake_app, Response)
    with client.session_transaction() as session:
        assert session is NULL_SESSION
    assert client.get_cookie("session") is None


def test_environ_matches_flask_client():
    """The same requests through FlaskClient (a Flask echo app) and ErlenClient."""
    import flask

    from erlen.testing import ErlenClient

    flask_app = flask.Flask(__name__)
    flask_app.config.update(SERVER_NAME="example.com", APPLICATION_ROOT="/root")

    @flask_app.route("/<path:anything>", methods=["GET", "POST"])
    def echo(anything):
        return _environ_view(flask.request.environ)

    fake_app = FakeApp(SERVER_NAME="example.com", APPLICATION_ROOT="/root")
    fake_app.json = None  # serialize like Flask's default provider
    mine, theirs = ErlenClient(fake_app, Response), flask_app.test_client()
    for args, kwargs in [
        (("/root/x?q=1",), {}),
        (("/root/x",), {"subdomain": "api", "query_string": {"a": "b"}}),
        (("/root/x",), {"url_scheme": "https", "method": "POST", "data": {"k": "v"}}),
        (("/root/x",), {"json": {"a": [1, 2]}, "method": "POST"}),
        (("https://other.example/root/x",), {}),
    ]:
        a = mine.open(*args, **kwargs).json
        b = theirs.open(*args, **kwargs).json
        a.pop("HTTP_USER_AGENT")
        b.pop("HTTP_USER_AGENT")
        b = {key: value for key, value in b.items() if not key.startswith("werkzeug.")}
        assert a == b


# -- with a real application, Erlen against Flask ----------------------------------------


def _frameworks():
    import flask

    import erlen

    return [("flask", flask, flask.Flask), ("erlen", erlen, erlen.Erlen)]


def build_app(fw, app_class):
    app = app_class(__name__)
    app.secret_key = "testing-secret"

    @app.route("/")
    def index():
        return "index"

    @app.route("/echo", methods=["GET", "POST", "PUT", "DELETE"])
    def echo():
        r = fw.request
        return fw.jsonify(
            method=r.method,
            args=r.args.to_dict(flat=False),
            form=r.form.to_dict(flat=False),
            files={
                k: [(f.filename, f.read().decode()) for f in r.files.getlist(k)] for k in r.files
            },
            json=r.get_json(silent=True),
            cookies=dict(sorted(r.cookies.items())),
            host=r.host,
            url=r.url,
            remote=r.remote_addr,
        )

    @app.route("/set/<name>/<value>")
    def set_cookie(name, value):
        response = fw.make_response("set")
        response.set_cookie(name, value, path=fw.request.args.get("path", "/"))
        return response

    @app.route("/forget/<name>")
    def forget(name):
        response = fw.make_response("forgotten")
        response.delete_cookie(name)
        return response

    @app.route("/go/<int:code>", methods=["GET", "POST"])
    def go(code):
        return fw.redirect(fw.url_for("echo", via=code), code=code)

    @app.route("/slash/")
    def slash():
        return "slash"

    @app.route("/login", methods=["POST"])
    def login():
        fw.session["user"] = fw.request.form["user"]
        return fw.redirect(fw.url_for("whoami"))

    @app.route("/whoami")
    def whoami():
        fw.g.user = fw.session.get("user")
        return fw.jsonify(user=fw.g.user, keys=sorted(fw.session.keys()))

    return app


APP_REQUESTS = [
    ("get", ("/",), {}),
    ("get", ("/echo?a=1&a=2",), {}),
    ("post", ("/echo",), {"data": {"f": (io.BytesIO(b"up"), "u.txt"), "x": "1"}}),
    ("post", ("/echo",), {"json": {"k": "v"}}),
    ("put", ("/echo",), {"data": "a=1", "content_type": "application/x-www-form-urlencoded"}),
    ("get", ("/set/theme/dark",), {}),
    ("get", ("/set/scoped/1?path=/echo",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/forget/theme",), {}),
    ("get", ("/echo",), {}),
    ("get", ("/go/302",), {"follow_redirects": True}),
    ("post", ("/go/303",), {"data": {"a": "1"}, "follow_redirects": True}),
    ("post", ("/go/307",), {"data": {"a": "1"}, "follow_redirects": True}),
    ("get", ("/slash",), {}),
    ("get", ("/slash",), {"follow_redirects": True}),
    ("get", ("/echo",), {"base_url": "https://secure.example/"}),
    ("post", ("/login",), {"data": {"user": "ada"}, "follow_redirects": True}),
    ("get", ("/whoami",), {}),
    ("get", ("/missing",), {}),
]


def _app_view(response):
    body = response.get_json() if response.is_json else response.get_data()
    headers = sorted(
        (k.lower(), v) for k, v in response.headers.items() if k.lower() not in ("date", "server")
    )
    session_free = [
        h for h in headers if not (h[0] == "set-cookie" and h[1].startswith("session="))
    ]
    history = [(r.status_code, r.headers.get("Location")) for r in response.history]
    return response.status_code, session_free, body, history, response.request.url


def test_real_app_matches_flask():
    results = {}
    for name, fw, app_class in _frameworks():
        client = build_app(fw, app_class).test_client()
        results[name] = [
            _app_view(getattr(client, method)(*args, **_fresh_files(kwargs)))
            for method, args, kwargs in APP_REQUESTS
        ]
    for request, mine, theirs in zip(APP_REQUESTS, results["erlen"], results["flask"], strict=True):
        assert mine == theirs, request


def _fresh_files(kwargs):
    data = kwargs.get("data")
    if isinstance(data, dict):
        data = {
            k: (io.BytesIO(v[0].getvalue()), *v[1:]) if isinstance(v, tuple) else v
            for k, v in data.items()
        }
        return {**kwargs, "data": data}
    return kwargs


def test_real_app_client_type_and_response_class():
    import erlen
    from erlen.testing import ErlenClient

    app = build_app(erlen, erlen.Erlen)
    client = app.test_client()
    assert type(client) is ErlenClient
    response = client.get("/")
    assert isinstance(response, app.response_class) and isinstance(response, TestResponse)
    assert response.json_module is app.json

    class Custom(ErlenClient):
        def __init__(self, *args, marker=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.marker = marker

    app.test_client_class = Custom
    custom = app.test_client(marker="m", use_cookies=False)
    assert isinstance(custom, Custom) and custom.marker == "m" and custom._cookies is None


def test_real_app_with_client_preserves_request_session_and_g():
    import erlen

    app = build_app(erlen, erlen.Erlen)
    client = app.test_client()
    client.post("/login", data={"user": "ada"})
    with client:
        client.get("/whoami?probe=1")
        assert erlen.request.args["probe"] == "1"
        assert erlen.session["user"] == "ada"
        assert erlen.g.user == "ada"
        client.get("/echo?second=1")
        assert "second" in erlen.request.args
    assert not erlen.has_request_context()
    assert not erlen.has_app_context()


def test_real_app_follow_redirects_preserves_final_request():
    import erlen

    app = build_app(erlen, erlen.Erlen)
    with app.test_client() as client:
        response = client.get("/go/302", follow_redirects=True)
        assert erlen.request.path == "/echo"
        assert erlen.request.args["via"] == "302"
        assert [r.status_code for r in response.history] == [302]
    assert not erlen.has_request_context()


def test_real_app_session_transaction():
    import erlen

    app = build_app(erlen, erlen.Erlen)
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = "grace"
    assert client.get("/whoami").json == {"keys": ["user"], "user": "grace"}
    with client.session_transaction() as session:
        assert session["user"] == "grace"
        session.clear()
    assert client.get("/whoami").json == {"keys": [], "user": None}


def test_real_app_session_transaction_matches_flask():
    results = {}
    for name, fw, app_class in _frameworks():
        client = build_app(fw, app_class).test_client()
        with client.session_transaction() as session:
            session["user"] = "ada"
            session["n"] = 1
        first = client.get("/whoami").get_json()
        with client.session_transaction() as session:
            seen = dict(session)
        cookie = client.get_cookie("session")
        results[name] = (first, seen, cookie.path, cookie.http_only, cookie.domain)
    assert results["erlen"] == results["flask"]


def test_real_app_test_request_context_uses_the_builder():
    import erlen

    app = erlen.Erlen(__name__)
    app.config.update(SERVER_NAME="example.com", APPLICATION_ROOT="/root")
    with app.test_request_context("/page?x=1", subdomain="api", json={"a": 1}, method="POST"):
        assert erlen.request.host == "api.example.com"
        assert erlen.request.root_path == "/root"
        assert erlen.request.args["x"] == "1"
        assert erlen.request.get_json() == {"a": 1}
