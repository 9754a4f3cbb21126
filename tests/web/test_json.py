"""JSON against Flask: ``app.json`` (dumps/loads/response and its attributes), jsonify of
the types Flask serializes, pretty output in debug, custom providers, ``request.get_json``
through the provider, ``erlen.json`` outside an app, and the tagged serializer's exact
output."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import uuid
from collections import OrderedDict

import pytest
from markupsafe import Markup

from tests.differential.harness import get, in_app, no_context, post, probe, scenario

from .apps.common import check_scenario, same, scenario_cases


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = "p"
    tags: tuple = ("a",)


class Html:
    def __html__(self):
        return "<em>html</em>"


VALUES = {
    "datetime-naive": datetime.datetime(2024, 2, 29, 23, 59, 58),
    "datetime-utc": datetime.datetime(2024, 2, 29, 23, 59, 58, tzinfo=datetime.timezone.utc),
    "datetime-offset": datetime.datetime(
        2024, 2, 29, 23, 59, 58, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
    ),
    "date": datetime.date(1999, 12, 31),
    "decimal": decimal.Decimal("3.14159265358979323846"),
    "decimal-exp": decimal.Decimal("1E+3"),
    "uuid": uuid.UUID("00010203-0405-0607-0809-0a0b0c0d0e0f"),
    "dataclass": Point(1, 2.5, tags=("x", "y")),
    "markup": Markup("<b>bold</b>"),
    "html-object": Html(),
    "nested": {
        "list": [Point(0, 0.0), {"when": datetime.date(2000, 1, 1)}],
        "tuple": (1, decimal.Decimal("2.0")),
    },
    "unicode": "ünïcødé ✓ \u2028 </script>",
    "floats": [0.1, 1e300, -0.0, 1.0],
    "ints": [0, -1, 2**70],
    "unsorted-dict": {"b": 1, "a": 2, "C": 3, "_": 4},
    "int-keys": {2: "b", 1: "a", 10: "c"},
    "other-keys": {True: 1, None: 2, 1.5: 3},
    "empty": {},
    "none": None,
    "bool": True,
    "string": "plain",
}

UNSERIALIZABLE = {
    "set": {1, 2},
    "bytes": b"raw",
    "object": object(),
    "time": datetime.time(1, 2),
    "timedelta": datetime.timedelta(seconds=1),
    "mixed-keys": {1: "a", "b": 2},
    "tuple-key": {(1, 2): "x"},
}


def _json_app(fw):
    app = fw.App(__name__)

    @app.route("/value/<name>")
    def value(name):
        return fw.jsonify(VALUES[name])

    @app.route("/bad/<name>")
    def bad(name):
        return fw.jsonify(UNSERIALIZABLE[name])

    @app.route("/dict")
    def as_dict():
        return {"b": VALUES["decimal"], "a": VALUES["date"]}

    @app.route("/list")
    def as_list():
        return [VALUES["uuid"], VALUES["markup"]]

    @app.route("/args")
    def several():
        return fw.jsonify(1, "two", None)

    @app.route("/kwargs")
    def keywords():
        return fw.jsonify(z=1, a=VALUES["dataclass"])

    @app.route("/nothing")
    def nothing():
        return fw.jsonify()

    @app.route("/both")
    def both_args():
        return fw.jsonify(1, a=2)

    @app.route("/status")
    def with_status():
        return fw.jsonify(error="nope"), 422, {"X-Extra": "1"}

    @app.route("/echo", methods=["POST"])
    def echo():
        data = fw.request.get_json(silent=fw.request.args.get("silent") == "1")
        return fw.jsonify(data=data, type=type(data).__name__)

    @app.route("/echo-force", methods=["POST"])
    def echo_force():
        return fw.jsonify(fw.request.get_json(force=True))

    @app.route("/settings")
    def settings():
        j = fw.current_app.json
        return fw.jsonify(
            sort_keys=j.sort_keys,
            ensure_ascii=j.ensure_ascii,
            compact=j.compact,
            mimetype=j.mimetype,
            provider=type(j).__name__,
        )

    return app


_RESPONSES = (
    *(get(f"/value/{name}", exact_json=True) for name in VALUES),
    get("/dict", exact_json=True),
    get("/list", exact_json=True),
    get("/args", exact_json=True),
    get("/kwargs", exact_json=True),
    get("/nothing", exact_json=True),
    get("/status", exact_json=True),
    get("/settings"),
)


@scenario(
    *_RESPONSES,
    *(get(f"/bad/{name}") for name in UNSERIALIZABLE),
    get("/both"),
    config={"PROPAGATE_EXCEPTIONS": False},
)
def jsonify_types(fw):
    return _json_app(fw)


@scenario(*_RESPONSES, config={"DEBUG": True})
def jsonify_pretty_in_debug(fw):
    return _json_app(fw)


_ATTRIBUTES = {
    "sort_keys_off": ({"sort_keys": False}, {}),
    "ensure_ascii_off": ({"ensure_ascii": False}, {}),
    "compact_false": ({"compact": False}, {}),
    "compact_true_in_debug": ({"compact": True}, {"DEBUG": True}),
    "compact_false_in_debug": ({"compact": False}, {"DEBUG": True}),
    "custom_mimetype": ({"mimetype": "application/vnd.api+json"}, {}),
    "custom_default": ({"default": lambda o: f"<{type(o).__name__}>"}, {}),
}


def _tuned_builder(attributes):
    def build(fw):
        app = _json_app(fw)
        for name, value in attributes.items():
            setattr(app.json, name, value)
        return app

    return build


for _name, (_attributes, _config) in _ATTRIBUTES.items():
    scenario(
        *_RESPONSES,
        get("/bad/set"),
        name=_name,
        config={"PROPAGATE_EXCEPTIONS": False, **_config},
        module=__name__,
    )(_tuned_builder(_attributes))


# --------------------------------------------------------------------------------------
# Request bodies through the provider
# --------------------------------------------------------------------------------------


@scenario(
    post("/echo", json={"b": [1, 2], "a": "ü"}),
    post("/echo", data="[1, 2.5, null]", content_type="application/json"),
    post("/echo", data='"text"', content_type="application/vnd.thing+json"),
    post("/echo", data="{bad json", content_type="application/json"),
    post("/echo", data="{bad json", content_type="application/json", query_string={"silent": "1"}),
    post("/echo", data='{"a": 1}', content_type="text/plain"),
    post("/echo", data='{"a": 1}', content_type="text/plain", query_string={"silent": "1"}),
    post("/echo", data="", content_type="application/json"),
    post("/echo", data=b"\xff\xfe", content_type="application/json"),
    post("/echo-force", data='{"forced": true}', content_type="text/plain"),
    post("/echo", data="NaN", content_type="application/json"),
    post("/echo", data='{"a": 1, "a": 2}', content_type="application/json"),
)
def request_get_json(fw):
    return _json_app(fw)


def _custom_provider_app(fw, install):
    class Provider(fw.json.provider.DefaultJSONProvider):
        sort_keys = False

        def dumps(self, obj, **kwargs):
            return "/*custom*/" + super().dumps(obj, **kwargs)

        def loads(self, s, **kwargs):
            kwargs.setdefault("parse_float", decimal.Decimal)
            value = super().loads(s, **kwargs)
            if isinstance(value, dict):
                value["_loaded_by"] = "custom"
            return value

    if install == "class":

        class App(fw.App):
            json_provider_class = Provider

        app = App(__name__)
    else:
        app = fw.App(__name__)
        app.json = Provider(app)

    @app.route("/out")
    def out():
        return fw.jsonify(b=1, a=VALUES["decimal"])

    @app.route("/dict")
    def as_dict():
        return {"z": 1, "a": 2}

    @app.route("/in", methods=["POST"])
    def incoming():
        data = fw.request.get_json()
        return fw.jsonify(repr(data))

    @app.route("/template")
    def template():
        return fw.render_template_string("{{ {'b': 1, 'a': '<'}|tojson }}")

    return app


_CUSTOM_STEPS = (
    get("/out", exact_json=True),
    get("/dict", exact_json=True),
    post("/in", json={"price": 1.10, "n": 2}, exact_json=True),
    get("/template"),
    in_app(
        probe("fw.json.dumps", lambda fw: fw.json.dumps({"b": 1, "a": 1.5})),
        probe("fw.json.loads", lambda fw: repr(fw.json.loads('{"v": 1.5}'))),
        probe("app.json.dumps", lambda fw: fw.current_app.json.dumps([1])),
    ),
)

for _install in ("instance", "class"):
    scenario(*_CUSTOM_STEPS, name=f"custom_provider_{_install}", module=__name__)(
        lambda fw, install=_install: _custom_provider_app(fw, install)
    )


def test_minimal_provider_subclass():
    """A provider that only implements dumps and loads (the documented minimum)."""

    def run(fw):
        import json

        class Minimal(fw.json.provider.JSONProvider):
            def dumps(self, obj, **kwargs):
                return json.dumps(obj, sort_keys=True, default=str)

            def loads(self, s, **kwargs):
                return json.loads(s)

        app = fw.App(__name__)
        app.json = Minimal(app)

        @app.route("/")
        def index():
            return fw.jsonify(b=VALUES["date"], a=[1])

        @app.route("/in", methods=["POST"])
        def incoming():
            return fw.jsonify(fw.request.get_json())

        client = app.test_client()
        out = client.get("/")
        back = client.post("/in", json={"x": 1})
        with app.app_context():
            buffer = io.StringIO()
            app.json.dump({"k": 1}, buffer)
            loaded = app.json.load(io.StringIO('{"k": 2}'))
        return (
            out.get_data(as_text=True),
            out.mimetype,
            back.get_data(as_text=True),
            buffer.getvalue(),
            loaded,
        )

    same(run)


# --------------------------------------------------------------------------------------
# erlen.json as a module, inside and outside an app
# --------------------------------------------------------------------------------------


def _module_probes():
    return (
        probe("dumps", lambda fw: fw.json.dumps({"b": VALUES["date"], "a": VALUES["uuid"]})),
        probe("dumps kwargs", lambda fw: fw.json.dumps({"b": 1, "a": "ü"}, indent=1)),
        probe("dumps dataclass", lambda fw: fw.json.dumps(VALUES["dataclass"])),
        probe("dumps markup", lambda fw: fw.json.dumps([Markup("<x>"), Html()])),
        probe("dumps decimal", lambda fw: fw.json.dumps(VALUES["decimal"])),
        probe("dumps set", lambda fw: fw.json.dumps({1})),
        probe("loads", lambda fw: fw.json.loads('{"a": [1, 2.5, "x"]}')),
        probe("loads bytes", lambda fw: fw.json.loads(b'{"a": 1}')),
        probe("loads utf-16 bytes", lambda fw: fw.json.loads('{"a": 1}'.encode("utf-16"))),
        probe("loads bad", lambda fw: fw.json.loads("{")),
        probe("dump", lambda fw: _dump(fw)),
        probe("load", lambda fw: fw.json.load(io.StringIO('[1, {"a": null}]'))),
    )


def _dump(fw):
    buffer = io.StringIO()
    fw.json.dump({"z": VALUES["date"], "a": 1}, buffer)
    return buffer.getvalue()


@scenario(
    no_context(*_module_probes(), probe("jsonify", lambda fw: fw.jsonify(1))),
    in_app(*_module_probes(), probe("jsonify", lambda fw: fw.jsonify(1).get_data())),
)
def json_module(fw):
    return fw.App(__name__)


@scenario(
    get("/"),
    in_app(probe("tojson", lambda fw: fw.render_template_string("{{ v|tojson }}", v=VALUES))),
)
def tojson_filter(fw):
    app = fw.App(__name__)

    @app.route("/")
    def index():
        return fw.render_template_string(
            "<script>{{ v|tojson }}</script><a x='{{ v|tojson }}'>", v=VALUES["nested"]
        )

    return app


# --------------------------------------------------------------------------------------
# The tagged serializer (the session's format)
# --------------------------------------------------------------------------------------

TAGGED = {
    "tuple": (1, 2, (3,)),
    "empty-tuple": (),
    "bytes": b"\x00\x01binary\xff",
    "empty-bytes": b"",
    "markup": Markup("<b>x</b>"),
    "html-object": Html(),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "datetime-utc": datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    "datetime-naive": datetime.datetime(2020, 1, 2, 3, 4, 5),
    "datetime-microseconds": datetime.datetime(2020, 1, 2, 3, 4, 5, 999999),
    "datetime-offset": datetime.datetime(
        2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-7))
    ),
    "tag-like-key": {" t": [1, 2]},
    "every-tag-key": {key: 1 for key in (" t", " b", " m", " u", " d", " di")},
    "di-key": {" di": {" t": (1,)}},
    "escaped-key": {" t__": 1},
    "nested": {"a": [{"b": (b"x", Markup("&"))}], "c": {" u": "not a uuid"}},
    "list-of-tuples": [(1, "a"), ("b", 2)],
    "unicode": "ünï ✓",
    "plain": {"a": 1, "b": [True, None, 1.5]},
    "unsorted": {"b": 1, "a": 2},
    "ordered-dict": OrderedDict([("b", 1), ("a", 2)]),
    "flashes": {"_flashes": [("message", "hi"), ("error", Markup("<i>x</i>"))]},
}


def _serializer(fw):
    return fw.json.tag.TaggedJSONSerializer()


def _load_tag(fw):
    import importlib

    return importlib.import_module(f"{fw.name}.json.tag")


def _tagged(fw, name, in_app):
    module = _load_tag(fw)
    serializer = module.TaggedJSONSerializer()
    value = TAGGED[name]
    if in_app:
        with fw.App(__name__).app_context():
            text = serializer.dumps(value)
    else:
        text = serializer.dumps(value)
    back = serializer.loads(text)
    return text, repr(back), repr(serializer.tag(value))


@pytest.mark.parametrize("in_app", [False, True], ids=["no-app", "in-app"])
@pytest.mark.parametrize("name", TAGGED)
def test_tagged_serializer_output(name, in_app):
    text, _, _ = same(lambda fw: _tagged(fw, name, in_app))
    lossy = {"html-object", "datetime-naive", "datetime-microseconds", "datetime-offset"}
    if name not in lossy:
        from erlen.json.tag import TaggedJSONSerializer

        assert TaggedJSONSerializer().loads(text) == TAGGED[name]


@pytest.mark.parametrize("name", TAGGED)
def test_tagged_text_written_by_flask_is_read_by_erlen(name):
    from flask.json.tag import TaggedJSONSerializer as FlaskSerializer

    from erlen.json.tag import TaggedJSONSerializer as ErlenSerializer

    text = FlaskSerializer().dumps(TAGGED[name])
    assert repr(ErlenSerializer().loads(text)) == repr(FlaskSerializer().loads(text))
    text = ErlenSerializer().dumps(TAGGED[name])
    assert repr(FlaskSerializer().loads(text)) == repr(ErlenSerializer().loads(text))


def test_tagged_serializer_unserializable():
    same(lambda fw: _serializer_for(fw).dumps({"s": {1, 2}}))


def _serializer_for(fw):
    return _load_tag(fw).TaggedJSONSerializer()


def test_registering_a_custom_tag():
    def run(fw):
        module = _load_tag(fw)

        class TagOrderedDict(module.JSONTag):
            __slots__ = ()
            key = " od"

            def check(self, value):
                return isinstance(value, OrderedDict)

            def to_json(self, value):
                return [[k, self.serializer.tag(v)] for k, v in value.items()]

            def to_python(self, value):
                return OrderedDict(value)

        class TagSet(module.JSONTag):
            __slots__ = ()
            key = " s"

            def check(self, value):
                return isinstance(value, (set, frozenset))

            def to_json(self, value):
                return sorted(value)

            def to_python(self, value):
                return set(value)

        serializer = module.TaggedJSONSerializer()
        serializer.register(TagOrderedDict, index=0)
        serializer.register(TagSet)
        out = []
        value = {"od": OrderedDict([("b", (1,)), ("a", 2)]), "s": {3, 1}}
        text = serializer.dumps(value)
        out.append(text)
        out.append(repr(serializer.loads(text)))
        out.append([type(tag).__name__ for tag in serializer.order])
        out.append(sorted(serializer.tags))
        for kwargs in ({}, {"force": True}):
            try:
                serializer.register(TagSet, **kwargs)
                out.append(("registered again", kwargs))
            except KeyError as exc:
                out.append(("KeyError", str(exc)))
        return out

    same(run)


def test_tag_classes_and_default_order():
    def run(fw):
        module = _load_tag(fw)
        serializer = module.TaggedJSONSerializer()
        return (
            [type(tag).__name__ for tag in serializer.order],
            sorted(serializer.tags),
            [(cls.__name__, cls.key) for cls in module.TaggedJSONSerializer.default_tags],
        )

    names, tags, defaults = same(run)
    assert tags == [" b", " d", " di", " m", " t", " u"]
    assert names[:2] == ["TagDict", "PassDict"]
    assert defaults[0] == ("TagDict", " di")


@pytest.mark.parametrize(("candidate", "sc"), scenario_cases(__name__))
def test_scenario(candidate, sc):
    check_scenario(candidate, sc)


def test_compact_responses_reuse_encoders_safely():
    """jsonify keeps a C encoder per settings, shared by threads: a failed encode must
    not make later objects look circular, settings changes must take effect, cycles are
    still caught, and threads encoding at once get their own objects back."""
    import threading

    from erlen import Erlen, jsonify

    app = Erlen(__name__)
    with app.app_context():
        retried = {"a": [object()]}
        with pytest.raises(TypeError):
            jsonify(retried)
        retried["a"] = [0]
        assert jsonify(retried).get_data(as_text=True) == '{"a":[0]}\n'
        for _ in range(50):
            with pytest.raises(TypeError):
                jsonify({"a": [object()]})
            assert jsonify({"a": [1, {"b": 2}]}).get_data(as_text=True) == '{"a":[1,{"b":2}]}\n'
        app.json.sort_keys = False
        assert jsonify({"b": 1, "a": 2}).get_data(as_text=True) == '{"b":1,"a":2}\n'
        app.json.sort_keys = True
        assert jsonify({"b": 1, "a": 2}).get_data(as_text=True) == '{"a":2,"b":1}\n'
        app.json.ensure_ascii = False
        assert jsonify(["é"]).get_data(as_text=True) == '["é"]\n'
        app.json.ensure_ascii = True
        assert jsonify(["é"]).get_data(as_text=True) == '["\\u00e9"]\n'
        assert jsonify("plain").get_data(as_text=True) == '"plain"\n'
        loop: list = []
        loop.append(loop)
        with pytest.raises(ValueError, match="Circular"):
            jsonify(loop)
        assert jsonify([[1], [2]]).get_data(as_text=True) == "[[1],[2]]\n"

    results: list[str] = []

    def work(n: int) -> None:
        with app.app_context():
            for i in range(200):
                nested = {"n": n, "items": [{"i": i, "deep": [[i]] * 3}] * 5}
                results.append(jsonify(nested).get_data(as_text=True))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 800
    import json

    assert all(
        json.loads(text)["items"][0]["deep"] == [[json.loads(text)["items"][0]["i"]]] * 3
        for text in results
    )


def test_cycles_and_depth_without_cycle_markers_on_the_fast_encoder():
    """The compact encoder runs without cycle detection and re-encodes with it after a
    RecursionError: a cycle is still the usual ValueError, a merely deep object still
    a RecursionError, as with json.dumps (and Flask)."""
    import json

    from erlen import Erlen, jsonify

    app = Erlen(__name__)
    looped: dict = {"a": 1}
    looped["self"] = looped
    deep: list = []
    inner = deep
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    with app.app_context():
        with pytest.raises(ValueError, match="Circular reference detected"):
            jsonify(looped)
        with pytest.raises(ValueError, match="Circular reference detected"):
            jsonify({"k": [looped]})
        with pytest.raises(RecursionError):
            jsonify(deep)
        # An object whose default() hands back itself is a cycle too.
        app.json.default = lambda o: o
        with pytest.raises(ValueError, match="Circular reference detected"):
            jsonify([object()])
        del app.json.default
        assert jsonify({"ok": [1, 2]}).get_data(as_text=True) == '{"ok":[1,2]}\n'
    with pytest.raises(ValueError, match="Circular reference detected"):
        json.dumps(looped)
    with pytest.raises(RecursionError):
        json.dumps(deep)
