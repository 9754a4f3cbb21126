"""Request hooks and their order (app and blueprint: before/after/teardown request,
before_app_request, teardown_appcontext), short-circuiting, url_defaults and
url_value_preprocessor, after_this_request, g."""

from __future__ import annotations

from .harness import get, in_request, post, probe, scenario, url


def _traced_app(fw):
    """Every hook appends to ``log``; GET /log returns and clears it (teardown included)."""
    app = fw.App(__name__)
    log = []
    bp = fw.Blueprint("bp", __name__, url_prefix="/bp")
    child = fw.Blueprint("child", __name__, url_prefix="/child")

    def hook(name, returns=None):
        def before():
            log.append(name)
            if returns and fw.request.args.get("stop") == name:
                return f"stopped by {name}", 202

        return before

    def after_hook(name):
        def after(response):
            log.append(name)
            response.headers.add("X-After", name)
            return response

        return after

    def teardown_hook(name):
        def teardown(exc):
            log.append(f"{name}({type(exc).__name__ if exc else None})")

        return teardown

    app.before_request(hook("app.before1", returns=True))
    app.before_request(hook("app.before2", returns=True))
    app.after_request(after_hook("app.after1"))
    app.after_request(after_hook("app.after2"))
    app.teardown_request(teardown_hook("app.teardown1"))
    app.teardown_request(teardown_hook("app.teardown2"))
    app.teardown_appcontext(teardown_hook("app.teardown_appcontext"))

    bp.before_request(hook("bp.before", returns=True))
    bp.after_request(after_hook("bp.after"))
    bp.teardown_request(teardown_hook("bp.teardown"))
    bp.before_app_request(hook("bp.before_app_request"))
    bp.after_app_request(after_hook("bp.after_app_request"))
    bp.teardown_app_request(teardown_hook("bp.teardown_app_request"))

    child.before_request(hook("child.before", returns=True))
    child.after_request(after_hook("child.after"))

    @app.route("/")
    def index():
        log.append("view")
        return "index"

    @app.route("/fail")
    def fail():
        log.append("view")
        raise KeyError("boom")

    @app.route("/log")
    def show_log():
        text = " | ".join(log)
        log.clear()
        return text

    @bp.route("/")
    def bp_index():
        log.append("bp.view")
        return "bp index"

    @bp.route("/abort")
    def bp_abort():
        log.append("bp.view")
        fw.abort(403)

    @child.route("/")
    def child_index():
        log.append("child.view")
        return "child index"

    bp.register_blueprint(child)
    app.register_blueprint(bp)
    return app


@scenario(
    get("/log"),
    get("/"),
    get("/log"),
    get("/bp/"),
    get("/log"),
    get("/bp/child/"),
    get("/log"),
    get("/fail"),
    get("/log"),
    get("/bp/abort"),
    get("/log"),
    get("/missing"),
    get("/log"),
    get("/?stop=app.before1"),
    get("/log"),
    get("/bp/?stop=bp.before"),
    get("/log"),
    get("/bp/child/?stop=child.before"),
    get("/log"),
    post("/"),
    get("/log"),
)
def hook_order_app_and_blueprints(fw):
    return _traced_app(fw)


@scenario(
    get("/"),
    get("/json"),
    get("/replace"),
)
def after_request_can_modify_or_replace(fw):
    app = fw.App(__name__)

    @app.after_request
    def add_headers(response):
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        if fw.request.path == "/replace":
            return fw.make_response("replaced", 201)
        return response

    @app.route("/")
    def index():
        return "index"

    @app.route("/json")
    def json_view():
        return {"a": 1}

    @app.route("/replace")
    def replace():
        return "original"

    return app


@scenario(
    get("/"),
    get("/other"),
    get("/fail"),
)
def after_this_request_callbacks(fw):
    app = fw.App(__name__)

    @app.after_request
    def global_after(response):
        response.headers.add("X-Order", "global")
        return response

    @app.route("/")
    def index():
        @fw.after_this_request
        def add_cookie(response):
            response.set_cookie("flavour", "chocolate")
            response.headers.add("X-Order", "this-request-1")
            return response

        @fw.after_this_request
        def second(response):
            response.headers.add("X-Order", "this-request-2")
            return response

        return "with callbacks"

    @app.route("/other")
    def other():
        return "without callbacks"

    @app.route("/fail")
    def fail():
        @fw.after_this_request
        def never(response):
            response.headers["X-Never"] = "1"
            return response

        fw.abort(404)

    return app


