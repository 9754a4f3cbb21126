"""Routing behaviour: trailing slashes (308 redirects), merge_slashes, redirect_to,
defaults, subdomains, host matching, methods (HEAD, automatic OPTIONS, 405 + Allow),
percent-encoded / UTF-8 paths and the URL map used directly."""

from __future__ import annotations

from .harness import (
    delete,
    get,
    head,
    in_app,
    in_request,
    options,
    patch,
    post,
    probe,
    put,
    request,
    scenario,
    url,
)


def _echo(**values):
    """A body that shows each converted value's type and repr."""
    return "; ".join(f"{key}={type(value).__name__}:{value!r}" for key, value in values.items())


# --------------------------------------------------------------------------------------
# Trailing slashes, merge_slashes
# --------------------------------------------------------------------------------------


def _slash_app(fw):
    app = fw.App(__name__)

    @app.route("/projects/")
    def projects():
        return "Projects List"

    @app.route("/about")
    def about():
        return "About Page"

    @app.route("/docs/", strict_slashes=False)
    def docs():
        return "Docs"

    @app.route("/file", strict_slashes=False)
    def file():
        return "File"

    @app.route("/users/<name>/")
    def user(name):
        return f"user {name}"

    @app.route("/tree/<path:p>/")
    def tree(p):
        return f"tree {p}"

    @app.route("/both")
    def both_plain():
        return "plain"

    @app.route("/both/")
    def both_slash():
        return "slash"

    @app.route("/write/", methods=["POST", "PUT"])
    def write():
        return f"wrote {fw.request.method}"

    return app


@scenario(
    get("/projects/"),
    get("/projects"),
    get("/projects?page=2&sort=a%20b"),
    get("/projects", follow_redirects=True),
    head("/projects"),
    post("/projects"),
    get("/about"),
    get("/about/"),
    get("/docs/"),
    get("/docs"),
    get("/file"),
    get("/file/"),
    get("/users/ada/"),
    get("/users/ada"),
    get("/users/caf%C3%A9"),
    get("/tree/a/b/"),
    get("/tree/a/b"),
    get("/both"),
    get("/both/"),
    post("/write"),
    put("/write", data=b"x"),
    post("/write", follow_redirects=True, data={"a": "b"}),
    get("/projects", base_url="https://example.com:8443/root"),
    get("/projects", base_url="http://example.com/"),
    in_request(
        url("projects"),
        url("docs"),
        url("file"),
        url("user", name="ada"),
        url("tree", p="a/b"),
        url("both_plain"),
        url("both_slash"),
    ),
)
def trailing_slash_redirects(fw):
    return _slash_app(fw)


@scenario(
    get("/projects"),
    get("/projects/"),
    get("/about/"),
    get("/users/ada"),
)
def strict_slashes_disabled_on_the_map(fw):
    app = fw.App(__name__)
    app.url_map.strict_slashes = False

    @app.route("/projects/")
    def projects():
        return "Projects"

    @app.route("/about")
    def about():
        return "About"

    @app.route("/users/<name>/")
    def user(name):
        return name

    return app


@scenario(
    get("//user//ada"),
    get("/user//ada"),
    get("/user/ada//"),
    get("/user///ada?x=1"),
    get("/path/a//b"),
    get("/path/a//b", follow_redirects=True),
    get("/strict//x"),
)
def merge_slashes_default(fw):
    app = fw.App(__name__)
    app.add_url_rule("/user/<name>", "user", _echo)
    app.add_url_rule("/path/<path:p>", "path", _echo)
    app.add_url_rule("/strict//x", "strict", lambda: "double", merge_slashes=False)
    return app


@scenario(
    get("//user//ada"),
    get("/user//ada"),
    get("/path/a//b"),
)
def merge_slashes_disabled(fw):
    app = fw.App(__name__)
    app.url_map.merge_slashes = False
    app.add_url_rule("/user/<name>", "user", _echo)
    app.add_url_rule("/path/<path:p>", "path", _echo)
    return app


# --------------------------------------------------------------------------------------
# redirect_to and defaults
# --------------------------------------------------------------------------------------


