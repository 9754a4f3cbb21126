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


def test_callers_cookie_header_is_replaced_by_the_jar_as_in_werkzeug():
    # With cookies enabled the jar owns the Cookie header, as in Werkzeug's client.
    for client in (Client(site), wzt.Client(site)):
        assert "HTTP_COOKIE" not in client.get("/echo", headers={"Cookie": "own=1"}).json
        client.set_cookie("jar", "2")
        response = client.get("/echo", headers={"Cookie": "own=1"})
        assert response.json["HTTP_COOKIE"] == "jar=2"
    # Without a jar the caller's header is sent as given.
    for client in (Client(site, use_cookies=False), wzt.Client(site, use_cookies=False)):
        assert client.get("/echo", headers={"Cookie": "own=1"}).json["HTTP_COOKIE"] == "own=1"


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
