"""Seeds 000-002: url_for, query strings, static, redirect, blueprints, _external,
_scheme, _anchor, _method, url_build_error_handlers and test_request_context."""

from __future__ import annotations

from .harness import get, in_app, in_request, no_context, post, probe, scenario, url


def _lesson_app(fw):
    """The LearnCodingFast lesson (seed 000): profile, search, redirects, short links."""
    app = fw.App(__name__)

    @app.route("/")
    def home():
        return "Home"

    @app.route("/user/<username>")
    def profile(username):
        return f"Profile of {username}"

    @app.route("/search")
    def search():
        q = fw.request.args.get("q", "")
        page = fw.request.args.get("page", 1, type=int)
        return f"Searching {q!r} page {page}"

    @app.route("/go-to-ada")
    def go_to_ada():
        return fw.redirect(fw.url_for("profile", username="ada"))

    @app.route("/form", methods=["GET", "POST"])
    def form():
        if fw.request.method == "POST":
            return fw.redirect(fw.url_for("profile", username=fw.request.form["name"]))
        return "form"

    articles = {"flask-intro": "/articles/2024/flask-intro"}

    @app.route("/articles/<int:year>/<slug>")
    def article(year, slug):
        return f"Article {slug} of {year}"

    @app.route("/s/<code>")
    def short(code):
        if code == "fi":
            return fw.redirect(fw.url_for("article", year=2024, slug="flask-intro"))
        if code in articles:
            return fw.redirect(articles[code])
        fw.abort(404)

    return app


@scenario(
    get("/"),
    get("/user/ada"),
    get("/search?q=flask&page=2"),
    get("/search?q=flask&page=abc"),
    get("/search"),
    get("/go-to-ada"),
    get("/go-to-ada", follow_redirects=True),
    post("/form", data={"name": "grace"}),
    post("/form", data={"name": "grace"}, follow_redirects=True),
    post("/form", data={}),
    get("/s/fi"),
    get("/s/fi", follow_redirects=True),
    get("/s/flask-intro"),
    get("/s/nope"),
    in_request(
        url("home"),
        url("profile", username="ada"),
        url("search", q="flask", page=2),
        url("static", filename="style.css"),
        url("static", filename="css/style.css"),
        url("article", year=2024, slug="flask-intro"),
        url("profile"),
        url("nonexistent"),
        url("profile", username="ada", q=None),
    ),
)
def lesson_url_for_and_redirect(fw):
    return _lesson_app(fw)


@scenario(
    no_context(url("home")),
    in_app(url("home")),
    in_app(url("home"), url("profile", username="ada")),
)
def lesson_url_for_needs_a_context(fw):
    return _lesson_app(fw)


@scenario(
    in_app(url("home"), url("profile", username="ada"), url("home", _external=False)),
    config={"SERVER_NAME": "example.com"},
)
def lesson_url_for_app_context_with_server_name(fw):
    return _lesson_app(fw)


def _codemia_app(fw):
    """The Codemia article (seed 001): users, posts, search, an admin blueprint."""
    app = fw.App(__name__)

    @app.route("/users/<username>")
    def user_profile(username):
        return username

    @app.route("/posts/<int:post_id>")
    def show_post(post_id):
        return str(post_id)

    @app.route("/search")
    def search():
        return "search"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if fw.request.method == "POST":
            return fw.redirect(fw.url_for("admin.dashboard"))
        return "login"

    admin = fw.Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/dashboard")
    def dashboard():
        return fw.url_for(".dashboard") + " " + fw.url_for("admin.dashboard", _external=True)

    app.register_blueprint(admin)
    return app


@scenario(
    get("/users/alice"),
    get("/posts/10"),
    get("/posts/ten"),
    get("/admin/dashboard"),
    get("/admin/dashboard", base_url="https://example.com"),
    post("/login"),
    in_request(
        url("user_profile", username="alice"),
        url("show_post", post_id=10),
        url("search", q="flask", page=2),
        url("admin.dashboard"),
        url("admin.dashboard", _external=True),
        url("static", filename="style.css"),
        url("/users/alice"),
        url("show_post"),
        url("dashboard"),
        url(".dashboard"),
    ),
    in_request(
        url("admin.dashboard", _external=True),
        url(".dashboard"),
        path="/admin/dashboard",
        base_url="https://example.com",
    ),
)
def codemia_endpoints_blueprints_external(fw):
    return _codemia_app(fw)


