"""The test client: query_string=, json=, data= (dict, str, bytes, files), headers=,
content_type=, follow_redirects with history, cookies across requests, simple sessions
and flash, static files."""

from __future__ import annotations

from .harness import File, get, head, on_client, post, put, request, scenario


def _client_app(fw):
    app = fw.App(__name__)
    app.secret_key = "differential-test-secret"

    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    def echo():
        r = fw.request
        mimetype = r.mimetype
        return fw.jsonify(
            method=r.method,
            args={k: r.args.getlist(k) for k in r.args},
            form={k: r.form.getlist(k) for k in r.form},
            files={k: [f.filename for f in r.files.getlist(k)] for k in r.files},
            json=r.get_json(silent=True),
            data=r.get_data(as_text=True) if mimetype != "multipart/form-data" else None,
            mimetype=mimetype,
            x_header=r.headers.get("X-Header"),
            accept=r.headers.get("Accept"),
        )

    @app.route("/set/<name>/<value>")
    def set_cookie(name, value):
        response = fw.make_response(f"set {name}")
        response.set_cookie(name, value)
        return response

    @app.route("/set-path/<name>")
    def set_path_cookie(name):
        response = fw.make_response("set with path")
        response.set_cookie(name, "scoped", path="/scoped")
        return response

    @app.route("/set-expired/<name>")
    def set_expired(name):
        response = fw.make_response("expire")
        response.delete_cookie(name)
        return response

    @app.route("/cookies")
    @app.route("/scoped/cookies")
    def cookies():
        return fw.jsonify(dict(sorted(fw.request.cookies.items())))

    @app.route("/chain/<int:n>")
    def chain(n):
        if n <= 0:
            return "end of chain"
        return fw.redirect(fw.url_for("chain", n=n - 1, via=fw.request.args.get("via")))

    @app.route("/external-redirect")
    def external_redirect():
        return fw.redirect("http://elsewhere.example/landing")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if fw.request.method == "POST":
            fw.session["user"] = fw.request.form["username"]
            fw.session["visits"] = 0
            fw.flash(f"Welcome {fw.request.form['username']}", "success")
            return fw.redirect(fw.url_for("me"))
        return "login form"

    @app.route("/me")
    def me():
        if "user" not in fw.session:
            return fw.redirect(fw.url_for("login"))
        fw.session["visits"] = fw.session.get("visits", 0) + 1
        return fw.jsonify(
            user=fw.session["user"],
            visits=fw.session["visits"],
            flashes=fw.get_flashed_messages(with_categories=True),
        )

    @app.route("/peek")
    def peek():
        return fw.jsonify(
            keys=sorted(fw.session.keys()),
            new=fw.session.new,
            modified=fw.session.modified,
        )

    @app.route("/logout")
    def logout():
        fw.session.pop("user", None)
        fw.session.clear()
        return fw.redirect(fw.url_for("login"))

    @app.route("/permanent")
    def permanent():
        fw.session.permanent = True
        fw.session["p"] = 1
        return "permanent"

    return app


@scenario(
    get("/echo", query_string={"q": "flask", "page": 2}),
    get("/echo?a=1", query_string={"b": "2"}),
    get("/echo", query_string="raw=%20x&y"),
    get("/echo", query_string=[("k", "1"), ("k", "2")]),
    post("/echo", json={"title": "x", "list": [1, 2]}),
    post("/echo", json=[1, "a"]),
    post("/echo", data={"a": "1", "b": ["x", "y"]}),
    post("/echo", data="a=1&b=2"),
    post("/echo", data=b"bytes body"),
    post("/echo", data="text body", content_type="text/plain"),
    post("/echo", data=b'{"k": 1}', content_type="application/json"),
    post("/echo", data={"f": File(b"content", "f.txt"), "g": "field"}),
    post("/echo", data={"a": "1"}, content_type="multipart/form-data"),
    put("/echo", data="put body", headers={"X-Header": "hdr"}),
    request("PATCH", "/echo", json={"patch": True}),
    request("DELETE", "/echo"),
    request("OPTIONS", "/echo"),
    get("/echo", headers={"X-Header": "one", "Accept": "application/json"}),
    get("/echo", headers=[("X-Header", "first"), ("X-Header", "second")]),
    head("/echo"),
)
def request_building_options(fw):
    return _client_app(fw)


