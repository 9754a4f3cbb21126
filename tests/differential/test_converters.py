"""Routing rules: every built-in converter with its arguments, custom converters
(url_map.converters, ValidationError, regexes with slashes), rule priority and
registration (add_url_rule, iter_rules, duplicate endpoints)."""

from __future__ import annotations

import uuid

from .harness import (
    get,
    in_app,
    in_request,
    probe,
    scenario,
    url,
)


def _echo(**values):
    """A body that shows each converted value's type and repr."""
    return "; ".join(f"{key}={type(value).__name__}:{value!r}" for key, value in values.items())


# --------------------------------------------------------------------------------------
# Built-in converters
# --------------------------------------------------------------------------------------


@scenario(
    get("/s/abc"),
    get("/s/a%20b"),
    get("/s/a b"),
    get("/s/caf%C3%A9"),
    get("/s/café"),
    get("/s/a.b-c_d~e"),
    get("/s/a;b,c=d"),
    get("/s/"),
    get("/s/a/b"),
    get("/min/a"),
    get("/min/ab"),
    get("/min/abcdef"),
    get("/max/abc"),
    get("/max/abcd"),
    get("/len/ab"),
    get("/len/a"),
    get("/len/abc"),
    get("/range/a"),
    get("/range/ab"),
    get("/range/abcd"),
    get("/range/abcde"),
    in_request(
        url("s", v="abc"),
        url("s", v="a b"),
        url("s", v="a/b"),
        url("s", v="café"),
        url("s", v="?#%&+="),
        url("s", v="~!$'()*,;:@"),
        url("s", v=""),
        url("s", v=12),
        url("min", v="a"),
        url("len", v="abc"),
        url("max", v="abcdef"),
    ),
)
def string_converter(fw):
    app = fw.App(__name__)
    app.add_url_rule("/s/<v>", "s", _echo)
    app.add_url_rule("/min/<string(minlength=2):v>", "min", _echo)
    app.add_url_rule("/max/<string(maxlength=3):v>", "max", _echo)
    app.add_url_rule("/len/<string(length=2):v>", "len", _echo)
    app.add_url_rule("/range/<string(minlength=2, maxlength=4):v>", "range", _echo)
    return app


@scenario(
    get("/i/42"),
    get("/i/0"),
    get("/i/007"),
    get("/i/-1"),
    get("/i/+1"),
    get("/i/1.5"),
    get("/i/abc"),
    get("/i/99999999999999999999999"),
    get("/i/%31%32"),
    get("/i/\u0661\u0662"),
    get("/i/\uff11\uff12"),
    get("/fixed/0042"),
    get("/fixed/42"),
    get("/fixed/00042"),
    get("/bounded/1"),
    get("/bounded/10"),
    get("/bounded/0"),
    get("/bounded/11"),
    get("/signed/-5"),
    get("/signed/5"),
    get("/signed/-0"),
    get("/signed/+5"),
    in_request(
        url("i", v=42),
        url("i", v=0),
        url("i", v="42"),
        url("i", v=-1),
        url("i", v=True),
        url("fixed", v=42),
        url("fixed", v=123456),
        url("bounded", v=5),
        url("bounded", v=50),
        url("signed", v=-5),
        url("i", v="abc"),
    ),
)
def int_converter(fw):
    app = fw.App(__name__)
    app.add_url_rule("/i/<int:v>", "i", _echo)
    app.add_url_rule("/fixed/<int(fixed_digits=4):v>", "fixed", _echo)
    app.add_url_rule("/bounded/<int(min=1, max=10):v>", "bounded", _echo)
    app.add_url_rule("/signed/<int(signed=True):v>", "signed", _echo)
    return app


@scenario(
    get("/f/1.5"),
    get("/f/0.0"),
    get("/f/19.99"),
    get("/f/100"),
    get("/f/.5"),
    get("/f/5."),
    get("/f/1e5"),
    get("/f/-1.5"),
    get("/f/1.50"),
    get("/sf/-1.5"),
    get("/sf/1.5"),
    get("/bf/0.5"),
    get("/bf/2.5"),
    in_request(
        url("f", v=1.5),
        url("f", v=2.0),
        url("f", v=0.1 + 0.2),
        url("f", v=1),
        url("sf", v=-1.5),
        url("bf", v=1.0),
    ),
)
def float_converter(fw):
    app = fw.App(__name__)
    app.add_url_rule("/f/<float:v>", "f", _echo)
    app.add_url_rule("/sf/<float(signed=True):v>", "sf", _echo)
    app.add_url_rule("/bf/<float(min=0.1, max=1.0):v>", "bf", _echo)
    return app


