"""Blueprints: url_prefix (constructor and registration), nested blueprints, subdomains,
name= and registering twice, url_defaults option, relative endpoints, static folders,
registration errors."""

from __future__ import annotations

from .harness import delete, get, in_app, in_request, patch, post, probe, put, scenario, url


def _tutorial_blueprints(fw):
    """The routing tutorial's auth/tasks/api layout (seed 003)."""
    app = fw.App(__name__)
    auth_bp = fw.Blueprint("auth", __name__)
    tasks_bp = fw.Blueprint("tasks", __name__)
    api_bp = fw.Blueprint("api", __name__)

    @auth_bp.route("/login", methods=["GET", "POST"])
    def login():
        if fw.request.method == "POST":
            return fw.redirect(fw.url_for("auth.dashboard"))
        return "login form"

    @auth_bp.route("/logout")
    def logout():
        return fw.redirect(fw.url_for("auth.login"))

    @auth_bp.route("/dashboard")
    def dashboard():
        return f"dashboard {fw.url_for('.login')}"

    @tasks_bp.route("/")
    def list():
        return "tasks"

    @tasks_bp.route("/create")
    def create():
        return "create"

    @tasks_bp.route("/<int:task_id>/edit")
    def edit(task_id):
        return f"edit {task_id}"

    @api_bp.route("/tasks")
    def get_tasks():
        return fw.jsonify([])

    @api_bp.route("/tasks/<int:task_id>")
    def get_task(task_id):
        return fw.jsonify(id=task_id)

    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(tasks_bp, url_prefix="/tasks")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    return app


@scenario(
    get("/auth/login"),
    post("/auth/login"),
    get("/auth/logout"),
    get("/auth/dashboard"),
    get("/tasks/"),
    get("/tasks"),
    get("/tasks/create"),
    get("/tasks/1/edit"),
    get("/api/v1/tasks"),
    get("/api/v1/tasks/1"),
    get("/login"),
    in_request(
        url("auth.login"),
        url("tasks.create"),
        url("tasks.list"),
        url("tasks.edit", task_id=1),
        url("api.get_tasks"),
        url("api.get_task", task_id=1),
        url("login"),
        url(".login"),
    ),
    in_request(url(".login"), url(".list"), url("tasks.list"), path="/auth/dashboard"),
)
def tutorial_blueprint_prefixes(fw):
    return _tutorial_blueprints(fw)


@scenario(
    get("/"),
    get("/a"),
    get("/a/"),
    get("/b/"),
    get("/b"),
    get("/c/x"),
    get("/d/x"),
    get("/e/x"),
    get("/f/x"),
    in_request(
        url("root.index"),
        url("a.index"),
        url("b.index"),
        url("c.x"),
        url("d.x"),
        url("e.x"),
        url("f.x"),
    ),
)
def url_prefix_slash_combinations(fw):
    app = fw.App(__name__)
    cases = {
        "root": (None, None, "/"),
        "a": ("/a", None, "/"),
        "b": ("/b/", None, "/"),
        "c": ("/c", None, "/x"),
        "d": ("/d/", None, "x"),
        "e": (None, "/e", "/x"),
        "f": ("/ignored", "/f/", "/x"),
    }
    for name, (ctor_prefix, reg_prefix, rule) in cases.items():
        bp = fw.Blueprint(name, __name__, url_prefix=ctor_prefix)
        endpoint = "index" if rule == "/" else "x"
        bp.add_url_rule(rule, endpoint, lambda name=name: f"bp {name}")
        if reg_prefix is None:
            app.register_blueprint(bp)
        else:
            app.register_blueprint(bp, url_prefix=reg_prefix)
    return app