@scenario(
    get("/chain/3"),
    get("/chain/3", follow_redirects=True),
    get("/chain/2?via=x", follow_redirects=True),
    get("/external-redirect", follow_redirects=True),
    get("/chain/0", follow_redirects=True),
)
def follow_redirects_and_history(fw):
    return _client_app(fw)


@scenario(
    get("/cookies"),
    get("/set/flavour/chocolate"),
    get("/cookies"),
    get("/set/theme/dark"),
    get("/cookies"),
    get("/set/flavour/vanilla"),
    get("/cookies"),
    get("/set-path/scopedcookie"),
    get("/cookies"),
    get("/scoped/cookies"),
    get("/set-expired/flavour"),
    get("/cookies"),
    on_client("get_cookie theme", lambda fw, c: _cookie_view(c.get_cookie("theme"))),
    on_client("get_cookie missing", lambda fw, c: _cookie_view(c.get_cookie("missing"))),
    on_client("set_cookie manual", lambda fw, c: c.set_cookie("manual", "m")),
    get("/cookies"),
    get("/cookies", base_url="http://other.example"),
)
def cookies_persist_across_requests(fw):
    return _client_app(fw)


def _cookie_view(cookie):
    if cookie is None:
        return None
    return {"key": cookie.key, "value": cookie.value, "path": cookie.path}


@scenario(
    get("/me"),
    get("/peek"),
    post("/login", data={"username": "ada"}),
    get("/me"),
    get("/me"),
    get("/peek"),
    post("/login", data={"username": "grace"}, follow_redirects=True),
    get("/logout"),
    get("/me"),
    get("/permanent"),
)
def sessions_and_flash(fw):
    return _client_app(fw)


@scenario(
    get("/me"),
    post("/login", data={"username": "ada"}),
    config={
        "SESSION_COOKIE_NAME": "session",
        "SESSION_COOKIE_HTTPONLY": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_SECURE": True,
    },
)
def session_cookie_config(fw):
    return _client_app(fw)


@scenario(
    get("/me"),
    post("/login", data={"username": "ada"}),
    get("/me"),
    client_kwargs={"use_cookies": False},
)
def client_without_cookies(fw):
    return _client_app(fw)


def _static_app(fw):
    app = fw.App(__name__)
    app.add_url_rule("/", "index", lambda: "index")
    return app


# ETag is left out: its formula (mtime, size, checksum of the name) is Werkzeug's own.
_STATIC = {"ignore_headers": ("etag",)}


@scenario(
    get("/static/app.css", **_STATIC),
    get("/static/main.js", **_STATIC),
    get("/static/data.json", **_STATIC),
    get("/static/sub/file.txt", **_STATIC),
    get("/static/missing.css", **_STATIC),
    get("/static/../harness.py", **_STATIC),
    get("/static/%2e%2e/harness.py", **_STATIC),
    get("/static/sub/../app.css", **_STATIC),
    get("/static/", **_STATIC),
    get("/static", **_STATIC),
    get("/static/sub", **_STATIC),
    head("/static/app.css", **_STATIC),
    post("/static/app.css", **_STATIC),
)
def static_files(fw):
    return _static_app(fw)


@scenario(
    get("/assets/app.css", **_STATIC),
    get("/static/app.css", **_STATIC),
)
def static_url_path_option(fw):
    app = fw.App(__name__, static_url_path="/assets")
    return app


@scenario(
    get("/static/app.css", **_STATIC),
    config={"SEND_FILE_MAX_AGE_DEFAULT": 3600},
)
def static_max_age(fw):
    return _static_app(fw)


def test_scenario(scenario, candidate):
    scenario.check(candidate)
