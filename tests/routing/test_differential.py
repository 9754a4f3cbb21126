"""erlen's router against Werkzeug's, on the same rules and the same requests.

Every test registers one set of rules on ``werkzeug.routing.Map`` (the oracle) and on the
candidate's ``Map``, then compares what ``match``, ``allowed_methods``, ``test``, ``build``,
``iter_rules`` and the rules themselves report. Random maps and requests come from
``strategies.py``; ``CASES`` below is a hand-written table of the corners Werkzeug's own
test-suite is known for. A failure prints the map as Python, the call, and both outcomes.

Outcomes are compared as plain data: the endpoint and the values with their types, a
redirect's ``new_url`` and code, a 405's set of methods, routing errors by class name.
Other errors compare by built-in class: where Werkzeug raises, say, ``ValueError``, any
error that is an instance of ``ValueError`` agrees (messages are never compared, nor are
two ``BuildError``s beyond their type).

``ERLEN_DIFF=self`` runs Werkzeug against itself (validates the strategies),
``ERLEN_DIFF=erlen`` only erlen, the default both. ``ERLEN_FUZZ_SCALE=10`` explores more.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .compare import (
    MD,
    agree,
    compare_adapter_calls,
    compare_builds,
    compare_rules,
    construct,
    outcome,
    quiet,
    report,
)
from .impls import (
    Impl,
    bounded_settings,
    candidate_impl,
    candidate_names,
    redirect_callback,
    werkzeug_impl,
)
from .strategies import (
    MapSpec,
    build_calls,
    map_specs,
    requests,
)

# --------------------------------------------------------------------------------------
# Property tests on random maps
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=candidate_names())
def candidate(request: pytest.FixtureRequest) -> Impl:
    return candidate_impl(request.param)


def both_maps(spec: MapSpec, impl: Impl) -> tuple[Any, Any] | None:
    """The spec built on Werkzeug and on *impl*; None when both refuse it the same way."""
    oracle, oracle_error = construct(lambda: spec.build(werkzeug_impl()))
    other, other_error = construct(lambda: spec.build(impl))
    assert agree(oracle_error, other_error), report(
        spec.render(), "Map(...)", oracle_error, other_error
    )
    return None if oracle_error else (oracle, other)


def add_late_rules(spec: MapSpec, pair: tuple[Any, Any], impl: Impl) -> bool:
    """Add the spec's late rules to both maps; False when both refuse them alike."""
    expected = outcome(lambda: spec.add_late(pair[0], werkzeug_impl()))
    actual = outcome(lambda: spec.add_late(pair[1], impl))
    assert agree(expected, actual), report(spec.render(), "m.add(late rules)", expected, actual)
    return expected[0] == "ok"