@scenario(
    get("/"),
    get("/user/ada"),
    get("/g-default"),
)
def g_object(fw):
    app = fw.App(__name__)

    @app.before_request
    def load_user():
        fw.g.user = "anonymous"
        fw.g.calls = ["before"]

    @app.route("/")
    def index():
        fw.g.calls.append("view")
        return fw.jsonify(user=fw.g.user, calls=fw.g.calls, has_x="x" in fw.g)

    @app.route("/user/<name>")
    def user(name):
        fw.g.user = name
        return fw.jsonify(
            user=fw.g.get("user"),
            missing=fw.g.get("missing", "default"),
            popped=fw.g.pop("user"),
            after_pop=fw.g.get("user"),
            setdefault=fw.g.setdefault("z", 5),
        )

    @app.route("/g-default")
    def g_default():
        try:
            fw.g.nothing  # noqa: B018
        except AttributeError:
            return "AttributeError"
        return "no error"

    return app


def _lang_app(fw):
    """The documented url_defaults / url_value_preprocessor pattern: a language code."""
    app = fw.App(__name__)
    bp = fw.Blueprint("frontend", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language_code(endpoint, values):
        if "lang_code" in values or not hasattr(fw.g, "lang_code"):
            return
        if fw.current_app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values["lang_code"] = fw.g.lang_code

    @bp.url_value_preprocessor
    def pull_lang_code(endpoint, values):
        fw.g.lang_code = values.pop("lang_code")

    @bp.route("/")
    def index():
        return f"index in {fw.g.lang_code}: {fw.url_for('.about')} {fw.url_for('.index')}"

    @bp.route("/about")
    def about():
        return f"about in {fw.g.lang_code}: {fw.url_for('frontend.index', lang_code='fr')}"

    @app.route("/")
    def root():
        return fw.url_for("frontend.index", lang_code="en")

    @app.url_defaults
    def app_defaults(endpoint, values):
        if endpoint == "page":
            values.setdefault("version", "v2")

    @app.url_value_preprocessor
    def app_preprocess(endpoint, values):
        if values and "version" in values:
            fw.g.version = values["version"]

    @app.route("/docs/<version>/page")
    def page(version):
        return f"docs {version} {fw.g.version} {fw.url_for('page')}"

    app.register_blueprint(bp)
    return app


@scenario(
    get("/"),
    get("/de/"),
    get("/de/about"),
    get("/docs/v1/page"),
    in_request(
        url("frontend.index", lang_code="en"),
        url("frontend.about"),
        url("page"),
        url("page", version="v9"),
        url("root"),
    ),
    in_request(
        url("frontend.about"),
        url(".about"),
        url("frontend.index", lang_code="it"),
        probe("g.lang_code", lambda fw: fw.g.get("lang_code")),
        path="/de/",
    ),
)
def url_defaults_and_value_preprocessors(fw):
    return _lang_app(fw)


@scenario(
    get("/"),
    get("/page"),
)
def before_request_short_circuit_skips_view_not_after(fw):
    app = fw.App(__name__)
    calls = []

    @app.before_request
    def first():
        calls.append("first")
        if fw.request.path == "/page":
            return fw.redirect("/")

    @app.before_request
    def second():
        calls.append("second")

    @app.after_request
    def after(response):
        response.headers["X-Calls"] = ",".join(calls)
        calls.clear()
        return response

    @app.route("/")
    def index():
        calls.append("view")
        return "index"

    @app.route("/page")
    def page():
        calls.append("page")
        return "page"

    return app


@scenario(
    get("/"),
    get("/log"),
    get("/x/abc"),
    get("/log"),
)
def app_context_and_request_signals_order(fw):
    app = fw.App(__name__)
    log = []

    @app.url_value_preprocessor
    def pre(endpoint, values):
        log.append(f"url_value_preprocessor({endpoint}, {sorted(values or {})})")

    @app.before_request
    def before():
        log.append(f"before endpoint={fw.request.endpoint}")

    @app.teardown_appcontext
    def teardown_app(exc):
        log.append("teardown_appcontext")

    @app.route("/")
    def index():
        log.append("view")
        return "index"

    @app.route("/x/<v>")
    def x(v):
        log.append(f"view {v}")
        return v

    @app.route("/log")
    def show():
        text = " | ".join(log)
        log.clear()
        return text

    return app


def test_scenario(scenario, candidate):
    scenario.check(candidate)
