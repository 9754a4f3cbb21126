"""Rendering against Flask: streamed templates, ``get_template_attribute``, templates
that raise (a 500 that leaks nothing), auto-reload, the ``before_render_template`` and
``template_rendered`` signals, and ``EXPLAIN_TEMPLATE_LOADING``."""

from __future__ import annotations

import logging
import os
import time

import pytest

from tests.differential.harness import get, in_app, in_request, probe, scenario

from .apps.common import APPS_DIR, check_scenario, same, scenario_cases
from .apps.templated import templated_app, templated_blueprint

# --------------------------------------------------------------------------------------
# Streaming and get_template_attribute
# --------------------------------------------------------------------------------------


def _stream_app(fw):
    app = templated_app(fw)

    @app.route("/stream")
    def stream():
        return fw.stream_template("stream.html", items=["a", "<b>", "c"])

    @app.route("/stream-string")
    def stream_string():
        return fw.stream_template_string(
            "{% for i in items %}{{ i }}={{ request.args.q }};{% endfor %}", items=[1, 2]
        )

    @app.route("/stream-response")
    def stream_response():
        return fw.Response(
            fw.stream_template(["missing.html", "stream.html"], items=["x"]),
            mimetype="text/plain",
        )

    @app.route("/decorated")
    def decorated():
        @fw.stream_with_context
        def generate(prefix):
            yield prefix
            yield fw.request.args.get("q", "none")
            yield fw.render_template_string("|{{ request.path }}")

        return generate("q=")

    @app.route("/is-iterator")
    def is_iterator():
        rv = fw.stream_template_string("x")
        return fw.jsonify(iterator=hasattr(rv, "__next__"), text=type(rv).__name__ in {"generator"})

    return app


@scenario(
    get("/stream", query_string={"q": "<1>"}),
    get("/stream-string", query_string={"q": "z"}),
    get("/stream-response"),
    get("/decorated", query_string={"q": "<x>"}),
    get("/is-iterator"),
    in_app(
        probe(
            "stream outside a request",
            lambda fw: "".join(fw.stream_template_string("{{ x }}-{{ request }}", x="<y>")),
        ),
        probe(
            "stream a file outside a request",
            lambda fw: "".join(fw.stream_template("escape.html", value="<", markup="m")),
        ),
    ),
)
def streaming_templates(fw):
    return _stream_app(fw)


def _attr(fw, name):
    value = fw.get_template_attribute("macros.html", name)
    if callable(value):
        value = value("<ada>")
    return type(value).__name__, str(value)


@scenario(
    in_app(
        probe("macro", lambda fw: _attr(fw, "hello")),
        probe("variable", lambda fw: _attr(fw, "answer")),
        probe("missing attribute", lambda fw: _attr(fw, "nope")),
        probe("missing template", lambda fw: fw.get_template_attribute("nope.html", "x")),
    ),
    in_request(probe("macro using request", lambda fw: _attr(fw, "where")), path="/here"),
)
def template_attributes(fw):
    return templated_app(fw)


# --------------------------------------------------------------------------------------
# Templates that raise
# --------------------------------------------------------------------------------------


def _raising_app(fw):
    app = templated_app(fw)

    def boom():
        raise ValueError("SECRET-TRACE-MARKER in template helper")

    @app.route("/raises")
    def raises():
        return fw.render_template("raises.html", boom=boom)

    @app.route("/undefined")
    def undefined():
        return fw.render_template("undefined.html")

    @app.route("/syntax")
    def syntax():
        return fw.render_template("syntax.html")

    @app.route("/string-raises")
    def string_raises():
        return fw.render_template_string("{{ boom() }}", boom=boom)

    @app.route("/stream-raises")
    def stream_raises():
        return fw.stream_template("raises.html", boom=boom)

    @app.route("/missing")
    def missing():
        return fw.render_template("does-not-exist.html")

    return app


_RAISING = ("/raises", "/undefined", "/syntax", "/string-raises", "/missing")


