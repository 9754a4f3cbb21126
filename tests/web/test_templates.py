"""Templates against Flask: autoescaping, the template search order over the app and its
blueprints, the names every template sees, context processors, filters/tests/globals,
lists of names, and a form round trip through templates.

Streaming, ``get_template_attribute``, errors in templates, auto-reload, the template
signals and ``EXPLAIN_TEMPLATE_LOADING`` are in ``test_templates_rendering.py``."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from tests.differential.harness import get, in_app, in_request, post, probe, scenario

from .apps.common import APPS_DIR, check_scenario, same, scenario_cases
from .apps.templated import templated_app, templated_blueprint

HOSTILE = "<b>&\"'</b>"


# --------------------------------------------------------------------------------------
# Autoescaping
# --------------------------------------------------------------------------------------


@scenario(
    *(
        get(f"/file/{name}")
        for name in (
            "escape.html",
            "escape.htm",
            "escape.xml",
            "escape.xhtml",
            "escape.svg",
            "escape.txt",
            "upper.HTML",
        )
    ),
    get("/string"),
    get("/string-no-escape"),
    get("/markup-string"),
)
def autoescape_by_extension(fw):
    app = templated_app(fw)

    @app.route("/file/<name>")
    def by_file(name):
        return fw.render_template(name, value=HOSTILE, markup=Markup("<i>ok</i>"))

    @app.route("/string")
    def string():
        return fw.render_template_string("{{ value }}|{{ value|e }}", value=HOSTILE)

    @app.route("/string-no-escape")
    def string_no_escape():
        return fw.render_template_string(
            "{% autoescape false %}{{ value }}{% endautoescape %}", value=HOSTILE
        )

    @app.route("/markup-string")
    def markup_string():
        return fw.render_template_string("{{ value }}", value=Markup(HOSTILE))

    return app


def _custom_autoescape_app(fw):
    class App(fw.App):
        def select_jinja_autoescape(self, filename):
            return filename is not None and filename.endswith(".txt")

    app = App(__name__, root_path=str(APPS_DIR))

    @app.route("/<name>")
    def show(name):
        return fw.render_template(name, value=HOSTILE, markup="m")

    return app


@scenario(get("/escape.txt"), get("/escape.html"))
def overridden_select_jinja_autoescape(fw):
    return _custom_autoescape_app(fw)


@scenario(get("/"))
def jinja_options_on_subclass(fw):
    class App(fw.App):
        jinja_options = {"trim_blocks": True, "lstrip_blocks": True}

    app = App(__name__, root_path=str(APPS_DIR))

    @app.route("/")
    def index():
        return fw.render_template_string("{% if true %}\n  x\n{% endif %}\n{{ '<' }}")

    return app


# --------------------------------------------------------------------------------------
# Where templates are found
# --------------------------------------------------------------------------------------


def _search_app(fw, order):
    app = templated_app(fw)
    bps = {"a": templated_blueprint(fw, "a", "bp_a"), "b": templated_blueprint(fw, "b", "bp_b")}
    for bp in bps.values():

        @bp.route("/<path:template>", endpoint="show")
        def show(template):
            return fw.render_template(template)

    @app.route("/app/<path:template>")
    def app_show(template):
        return fw.render_template(template)

    @app.route("/list")
    def from_list():
        names = fw.request.args.getlist("n")
        return fw.render_template(names)

    for name in order:
        app.register_blueprint(bps[name], url_prefix=f"/{name}")
    return app


_SEARCH_STEPS = (
    get("/app/shared.html"),  # the app's folder comes first
    get("/a/shared.html"),  # ... even for a blueprint's view
    get("/b/shared.html"),
    get("/a/both.html"),  # two blueprints: the first registered wins
    get("/b/both.html"),
    get("/a/only_b.html"),  # any blueprint's folder is searched for any view
    get("/b/only_a.html"),
    get("/app/sub/inner.html"),
    get("/list", query_string={"n": ["missing.html", "only_b.html", "shared.html"]}),
    get("/list", query_string={"n": ["nope.html", "missing.html"]}),
    get("/app/missing.html"),
    in_app(
        probe("list_templates", lambda fw: sorted(fw.current_app.jinja_env.list_templates())),
        probe(
            "select first of list",
            lambda fw: fw.render_template(["missing.html", "both.html"]),
        ),
        probe(
            "a Template object in the list",
            lambda fw: fw.render_template(
                [fw.current_app.jinja_env.from_string("direct {{ 1 + 1 }}"), "shared.html"]
            ),
        ),
        probe("all missing", lambda fw: fw.render_template(["x.html", "y.html"])),
        probe("one missing", lambda fw: fw.render_template("x.html")),
    ),
)


@scenario(*_SEARCH_STEPS, config={"PROPAGATE_EXCEPTIONS": False})
def search_order_a_then_b(fw):
    return _search_app(fw, "ab")


@scenario(*_SEARCH_STEPS, config={"PROPAGATE_EXCEPTIONS": False})
def search_order_b_then_a(fw):
    return _search_app(fw, "ba")


@scenario(get("/a/shared.html"), get("/a/both.html"), get("/a/only_a.html"))
def app_without_template_folder(fw):
    app = fw.App(__name__, root_path=str(APPS_DIR), template_folder=None)
    bp = templated_blueprint(fw, "a", "bp_a")

    @bp.route("/<path:template>")
    def show(template):
        return fw.render_template(template)

    app.register_blueprint(bp, url_prefix="/a")
    return app


@scenario(get("/outer/inner/both.html"), get("/outer/inner/only_b.html"))
def nested_blueprint_templates(fw):
    app = fw.App(__name__, root_path=str(APPS_DIR), template_folder=None)
    outer = templated_blueprint(fw, "outer", "bp_b")
    inner = templated_blueprint(fw, "inner", "bp_a")

    @inner.route("/<path:template>")
    def show(template):
        return fw.render_template(template)

    outer.register_blueprint(inner, url_prefix="/inner")
    app.register_blueprint(outer, url_prefix="/outer")
    return app


# --------------------------------------------------------------------------------------
# What every template sees
# --------------------------------------------------------------------------------------


def _globals_app(fw):
    app = templated_app(fw)
    app.secret_key = "test secret"
    app.config["GREETING"] = "hello <you>"

    @app.route("/show/<name>")
    def show(name):
        fw.g.who = "<g-value>"
        return fw.render_template("globals.html")

    @app.route("/login")
    def login():
        fw.session["user"] = "ada <lovelace>"
        fw.flash("logged <in>", "success")
        fw.flash("plain")
        return "ok"

    @app.route("/import")
    def imported():
        fw.g.who = "importer"
        return fw.render_template("importer.html")

    @app.route("/tojson")
    def tojson():
        import datetime
        import decimal
        import uuid

        data = {
            "html": "</script><b>&'",
            "when": datetime.datetime(2024, 5, 6, 7, 8, 9),
            "amount": decimal.Decimal("1.50"),
            "id": uuid.UUID(int=5),
            "markup": Markup("<i>x</i>"),
            "list": [1, 2.5, None, True],
        }
        return fw.render_template("tojson.html", data=data)

    @app.route("/child")
    def child():
        return fw.render_template("child.html", title="<t>", body="<p>")

    return app


@scenario(
    get("/show/x", query_string={"q": "<q>"}),
    get("/login"),
    get("/show/y", query_string={"q": "2"}),
    get("/import"),
    get("/tojson"),
    get("/child"),
    in_request(
        probe(
            "template globals",
            lambda fw: sorted(
                k
                for k in fw.current_app.jinja_env.globals
                if k in {"url_for", "get_flashed_messages", "config", "request", "session", "g"}
            ),
        ),
        probe(
            "config is the app's config",
            lambda fw: fw.current_app.jinja_env.globals["config"] is fw.current_app.config,
        ),
        probe(
            "render_template_string with request",
            lambda fw: fw.render_template_string(
                "{{ request.url }} {{ request.args.a }} {{ url_for('show', name='n') }}"
            ),
        ),
        path="/sub?a=<1>",
        base_url="https://example.com/root",
    ),
    in_app(
        probe(
            "config, g and the request test outside a request",
            lambda fw: fw.render_template_string(
                "{{ g.x is defined }}|{{ config.GREETING }}|{{ g.get('x', 1) }}"
            ),
        ),
        probe("request outside a request", lambda fw: fw.render_template_string("{{ request }}")),
        probe("session outside a request", lambda fw: fw.render_template_string("{{ session }}")),
        probe(
            "url_for outside a request without SERVER_NAME",
            lambda fw: fw.render_template_string("{{ url_for('show', name='z') }}"),
        ),
    ),
)
def names_in_every_template(fw):
    return _globals_app(fw)


def test_request_is_defined_outside_a_request():
    def run(fw):
        with templated_app(fw).app_context():
            return (
                fw.render_template_string("{{ request is defined }}|{{ session is defined }}"),
                isinstance(fw.request, dict),
            )

    assert same(run) == ("True|True", False)


# --------------------------------------------------------------------------------------
# Context processors
# --------------------------------------------------------------------------------------


def _context_app(fw):
    app = templated_app(fw)
    calls = []

    @app.context_processor
    def app_values():
        calls.append("app")
        return {"app_value": "app", "override": "from processor", "shared": "app"}

    bp = fw.Blueprint("bp", __name__)

    @bp.context_processor
    def bp_values():
        calls.append("bp")
        return {"bp_value": "bp <only>", "shared": "bp"}

    @bp.app_context_processor
    def everywhere():
        calls.append("everywhere")
        return {"everywhere": "all"}

    nested = fw.Blueprint("nested", __name__)

    @nested.context_processor
    def nested_values():
        calls.append("nested")
        return {"nested_value": "nested", "shared": "nested"}

    @app.route("/app")
    def app_view():
        return fw.render_template("context.html", override="explicit")

    @bp.route("/view")
    def bp_view():
        return fw.render_template("context.html", override="explicit")

    @nested.route("/view")
    def nested_view():
        return fw.render_template("context.html", override="explicit")

    @app.route("/calls")
    def show_calls():
        return fw.jsonify(calls)

    bp.register_blueprint(nested, url_prefix="/nested")
    app.register_blueprint(bp, url_prefix="/bp")
    return app


@scenario(
    get("/app"),
    get("/bp/view"),
    get("/bp/nested/view"),
    get("/calls"),
    in_request(
        probe("in a blueprint's request", lambda fw: fw.render_template("context.html")),
        path="/bp/view",
    ),
    in_app(probe("outside a request", lambda fw: fw.render_template("context.html"))),
)
def context_processors(fw):
    return _context_app(fw)


def test_async_context_processor():
    """erlen runs async context processors itself (Flask needs its ``async`` extra)."""
    from erlen import Erlen, render_template_string

    app = Erlen(__name__, root_path=str(APPS_DIR))

    @app.context_processor
    async def values():
        return {"app_value": "async"}

    @app.route("/")
    def index():
        return render_template_string("{{ app_value }}")

    assert app.test_client().get("/").get_data(as_text=True) == "async"


# --------------------------------------------------------------------------------------
# Filters, tests and globals
# --------------------------------------------------------------------------------------


def _filters_app(fw):
    app = templated_app(fw)

    @app.template_filter()
    def reverse_it(s):
        return s[::-1]

    @app.template_filter("shout")
    def make_loud(s):
        return s.upper() + "!"

    def added(s):
        return f"[{s}]"

    app.add_template_filter(added)
    app.add_template_filter(lambda s: f"<{s}>", "added_named")

    @app.template_test()
    def even_len(value):
        return len(str(value)) % 2 == 0

    @app.template_test("long_named")
    def is_long(value):
        return len(value) > 1

    app.add_template_test(lambda value: value == "ab", "added_test")

    @app.template_global()
    def double(n):
        return n * 2

    @app.template_global("triple")
    def times_three(n):
        return n * 3

    def added_global(n):
        return n + 100

    app.add_template_global(added_global)
    app.add_template_global(lambda n: -n, "named_global")

    bp = fw.Blueprint("bp", __name__)

    @bp.app_template_filter()
    def bp_filter(s):
        return f"bp:{s}"

    @bp.app_template_filter("bp_filter_named")
    def other(s):
        return f"bpn:{s}"

    bp.add_app_template_filter(lambda s: f"bpa:{s}", "bp_added")

    @bp.app_template_test()
    def bp_test(value):
        return value == "ab"

    bp.add_app_template_test(lambda value: False, "bp_added_test")

    @bp.app_template_global()
    def bp_global():
        return "bp-global"

    bp.add_app_template_global(lambda: "bp-added-global", "bp_added_global")

    @app.route("/")
    def index():
        return fw.render_template("filters.html")

    app.register_blueprint(bp)
    return app


@scenario(
    get("/"),
    in_app(
        probe(
            "registered names",
            lambda fw: sorted(
                name
                for env in [fw.current_app.jinja_env]
                for table in (env.filters, env.tests, env.globals)
                for name in table
                if name.startswith(("bp_", "reverse_it", "shout", "added", "even", "long"))
                or name in {"double", "triple", "named_global"}
            ),
        ),
    ),
)
def filters_tests_globals(fw):
    return _filters_app(fw)


# --------------------------------------------------------------------------------------
# A form round trip rendered by templates (request data and flash in one page)
# --------------------------------------------------------------------------------------


@scenario(
    post("/", data={"name": "<script>x</script>"}, follow_redirects=True),
    get("/"),
)
def form_round_trip_through_templates(fw):
    app = templated_app(fw)
    app.secret_key = "form"

    @app.route("/", methods=["GET", "POST"])
    def index():
        if fw.request.method == "POST":
            fw.flash(f"Hello {fw.request.form['name']}", "error")
            return fw.redirect(fw.url_for("index"))
        return fw.render_template("flashes.html")

    return app


@pytest.mark.parametrize(("candidate", "sc"), scenario_cases(__name__))
def test_scenario(candidate, sc):
    check_scenario(candidate, sc)
