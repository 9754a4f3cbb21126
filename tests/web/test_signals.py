"""Signals against Flask: every signal Flask defines fires with the same sender and
keyword arguments, in the same order, for successful requests, errors, aborts, hooks
that answer or fail, streamed responses, templates, flashes and bare app contexts; and
receivers connected or disconnected while the app runs."""

from __future__ import annotations

import logging

import pytest

from .apps.common import APPS_DIR, both, erlen, same

SIGNALS = (
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "appcontext_tearing_down",
    "appcontext_pushed",
    "appcontext_popped",
    "template_rendered",
    "before_render_template",
    "message_flashed",
)


def _connect_request_started():
    import erlen as e

    def receiver(sender, **kwargs):
        pass

    e.request_started.connect(receiver)
    e.request_started.disconnect(receiver)


def test_connecting_a_per_request_signal():
    _connect_request_started()


@pytest.fixture(autouse=True)
def _per_request_signals_connectable(request):
    """Work around the bug above so the rest of signal behaviour can be compared now;
    does nothing once erlen is fixed."""
    import erlen.signals as signals

    if request.function is test_connecting_a_per_request_signal:
        yield
        return
    try:
        _connect_request_started()
    except TypeError:
        pass
    else:
        yield
        return

    def recompute(_signal, **kwargs):
        signals.request_signals_active = any(
            signal.receivers for signal in signals._per_request_signals
        )

    for signal in signals._per_request_signals:
        for hook in (signal.receiver_connected, signal.receiver_disconnected):
            hook.disconnect(signals._recompute)
            hook.connect(recompute, weak=False)
    try:
        yield
    finally:
        for signal in signals._per_request_signals:
            for hook in (signal.receiver_connected, signal.receiver_disconnected):
                hook.disconnect(recompute)
                hook.connect(signals._recompute)
        recompute(None)


def _plain(name, value):
    """A signal argument as comparable data."""
    if name == "response":
        return ("response", value.status_code, value.get_data(as_text=True)[:40])
    if name in {"exc", "exception"}:
        return None if value is None else (type(value).__name__, str(value))
    if name == "template":
        return value.name
    if name == "context":
        return sorted(key for key in value if not key.startswith("_"))
    return value


class Recorder:
    """Receivers for every signal, for one app, recording calls in order."""

    def __init__(self, fw, app, names=SIGNALS):
        self.fw = fw
        self.app = app
        self.events = []
        self.receivers = {}
        for name in names:
            self.receivers[name] = self._receiver(name)

    def _receiver(self, name):
        def receiver(sender, **kwargs):
            event = (name, sender is self.app, {k: _plain(k, v) for k, v in kwargs.items()})
            self.events.append(event)

        return receiver

    def __enter__(self):
        for name, receiver in self.receivers.items():
            getattr(self.fw, name).connect(receiver, self.app)
        return self

    def __exit__(self, *exc):
        for name, receiver in self.receivers.items():
            getattr(self.fw, name).disconnect(receiver)

    def mark(self, label):
        self.events.append(("--", label))


def _app(fw, **config):
    app = fw.App(__name__, root_path=str(APPS_DIR))
    app.secret_key = "signals"
    app.config.update(config)

    @app.route("/")
    def index():
        return "index"

    @app.route("/boom")
    def boom():
        raise ValueError("view failed")

    @app.route("/abort")
    def aborted():
        fw.abort(403)

    @app.route("/post-only", methods=["POST"])
    def post_only():
        return "posted"

    @app.route("/template")
    def template():
        fw.flash("flashed", "info")
        return fw.render_template("escape.html", value="<v>", markup="m")

    @app.route("/string-template")
    def string_template():
        return fw.render_template_string("{{ 1 + 1 }}")

    @app.route("/stream")
    def stream():
        def generate():
            yield "a"
            yield fw.request.path

        return fw.stream_with_context(generate())

    @app.route("/stream-template")
    def stream_template():
        return fw.stream_template("stream.html", items=[1, 2])

    @app.route("/redirect")
    def redirect():
        return fw.redirect("/")

    @app.route("/json")
    def json():
        return {"ok": True}

    return app