@scenario(
    get("/files/docs/readme.txt"),
    get("/files/a"),
    get("/files/a/"),
    get("/files/"),
    get("/files"),
    get("/files/a%2Fb"),
    get("/files/with%20space/and%3Fquery"),
    get("/files/../etc/passwd"),
    get("/files/a/b/edit"),
    get("/files/x/edit"),
    get("/pre/a/b/post"),
    get("/pre/post"),
    in_request(
        url("files", p="docs/readme.txt"),
        url("files", p="a b/c?d"),
        url("files", p="/leading"),
        url("edit", p="a/b"),
        url("prepost", p="x/y"),
    ),
)
def path_converter(fw):
    app = fw.App(__name__)
    app.add_url_rule("/files/<path:p>", "files", _echo)
    app.add_url_rule("/files/<path:p>/edit", "edit", lambda p: f"edit {p}")
    app.add_url_rule("/pre/<path:p>/post", "prepost", _echo)
    return app


_UUID = "a8098c1a-f86e-11da-bd1a-00112444be1e"


@scenario(
    get(f"/u/{_UUID}"),
    get(f"/u/{_UUID.upper()}"),
    get(f"/u/{_UUID.replace('-', '')}"),
    get("/u/not-a-uuid"),
    get(f"/u/{_UUID}0"),
    in_request(
        url("u", v=uuid.UUID(_UUID)),
        url("u", v=_UUID),
        url("u", v=_UUID.upper()),
    ),
)
def uuid_converter(fw):
    app = fw.App(__name__)
    app.add_url_rule("/u/<uuid:v>", "u", _echo)
    return app


@scenario(
    get("/page/about"),
    get("/page/help"),
    get("/page/imprint"),
    get("/page/other"),
    get("/page/About"),
    get("/dot/a.b"),
    get("/dot/axb"),
    in_request(
        url("page", v="about"),
        url("page", v="help"),
        url("page", v="other"),
        url("dot", v="a.b"),
    ),
)
def any_converter(fw):
    app = fw.App(__name__)
    app.add_url_rule('/page/<any(about, help, "imprint"):v>', "page", _echo)
    app.add_url_rule("/dot/<any(a.b, c):v>", "dot", _echo)
    return app


@scenario(
    get("/blog/2026/02/flask-routes"),
    get("/blog/2026/2/flask-routes"),
    get("/blog/26/x/y"),
    get("/mix/7/a-b/1.5/rest/of/it"),
    in_request(
        url("blog_post", year=2026, month=2, slug="flask-routes"),
        url("mix", a=7, b="a-b", c=1.5, d="rest/of/it"),
        url("mix", a=7, b="x", c=1.5),
    ),
)
def several_variables(fw):
    app = fw.App(__name__)

    @app.route("/blog/<int:year>/<int:month>/<slug>")
    def blog_post(year, month, slug):
        return f"Post: {slug} ({year}-{month:02d})"

    @app.route("/mix/<int:a>/<b>/<float:c>/<path:d>")
    def mix(a, b, c, d):
        return repr((a, b, c, d))

    return app


@scenario(
    get("/item/x1"),
    get("/item/x"),
    get("/item/prefix-1-suffix"),
    get("/item/prefix--suffix"),
    in_request(url("item", v="x1"), url("affix", n=3)),
)
def converter_inside_a_segment(fw):
    app = fw.App(__name__)
    app.add_url_rule("/item/x<int:n>", "affix", _echo)
    app.add_url_rule("/item/prefix-<int:n>-suffix", "affix2", _echo)
    app.add_url_rule("/item/<v>", "item", _echo)
    return app


# --------------------------------------------------------------------------------------
# Custom converters
# --------------------------------------------------------------------------------------


def _custom_converter_app(fw):
    app = fw.App(__name__)

    class ListConverter(fw.BaseConverter):
        def to_python(self, value):
            return value.split(",")

        def to_url(self, values):
            return ",".join(super(ListConverter, self).to_url(v) for v in values)

    class RegexConverter(fw.BaseConverter):
        def __init__(self, url_map, *items):
            super().__init__(url_map)
            self.regex = items[0]

    class EvenConverter(fw.BaseConverter):
        regex = r"\d+"

        def to_python(self, value):
            number = int(value)
            if number % 2:
                raise fw.routing.ValidationError()
            return number

        def to_url(self, value):
            return str(value)

    class LowerConverter(fw.BaseConverter):
        def to_python(self, value):
            return value.lower()

        def to_url(self, value):
            return value.lower()

    class SlashyConverter(fw.BaseConverter):
        regex = r"[a-z]+/[a-z]+"

    app.url_map.converters["list"] = ListConverter
    app.url_map.converters["regex"] = RegexConverter
    app.url_map.converters["even"] = EvenConverter
    app.url_map.converters["lower"] = LowerConverter
    app.url_map.converters["slashy"] = SlashyConverter

    app.add_url_rule("/l/<list:v>", "l", _echo)
    app.add_url_rule('/r/<regex("[a-z]{3}"):v>', "r", _echo)
    app.add_url_rule("/even/<even:v>", "even", _echo)
    app.add_url_rule("/even/<v>", "not_even", lambda v: f"fallback {v}")
    app.add_url_rule("/low/<lower:v>", "low", _echo)
    app.add_url_rule("/sl/<slashy:v>/end", "sl", _echo)
    return app


