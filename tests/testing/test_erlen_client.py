"""erlen.testing.ErlenClient (Flask's FlaskClient): first over a stand-in application
that pins the hooks the client relies on, then over real apps, Erlen against Flask."""

from __future__ import annotations

import io
import json

import pytest

from erlen.testing import EnvironBuilder, TestResponse, create_environ
from erlen.wrappers import Request, Response

from .test_client import _environ_view, _json_response

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