def _run(fw, paths, build=_app, **config):
    app = build(fw, **config)
    client = app.test_client()
    with Recorder(fw, app) as recorder:
        for path in paths:
            method, _, path = path.rpartition(" ")
            recorder.mark(f"{method or 'GET'} {path}")
            try:
                response = client.open(path, method=method or "GET", follow_redirects=True)
                recorder.mark(("status", response.status_code))
            except Exception as exc:
                recorder.mark(("raised", type(exc).__name__))
    return recorder.events


_PATHS = [
    "/",
    "/boom",
    "/abort",
    "/nowhere",
    "/post-only",
    "POST /post-only",
    "/template",
    "/string-template",
    "/stream",
    "/stream-template",
    "/redirect",
    "/json",
]


@pytest.mark.parametrize("path", _PATHS)
@pytest.mark.parametrize(
    "config",
    [{}, {"TESTING": True}, {"PROPAGATE_EXCEPTIONS": False, "DEBUG": True}],
    ids=["default", "testing", "debug-not-propagating"],
)
def test_signals_for_one_request(path, config, caplog):
    with caplog.at_level(logging.CRITICAL + 1):
        events = same(lambda fw: _run(fw, [path], **config))
    names = [event[0] for event in events if event[0] != "--"]
    assert names[0] == "appcontext_pushed"
    assert names[-1] == "appcontext_popped"


def test_signals_for_many_requests_in_a_row(caplog):
    with caplog.at_level(logging.CRITICAL + 1):
        same(lambda fw: _run(fw, _PATHS * 2))


def _hooks_app(fw, failing):
    app = _app(fw)

    @app.before_request
    def before():
        if fw.request.path == "/" and failing == "before-answers":
            return "answered by before_request"
        if failing == "before-raises":
            raise KeyError("before_request failed")
        return None

    @app.after_request
    def after(response):
        if failing == "after-raises":
            raise LookupError("after_request failed")
        return response

    @app.teardown_request
    def teardown(exc):
        fw.g.teardown_saw = repr(exc)

    @app.errorhandler(ValueError)
    def value_error(error):
        if failing == "handler-raises":
            raise RuntimeError("error handler failed")
        return f"handled {error}", 500

    @app.errorhandler(500)
    def server_error(error):
        return f"500 handler: {type(error.original_exception).__name__}", 500

    return app


@pytest.mark.parametrize(
    "failing", ["before-answers", "before-raises", "after-raises", "handler-raises", "none"]
)
@pytest.mark.parametrize("testing", [False, True])
def test_signals_with_hooks_and_error_handlers(failing, testing, caplog):
    def build(fw, **config):
        app = _hooks_app(fw, failing)
        app.testing = testing
        return app

    with caplog.at_level(logging.CRITICAL + 1):
        same(lambda fw: _run(fw, ["/", "/boom", "/abort", "/template"], build=build))


def test_signals_for_bare_contexts():
    def run(fw):
        app = _app(fw)
        with Recorder(fw, app) as recorder:
            recorder.mark("app_context")
            with app.app_context():
                recorder.mark("nested app_context")
                with app.app_context():
                    pass
                recorder.mark("render outside a request")
                fw.render_template_string("{{ 2 }}")
            recorder.mark("test_request_context")
            with app.test_request_context("/x"):
                fw.flash("in a test request")
                recorder.mark("inner app_context")
                with app.app_context():
                    pass
            recorder.mark("app_context with an exception")
            try:
                with app.app_context():
                    raise ZeroDivisionError("in a with block")
            except ZeroDivisionError:
                pass
            recorder.mark("manual push/pop")
            ctx = app.app_context()
            ctx.push()
            ctx.pop()
        return recorder.events

    events = same(run)
    assert (
        "appcontext_tearing_down",
        True,
        {"exc": ("ZeroDivisionError", "in a with block")},
    ) in events