def run_property(candidate: Impl, examples: int, body: Any) -> None:
    """Run ``body(data)`` under hypothesis; Werkzeug against itself (the strategies'
    self-check) gets a fifth of the budget."""
    budget = examples if candidate.name != "werkzeug" else max(10, examples // 5)
    bounded_settings(budget)(given(data=st.data())(body))()


def test_match_agrees_with_werkzeug(candidate: Impl) -> None:
    def check(data: st.DataObject) -> None:
        spec = data.draw(map_specs(), label="map")
        pair = both_maps(spec, candidate)
        if pair is None:
            return
        calls = data.draw(st.lists(requests(spec), min_size=2, max_size=12), label="requests")
        for index, request in enumerate(calls):
            if spec.late and index == len(calls) // 2 and not add_late_rules(spec, pair, candidate):
                return
            kw = request.match_kwargs()
            compare_adapter_calls(spec.render(), pair, request.bind, request.path, **kw)

    run_property(candidate, 500, check)


def test_build_agrees_with_werkzeug(candidate: Impl) -> None:
    def check(data: st.DataObject) -> None:
        spec = data.draw(map_specs(), label="map")
        pair = both_maps(spec, candidate)
        if pair is None:
            return
        calls = data.draw(st.lists(build_calls(spec), min_size=2, max_size=8), label="builds")
        for index, call in enumerate(calls):
            if spec.late and index == len(calls) // 2 and not add_late_rules(spec, pair, candidate):
                return
            args = (call.endpoint, call.values)
            compare_builds(spec.render(), pair, call.bind, *args, **call.build_kwargs())

    run_property(candidate, 400, check)


def test_rules_introspect_like_werkzeug(candidate: Impl) -> None:
    def check(data: st.DataObject) -> None:
        spec = data.draw(map_specs(), label="map")
        pair = both_maps(spec, candidate)
        if pair is not None:
            compare_rules(spec.render(), pair)
            if spec.late and add_late_rules(spec, pair, candidate):
                compare_rules(spec.render(), pair)

    run_property(candidate, 200, check)


# --------------------------------------------------------------------------------------
# Hand-written corners
# --------------------------------------------------------------------------------------

CUSTOM = "CUSTOM"  # stands for the implementation's custom converters in a Case's map


def by_value(item: tuple[str, Any]) -> str:
    """A ``sort_key`` for ``Map(sort_parameters=True)``: order query items by value."""
    return str(item[1])


def R(string: str, endpoint: Any = None, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    return (string, {"endpoint": endpoint, **kwargs})


def M(path: Any, method: str | None = None, bind: dict | None = None, **kw: Any) -> tuple:
    """A match (with allowed_methods, test and return_rule) to compare."""
    return ("match", path, method, bind or {}, kw)


def B(endpoint: Any, values: Any = None, bind: dict | None = None, **kw: Any) -> tuple:
    """A build to compare."""
    return ("build", endpoint, values, bind or {}, kw)


def ADD(string: str, endpoint: Any = None, **kwargs: Any) -> tuple:
    """``map.add(Rule(...))`` between two calls, after the map has been used."""
    return ("add", R(string, endpoint, **kwargs))


def SET(attribute: str, value: Any) -> tuple:
    """``setattr(map, attribute, value)`` between two calls (Flask apps do this)."""
    return ("set", attribute, value)


@dataclass
class Case:
    """Rules (or a function of the routing module returning them, for rule factories),
    map options, and the calls to compare on both implementations. With *any_error*
    both must refuse the rules but the error's type is not compared (Werkzeug's is an
    accident of its implementation there)."""

    name: str
    rules: Any
    calls: list[Any] = field(default_factory=list)
    map: dict[str, Any] = field(default_factory=dict)
    any_error: bool = False

    def build(self, impl: Impl) -> Any:
        options = dict(self.map)
        if options.get("converters") == CUSTOM:
            options["converters"] = impl.converters
        if callable(self.rules):
            return impl.Map(self.rules(impl.routing), **options)
        return impl.Map([impl.Rule(s, **kw) for s, kw in self.rules], **options)

    def render(self) -> str:
        if callable(self.rules):
            return f"# case {self.name}: rules from {self.rules.__name__}(), map {self.map!r}"
        rules = "".join(f"\n    Rule({s!r}, **{kw!r})," for s, kw in self.rules)
        return f"# case {self.name}\nMap([{rules}\n], **{self.map!r})"


def factory_rules(routing: Any) -> list[Any]:
    """Rules through every rule factory: Submount, Subdomain, EndpointPrefix, RuleTemplate."""
    r = routing
    template = r.RuleTemplate(
        [r.Rule("/$name/", endpoint="$name.list"), r.Rule("/$name/<int:id>", endpoint="$name.show")]
    )
    return [
        r.Submount("/blog", [r.Rule("/", endpoint="blog"), r.Rule("/e/<slug>", endpoint="entry")]),
        r.Subdomain("kb", [r.Rule("/", endpoint="kb"), r.Rule("/<int:id>", endpoint="kb.show")]),
        r.EndpointPrefix("p/", [r.Submount("/p/", [r.Rule("/x", endpoint="x")])]),
        template(name="user"),
        template({"name": "page"}),
    ]


UUID = "0b0b2c5e-94f7-4b1b-9a6b-2c8f6f0f2d3e"
BRANCHES = [
    R("/branch/", "branch"),
    R("/leaf", "leaf"),
    R("/loose/", "loose", strict_slashes=False),
]
BRANCHES.append(R("/loose_leaf", "loose_leaf", strict_slashes=False))
BRANCH_CALLS = ["/branch", "/branch/", "/leaf", "/leaf/", "/loose", "/loose/", "/loose_leaf/"]
BRANCH_CALLS += [
    M("/branch", query_args="a=1&b=2"),
    M("/branch", query_args={"q": "ü x", "m": ["1", "2"]}),
    M("/branch", bind={"script_name": "/app", "url_scheme": "https"}),
    M("/branch", bind={"subdomain": "api", "server_name": "Example.com:8080"}),
    M("/branch", "POST"),
    M("/a b/branch"),
]
MERGE_RULES = [R("/a//b", "ab"), R("/raw//x", "raw", merge_slashes=False), R("/p/<path:p>", "p")]
MERGE_RULES.append(R("/t//", "t"))
MERGE_CALLS = ["/a/b", "/a//b", "/a///b", "//a/b", "/raw//x", "/raw/x", "/p/a//b", "/p//a"]
MERGE_CALLS += ["/t", "/t/", "/t//", M("/a//b", query_args="x=1"), M("/a//b", "POST")]
DEFAULTS = [R("/all/", "all", defaults={"page": 1}), R("/all/page/<int:page>", "all")]
DEFAULT_CALLS = ["/all/", "/all/page/1", "/all/page/2", "/all/page/01", B("all", {"page": 1})]
DEFAULT_CALLS += [B("all", {"page": 2}), B("all", {}), B("all", {"page": "1"})]

CASES = [
    Case(
        "path_then_static",
        [R("/<path:p>/edit", "edit"), R("/<path:p>", "show")],
        ["/a/b/edit", "/a/b/edit/", "/edit", "/a/edit/edit", "/a//b/edit", "/a/b", "/a/b/"]
        + ["/", B("edit", {"p": "a/b"}), B("show", {"p": "a b/c?"})],
    ),
    Case(
        "converter_priority",
        [R("/<int:x>", "int"), R("/<string:x>", "str"), R("/<float:x>", "float")]
        + [R("/<path:x>", "path")],
        ["/1", "/1.5", "/abc", "/a/b", "/-1", "/01", "/1.", "/\u0661\u0662", "/½", "/١.٥"],
    ),
    Case(
        "static_beats_dynamic_then_backtracks",
        [R("/foo", "static"), R("/<x>", "dyn"), R("/foo/<int:y>", "foo_int")]
        + [R("/<x>/bar", "x_bar")],
        ["/foo", "/fob", "/foo/1", "/foo/bar", "/baz/bar", "/foo/baz", "/FOO"],
    ),
    Case("strict_slashes", BRANCHES, BRANCH_CALLS),
    Case("map_strict_slashes_off", BRANCHES, BRANCH_CALLS, {"strict_slashes": False}),
    Case("slash_and_no_slash", [R("/foo", "no"), R("/foo/", "yes")], ["/foo", "/foo/", "/foo//"]),
    Case(
        "any_conflicts",
        [R("/<any(a, b):x>", "ab"), R("/<any(b, c):y>", "bc"), R("/a", "static_a")]
        + [R("""/<any(about, help, "foo,bar", 'x y'):page>/""", "pages")],
        ["/a", "/b", "/c", "/d", "/foo,bar/", "/x y/", "/help", "/help/", "/ab"]
        + [B("pages", {"page": "foo,bar"}), B("pages", {"page": "nope"}), B("ab", {"x": "a"})],
    ),
    Case(
        "uuid_before_string",
        [R("/<uuid:u>", "uuid"), R("/<s>", "string")],
        ["/" + UUID, "/" + UUID.upper(), "/" + UUID.replace("-", ""), "/x", B("uuid", {"u": UUID})]
        + [B("uuid", {"u": uuid.UUID(UUID)})],
    ),
    Case("string_before_uuid", [R("/<s>", "string"), R("/<uuid:u>", "uuid")], ["/" + UUID]),
    Case(
        "validation_error_does_not_backtrack",
        [R("/<int(min=5):x>", "big"), R("/<x>", "any"), R("/e/<even:n>", "even")]
        + [R("/e/<int:n>", "int")],
        ["/3", "/7", "/x", "/e/2", "/e/3"],
        {"converters": CUSTOM},
    ),
    Case(
        "float_vs_int",
        [R("/<float:x>", "float"), R("/<int:x>", "int"), R("/s/<float(signed=True):x>", "signed")]
        + [R("/m/<float(min=0.5, max=2.5):x>", "range")],
        ["/1", "/1.0", "/1.", "/.5", "/1e3", "/s/-1.5", "/s/+1.5", "/-1.0", "/m/0.4", "/m/2.5"]
        + [B("float", {"x": 1.5}), B("float", {"x": 2}), B("float", {"x": 1e20})],
    ),
    Case(
        "int_options",
        [R("/f/<int(fixed_digits=3):x>", "fixed"), R("/r/<int(min=1, max=9):x>", "range")]
        + [R("/s/<int(signed=True):x>", "signed"), R("/p/<int(2):x>", "positional")],
        ["/f/007", "/f/7", "/f/0007", "/r/0", "/r/9", "/r/10", "/r/09", "/s/-0", "/s/-5"]
        + ["/s/--5", "/p/05", "/p/5", B("fixed", {"x": 7}), B("fixed", {"x": 12345})]
        + [B("range", {"x": 50}), B("signed", {"x": -3}), B("fixed", {"x": "x"})],
    ),
    Case("merge_slashes", MERGE_RULES, MERGE_CALLS),
    Case("map_merge_slashes_off", MERGE_RULES, MERGE_CALLS, {"merge_slashes": False}),
    Case("defaults_redirect", DEFAULTS, DEFAULT_CALLS),
    Case("defaults_redirect_off", DEFAULTS, DEFAULT_CALLS, {"redirect_defaults": False}),
    Case(
        "defaults_for_a_rule_variable",
        [R("/x/<int:a>", "x", defaults={"a": 5}), R("/y/<int:a>", "y")],
        ["/x/1", "/x/5", B("x", {}), B("x", {"a": 5}), B("x", {"a": 6})],
    ),
    Case(
        "alias",
        [R("/canon/<int:x>", "x"), R("/alias/<int:x>", "x", alias=True)],
        ["/alias/3", "/canon/3", M("/alias/3", query_args="q=1"), B("x", {"x": 3})],
    ),
    Case(
        "websocket",
        [R("/ws", "ws", websocket=True), R("/http", "http"), R("/both", "both_ws", websocket=True)]
        + [R("/both", "both_http")],
        ["/ws", "/http", "/both", M("/ws", bind={"url_scheme": "ws"})]
        + [M("/http", bind={"url_scheme": "wss"}), M("/both", websocket=True)]
        + [M("/ws", "POST", websocket=True), B("ws"), B("ws", bind={"url_scheme": "https"})]
        + [B("http", bind={"url_scheme": "wss"}), B("both_ws")],
    ),
    Case("websocket_refuses_post", [R("/ws", "ws", websocket=True, methods=["POST"])]),
    Case(
        "method_aggregation",
        [R("/r", "get", methods=["GET"]), R("/r", "post", methods=["POST"])]
        + [R("/r", "put", methods=["put"]), R("/s/", "s", methods=["POST"])],
        [M("/r", "DELETE"), M("/r", "HEAD"), M("/r", "post"), M("/s", "GET"), M("/s", "POST")]
        + [M("/s/", "GET"), M("/r", "OPTIONS"), M("/r/", "DELETE")],
    ),
    Case(
        "redirect_to",
        [R("/old/<int:id>", "old", redirect_to="new/<id>"), R("/abs/<x>", redirect_to="/r/<x>")]
        + [R("/ext/<x>", redirect_to="https://other.test/<x>"), R("/up/<x>", redirect_to="../<x>")]
        + [R("/cb/<int:n>", redirect_to=redirect_callback)],
        ["/old/5", "/abs/a b", "/ext/é", "/cb/3", "/up/z", M("/old/5", query_args="q=1")]
        + [M("/old/5", bind={"script_name": "/app", "subdomain": "api"})],
    ),
    Case(
        "subdomains",
        [R("/", "index"), R("/", "user", subdomain="<user>"), R("/api", "api", subdomain="api")],
        ["/", M("/", bind={"subdomain": "ada"}), M("/api", bind={"subdomain": "api"}), "/api"]
        + [B("user", {"user": "ada"}), B("index"), B("index", bind={"subdomain": "ada"})]
        + [B("api", force_external=True)],
        {"default_subdomain": "www"},
    ),
    Case(
        "host_matching",
        [R("/", "main", host="example.com"), R("/", "tenant", host="<t>.example.com")]
        + [R("/x", "port", host="example.com:8080"), R("/nohost", "nohost")],
        [M("/", bind={"server_name": "ada.example.com"}), M("/", bind={"subdomain": "x"})]
        + [M("/", bind={"server_name": "EXAMPLE.com"}), "/nohost"]
        + [M("/x", bind={"server_name": "example.com:8080"}), B("tenant", {"t": "ada"})]
        + [B("main"), B("main", bind={"server_name": "ada.example.com"})],
        {"host_matching": True},
    ),
    Case(
        "query_strings",
        [R("/q", "q"), R("/q/<int:n>", "qn")],
        [B("q", {"b": 2, "a": [1, 2], "c": None, "é": "ü x&y=z"})]
        + [B("q", {"z": "1"}, append_unknown=False), B("qn", {"n": 1, "n2": (1, 2)})],
        {"sort_parameters": True, "sort_key": by_value},
    ),
    Case(
        "build_selection_and_errors",
        [R("/g", "e", methods=["GET"]), R("/p", "e", methods=["POST"])]
        + [R("/a/<int:x>", "a", methods=["POST"]), R("/d/", "d", defaults={"k": 1})],
        [
            B("e"),
            B("e", method="POST"),
            B("e", method="PUT"),
            B("e", bind={"default_method": "POST"}),
        ]
        + [B("a", {"x": 1}), B("a", {"x": 1}, method="GET"), B("a", {}), B("missing")]
        + [B("d", {"k": 2}), B("d", {"k": 1}), B("d", {"k": "1"}), B("d", {"k": None})],
    ),
    Case(
        "external_urls",
        [R("/x", "x")],
        [B("x", force_external=True), B("x", url_scheme="https", force_external=True)]
        + [B("x", bind={"script_name": "/app/"}), B("x", bind={"server_name": "Bücher.de"})]
        + [B("x", bind={"server_name": "bücher.de"}, force_external=True)]
        + [
            B("x", bind={"url_scheme": ""}, force_external=True),
            M("/", bind={"server_name": "a..b"}),
        ],
    ),
    Case(
        "unicode_and_quoting",
        [R("/ü/<x>", "u"), R("/a b/", "space"), R("/100%/<x>", "pct"), R("/c/<lower:x>", "low")],
        ["/ü/ä", "/%C3%BC/a", "/a b", "/100%/x", "/a b/", B("u", {"x": "ä /?#"}), B("space")]
        + [B("pct", {"x": "%"}), B("low", {"x": "A b/c"}), B("u", {"x": b"bytes"})],
        {"converters": CUSTOM},
    ),
    Case(
        "mixed_segments",
        [R("/page-<int:n>.html", "page"), R("/<a>-<b>", "pair"), R("/<int:a>.<int:b>", "ver")]
        + [R("/v<int:major>.<int:minor>/", "v")],
        ["/page-1.html", "/page-x.html", "/x-y-z", "/1.2", "/v1.2", "/v1.2/", "/page-1.html/"]
        + [B("pair", {"a": "x-y", "b": "z"}), B("page", {"n": 3})],
    ),
    Case(
        "weights_and_order",
        [R("/<string(length=2):x>", "two"), R("/<x>", "anything"), R("/<int:x>/<y>", "int1")]
        + [R("/<x>/<int:y>", "int2")],
        ["/ab", "/abc", "/1/2", "/a/2", "/1/a"],
    ),
    Case(
        "custom_weight_and_part_isolating",
        [R("/<yesno:f>", "yesno"), R("/<segs:s>/end", "segs"), R("/<x>", "str")]
        + [R("/h/<hex:n>", "hex"), R("/h/<int:n>", "int"), R("/i/<prefixed(v, 3):n>", "pre")],
        ["/yes", "/no", "/a/b/end", "/a/end", "/maybe", "/h/10", "/h/ff", "/i/v007", "/i/v07"]
        + [B("segs", {"s": ("a", "b")}), B("pre", {"n": 7})],
        {"converters": CUSTOM},
    ),
    Case(
        "builtin_subclass_with_its_own_regex",
        [R("/y/<year:y>", "year"), R("/y/<x>", "other"), R("/s/<abc:s>", "abc")]
        + [R("/i/<subint:n>", "shifted"), R("/u/<substr:s>", "upper")],
        [
            "/y/2020",
            "/y/12345",
            "/y/12",
            "/s/abc",
            "/s/abd",
            "/i/5",
            "/u/ab",
            B("shifted", {"n": 1005}),
        ]
        + [B("year", {"y": 12}), B("upper", {"s": "AB"})],
        {"converters": CUSTOM},
    ),
    Case(
        "rule_starting_with_double_slash",
        [R("//bar", "bar", merge_slashes=False), R("//", "root", merge_slashes=False)]
        + [R("///<path:p>/", "p", merge_slashes=False)],
        ["//bar", "/bar", "//", B("bar"), B("root"), B("bar", force_external=True)]
        + [B("bar", bind={"script_name": "/app"}), B("p", {"p": "x/y"}), B("bar", {"q": 1})],
    ),
    # erlen parses converter arguments more strictly than Werkzeug's regex in two
    # places on purpose (negative numbers, ``string(2,5)`` as two arguments): those
    # cases are tested in tests/routing/test_rules.py instead of here.
    Case("unknown_converter", [R("/<nope:x>", "n")]),
    Case("malformed_rule", [R("/<x", "m")]),
    Case("no_leading_slash", [R("foo", "f")]),
    Case("methods_given_as_string", [R("/m", "m", methods="GET")]),
    Case("any_with_number_item", [R("/<any(1, 2):x>", "n")], ["/1"]),
    Case("duplicate_variable", [R("/<x>/<int:x>", "dup")], ["/a/1"], any_error=True),
    Case("maxlength_below_minlength", [R("/<string(maxlength=0):x>", "e")], any_error=True),
    *[
        Case(f"rule_syntax {text!r}", [R(text, "e")], ["/1", "/ab", "/a", "/", "/12", "/a>"])
        for text in [
            "/<ü>",
            "/<1x>",
            "/<x-y>",
            "/<int:>",
            "/<:x>",
            "/<int():x>",
            "/<int( ):x>",
            "/<string(length=2,):x>",
            "/<x>>",
            "/<<x>",
            "/<int(min = 1):x>",
            "/<int (min=1):x>",
            "/<string(length=2) :x>",
            "/<string(length='2'):x>",
            "/<any(a,'b,c' , \"d\"):x>",
            "/<any():x>",
            "/<float(min=1):x>",
            "/<int(signed=yes):x>",
            "/<int(min=None):x>",
            "/<string(minlength=0):x>",
            "/<int(fixed_digits=True):x>",
            "/<int(min=1.5):x>",
            "/a>b",
            "/<default(2):x>",
            "/<uuid(1):x>",
            "/<path(1):x>",
            "/<x>\n",
            "/<int:x",
        ]
    ],
    Case(
        "rule_factories",
        factory_rules,
        ["/blog/", "/blog", "/blog/e/x", "/p/x", "/p//x", "/user/", "/page/3", "/user/x"]
        + [M("/", bind={"subdomain": "kb"}), M("/7", bind={"subdomain": "kb"})]
        + [B("kb.show", {"id": 7}), B("p/x"), B("user.show", {"id": 1}), B("entry", {"slug": "a"})],
    ),
    Case(
        "endpoint_types",
        [R("/none"), R("/int", 42), R("/tuple", ("a", 1)), R("/also_int", 42, methods=["POST"])],
        ["/none", "/int", "/tuple", M("/also_int", "POST"), B(42), B(("a", 1)), B(None)]
        + [B(42, method="POST")],
    ),
    Case(
        "multidict_values",
        [R("/m/<a>", "m"), R("/m/<a>/<b>", "m")],
        [B("m", MD([("a", "1"), ("a", "2")])), B("m", MD([("a", "x"), ("b", "y"), ("c", "z")]))]
        + [B("m", MD([("a", "x"), ("q", "1"), ("q", "2")])), B("m", MD([("b", "only")]))],
    ),
    Case(
        "map_changed_after_use",
        [R("/old/", "old"), R("/all/", "all", defaults={"p": 1}), R("/all/<int:p>", "all")]
        + [R("/a//b", "ab"), R("/<y>", "y"), R("/q", "q")],
        [
            "/old",
            "/all/1",
            "/a//b",
            "/5",
            B("q", {"z": "1", "a": "2"}),
            SET("strict_slashes", False),
        ]
        + [
            SET("redirect_defaults", False),
            SET("merge_slashes", False),
            SET("sort_parameters", True),
        ]
        + [ADD("/new/", "new"), ADD("/<int:y>", "int_y"), ADD("/a//c", "ac")]
        + ["/old", "/new", "/all/1", "/a//b", "/a//c", "/a/c", "/5", "/x"]
        + [B("q", {"z": "1", "a": "2"}), SET("default_subdomain", "www"), ADD("/www", "www")]
        + ["/www", M("/www", bind={"subdomain": "www"}), B("www")],
    ),
    Case(
        "defaults_rule_added_after_first_match",
        [R("/all/page/<int:page>", "all"), R("/a/<int:x>", "canon")],
        ["/all/page/1", "/a/1", ADD("/all/", "all", defaults={"page": 1})]
        + [
            ADD("/alias/<int:x>", "canon", alias=True),
            "/all/page/1",
            "/alias/1",
            B("all", {"page": 1}),
        ],
    ),
    Case(
        "rules_added_after_first_match",
        [R("/x/<a>", "string")],
        ["/x/5", "/y", ADD("/x/<int:a>", "int"), ADD("/y", "y"), "/x/5", "/y", ADD("/x/5", "five")]
        + [
            "/x/5",
            ADD("/x/<int:a>", "again", methods=["POST"]),
            M("/x/6", "POST"),
            B("int", {"a": 1}),
        ],
    ),
    Case(
        "empty_and_root_paths",
        [R("/", "root"), R("/<path:p>", "p")],
        ["", "/", "//", "///", M("", bind={"script_name": "/app"}), M("/", "POST")],
    ),
    Case(
        "newlines_and_nul",
        [R("/<x>", "x"), R("/p/<path:p>", "p"), R("/i/<int:n>", "n")],
        ["/a\n", "/\n", "/p/a\nb", "/a%0a", "/i/1\n", "/a\x00b", "/p/a\n"],
    ),
    Case(
        "head_and_lowercase_methods",
        [R("/h", "h", methods=["get"]), R("/o", "o", methods=["OPTIONS"])],
        [M("/h", "HEAD"), M("/h", "head"), M("/h", "POST"), M("/o"), M("/o", "options")],
    ),
    Case(
        "build_only",
        [R("/static/<path:f>", "static", build_only=True)],
        ["/static/a.css", B("static", {"f": "a/b c.css"})],
    ),
    Case(
        # Plain <int> values are converted inline by the compiled matcher below 640
        # digits (the least interpreter limit on int() digits) and by to_python above.
        "int_digit_runs",
        [R("/n/<int:n>", "n"), R("/s/<int(signed=True):s>", "s"), R("/b/<int(max=5):b>", "b")],
        [
            "/n/0",
            "/n/007",
            "/n/\u0664\u0662",  # Arabic-Indic digits: \\d and isdecimal() accept them
            "/n/" + "9" * 639,
            "/n/" + "9" * 640,
            "/n/" + "9" * 5000,  # over int()'s default digit limit: no match, as Werkzeug
            "/s/-12",
            "/s/" + "-" + "1" * 700,
            "/b/5",
            "/b/6",
            "/n/1x",
        ],
    ),
    Case(
        "path_with_trailing_slash",
        [R("/<path:p>/", "p"), R("/x/<path:q>/end/", "q")],
        ["/a/b", "/a/b/", "/a/b//", "/a", "/x/1/2/end", "/x/1/end/", M("/a/b", query_args="z=1")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tricky_case_agrees_with_werkzeug(candidate: Impl, case: Case) -> None:
    oracle, oracle_error = construct(lambda: case.build(werkzeug_impl()))
    other, other_error = construct(lambda: case.build(candidate))
    if case.any_error and oracle_error and other_error:
        return
    assert agree(oracle_error, other_error), report(
        case.render(), "Map(...)", oracle_error, other_error
    )
    if oracle_error:
        return
    pair, impls = (oracle, other), (werkzeug_impl(), candidate)
    compare_rules(case.render(), pair)
    for call in case.calls:
        call = M(call) if isinstance(call, str) else call
        if call[0] == "add":
            for url_map, impl in zip(pair, impls, strict=True):
                url_map.add(impl.Rule(call[1][0], **call[1][1]))
            compare_rules(case.render() + f"\n# then m.add(Rule{call[1]!r})", pair)
            continue
        if call[0] == "set":
            for url_map in pair:
                setattr(url_map, call[1], call[2])
            continue
        kind, target, extra, bind, kw = call
        bind = {"server_name": "example.com", **bind}
        if kind == "match":
            kw = {**kw, "method": extra} if extra else kw
            compare_adapter_calls(case.render(), pair, bind, target, **kw)
        else:
            compare_builds(case.render(), pair, bind, target, extra, **kw)


ENVIRON_RULES = [R("/foo/", "foo"), R("/", "root"), R("/ws", "ws", websocket=True)]
ENVIRON_RULES += [R("/", "sub", subdomain="api"), R("/ü", "u")]
BASE_ENVIRON = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "SERVER_NAME": "example.com"}
BASE_ENVIRON.update({"SERVER_PORT": "80", "PATH_INFO": "/foo", "QUERY_STRING": "a=1"})
ENVIRONS = {
    "plain": ({}, None),
    "host_header_with_port": ({"HTTP_HOST": "example.com:8080"}, None),
    "subdomain_from_host": ({"HTTP_HOST": "api.example.com", "PATH_INFO": "/"}, "example.com"),
    "host_mismatch": ({"HTTP_HOST": "other.test"}, "example.com"),
    "https_default_port": ({"wsgi.url_scheme": "https", "SERVER_PORT": "443"}, "example.com:443"),
    "websocket_upgrade": (
        {"HTTP_CONNECTION": "keep-alive, Upgrade", "HTTP_UPGRADE": "websocket", "PATH_INFO": "/ws"},
        None,
    ),
    "wsgi_latin1_path": ({"PATH_INFO": "/ü".encode().decode("latin-1")}, None),
    "script_name": ({"SCRIPT_NAME": "/app", "REQUEST_METHOD": "POST"}, None),
    "no_server_port": ({"SERVER_PORT": None}, None),
    "no_server_name": ({"SERVER_NAME": None, "SERVER_PORT": "8080"}, None),
    "invalid_host_header": ({"HTTP_HOST": "bad host!"}, None),
    "host_port_out_of_range": ({"HTTP_HOST": "example.com:99999"}, None),
    "ipv6_server_name": ({"SERVER_NAME": "::1", "SERVER_PORT": "8080"}, None),
    "ipv6_host_header": ({"HTTP_HOST": "[::1]:80"}, None),
}


@pytest.mark.parametrize("name", sorted(ENVIRONS))
def test_bind_to_environ_agrees_with_werkzeug(candidate: Impl, name: str) -> None:
    extra, server_name = ENVIRONS[name]
    environ = {k: v for k, v in {**BASE_ENVIRON, **extra}.items() if v is not None}
    case = Case(f"bind_to_environ {name}", ENVIRON_RULES)
    pair = (case.build(werkzeug_impl()), case.build(candidate))
    setup = f"{case.render()}\nenviron = {environ!r}"
    attributes = "server_name script_name subdomain url_scheme path_info default_method websocket"
    for what in ["match", "attributes", "build"]:

        def probe(url_map: Any, what: str = what) -> Any:
            adapter = url_map.bind_to_environ(dict(environ), server_name=server_name)
            if what == "match":
                return adapter.match()
            if what == "build":
                return adapter.build("foo", {"x": "1"}, force_external=True)
            return tuple(getattr(adapter, a, "<missing>") for a in attributes.split())

        expected = quiet(lambda: outcome(lambda: probe(pair[0])))
        actual = quiet(lambda: outcome(lambda: probe(pair[1])))
        text = f"m.bind_to_environ(environ, server_name={server_name!r}) -> {what}"
        assert agree(expected, actual), report(setup, text, expected, actual)


HOSTILE_RULES = [R("/<path:p>/edit", "edit"), R("/<a>-<b>-<c>", "abc"), R("/<int:n>/<x>", "n")]
HOSTILE_RULES += [R("/s/<string(minlength=2, maxlength=5):s>", "s"), R("/<float:f>.x", "f")]
HOSTILE_PATHS = ["/" + "a" * 50_000, "/" + "a/" * 5_000 + "edit", "/" + "-" * 20_000]
HOSTILE_PATHS += ["/" + "1" * 20_000 + "/x", "//" * 10_000, "/s/" + "%" * 50_000, "/1." * 5000]


def test_hostile_paths_agree_and_stay_fast(candidate: Impl) -> None:
    """Huge inputs: same outcome, and no slower than a few times Werkzeug (plus slack)."""
    case = Case("hostile", HOSTILE_RULES)
    oracle, other = case.build(werkzeug_impl()), case.build(candidate)
    for path in HOSTILE_PATHS:
        started = time.perf_counter()
        expected = outcome(lambda path=path: oracle.bind("example.com").match(path))
        oracle_seconds = time.perf_counter() - started
        started = time.perf_counter()
        actual = outcome(lambda path=path: other.bind("example.com").match(path))
        seconds = time.perf_counter() - started
        assert agree(expected, actual), report(
            case.render(), f"match({path[:40]!r}...)", expected, actual
        )
        assert seconds <= 5 * oracle_seconds + 0.5, f"{path[:40]!r}: {seconds:.3f}s"