@scenario(*(get(path) for path in _RAISING))
def template_errors_are_500(fw):
    return _raising_app(fw)


@scenario(*(get(path) for path in _RAISING), config={"TESTING": True})
def template_errors_propagate_when_testing(fw):
    return _raising_app(fw)


@scenario(*(get(path) for path in _RAISING), config={"DEBUG": True})
def template_errors_propagate_in_debug(fw):
    return _raising_app(fw)


@scenario(get("/raises"), get("/syntax"))
def template_errors_with_500_handler(fw):
    app = _raising_app(fw)

    @app.errorhandler(500)
    def handler(error):
        original = error.original_exception
        return f"handled {type(original).__name__}", 500

    return app


@pytest.mark.parametrize("testing", [False, True])
def test_streamed_template_that_raises(testing, caplog):
    """The headers are sent before a streamed template fails: the error surfaces while
    the body is read, in both frameworks."""

    def run(fw):
        app = _raising_app(fw)
        app.testing = testing
        with caplog.at_level(logging.CRITICAL + 1):
            response = app.test_client().get("/stream-raises")
            status = response.status_code
            try:
                body = response.get_data(as_text=True)
            except ValueError as exc:
                body = f"ValueError while reading: {exc}"
        return status, body

    status, body = same(run)
    assert status == 200
    assert body.startswith("ValueError while reading")


@pytest.mark.parametrize("path", _RAISING)
def test_template_error_page_does_not_leak(path, caplog):
    """Outside debug the 500 page shows neither the traceback nor the template source."""

    def run(fw):
        app = _raising_app(fw)
        with caplog.at_level(logging.CRITICAL + 1):
            response = app.test_client().get(path)
        return response.status_code, response.get_data(as_text=True)

    status, body = same(run)
    assert status == 500
    for leak in ("SECRET-TRACE-MARKER", "Traceback", "boom()", "{%", "{{", "jinja2", ".html"):
        assert leak not in body


# --------------------------------------------------------------------------------------
# Reloading templates
# --------------------------------------------------------------------------------------


def _write(path, text):
    path.write_text(text)
    # Jinja compares modification times; make the change visible within one second.
    stamp = time.time() + (10 if "second" in text else 0)
    os.utime(path, (stamp, stamp))


@pytest.mark.parametrize(
    ("config", "set_debug_later", "reloads"),
    [
        ({}, False, False),
        ({"DEBUG": True}, False, True),
        ({"TEMPLATES_AUTO_RELOAD": True}, False, True),
        ({"DEBUG": True, "TEMPLATES_AUTO_RELOAD": False}, False, False),
        ({}, True, True),
        ({"TEMPLATES_AUTO_RELOAD": False}, True, False),
    ],
    ids=["default", "debug", "auto-reload", "debug-but-off", "debug-set-later", "off-set-later"],
)
def test_templates_auto_reload(tmp_path, config, set_debug_later, reloads):
    def run(fw):
        root = tmp_path / fw.name
        (root / "templates").mkdir(parents=True)
        page = root / "templates" / "page.html"
        _write(page, "first {{ n }}")
        app = fw.App(__name__, root_path=str(root))
        app.config.update(config)

        @app.route("/")
        def index():
            return fw.render_template("page.html", n=1)

        client = app.test_client()
        before = client.get("/").get_data(as_text=True)
        if set_debug_later:
            app.debug = True
        _write(page, "second {{ n }}")
        after = client.get("/").get_data(as_text=True)
        return before, after, app.jinja_env.auto_reload

    before, after, auto_reload = same(run)
    assert before == "first 1"
    assert after == ("second 1" if reloads else "first 1")
    assert auto_reload is reloads


# --------------------------------------------------------------------------------------
# Template signals
# --------------------------------------------------------------------------------------


def _describe_signal(name, app, sender, kwargs):
    template = kwargs["template"]
    context = kwargs["context"]
    return (
        name,
        sender is app,
        sorted(kwargs),
        template.name,
        sorted(key for key in context if not key.startswith("_")),
        {key: str(value) for key, value in context.items() if key in {"value", "cp", "request"}},
    )