def _nested(fw):
    app = fw.App(__name__)
    parent = fw.Blueprint("parent", __name__, url_prefix="/parent")
    child = fw.Blueprint("child", __name__, url_prefix="/child")
    grandchild = fw.Blueprint("grandchild", __name__, url_prefix="/grandchild")

    @parent.route("/")
    def index():
        return f"parent {fw.request.blueprint} {fw.request.blueprints}"

    @child.route("/")
    def index():  # noqa: F811 - same endpoint name in each blueprint on purpose
        return f"child {fw.request.blueprint} {list(fw.request.blueprints)}"

    @child.route("/sibling")
    def sibling():
        return fw.url_for(".index") + " " + fw.url_for("parent.index")

    @grandchild.route("/")
    def index():  # noqa: F811
        return f"grandchild {fw.request.blueprint} {list(fw.request.blueprints)}"

    @grandchild.errorhandler(404)
    def grandchild_404(e):
        return "grandchild 404", 404

    @parent.errorhandler(404)
    def parent_404(e):
        return "parent 404", 404

    @grandchild.route("/missing")
    def missing():
        fw.abort(404)

    @child.route("/missing")
    def child_missing():
        fw.abort(404)

    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app


@scenario(
    get("/parent/"),
    get("/parent/child/"),
    get("/parent/child/sibling"),
    get("/parent/child/grandchild/"),
    get("/parent/child/grandchild/missing"),
    get("/parent/child/missing"),
    in_request(
        url("parent.index"),
        url("parent.child.index"),
        url("parent.child.grandchild.index"),
        url("child.index"),
    ),
    in_request(
        url(".index"),
        url(".grandchild.index"),
        path="/parent/child/",
    ),
    in_app(
        probe(
            "endpoints",
            lambda fw: sorted(r.endpoint for r in fw.current_app.url_map.iter_rules()),
        ),
        probe("blueprints", lambda fw: sorted(fw.current_app.blueprints)),
    ),
)
def nested_blueprints(fw):
    return _nested(fw)


@scenario(
    get("/p1/x"),
    get("/p2/x"),
    get("/p3/x"),
    in_request(url("bp.x"), url("second.x"), url("third.x")),
    in_request(url(".x"), path="/p2/x"),
    in_app(probe("blueprints", lambda fw: sorted(fw.current_app.blueprints))),
)
def registering_twice_with_name(fw):
    app = fw.App(__name__)
    bp = fw.Blueprint("bp", __name__)

    @bp.route("/x")
    def x():
        return f"{fw.request.blueprint} {fw.request.endpoint} {fw.url_for('.x')}"

    app.register_blueprint(bp, url_prefix="/p1")
    app.register_blueprint(bp, url_prefix="/p2", name="second")
    app.register_blueprint(bp, url_prefix="/p3", name="third")
    return app


@scenario(
    in_app(probe("register twice same name", lambda fw: _register_same_twice(fw))),
    in_app(probe("dotted name", lambda fw: fw.Blueprint("a.b", __name__))),
    in_app(probe("empty name", lambda fw: fw.Blueprint("", __name__))),
    in_app(probe("dotted endpoint", lambda fw: _dotted_endpoint(fw))),
    in_app(probe("register self", lambda fw: _register_self(fw))),
)
def blueprint_registration_errors(fw):
    return fw.App(__name__)


def _register_same_twice(fw):
    app = fw.current_app
    bp = fw.Blueprint("same", __name__)
    bp.add_url_rule("/s", "s", str)
    app.register_blueprint(bp)
    app.register_blueprint(bp)
    return "no error"


def _dotted_endpoint(fw):
    bp = fw.Blueprint("dotted", __name__)
    bp.add_url_rule("/d", "a.b", str)
    return "no error"


def _register_self(fw):
    bp = fw.Blueprint("selfish", __name__)
    bp.register_blueprint(bp)
    return "no error"


