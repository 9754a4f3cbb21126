"""url_for in depth: the same calls evaluated under many contexts (request base URLs and
script roots, SERVER_NAME, APPLICATION_ROOT, PREFERRED_URL_SCHEME, subdomains, app
context, no context), query-string encoding, _external/_scheme/_anchor/_method, value
types, url_for inside views and app.url_for."""

from __future__ import annotations

import uuid

from .harness import get, in_app, in_request, no_context, probe, scenario, url


def _url_app(fw, **app_kwargs):
    app = fw.App(__name__, **app_kwargs)

    @app.route("/")
    def index():
        return fw.url_for("index") + " " + fw.url_for("index", _external=True)

    @app.route("/user/<username>")
    def profile(username):
        return fw.url_for("profile", username=username, _external=True)

    @app.route("/post/<int:post_id>", methods=["GET", "POST"])
    def show_post(post_id):
        return str(post_id)

    @app.route("/dir/")
    def directory():
        return "dir"

    @app.route("/files/<path:name>")
    def files(name):
        return name

    bp = fw.Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/")
    def dashboard():
        return fw.url_for(".dashboard", _external=True)

    app.register_blueprint(bp)
    return app


# The calls every context below evaluates.
_CALLS = (
    url("index"),
    url("index", _external=True),
    url("profile", username="ada lovelace"),
    url("profile", username="ada", _external=True),
    url("profile", username="ada", _external=True, _scheme="https"),
    url("show_post", post_id=42, _anchor="comments"),
    url("directory"),
    url("files", name="a/b c.txt"),
    url("admin.dashboard"),
    url("admin.dashboard", _external=True),
    url("static", filename="css/style.css"),
    url("static", filename="css/style.css", _external=True),
    url("show_post"),
    url("nope"),
)


@scenario(
    in_request(*_CALLS),
    in_request(*_CALLS, base_url="https://example.com"),
    in_request(*_CALLS, base_url="http://example.com:8080"),
    in_request(*_CALLS, base_url="https://example.com:443"),
    in_request(*_CALLS, base_url="http://example.com/app"),
    in_request(*_CALLS, base_url="http://example.com/app/"),
    in_request(*_CALLS, base_url="http://example.com/deep/mount/point"),
    in_request(*_CALLS, base_url="http://[::1]:5000/"),
    in_request(*_CALLS, base_url="http://127.0.0.1:5000/"),
    in_request(*_CALLS, path="/user/ada?x=1", base_url="https://sub.example.org/root"),
    in_request(*_CALLS, url_scheme="https"),
    in_request(*_CALLS, path="/admin/"),
    in_request(*_CALLS, headers={"Host": "proxy.example.net:8000"}),
    in_app(*_CALLS),
    no_context(url("index")),
)
def url_for_across_request_contexts(fw):
    return _url_app(fw)


@scenario(
    in_request(*_CALLS),
    in_request(*_CALLS, base_url="http://example.com"),
    in_request(*_CALLS, base_url="http://other.org"),
    in_app(*_CALLS),
    get("/", base_url="http://example.com"),
    get("/", base_url="http://other.org"),
    get("/user/ada", base_url="https://example.com"),
    get("/admin/", base_url="http://example.com"),
    config={"SERVER_NAME": "example.com"},
)
def url_for_with_server_name(fw):
    return _url_app(fw)


@scenario(
    in_request(*_CALLS, base_url="http://example.com:8080"),
    in_app(*_CALLS),
    get("/", base_url="http://example.com:8080"),
    get("/", base_url="http://example.com"),
    config={"SERVER_NAME": "example.com:8080"},
)
def url_for_with_server_name_and_port(fw):
    return _url_app(fw)


@scenario(
    in_app(*_CALLS),
    in_request(*_CALLS),
    in_request(*_CALLS, base_url="http://example.com/other-root"),
    get("/", base_url="http://example.com/myapp"),
    config={"SERVER_NAME": "example.com", "APPLICATION_ROOT": "/myapp"},
)
def url_for_with_application_root(fw):
    return _url_app(fw)


@scenario(
    in_app(*_CALLS),
    in_request(*_CALLS),
    config={"SERVER_NAME": "example.com", "APPLICATION_ROOT": "/myapp/"},
)
def url_for_with_application_root_trailing_slash(fw):
    return _url_app(fw)


@scenario(
    in_app(*_CALLS),
    in_request(*_CALLS),
    in_request(*_CALLS, base_url="http://example.com"),
    config={"SERVER_NAME": "example.com", "PREFERRED_URL_SCHEME": "https"},
)
def url_for_with_preferred_scheme(fw):
    return _url_app(fw)


