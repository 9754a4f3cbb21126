"""Message flashing against Flask: categories, ``category_filter``, messages carried
across a redirect in the session, read once per request, the ``message_flashed`` signal."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from tests.differential.harness import get, in_request, on_client, post, probe, scenario

from .apps.common import APPS_DIR, check_scenario, same, scenario_cases


def _flash_app(fw):
    app = fw.App(__name__, root_path=str(APPS_DIR))
    app.secret_key = "flash secret"

    @app.route("/login", methods=["POST"])
    def login():
        fw.flash(f"Welcome {fw.request.form['name']}", "success")
        fw.flash("Remember to verify your e-mail", "warning")
        fw.flash("plain message")
        return fw.redirect(fw.url_for("show"))

    @app.route("/add")
    def add():
        for category, message in zip(
            fw.request.args.getlist("c"), fw.request.args.getlist("m"), strict=True
        ):
            fw.flash(message, category)
        return "added"

    @app.route("/show")
    def show():
        return fw.jsonify(fw.get_flashed_messages(with_categories=True))

    @app.route("/messages")
    def messages():
        return fw.jsonify(fw.get_flashed_messages())

    @app.route("/filtered")
    def filtered():
        categories = fw.request.args.getlist("f")
        return fw.jsonify(
            plain=fw.get_flashed_messages(category_filter=categories),
            with_categories=fw.get_flashed_messages(
                with_categories=True, category_filter=categories
            ),
            unfiltered_after=fw.get_flashed_messages(with_categories=True),
        )

    @app.route("/twice")
    def twice():
        first = fw.get_flashed_messages()
        fw.flash("flashed after reading", "late")
        second = fw.get_flashed_messages(with_categories=True)
        return fw.jsonify(first=first, second=second, session=dict(fw.session))

    @app.route("/template")
    def template():
        return fw.render_template("flashes.html")

    @app.route("/odd")
    def odd():
        fw.flash(Markup("<b>markup</b>"), "html")
        fw.flash("<script>alert(1)</script>", "error")
        fw.flash("ünïcødé ✓", "")
        return fw.redirect("/template")

    return app


@scenario(
    post("/login", data={"name": "Ada"}, follow_redirects=True),
    get("/show"),
    get("/add", query_string={"c": ["error", "info", "error"], "m": ["e1", "i1", "e2"]}),
    get("/add", query_string={"c": ["warning"], "m": ["w1"]}),
    get("/filtered", query_string={"f": ["error", "warning"]}),
    get("/show"),
    get("/add", query_string={"c": ["info"], "m": ["kept until read"]}),
    get("/messages"),
    get("/messages"),
    get("/add", query_string={"c": ["info"], "m": ["x"]}),
    get("/twice"),
    get("/show"),
    get("/odd", follow_redirects=True),
    get("/add", query_string={"c": ["error", "info"], "m": ["bad", "good"]}),
    get("/template"),
    get("/filtered", query_string={"f": ["nothing"]}),
    on_client(
        "session cookie remains", lambda fw, client: client.get_cookie("session") is not None
    ),
)
def flash_across_requests(fw):
    return _flash_app(fw)


@scenario(
    in_request(
        probe("no messages", lambda fw: fw.get_flashed_messages()),
        probe("flash then read", lambda fw: (fw.flash("a", "b"), fw.get_flashed_messages())[1]),
        probe("read again in the same request", lambda fw: fw.get_flashed_messages()),
        probe(
            "with categories after the first read",
            lambda fw: fw.get_flashed_messages(with_categories=True),
        ),
        probe("the session still has no _flashes", lambda fw: "_flashes" in fw.session),
    ),
    in_request(
        probe("default category", lambda fw: (fw.flash("m"), list(fw.session["_flashes"]))[1]),
        probe(
            "a filter given as a string matches categories by substring",
            lambda fw: (
                fw.flash("x", "error"),
                fw.get_flashed_messages(category_filter="error,info"),
            )[1],
        ),
    ),
)
def flash_inside_one_request(fw):
    return _flash_app(fw)


def test_flash_outside_a_request():
    def run(fw):
        app = _flash_app(fw)
        out = []
        with app.app_context():
            for call in (lambda: fw.flash("x"), lambda: fw.get_flashed_messages()):
                try:
                    call()
                    out.append("no error")
                except RuntimeError:
                    out.append("RuntimeError")
        return out

    assert same(run) == ["RuntimeError", "RuntimeError"]


def test_message_flashed_signal():
    def run(fw):
        app = _flash_app(fw)
        other = _flash_app(fw)
        events = []

        def receiver(sender, **kwargs):
            events.append((sender is app, sorted(kwargs), kwargs["message"], kwargs["category"]))

        def wrong(sender, **kwargs):
            events.append("another app's receiver")

        with (
            fw.message_flashed.connected_to(receiver, app),
            fw.message_flashed.connected_to(wrong, other),
        ):
            client = app.test_client()
            client.post("/login", data={"name": "Grace"})
            client.get("/odd")
        return events

    events = same(run)
    assert events[0] == (True, ["category", "message"], "Welcome Grace", "success")
    assert "another app's receiver" not in events


@pytest.mark.parametrize(("candidate", "sc"), scenario_cases(__name__))
def test_scenario(candidate, sc):
    check_scenario(candidate, sc)