def test_receivers_for_any_sender_and_for_another_app():
    def run(fw):
        app = _app(fw)
        other = _app(fw)
        seen = []

        def any_sender(sender, **kwargs):
            seen.append(("any", "app" if sender is app else "other"))

        def for_other(sender, **kwargs):
            seen.append(("for other", "app" if sender is app else "other"))

        fw.request_finished.connect(any_sender)
        fw.request_finished.connect(for_other, other)
        try:
            app.test_client().get("/")
            other.test_client().get("/")
        finally:
            fw.request_finished.disconnect(any_sender)
            fw.request_finished.disconnect(for_other)
        return seen

    assert same(run) == [("any", "app"), ("any", "other"), ("for other", "other")]


def _plain_app(fw):
    """An app with no hooks and no receivers: erlen serves it on its fast path."""
    app = fw.App(__name__)
    app.secret_key = "plain"
    state = {"events": [], "receivers": []}

    def record(name):
        def receiver(sender, **kwargs):
            state["events"].append((name, sender is app, sorted(kwargs)))

        return receiver

    @app.route("/connect")
    def connect():
        for name in SIGNALS:
            receiver = record(name)
            state["receivers"].append((name, receiver))
            getattr(fw, name).connect(receiver, app)
        return "connected"

    @app.route("/disconnect")
    def disconnect():
        for name, receiver in state["receivers"]:
            getattr(fw, name).disconnect(receiver)
        state["receivers"].clear()
        return "disconnected"

    @app.route("/plain")
    def plain():
        return "plain"

    @app.route("/boom")
    def boom():
        raise ValueError("boom")

    return app, state


def _connect_disconnect_run(fw, caplog):
    app, state = _plain_app(fw)
    client = app.test_client()
    out = []
    with caplog.at_level(logging.CRITICAL + 1):
        for path in ("/plain", "/connect", "/plain", "/boom", "/disconnect", "/plain"):
            state["events"].append(("--", path))
            out.append(client.get(path).status_code)
    return out, state["events"]


def test_connecting_and_disconnecting_while_running(caplog):
    """Receivers connected in one request see the following ones, until disconnected
    (the request that connects them is compared in the next test)."""

    def run(fw):
        statuses, events = _connect_disconnect_run(fw, caplog)
        start = events.index(("--", "/connect"))
        return statuses, events[events.index(("--", "/plain"), start) :]

    statuses, events = same(run)
    assert statuses == [200, 200, 200, 500, 200, 200]
    assert events[-1] == ("--", "/plain")  # nothing after disconnecting


def _fast_path_enabled():
    from erlen.app import Erlen

    return Erlen._fast_path_enabled


def test_receiver_connected_inside_the_view_sees_the_end_of_that_request(caplog):
    def run(fw):
        _, events = _connect_disconnect_run(fw, caplog)
        start = events.index(("--", "/connect"))
        return events[start : events.index(("--", "/plain"), start)]

    events = same(run)
    assert events[1][0] == "request_finished"


def test_async_receiver_is_run_by_erlen():
    """erlen runs coroutine receivers itself (Flask needs its ``async`` extra)."""
    fw = erlen()
    app, _ = _plain_app(fw)
    seen = []

    async def receiver(sender, **kwargs):
        seen.append(kwargs["response"].status_code)

    fw.request_finished.connect(receiver, app)
    try:
        app.test_client().get("/plain")
    finally:
        fw.request_finished.disconnect(receiver)
    assert seen == [200]


def test_signal_objects_match_flasks():
    def run(fw):
        return [(name, getattr(fw, name).name) for name in SIGNALS]

    same(run)
    flask_mod, erlen_mod = both(lambda fw: sorted(n for n in dir(fw.package) if n in SIGNALS))
    assert flask_mod == erlen_mod == sorted(SIGNALS)