@scenario(
    get("/en/page"),
    get("/de/page"),
    get("/v/7/item"),
    in_request(
        url("en.page"),
        url("de.page"),
        url("en.page", lang="fr"),
        url("ver.item"),
        url("ver.item", v=9),
    ),
)
def url_defaults_registration_option(fw):
    app = fw.App(__name__)
    bp = fw.Blueprint("lang", __name__)

    @bp.route("/<lang>/page")
    def page(lang):
        return f"page in {lang}"

    app.register_blueprint(bp, name="en", url_defaults={"lang": "en"})
    app.register_blueprint(bp, name="de", url_defaults={"lang": "de"})

    ver = fw.Blueprint("ver", __name__, url_prefix="/v/<int:v>", url_defaults={"v": 1})

    @ver.route("/item")
    def item(v):
        return f"item v{v}"

    app.register_blueprint(ver)
    return app


def _subdomain_blueprints(fw):
    app = fw.App(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    api = fw.Blueprint("api", __name__, subdomain="api")
    users = fw.Blueprint("users", __name__, subdomain="<user>")
    parent = fw.Blueprint("parent", __name__, subdomain="parent")
    child = fw.Blueprint("child", __name__, subdomain="child")

    @api.route("/status")
    def status():
        return "api status"

    @users.route("/")
    def home(user):
        return f"home of {user}"

    @child.route("/")
    def child_index():
        return "child"

    @app.route("/")
    def index():
        return "main"

    parent.register_blueprint(child)
    app.register_blueprint(api)
    app.register_blueprint(users)
    app.register_blueprint(parent)
    return app


@scenario(
    get("/status", base_url="http://api.example.com"),
    get("/status", base_url="http://example.com"),
    get("/", base_url="http://ada.example.com"),
    get("/", base_url="http://child.parent.example.com"),
    get("/", base_url="http://example.com"),
    in_request(
        url("api.status"),
        url("users.home", user="bob"),
        url("parent.child.child_index"),
        url("index"),
        base_url="http://example.com",
    ),
    in_request(url("api.status"), url("index"), base_url="http://api.example.com"),
)
def subdomain_blueprints(fw):
    return _subdomain_blueprints(fw)


@scenario(
    get("/admin/static/admin.css"),
    in_request(
        url("admin.static", filename="admin.css"),
        url("static", filename="app.css"),
        url("plain.static", filename="x.css"),
    ),
    in_request(url(".static", filename="a.css"), path="/admin/"),
)
def blueprint_static_endpoints(fw):
    app = fw.App(__name__)
    admin = fw.Blueprint(
        "admin", __name__, url_prefix="/admin", static_folder="static", static_url_path="/static"
    )
    plain = fw.Blueprint("plain", __name__)

    @admin.route("/")
    def index():
        return "admin"

    app.register_blueprint(admin)
    app.register_blueprint(plain)
    return app


@scenario(
    get("/bp/hello"),
    get("/bp/json"),
    get("/bp/item/3"),
    in_request(url("bp.hello"), url("bp.named"), url("bp.item", id=3)),
)
def blueprint_add_url_rule_and_decorators(fw):
    app = fw.App(__name__)
    bp = fw.Blueprint("bp", __name__, url_prefix="/bp")

    def hello():
        return "hello"

    bp.add_url_rule("/hello", view_func=hello)
    bp.add_url_rule("/json", "named", lambda: fw.jsonify(endpoint=fw.request.endpoint))

    @bp.get("/item/<int:id>")
    def item(id):
        return f"item {id} {fw.request.url_rule.rule}"

    app.register_blueprint(bp)
    return app


@scenario(
    get("/"),
    post("/"),
    get("/thing"),
    put("/thing"),
    patch("/thing"),
    delete("/thing"),
    post("/thing"),
)
def method_shortcut_decorators(fw):
    app = fw.App(__name__)

    @app.get("/")
    def index_get():
        return "GET index"

    @app.post("/")
    def index_post():
        return "POST index"

    @app.put("/thing")
    def thing_put():
        return "PUT"

    @app.patch("/thing")
    def thing_patch():
        return "PATCH"

    @app.delete("/thing")
    def thing_delete():
        return "DELETE"

    @app.get("/thing")
    def thing_get():
        return "GET"

    return app


def test_scenario(scenario, candidate):
    scenario.check(candidate)