@scenario(
    get("/old"),
    get("/old?x=1"),
    get("/old-item/7"),
    get("/old-item/7?x=1"),
    get("/old-user/ada"),
    get("/away"),
    get("/old", follow_redirects=True),
    post("/old"),
    head("/old"),
    get("/old", base_url="https://example.com/prefix"),
    in_request(url("new"), url("old_endpoint")),
)
def redirect_to_rules(fw):
    app = fw.App(__name__)

    @app.route("/new")
    def new():
        return "new page"

    @app.route("/item/<int:id>")
    def item(id):
        return f"item {id}"

    app.add_url_rule("/old", "old_endpoint", redirect_to="/new")
    app.add_url_rule("/old-item/<int:id>", "old_item", redirect_to="/item/<id>")
    app.add_url_rule(
        "/old-user/<name>",
        "old_user",
        redirect_to=lambda adapter, name: f"/user/{name.upper()}",
    )
    app.add_url_rule("/away", "away", redirect_to="https://other.example.org/landing")
    return app


@scenario(
    get("/users/"),
    get("/users/page/2"),
    get("/users/page/1"),
    get("/users/page/1?x=y"),
    get("/users/page/1", follow_redirects=True),
    get("/lang/"),
    get("/lang/de/"),
    get("/lang/en/"),
    in_request(
        url("users"),
        url("users", page=1),
        url("users", page=2),
        url("users", page=1, q="a"),
        url("lang"),
        url("lang", code="en"),
        url("lang", code="de"),
    ),
)
def defaults_and_redirect_to_canonical(fw):
    app = fw.App(__name__)

    @app.route("/users/", defaults={"page": 1})
    @app.route("/users/page/<int:page>")
    def users(page):
        return f"page {page}"

    @app.route("/lang/", defaults={"code": "en"})
    @app.route("/lang/<code>/")
    def lang(code):
        return f"lang {code}"

    return app


@scenario(
    get("/api/books"),
    get("/api/books/3"),
    post("/api/books"),
    in_request(url("book", book_id=None), url("book", book_id=3), url("book")),
)
def defaults_with_none(fw):
    app = fw.App(__name__)

    def book(book_id):
        return f"book {book_id!r}"

    app.add_url_rule("/api/books", "book", book, defaults={"book_id": None})
    app.add_url_rule("/api/books/<int:book_id>", "book", book)
    app.add_url_rule("/api/books", "create", lambda: "created", methods=["POST"])
    return app


# --------------------------------------------------------------------------------------
# Subdomains and hosts
# --------------------------------------------------------------------------------------


def _subdomain_app(fw, **app_kwargs):
    app = fw.App(__name__, **app_kwargs)
    app.config["SERVER_NAME"] = "example.com"

    @app.route("/")
    def index():
        return "main index"

    @app.route("/", subdomain="<user>")
    def user_home(user):
        return f"home of {user}"

    @app.route("/settings", subdomain="admin")
    def admin_settings():
        return "admin settings"

    @app.route("/where")
    def where():
        return fw.url_for("user_home", user="zed") + " " + fw.url_for("index")

    return app


@scenario(
    get("/", base_url="http://example.com"),
    get("/", base_url="http://ada.example.com"),
    get("/settings", base_url="http://admin.example.com"),
    get("/settings", base_url="http://example.com"),
    get("/", base_url="http://other.org"),
    get("/", base_url="http://a.b.example.com"),
    get("/where", base_url="http://example.com"),
    get("/where", base_url="http://ada.example.com"),
    get("/", base_url="http://EXAMPLE.com"),
    get("/", base_url="http://example.com:80"),
    in_request(
        url("index"),
        url("user_home", user="ada"),
        url("admin_settings"),
        url("index", _external=True),
        base_url="http://example.com",
    ),
    in_request(
        url("index"),
        url("user_home", user="ada"),
        url("user_home", user="bob"),
        base_url="http://ada.example.com",
    ),
    in_request(url("user_home", user="ada"), url("index"), subdomain="ada"),
    in_app(url("index"), url("user_home", user="ada"), url("admin_settings")),
)
def subdomain_routing(fw):
    return _subdomain_app(fw, subdomain_matching=True)


