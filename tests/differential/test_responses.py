"""Responses: every view return convention, make_response, Response attributes and
cookies, jsonify and the JSON provider, redirect() for every code and unsafe targets,
status texts, streaming."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid

from .harness import get, head, in_app, in_request, post, probe, scenario

# --------------------------------------------------------------------------------------
# Return conventions
# --------------------------------------------------------------------------------------


def _returns_app(fw):
    app = fw.App(__name__)
    returns = {
        "str": lambda: "Hello, World!",
        "empty-str": lambda: "",
        "unicode": lambda: "héllo wörld ✓",
        "bytes": lambda: b"raw \xff bytes",
        "bytearray": lambda: bytearray(b"array"),
        "dict": lambda: {"b": 2, "a": [1, 2, {"z": None, "y": True}]},
        "empty-dict": lambda: {},
        "list": lambda: [3, "two", {"one": 1.5}],
        "empty-list": lambda: [],
        "response": lambda: fw.Response("made by hand", status=201, mimetype="text/plain"),
        "body-status": lambda: ("Resource not found", 404),
        "body-status-str": lambda: ("Created", "201 CREATED"),
        "body-status-custom-str": lambda: ("Odd", "299 Something Odd"),
        "body-status-bare-str": lambda: ("Bare", "202"),
        "body-headers-dict": lambda: ("Fresh data", {"Cache-Control": "no-store"}),
        "body-headers-list": lambda: ("Listed", [("X-A", "1"), ("X-A", "2"), ("X-B", "b")]),
        "body-status-headers": lambda: (
            "Custom Response",
            200,
            {"X-Custom-Header": "flask-tutorial"},
        ),
        "dict-status": lambda: ({"created": True}, 201),
        "dict-status-headers": lambda: ({"ok": 1}, 202, {"Location": "/things/1"}),
        "list-status": lambda: ([1, 2], 206),
        "response-status": lambda: (fw.Response("resp"), 203),
        "response-headers": lambda: (fw.Response("resp"), {"X-Extra": "yes"}),
        "response-status-headers": lambda: (fw.Response("resp"), 418, {"X-Tea": "pot"}),
        "empty-204": lambda: ("", 204),
        "none-body-headers": lambda: ("", 204, {"X-Deleted": "1"}),
        "header-content-type": lambda: ("a,b\n1,2\n", {"Content-Type": "text/csv"}),
        "header-content-length": lambda: ("12345", {"Content-Length": "3"}),
        "status-zero-padded": lambda: ("x", 200, {"X-Num": 5}),
        "json-response-obj": lambda: fw.jsonify(message="hi"),
        "json-tuple": lambda: (fw.jsonify({"error": "Something went wrong"}), 500),
        "http-exception": lambda: fw.exceptions.NotFound(),
        "http-exception-custom": lambda: fw.exceptions.Forbidden("not for you"),
    }
    for name, fn in returns.items():
        app.add_url_rule(f"/r/{name}", name, fn)

    @app.route("/r/none")
    def none():
        pass

    @app.route("/r/int")
    def integer():
        return 42

    @app.route("/r/four-tuple")
    def four_tuple():
        return "a", 200, {}, "extra"

    @app.route("/r/one-tuple")
    def one_tuple():
        return ("only body",)

    @app.route("/r/set")
    def a_set():
        return {1, 2}

    @app.route("/r/object")
    def an_object():
        return object()

    @app.route("/r/dict-unserializable")
    def dict_unserializable():
        return {"when": object()}

    @app.route("/r/bad-status")
    def bad_status():
        return "x", "not a status"

    @app.route("/r/generator")
    def generator():
        def chunks():
            yield "one,"
            yield "two,"
            yield b"three"

        return chunks()

    @app.route("/r/generator-with-status")
    def generator_with_status():
        return (chunk for chunk in ["a", "b"]), 201, {"X-Stream": "1"}

    @app.route("/r/response-generator")
    def response_generator():
        return fw.Response((c for c in ["x", "y", "z"]), mimetype="text/plain")

    @app.route("/r/iterable-list-response")
    def iterable_list_response():
        return fw.Response(["a", "b", "c"])

    @app.route("/r/stream-with-context")
    def stream_ctx():
        def chunks():
            yield "path="
            yield fw.request.path
            yield " arg="
            yield fw.request.args.get("q", "")

        return fw.stream_with_context(chunks())

    @app.route("/r/wsgi-callable")
    def wsgi_callable():
        def app_(environ, start_response):
            start_response("202 ACCEPTED", [("Content-Type", "text/plain"), ("X-Wsgi", "1")])
            return [b"from a wsgi app"]

        return app_

    return app


_RETURN_PATHS = [
    "str",
    "empty-str",
    "unicode",
    "bytes",
    "bytearray",
    "dict",
    "empty-dict",
    "list",
    "empty-list",
    "response",
    "body-status",
    "body-status-str",
    "body-status-custom-str",
    "body-status-bare-str",
    "body-headers-dict",
    "body-headers-list",
    "body-status-headers",
    "dict-status",
    "dict-status-headers",
    "list-status",
    "response-status",
    "response-headers",
    "response-status-headers",
    "empty-204",
    "none-body-headers",
    "header-content-type",
    "header-content-length",
    "status-zero-padded",
    "json-response-obj",
    "json-tuple",
    "http-exception",
    "http-exception-custom",
    "none",
    "int",
    "four-tuple",
    "one-tuple",
    "set",
    "object",
    "dict-unserializable",
    "bad-status",
    "generator",
    "generator-with-status",
    "response-generator",
    "iterable-list-response",
    "stream-with-context?q=flask",
    "wsgi-callable",
]


@scenario(*[get(f"/r/{path}") for path in _RETURN_PATHS])
def view_return_values(fw):
    return _returns_app(fw)


@scenario(
    head("/r/str"),
    head("/r/dict"),
    head("/r/generator"),
    head("/r/empty-204"),
    head("/r/body-status"),
)
def head_requests_drop_the_body(fw):
    return _returns_app(fw)


@scenario(
    get("/r/none"),
    get("/r/int"),
    get("/r/four-tuple"),
    get("/r/str"),
    config={"TESTING": True},
)
def bad_return_values_propagate_when_testing(fw):
    return _returns_app(fw)


# --------------------------------------------------------------------------------------
# make_response and Response attributes
# --------------------------------------------------------------------------------------


@scenario(
    get("/mr/empty"),
    get("/mr/str"),
    get("/mr/str-status"),
    get("/mr/tuple"),
    get("/mr/dict"),
    get("/mr/list"),
    get("/mr/response"),
    get("/mr/headers"),
    get("/mr/bytes-status-headers"),
    get("/mr/custom"),
    get("/mr/download"),
    get("/mr/status-int"),
    get("/mr/status-str"),
    get("/mr/status-unknown"),
    get("/mr/mimetype"),
    get("/mr/content-type"),
    get("/mr/charset"),
    get("/mr/headers-api"),
    get("/mr/data-setter"),
    get("/mr/cache-control"),
    get("/mr/vary"),
    get("/mr/etag"),
    get("/mr/location"),
    get("/mr/retry-after"),
    get("/mr/www-authenticate"),
    get("/mr/www-authenticate-item"),
    get("/mr/dates"),
    get("/mr/content-misc"),
    get("/mr/header-newline"),
)
def make_response_and_response_attributes(fw):
    app = fw.App(__name__)
    mk = fw.make_response

    @app.route("/mr/<kind>")
    def made(kind):
        if kind == "empty":
            return mk()
        if kind == "str":
            return mk("Custom Response")
        if kind == "str-status":
            return mk("Custom Response", 201)
        if kind == "tuple":
            return mk(("tuple body", 202, {"X-T": "t"}))
        if kind == "dict":
            return mk({"a": 1})
        if kind == "list":
            return mk([1, "2"])
        if kind == "response":
            return mk(fw.Response("inner", 203))
        if kind == "headers":
            return mk("with headers", {"X-Custom": "value"})
        if kind == "bytes-status-headers":
            return mk(b"bytes", 200, [("X-One", "1")])
        if kind == "custom":
            resp = mk("Custom Response", 200)
            resp.headers["X-Custom-Header"] = "MyValue"
            resp.set_cookie("visited", "true", max_age=3600)
            return resp
        if kind == "download":
            resp = mk("name,email\nFolau,folau@example.com\n")
            resp.headers["Content-Type"] = "text/csv"
            resp.headers["Content-Disposition"] = "attachment; filename=users.csv"
            return resp
        resp = mk(f"kind={kind}")
        if kind == "status-int":
            resp.status_code = 201
        elif kind == "status-str":
            resp.status = "202 Accepted For Later"
        elif kind == "status-unknown":
            resp.status_code = 599
        elif kind == "mimetype":
            resp.mimetype = "text/plain"
        elif kind == "content-type":
            resp.content_type = "application/xml; charset=latin-1"
        elif kind == "charset":
            resp.mimetype = "text/plain"
            resp.set_data("ünïcode")
        elif kind == "headers-api":
            resp.headers.add("X-Multi", "1")
            resp.headers.add("X-Multi", "2")
            resp.headers.set("X-Set", "a")
            resp.headers.set("X-Set", "b")
            resp.headers.add("Content-Disposition", "attachment", filename="r\u00e9sum\u00e9.pdf")
            resp.headers.setdefault("X-Default", "d")
            resp.headers.extend({"X-Ext": "e"})
            del resp.headers["X-Set"]
            resp.headers["X-Int"] = 7
        elif kind == "data-setter":
            resp.data = b"replaced body"
            resp.headers["X-Len"] = str(resp.content_length)
        elif kind == "cache-control":
            resp.cache_control.max_age = 300
            resp.cache_control.public = True
            resp.cache_control.no_transform = True
        elif kind == "vary":
            resp.vary.add("Accept-Encoding")
            resp.vary.add("Cookie")
        elif kind == "etag":
            resp.set_etag("abc123")
            resp.headers["X-Weak"] = str(resp.get_etag())
        elif kind == "location":
            resp.location = "/somewhere else"
            resp.status_code = 301
        elif kind == "retry-after":
            resp.status_code = 503
            resp.retry_after = 120
        elif kind == "www-authenticate":
            resp.status_code = 401
            resp.www_authenticate = fw.datastructures.WWWAuthenticate(
                "basic", {"realm": "Login Required"}
            )
        elif kind == "www-authenticate-item":
            resp.status_code = 401
            resp.www_authenticate["realm"] = "two words"
        elif kind == "dates":
            when = datetime.datetime(2026, 2, 20, 12, 30, tzinfo=datetime.timezone.utc)
            resp.last_modified = when
            resp.expires = when
        elif kind == "content-misc":
            resp.content_language.add("en-US")
            resp.content_encoding = "identity"
            resp.headers["Link"] = '</style.css>; rel="preload"'
        elif kind == "header-newline":
            resp.headers["X-Bad"] = "a\r\nInjected: yes"
        return resp

    return app


@scenario(
    get("/cookies/set"),
    get("/cookies/options"),
    get("/cookies/delete"),
    get("/cookies/quoted"),
    get("/cookies/expires"),
    get("/cookies/samesite"),
    get("/cookies/bad-samesite"),
    get("/cookies/partitioned"),
)
def response_cookies(fw):
    app = fw.App(__name__)

    @app.route("/cookies/<kind>")
    def cookies(kind):
        resp = fw.make_response(f"cookie {kind}")
        if kind == "set":
            resp.set_cookie("username", "folau", max_age=3600)
        elif kind == "options":
            resp.set_cookie(
                "opts",
                "v",
                path="/app",
                domain="example.com",
                secure=True,
                httponly=True,
            )
        elif kind == "delete":
            resp.delete_cookie("username")
            resp.delete_cookie("other", path="/x", domain="example.com")
        elif kind == "quoted":
            resp.set_cookie("q", 'with space, "quotes"; and semicolon')
            resp.set_cookie("u", "ünïcode")
        elif kind == "expires":
            when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
            resp.set_cookie("exp", "1", expires=when)
            resp.set_cookie("exp2", "2", max_age=datetime.timedelta(days=1))
            resp.set_cookie("exp3", "3", expires=0)
        elif kind == "samesite":
            resp.set_cookie("lax", "1", samesite="Lax")
            resp.set_cookie("strict", "1", samesite="strict")
            resp.set_cookie("none", "1", samesite="None", secure=True)
        elif kind == "bad-samesite":
            resp.set_cookie("bad", "1", samesite="sometimes")
        elif kind == "partitioned":
            resp.set_cookie("part", "1", partitioned=True)
        return resp

    return app


# --------------------------------------------------------------------------------------
# jsonify and the JSON provider
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Point:
    x: int
    y: int


class _HtmlThing:
    def __html__(self):
        return "<b>safe</b>"


def _jsonify_app(fw):
    app = fw.App(__name__)
    values = {
        "dict": lambda: fw.jsonify({"status": "healthy", "service": "api", "version": "1.0.0"}),
        "kwargs": lambda: fw.jsonify(b=1, a=2),
        "list": lambda: fw.jsonify([1, 2, 3]),
        "args": lambda: fw.jsonify(1, "two", None),
        "single-arg": lambda: fw.jsonify("just a string"),
        "none": lambda: fw.jsonify(None),
        "empty": lambda: fw.jsonify(),
        "number": lambda: fw.jsonify(3.25),
        "nested-sorted": lambda: fw.jsonify({"z": {"b": 1, "a": 2}, "a": [{"d": 1, "c": 2}]}),
        "unicode": lambda: fw.jsonify(text="héllo ✓ 日本", emoji="😀"),
        "html-chars": lambda: fw.jsonify(html="<script>alert('x') & \"y\"</script>"),
        "datetime": lambda: fw.jsonify(
            when=datetime.datetime(2026, 2, 20, 13, 5, 9, tzinfo=datetime.timezone.utc),
            naive=datetime.datetime(2026, 2, 20, 13, 5, 9),
            day=datetime.date(2026, 2, 20),
        ),
        "uuid": lambda: fw.jsonify(id=uuid.UUID("a8098c1a-f86e-11da-bd1a-00112444be1e")),
        "decimal": lambda: fw.jsonify(price=decimal.Decimal("19.99")),
        "dataclass": lambda: fw.jsonify(_Point(1, 2)),
        "html-object": lambda: fw.jsonify(thing=_HtmlThing()),
        "tuple": lambda: fw.jsonify((1, 2)),
        "int-keys": lambda: fw.jsonify({1: "one", 2: "two"}),
        "floats": lambda: fw.jsonify(big=1e100, small=1e-7, neg=-0.0, whole=2.0),
        "bools": lambda: fw.jsonify(t=True, f=False, n=None),
        "set": lambda: fw.jsonify({1, 2}),
        "both-args-kwargs": lambda: fw.jsonify([1], a=2),
        "bytes": lambda: fw.jsonify(b"bytes"),
        "nan": lambda: fw.jsonify(x=float("nan"), inf=float("inf")),
        "mixed-keys": lambda: fw.jsonify({"b": 1, 2: "x"}),
    }
    for name, fn in values.items():
        app.add_url_rule(f"/j/{name}", name, fn)
    return app


_JSON_PATHS = [
    "dict",
    "kwargs",
    "list",
    "args",
    "single-arg",
    "none",
    "empty",
    "number",
    "nested-sorted",
    "unicode",
    "html-chars",
    "datetime",
    "uuid",
    "decimal",
    "dataclass",
    "html-object",
    "tuple",
    "int-keys",
    "floats",
    "bools",
    "set",
    "both-args-kwargs",
    "bytes",
    "nan",
    "mixed-keys",
]


@scenario(*[get(f"/j/{path}", exact_json=True) for path in _JSON_PATHS])
def jsonify_bytes_exact(fw):
    return _jsonify_app(fw)


@scenario(
    get("/j/dict", exact_json=True),
    get("/j/nested-sorted", exact_json=True),
    get("/j/unicode", exact_json=True),
    config={"DEBUG": True},
)
def jsonify_pretty_in_debug(fw):
    return _jsonify_app(fw)


@scenario(
    get("/j/dict", exact_json=True),
    get("/j/nested-sorted", exact_json=True),
    get("/j/unicode", exact_json=True),
)
def json_provider_settings(fw):
    app = _jsonify_app(fw)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.json.compact = False
    app.json.mimetype = "application/vnd.api+json"
    return app


@scenario(
    get("/j/dict", exact_json=True),
    get("/j/list", exact_json=True),
)
def json_provider_compact_forced(fw):
    app = _jsonify_app(fw)
    app.json.compact = True
    app.config["DEBUG"] = True
    return app


@scenario(
    in_app(
        probe("json.dumps", lambda fw: fw.json.dumps({"b": 1, "a": [1, 2]})),
        probe("json.dumps date", lambda fw: fw.json.dumps(datetime.date(2020, 1, 2))),
        probe("json.loads", lambda fw: fw.json.loads('{"a": [1, 2.5, null]}')),
        probe("json.loads bytes", lambda fw: fw.json.loads(b'{"a": "\\u00e9"}')),
        probe("app.json.dumps", lambda fw: fw.current_app.json.dumps({"é": 1})),
        probe(
            "app.json.response",
            lambda fw: fw.current_app.json.response({"x": 1}).get_data(),
        ),
        probe("json.dumps set", lambda fw: fw.json.dumps({1})),
    ),
    in_request(
        probe("json.dumps in request", lambda fw: fw.json.dumps([None, True])),
    ),
)
def json_module_helpers(fw):
    return fw.App(__name__)


# --------------------------------------------------------------------------------------
# redirect()
# --------------------------------------------------------------------------------------


def _redirect_app(fw):
    app = fw.App(__name__)

    @app.route("/new")
    def new_page():
        return f"new page via {fw.request.method}"

    @app.route("/code/<int:code>", methods=["GET", "POST"])
    def with_code(code):
        return fw.redirect(fw.url_for("new_page"), code=code)

    @app.route("/positional")
    def positional():
        return fw.redirect("/new", 301)

    targets = {
        "space": "/path with space?q=a b",
        "unicode": "/caf\u00e9/\u65e5\u672c?q=\u00fc",
        "idna": "http://b\u00fccher.example/\u00fc",
        "html": '/x"><script>alert(1)</script>',
        "js": "javascript:alert(1)",
        "absolute": "https://example.com/a?b=c#frag",
        "relative": "../up/one",
        "empty": "",
        "query-only": "?only=query",
        "percent": "/already%20encoded/%E2%82%AC",
        "bad-percent": "/bad%zzpercent",
        "newline": "/a\r\nSet-Cookie: evil=1",
        "tab": "/a\tb",
        "protocol-relative": "//evil.example/x",
        "backslash": "/\\evil.example",
        "hash": "/page#section 2",
    }

    @app.route("/target/<name>")
    def target(name):
        return fw.redirect(targets[name])

    @app.route("/custom-response-class")
    def custom_class():
        class Custom(fw.Response):
            default_mimetype = "text/plain"

        return fw.redirect("/new", Response=Custom)

    return app


_REDIRECT_CODES = [300, 301, 302, 303, 305, 307, 308, 200, 304, 400, 999]
_REDIRECT_TARGETS = [
    "space",
    "unicode",
    "idna",
    "html",
    "js",
    "absolute",
    "relative",
    "empty",
    "query-only",
    "percent",
    "bad-percent",
    "newline",
    "tab",
    "protocol-relative",
    "backslash",
    "hash",
]


@scenario(
    *[get(f"/code/{code}") for code in _REDIRECT_CODES],
    get("/positional"),
    get("/custom-response-class"),
)
def redirect_codes(fw):
    return _redirect_app(fw)


@scenario(*[get(f"/target/{name}") for name in _REDIRECT_TARGETS])
def redirect_unsafe_targets(fw):
    return _redirect_app(fw)


@scenario(
    get("/code/301", follow_redirects=True),
    get("/code/302", follow_redirects=True),
    post("/code/302", follow_redirects=True, data={"a": "b"}),
    post("/code/303", follow_redirects=True, data={"a": "b"}),
    post("/code/307", follow_redirects=True, data={"a": "b"}),
    post("/code/308", follow_redirects=True, data={"a": "b"}),
    post("/code/301", follow_redirects=True, data={"a": "b"}),
)
def redirect_methods_when_followed(fw):
    return _redirect_app(fw)


@scenario(
    get("/go"),
    in_app(probe("app.redirect", lambda fw: fw.current_app.redirect("/x", 307).status)),
)
def app_redirect_override(fw):
    class App(fw.App):
        def redirect(self, location, code=302):
            response = super().redirect(location, code)
            response.headers["X-Redirected-By"] = "subclass"
            return response

    app = App(__name__)
    app.add_url_rule("/go", "go", lambda: fw.redirect("/elsewhere"))
    return app


# --------------------------------------------------------------------------------------
# Status texts
# --------------------------------------------------------------------------------------

_STATUS_CODES = [100, 200, 201, 202, 203, 204, 206, 207, 226, 299, 404, 418, 422, 425, 451]
_STATUS_CODES += [499, 500, 507, 511, 599, 600, 999, 1000]


@scenario(*[get(f"/status/{code}") for code in _STATUS_CODES])
def status_texts(fw):
    app = fw.App(__name__)

    @app.route("/status/<int:code>")
    def status(code):
        return "body", code

    return app


def test_scenario(scenario, candidate):
    scenario.check(candidate)