@scenario(
    in_app(*_CALLS),
    config={"PREFERRED_URL_SCHEME": "https", "APPLICATION_ROOT": "/x"},
)
def url_for_app_context_without_server_name(fw):
    return _url_app(fw)


@scenario(
    in_request(*_CALLS, subdomain="api"),
    in_request(*_CALLS, base_url="http://api.example.com"),
    in_app(*_CALLS),
    config={"SERVER_NAME": "example.com"},
)
def url_for_with_subdomain_request(fw):
    return _url_app(fw, subdomain_matching=True)


@scenario(
    in_request(
        url("index", q="flask", page=2),
        url("index", page=2, q="flask"),
        url("index", tags=["a", "b", "c"]),
        url("index", tags=("x", "y")),
        url("index", empty=""),
        url("index", none=None, keep=1),
        url("index", zero=0, false=False, true=True),
        url("index", f=1.5, n=-3),
        url("index", u=uuid.UUID("a8098c1a-f86e-11da-bd1a-00112444be1e")),
        url("index", text="a b&c=d?e#f/g+h%i"),
        url("index", text="é ü 日本 😀"),
        url("index", text="~!$'()*,;:@[]"),
        url("index", **{"weird key": "v", "k&=": "v"}),
        url("index", **{"_private": "x"}),
        url("index", lst=[]),
        url("index", lst=[None, "a"]),
        url("index", nested={"a": 1}),
        url("index", b=b"bytes"),
        url("profile", username="ada", q="x", _anchor="top"),
        url("profile", username="ada", _anchor=""),
        url("profile", username="ada", _anchor="sp ace/é?#%"),
        url("profile", username=5),
        url("profile", username=None),
        url("profile", username=""),
        url("profile", username=["a", "b"]),
        url("show_post", post_id="7"),
        url("show_post", post_id=7.9),
        url("show_post", post_id=-1),
        url("show_post", post_id="seven"),
        url("show_post", post_id=7, _method="POST"),
        url("show_post", post_id=7, _method="DELETE"),
        url("show_post", post_id=7, _method="get"),
        url("show_post", post_id=7, _external=False, _scheme=None),
        url("show_post", post_id=7, _scheme="https", _external=True, _anchor="a"),
        url("show_post", post_id=7, _scheme="http"),
        url("show_post", post_id=7, _scheme="wss", _external=True),
        url("show_post", post_id=7, _scheme="HTTPS", _external=True),
        url("files", name=""),
        url("files", name="../../etc/passwd"),
        url("files", name="a//b"),
        url("index", _external=True, _scheme=""),
    ),
)
def url_for_value_encoding(fw):
    return _url_app(fw)


@scenario(
    get("/"),
    get("/user/ada"),
    get("/admin/"),
    get("/", base_url="https://example.com/app"),
    get("/user/ada", base_url="https://example.com/app"),
    get("/admin/", base_url="https://example.com:8443/app"),
)
def url_for_inside_views(fw):
    return _url_app(fw)


@scenario(
    in_app(
        probe("app.url_for in app ctx", lambda fw: fw.current_app.url_for("index")),
        probe(
            "app.url_for external",
            lambda fw: fw.current_app.url_for("index", _external=True),
        ),
    ),
    in_request(
        probe("app.url_for in request", lambda fw: fw.current_app.url_for("index")),
        probe(
            "app.url_for relative blueprint endpoint",
            lambda fw: fw.current_app.url_for(".dashboard"),
        ),
        path="/admin/",
    ),
    config={"SERVER_NAME": "example.com"},
)
def app_url_for_method(fw):
    return _url_app(fw)


@scenario(
    in_request(url("index"), url("profile", username="x"), url("static", filename="a")),
    in_request(url("index"), path="/", base_url="http://example.com/app"),
)
def url_for_with_custom_static_url_path(fw):
    app = fw.App(__name__, static_url_path="/assets")
    app.add_url_rule("/", "index", str)
    app.add_url_rule("/u/<username>", "profile", str)
    return app


@scenario(
    in_request(url("static", filename="x.css"), url("index")),
    in_app(probe("has static rule", lambda fw: "static" in fw.current_app.view_functions)),
)
def url_for_without_static_folder(fw):
    app = fw.App(__name__, static_folder=None)
    app.add_url_rule("/", "index", str)
    return app


def test_scenario(scenario, candidate):
    scenario.check(candidate)