@scenario(
    get("/", base_url="http://example.com"),
    get("/", base_url="http://ada.example.com"),
    get("/", base_url="http://other.org"),
    in_request(url("index"), url("user_home", user="ada"), base_url="http://other.org"),
)
def subdomain_without_subdomain_matching(fw):
    return _subdomain_app(fw)


@scenario(
    get("/", base_url="http://example.com"),
    get("/", base_url="http://www.example.com"),
    get("/x", base_url="http://www.example.com"),
    in_request(url("index"), url("x"), base_url="http://example.com"),
)
def default_subdomain(fw):
    app = fw.App(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.url_map.default_subdomain = "www"
    app.add_url_rule("/", "index", lambda: "www index")
    app.add_url_rule("/x", "x", lambda: fw.request.host)
    return app


def _host_app(fw):
    app = fw.App(__name__, host_matching=True, static_host="static.example.com")

    @app.route("/", host="example.com")
    def index():
        return "main"

    @app.route("/", host="<sub>.example.com")
    def sub(sub):
        return f"sub {sub}"

    @app.route("/p/<int:n>", host="api.example.org")
    def api(n):
        return f"api {n}"

    return app


@scenario(
    get("/", base_url="http://example.com"),
    get("/", base_url="http://ada.example.com"),
    get("/p/3", base_url="http://api.example.org"),
    get("/p/3", base_url="http://example.com"),
    get("/", base_url="http://nope.net"),
    in_request(
        url("index"),
        url("sub", sub="ada"),
        url("api", n=3),
        url("static", filename="a.css"),
        base_url="http://example.com",
    ),
)
def host_matching(fw):
    return _host_app(fw)


# --------------------------------------------------------------------------------------
# Methods: HEAD, OPTIONS, 405
# --------------------------------------------------------------------------------------


def _methods_app(fw):
    app = fw.App(__name__)

    @app.route("/r")
    def r():
        return "read"

    @app.route("/rw", methods=["GET", "POST"])
    def rw():
        return f"rw {fw.request.method}"

    @app.route("/w", methods=["post", "put"])
    def w():
        return f"w {fw.request.method}"

    @app.route("/d/<int:id>", methods=["DELETE"])
    def d(id):
        return "", 204

    @app.route("/d/<int:id>", methods=["PATCH"])
    def p(id):
        return f"patched {id}"

    @app.route("/custom", methods=["PROPFIND", "GET"])
    def custom():
        return fw.request.method

    @app.route("/h", methods=["GET", "HEAD"])
    def h():
        return f"h {fw.request.method}"

    @app.route("/no-options", provide_automatic_options=False)
    def no_options():
        return "no options"

    @app.route("/own-options", methods=["GET", "OPTIONS"])
    def own_options():
        if fw.request.method == "OPTIONS":
            return "custom options", 200, {"X-Options": "mine"}
        return "own"

    def view_with_attrs():
        return "attrs"

    view_with_attrs.methods = ["GET", "POST"]
    view_with_attrs.required_methods = ["PUT"]
    app.add_url_rule("/attrs", view_func=view_with_attrs)

    return app


@scenario(
    get("/r"),
    head("/r"),
    post("/r"),
    put("/r"),
    delete("/r"),
    options("/r"),
    get("/rw"),
    post("/rw"),
    head("/rw"),
    options("/rw"),
    patch("/rw"),
    get("/w"),
    post("/w"),
    put("/w"),
    options("/w"),
    delete("/d/1"),
    patch("/d/1"),
    get("/d/1"),
    options("/d/1"),
    request("PROPFIND", "/custom"),
    request("TRACE", "/custom"),
    request("BREW", "/r"),
    options("/custom"),
    get("/h"),
    head("/h"),
    options("/no-options"),
    options("/own-options"),
    get("/attrs"),
    put("/attrs"),
    delete("/attrs"),
    options("/attrs"),
    options("/missing"),
    request("get", "/r"),
)
def methods_head_options_405(fw):
    return _methods_app(fw)


@scenario(
    options("*"),
    options("/r"),
    post("/r"),
)
def options_star_and_disabled_automatic_options(fw):
    app = fw.App(__name__)
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.add_url_rule("/r", "r", lambda: "r")
    return app


# --------------------------------------------------------------------------------------
# Encoded and UTF-8 paths
# --------------------------------------------------------------------------------------


def _encoding_app(fw):
    app = fw.App(__name__)

    @app.route("/user/<name>")
    def user(name):
        return f"{name!r} path={fw.request.path!r} full={fw.request.full_path!r}"

    @app.route("/raw/<path:p>")
    def raw(p):
        return repr((p, fw.request.path, fw.request.url))

    @app.route("/café")
    def cafe():
        return "café route"

    @app.route("/sp ace")
    def space():
        return "space route"

    return app


@scenario(
    get("/user/%C3%A9"),
    get("/user/é"),
    get("/user/%E2%82%AC%20sign"),
    get("/user/a%2Fb"),
    get("/user/%zz"),
    get("/user/%"),
    get("/user/%C3", erlen_differs="a path that is not UTF-8 is a 400, not U+FFFD"),
    get("/user/%FF%FE", erlen_differs="a path that is not UTF-8 is a 400, not U+FFFD"),
    get("/user/a+b"),
    get("/user/a%2Bb"),
    get("/user/%00"),
    get("/user/日本"),
    get("/user/%F0%9F%98%80"),
    get("/raw/a%2Fb/c"),
    get("/raw/%2E%2E/x"),
    get("/raw/a?b=%20c"),
    get("/caf%C3%A9"),
    get("/café"),
    get("/CAF%C3%A9"),
    get("/sp%20ace"),
    get("/sp ace"),
    in_request(
        url("user", name="é"),
        url("user", name="日本"),
        url("user", name="a b"),
        url("user", name="a%2Fb"),
        url("user", name="😀"),
        url("raw", p="a/b c/ü"),
        url("cafe"),
        url("space"),
        url("user", name="x", q="é", r="a b&c=d"),
    ),
)
def percent_encoded_and_utf8_paths(fw):
    return _encoding_app(fw)


# --------------------------------------------------------------------------------------
# The URL map used directly
# --------------------------------------------------------------------------------------


def _map_match(fw, path, method="GET", server="example.com", script="/"):
    adapter = fw.current_app.url_map.bind(server, script)
    endpoint, args = adapter.match(path, method)
    return endpoint, args


def _map_build(fw, endpoint, values=None, **kwargs):
    adapter = fw.current_app.url_map.bind("example.com", "/app")
    return adapter.build(endpoint, values, **kwargs)


@scenario(
    in_app(
        probe("match /", lambda fw: _map_match(fw, "/")),
        probe("match /user/ada", lambda fw: _map_match(fw, "/user/ada")),
        probe("match /n/5", lambda fw: _map_match(fw, "/n/5")),
        probe("match /nope", lambda fw: _map_match(fw, "/nope")),
        probe("match /n/5 POST", lambda fw: _map_match(fw, "/n/5", "POST")),
        probe("match /dir", lambda fw: _map_match(fw, "/dir")),
        probe("match /dir/", lambda fw: _map_match(fw, "/dir/")),
        probe("build index", lambda fw: _map_build(fw, "index")),
        probe("build user", lambda fw: _map_build(fw, "user", {"name": "ada b"})),
        probe("build n ext", lambda fw: _map_build(fw, "n", {"v": 5}, force_external=True)),
        probe(
            "build n https",
            lambda fw: _map_build(fw, "n", {"v": 5}, force_external=True, url_scheme="https"),
        ),
        probe("build n extra", lambda fw: _map_build(fw, "n", {"v": 5, "q": "x"})),
        probe(
            "build n no-append",
            lambda fw: _map_build(fw, "n", {"v": 5, "q": "x"}, append_unknown=False),
        ),
        probe("build missing", lambda fw: _map_build(fw, "user")),
        probe("build unknown", lambda fw: _map_build(fw, "zzz")),
    ),
)
def url_map_bind_match_build(fw):
    app = fw.App(__name__)
    app.add_url_rule("/", "index", str)
    app.add_url_rule("/user/<name>", "user", str)
    app.add_url_rule("/n/<int:v>", "n", str)
    app.add_url_rule("/dir/", "dir", str)
    return app


def test_scenario(scenario, candidate):
    scenario.check(candidate)