@scenario(
    get("/l/a,b,c"),
    get("/l/a"),
    get("/l/a%2Cb"),
    get("/r/abc"),
    get("/r/abcd"),
    get("/r/ABC"),
    get("/even/4"),
    get("/even/3"),
    get("/low/HeLLo"),
    get("/sl/ab/cd/end"),
    get("/sl/ab/end"),
    in_request(
        url("l", v=["a", "b c", "d/e"]),
        url("r", v="xyz"),
        url("even", v=8),
        url("low", v="ABC"),
        url("sl", v="ab/cd"),
    ),
)
def custom_converters(fw):
    return _custom_converter_app(fw)


@scenario(
    get("/x/abc"),
    get("/x/ABC"),
    in_request(url("x", v="abc")),
)
def converter_registered_through_constructor_subclass(fw):
    class App(fw.App):
        pass

    app = App(__name__)

    class Upper(fw.BaseConverter):
        regex = "[A-Z]+"

    app.url_map.converters["upper"] = Upper
    app.add_url_rule("/x/<upper:v>", "x", _echo)
    app.add_url_rule("/x/<v>", "x_any", lambda v: f"any {v}")
    return app


# --------------------------------------------------------------------------------------
# Rule priority
# --------------------------------------------------------------------------------------


@scenario(
    get("/user/new"),
    get("/user/ada"),
    get("/user/42"),
    get("/user/42/posts"),
    get("/anything/else/here"),
    get("/"),
    get("/x/1.5"),
    get("/x/1"),
    get("/x/a"),
    get("/static-ish/a/b"),
    in_request(
        url("user_new"),
        url("user", name="new"),
        url("user_id", id=42),
        url("catch_all", p="user/new"),
    ),
)
def static_beats_dynamic_and_converters_rank(fw):
    app = fw.App(__name__)
    app.add_url_rule("/<path:p>", "catch_all", lambda p: f"catch-all {p}")
    app.add_url_rule("/user/<name>", "user", lambda name: f"user {name}")
    app.add_url_rule("/user/<int:id>", "user_id", lambda id: f"id {id}")
    app.add_url_rule("/user/<int:id>/posts", "posts", lambda id: f"posts {id}")
    app.add_url_rule("/user/new", "user_new", lambda: "new user form")
    app.add_url_rule("/", "root", lambda: "root")
    app.add_url_rule("/x/<v>", "x_str", lambda v: f"str {v}")
    app.add_url_rule("/x/<float:v>", "x_float", lambda v: f"float {v}")
    app.add_url_rule("/x/<int:v>", "x_int", lambda v: f"int {v}")
    return app


@scenario(
    get("/"),
    get("/about"),
    get("/contact"),
    get("/health"),
    in_app(
        probe(
            "iter_rules",
            lambda fw: [
                (r.rule, r.endpoint, sorted(r.methods)) for r in fw.current_app.url_map.iter_rules()
            ],
        ),
        probe(
            "iter_rules('about')",
            lambda fw: [r.rule for r in fw.current_app.url_map.iter_rules("about")],
        ),
        probe("view_functions keys", lambda fw: sorted(fw.current_app.view_functions)),
    ),
)
def route_registration_and_listing(fw):
    app = fw.App(__name__)

    @app.route("/")
    def index():
        return "Home Page"

    @app.route("/about")
    def about():
        return "About Page"

    @app.route("/contact")
    def contact():
        return "Contact Page"

    def health_check():
        return "OK", 200

    app.add_url_rule("/health", endpoint="health", view_func=health_check)
    app.add_url_rule("/about-us", endpoint="about")
    return app


@scenario(
    get("/a"),
    get("/b"),
    in_request(url("shared"), url("shared", _method="POST")),
)
def two_rules_one_endpoint(fw):
    app = fw.App(__name__)

    @app.route("/a")
    @app.route("/b", methods=["GET", "POST"])
    def shared():
        return fw.request.path

    return app


@scenario(
    in_app(probe("duplicate endpoint raises", lambda fw: _register_twice(fw))),
)
def overwriting_an_endpoint_raises(fw):
    return fw.App(__name__)


def _register_twice(fw):
    app = fw.current_app

    def one():
        return "1"

    def two():
        return "2"

    app.add_url_rule("/one", "same", one)
    app.add_url_rule("/two", "same", two)
    return "no error"


@scenario(
    in_app(probe("add_url_rule after first request", lambda fw: _late_rule(fw))),
    get("/"),
    in_app(probe("add_url_rule after first request", lambda fw: _late_rule(fw))),
)
def setup_method_after_first_request(fw):
    app = fw.App(__name__)
    app.add_url_rule("/", "index", lambda: "index")
    return app


_late_counter = [0]


def _late_rule(fw):
    _late_counter[0] += 1
    fw.current_app.add_url_rule(f"/late{_late_counter[0]}", f"late{_late_counter[0]}", str)
    return "added"


def test_scenario(scenario, candidate):
    scenario.check(candidate)