def test_template_signals():
    def run(fw):
        app = templated_app(fw)
        events = []

        @app.context_processor
        def cp():
            return {"cp": "processor"}

        def before(sender, **kwargs):
            events.append(_describe_signal("before", app, sender, kwargs))
            kwargs["context"]["value"] = "changed by before_render_template"

        def after(sender, **kwargs):
            events.append(_describe_signal("rendered", app, sender, kwargs))

        other = templated_app(fw)

        def not_mine(sender, **kwargs):
            events.append("signal for another app")

        @app.route("/")
        def index():
            return fw.render_template("escape.html", value="v", markup="m")

        @app.route("/string")
        def string():
            return fw.render_template_string("{{ value }}", value="s")

        @app.route("/stream")
        def stream():
            return fw.stream_template("stream.html", items=[1])

        responses = []
        with (
            fw.before_render_template.connected_to(before, app),
            fw.template_rendered.connected_to(after, app),
            fw.template_rendered.connected_to(not_mine, other),
        ):
            client = app.test_client()
            for path in ("/", "/string", "/stream"):
                events.append(f"request {path}")
                responses.append(client.get(path).get_data(as_text=True))
        return events, responses

    events, responses = same(run)
    assert events[1][0] == "before" and events[2][0] == "rendered"
    assert responses[0].startswith("changed by before_render_template|m|")


# --------------------------------------------------------------------------------------
# EXPLAIN_TEMPLATE_LOADING
# --------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append((record.levelname, record.getMessage()))


def test_explain_template_loading():
    def run(fw):
        app = fw.App(f"explain_{fw.name}", root_path=str(APPS_DIR))
        app.config["EXPLAIN_TEMPLATE_LOADING"] = True
        app.config["PROPAGATE_EXCEPTIONS"] = False
        bps = [templated_blueprint(fw, "a", "bp_a"), templated_blueprint(fw, "b", "bp_b")]
        for bp in bps:

            @bp.route("/<path:template>")
            def show(template):
                return fw.render_template(template)

            app.register_blueprint(bp, url_prefix=f"/{bp.name}")
        handler = _Collect()
        app.logger.addHandler(handler)
        app.logger.setLevel(logging.INFO)
        client = app.test_client()
        statuses = [client.get(path).status_code for path in ("/a/both.html", "/b/only_a.html")]
        statuses.append(client.get("/a/nope.html").status_code)
        app.logger.removeHandler(handler)
        messages = [
            (level, _explanation_outline(text.replace(f"explain_{fw.name}", "<app>")))
            for level, text in handler.records
            if level == "INFO"
        ]
        return statuses, messages

    statuses, messages = same(run)
    assert statuses == [200, 200, 500]
    assert "Warning: multiple loaders returned a match for the template." in messages[0][1]
    assert "Error: the template could not be found." in messages[-1][1]


def _explanation_outline(text):
    """The explanation without the loader's attribute lines and Flask's docs link (see
    ``test_explain_template_loading_shows_loader_details``)."""
    keep = []
    for line in text.splitlines():
        detail = line.startswith("       ") and not line.lstrip().startswith(("class:", "->"))
        if detail or line.startswith("  See https://"):
            continue
        keep.append(line)
    return keep


def test_explain_template_loading_shows_loader_details():
    def run(fw):
        app = fw.App(f"details_{fw.name}", root_path=str(APPS_DIR))
        app.config["EXPLAIN_TEMPLATE_LOADING"] = True
        handler = _Collect()
        app.logger.addHandler(handler)
        app.logger.setLevel(logging.INFO)
        with app.app_context():
            fw.render_template("shared.html")
        app.logger.removeHandler(handler)
        return handler.records[0][1].replace(f"details_{fw.name}", "<app>")

    text = same(run)
    assert f"- {APPS_DIR / 'templates'}" in text


@pytest.mark.parametrize(("candidate", "sc"), scenario_cases(__name__))
def test_scenario(candidate, sc):
    check_scenario(candidate, sc)