def _reference_app(fw):
    """The url_for API reference (seed 002)."""
    app = fw.App(__name__)

    @app.route("/")
    def index():
        return "index"

    @app.route("/item/<int:item_id>", methods=["GET", "POST"])
    def item(item_id):
        return str(item_id)

    @app.route("/item/<int:item_id>/edit", methods=["PUT"])
    def item_edit(item_id):
        return "edit"

    @app.route("/item/new", endpoint="item_by_method", methods=["POST"])
    @app.route("/item/<int:item_id>", endpoint="item_by_method", methods=["GET"])
    def item_by_method(item_id=None):
        return "x"

    bp = fw.Blueprint("shop", __name__, url_prefix="/shop")

    @bp.route("/")
    def index():  # noqa: F811 - the blueprint's own "index" endpoint
        return fw.url_for(".index")

    app.register_blueprint(bp)
    return app


@scenario(
    get("/shop/"),
    in_request(
        url("index"),
        url("item", item_id=3),
        url("item", item_id=3, sort="asc", empty=None),
        url("item", item_id=3, _anchor="reviews"),
        url("item", item_id=3, _anchor="a b/c?d#e"),
        url("item", item_id=3, _method="POST"),
        url("item", item_id=3, _method="PUT"),
        url("item_edit", item_id=3, _method="PUT"),
        url("item_edit", item_id=3, _method="GET"),
        url("item_by_method", _method="POST"),
        url("item_by_method", item_id=1, _method="GET"),
        url("item_by_method", item_id=1),
        url("index", _external=True),
        url("index", _external=True, _scheme="https"),
        url("index", _scheme="https"),
        url("index", _scheme="https", _external=False),
        url("index", _external=True, _scheme=""),
        url("item", item_id=3, _external=True, _scheme="ftp", _anchor="x"),
        url("shop.index"),
        url(".index"),
    ),
    in_request(url(".index"), url("index"), path="/shop/"),
)
def reference_url_for_parameters(fw):
    return _reference_app(fw)


def _build_error_app(fw, handler_result):
    """The url_build_error_handlers example: look the endpoint up in another registry."""
    app = fw.App(__name__)
    registry = {"docs.page": "https://docs.example.com/{page}"}

    @app.route("/")
    def index():
        return fw.url_for("docs.page", page="intro")

    def external_url_handler(error, endpoint, values):
        template = registry.get(endpoint)
        if template is None or handler_result == "reraise":
            raise error
        return template.format(**values)

    def none_handler(error, endpoint, values):
        return None

    app.url_build_error_handlers.append(
        none_handler if handler_result == "none" else external_url_handler
    )
    return app


@scenario(
    get("/"),
    in_request(
        url("docs.page", page="intro"),
        url("index"),
        url("unknown.endpoint"),
    ),
    in_app(url("docs.page", page="api")),
)
def url_build_error_handler_returns_url(fw):
    return _build_error_app(fw, "url")


@scenario(
    get("/"),
    in_request(url("docs.page", page="intro"), url("unknown.endpoint")),
)
def url_build_error_handler_reraises(fw):
    return _build_error_app(fw, "reraise")


@scenario(
    get("/"),
    in_request(url("docs.page", page="intro")),
)
def url_build_error_handler_returning_none_reraises(fw):
    return _build_error_app(fw, "none")


@scenario(
    in_request(
        url("index"),
        probe("request.path", lambda fw: fw.request.path),
        probe("request.url", lambda fw: fw.request.url),
        probe("request.method", lambda fw: fw.request.method),
    ),
    in_request(
        url("index"),
        url("index", _external=True),
        probe("request.url", lambda fw: fw.request.url),
        path="/item/5?x=1",
        base_url="https://example.org:8443/app",
        method="POST",
    ),
    in_request(
        url("item", item_id=5),
        probe("request.url_rule", lambda fw: str(fw.request.url_rule)),
        probe("request.endpoint", lambda fw: fw.request.endpoint),
        probe("request.view_args", lambda fw: fw.request.view_args),
        path="/item/5",
    ),
)
def request_context_basics(fw):
    return _reference_app(fw)


def _seed3_url_app(fw):
    """Seed 003's url_for walk-through (Flask tutorial and routing tutorial)."""
    app = fw.App(__name__)

    @app.route("/")
    def index():
        return "Home"

    @app.route("/user/<username>")
    def profile(username):
        return f"Profile: {username}"

    @app.route("/user/<username>/profile")
    def user_profile(username):
        return f"Profile: {username}"

    @app.route("/post/<int:post_id>")
    def show_post(post_id):
        return f"Post #{post_id}"

    return app


@scenario(
    in_request(
        url("index"),
        url("profile", username="folau"),
        url("static", filename="css/style.css"),
        url("user_profile", username="folau"),
        url("show_post", post_id=42),
        url("show_post", post_id=42, highlight="true"),
        url("/user/profile"),
        url("show_post"),
    ),
    in_request(url("index"), url("static", filename="css/style.css"), base_url="http://x/myapp/"),
    in_app(url("index")),
)
def tutorial_url_for_walkthrough(fw):
    return _seed3_url_app(fw)


def test_scenario(scenario, candidate):
    scenario.check(candidate)
