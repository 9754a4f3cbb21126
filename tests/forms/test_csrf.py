"""CSRF: the token life cycle, CSRFProtect and the Referer check, against Flask-WTF.

Every flow runs on both stacks and must observe the same statuses and reasons; each
also asserts the reason it expects, so a flow that is wrong on both cannot pass.
"""

from __future__ import annotations

import types
from typing import Any

import itsdangerous.timed
import pytest
from wtforms import StringField
from wtforms.validators import DataRequired

from .frameworks import Stack, both, stack, token_from


def build_csrf_app(fw: Stack, protect: bool = True, **config: Any) -> Any:
    """An app with a form view, plain and JSON views, exemptions and a blueprint."""
    app = fw.App(__name__)
    app.config.update(SECRET_KEY="csrf-secret", **config)
    csrf = fw.CSRFProtect(app) if protect else None

    class NameForm(fw.Form):
        name = StringField("Name", validators=[DataRequired()])

    @app.route("/form", methods=["GET", "POST"])
    def form_view() -> Any:
        form = NameForm()
        valid = form.validate_on_submit()
        return fw.jsonify(valid=valid, errors=form.errors, hidden=str(form.hidden_tag()))

    @app.route("/plain", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    def plain() -> Any:
        return "done"

    @app.route("/api/json", methods=["POST"])
    def api_json() -> Any:
        return fw.jsonify(received=fw.request.get_json())

    @app.route("/token")
    def token() -> Any:
        return fw.render_template_string("{{ csrf_token() }}") if protect else fw.generate_csrf()

    @app.route("/logout", methods=["POST"])
    def logout() -> Any:
        fw.session.clear()
        return "bye"

    if csrf is not None:
        # The tutorial's order: the exemption decorator above the route.
        @csrf.exempt
        @app.route("/webhook", methods=["POST"])
        def webhook() -> Any:
            return fw.jsonify(status="ok")

        # The other order works too.
        @app.route("/webhook2", methods=["POST"])
        @csrf.exempt
        def webhook2() -> Any:
            return "ok2"

        @app.route("/by-name", methods=["POST"])
        def by_name() -> Any:
            return "by name"

        csrf.exempt(f"{by_name.__module__}.by_name")

        api = fw.Blueprint("api", __name__, url_prefix="/api/v1")

        @api.route("/hook", methods=["POST"])
        def hook() -> Any:
            return "hooked"

        csrf.exempt(api)
        app.register_blueprint(api)

        guarded = fw.Blueprint("guarded", __name__, url_prefix="/guarded")

        @guarded.route("/hook", methods=["POST"])
        def guarded_hook() -> Any:
            return "guarded"

        app.register_blueprint(guarded)

        @app.errorhandler(fw.CSRFError)
        def csrf_failed(error: Any) -> Any:
            return fw.jsonify(csrf_error=error.description), 400

    return app


def _fetch_token(client: Any, base_url: str = "http://localhost") -> str:
    return client.get("/token", base_url=base_url).get_data(as_text=True)


def _outcome(response: Any) -> tuple[int, Any]:
    body = response.get_json(silent=True)
    return response.status_code, body if body is not None else response.get_data(as_text=True)


def _run_both(flow: Any, **app_options: Any) -> Any:
    results = {}
    for name in ("flask", "erlen"):
        fw = stack(name)
        app = build_csrf_app(fw, **app_options)
        results[name] = flow(fw, app, app.test_client())
    assert results["erlen"] == results["flask"]
    return results["erlen"]


def _reason(outcome: tuple[int, Any]) -> Any:
    status, body = outcome
    assert status == 400, outcome
    return body["csrf_error"]


# -- CSRFProtect on every unsafe method ----------------------------------------------


def test_missing_token_is_rejected_before_the_view() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        _fetch_token(client)
        return [
            _outcome(client.post("/plain")),
            _outcome(client.put("/plain")),
            _outcome(client.patch("/plain")),
            _outcome(client.delete("/plain")),
            _outcome(client.post("/form", data={"name": "x"})),
        ]

    outcomes = _run_both(flow)
    assert {_reason(o) for o in outcomes} == {"The CSRF token is missing."}


def test_safe_methods_pass_without_token() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        return [
            _outcome(client.get("/plain")),
            _outcome(client.head("/plain"))[0],
            _outcome(client.options("/plain"))[0],
        ]

    assert _run_both(flow) == [(200, "done"), 200, 200]


def test_valid_token_in_form_field() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        html = client.get("/form").get_json()["hidden"]
        token = token_from(html)
        return [
            _outcome(client.post("/plain", data={"csrf_token": token})),
            client.post("/form", data={"csrf_token": token, "name": "ada"}).get_json()["valid"],
            client.post("/form", data={"csrf_token": token, "name": ""}).get_json()["errors"],
        ]

    assert _run_both(flow) == [(200, "done"), True, {"name": ["This field is required."]}]


def test_token_in_prefixed_form_field() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        return _outcome(client.post("/plain", data={"signup-csrf_token": token}))

    assert _run_both(flow) == (200, "done")


@pytest.mark.parametrize("header", ["X-CSRFToken", "X-CSRF-Token"])
def test_token_in_header_for_ajax(header: str) -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        return [
            _outcome(client.post("/api/json", json={"a": 1}, headers={header: token})),
            _outcome(client.post("/api/json", json={"a": 1})),
            _outcome(client.post("/plain", data={"x": "1"}, headers={header: token})),
        ]

    ok, missing, form_post = _run_both(flow)
    assert ok == (200, {"received": {"a": 1}})
    assert _reason(missing) == "The CSRF token is missing."
    assert form_post == (200, "done")


def test_custom_header_names() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        return [
            _outcome(client.post("/plain", headers={"X-My-Token": token})),
            _outcome(client.post("/plain", headers={"X-CSRFToken": token})),
        ]

    ok, ignored = _run_both(flow, WTF_CSRF_HEADERS=["X-My-Token"])
    assert ok == (200, "done")
    assert _reason(ignored) == "The CSRF token is missing."


def test_wrong_and_garbage_tokens_are_invalid() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        return [
            _reason(_outcome(client.post("/plain", data={"csrf_token": token + "x"}))),
            _reason(_outcome(client.post("/plain", data={"csrf_token": "garbage"}))),
            _reason(_outcome(client.post("/plain", headers={"X-CSRFToken": "a.b.c"}))),
            _reason(_outcome(client.post("/plain", data={"csrf_token": "é" * 50}))),
        ]

    assert _run_both(flow) == ["The CSRF token is invalid."] * 4


def test_token_signed_with_another_key_is_invalid() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        _fetch_token(client)
        with app.test_request_context():
            foreign = fw.generate_csrf(secret_key="another-key")
        return _reason(_outcome(client.post("/plain", data={"csrf_token": foreign})))

    assert _run_both(flow) == "The CSRF token is invalid."


def test_token_without_session_token() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        fresh = app.test_client()  # no session cookie
        return _reason(_outcome(fresh.post("/plain", data={"csrf_token": token})))

    assert _run_both(flow) == "The CSRF session token is missing."


def test_token_from_another_session_does_not_match() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        mine = _fetch_token(client)
        other_client = app.test_client()
        theirs = _fetch_token(other_client)
        return [
            _reason(_outcome(client.post("/plain", data={"csrf_token": theirs}))),
            _outcome(client.post("/plain", data={"csrf_token": mine})),
            _outcome(other_client.post("/plain", data={"csrf_token": theirs})),
        ]

    assert _run_both(flow) == ["The CSRF tokens do not match.", (200, "done"), (200, "done")]


def test_token_replayed_after_logout() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        logged_out = _outcome(client.post("/logout", data={"csrf_token": token}))
        replay = _outcome(client.post("/plain", data={"csrf_token": token}))
        new_token = _fetch_token(client)
        return [
            logged_out,
            _reason(replay),
            new_token != token,
            _outcome(client.post("/plain", data={"csrf_token": new_token})),
        ]

    assert _run_both(flow) == [
        (200, "bye"),
        "The CSRF session token is missing.",
        True,
        (200, "done"),
    ]


class _Clock:
    """Stands in for the ``time`` module itsdangerous timestamps tokens with."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("limit", "age", "expected"),
    [
        (3600, 3599, (200, "done")),
        (3600, 3601, "The CSRF token has expired."),
        (60, 61, "The CSRF token has expired."),
        # No limit: still good a month later (the session cookie itself lasts 31 days).
        (None, 30 * 86400, (200, "done")),
    ],
)
def test_token_expiry(monkeypatch: pytest.MonkeyPatch, limit: Any, age: int, expected: Any) -> None:
    clock = _Clock(1_700_000_000)
    monkeypatch.setattr(itsdangerous.timed, "time", types.SimpleNamespace(time=clock.time))

    def flow(fw: Stack, app: Any, client: Any) -> Any:
        clock.now = 1_700_000_000
        token = _fetch_token(client)
        clock.now += age
        outcome = _outcome(client.post("/plain", data={"csrf_token": token}))
        return outcome if outcome[0] == 200 else _reason(outcome)

    assert _run_both(flow, WTF_CSRF_TIME_LIMIT=limit) == expected


def test_expired_token_in_a_form_without_csrfprotect(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock(1_700_000_000)
    monkeypatch.setattr(itsdangerous.timed, "time", types.SimpleNamespace(time=clock.time))

    def flow(fw: Stack, app: Any, client: Any) -> Any:
        clock.now = 1_700_000_000
        token = token_from(client.get("/form").get_json()["hidden"])
        clock.now += 3601
        return client.post("/form", data={"csrf_token": token, "name": "x"}).get_json()["errors"]

    assert _run_both(flow, protect=False) == {"csrf_token": ["The CSRF token has expired."]}


# -- exemptions ----------------------------------------------------------------------


def test_exempt_views_and_blueprint() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        return [
            _outcome(client.post("/webhook", json={"event": "push"})),
            _outcome(client.post("/webhook2")),
            _outcome(client.post("/by-name")),
            _outcome(client.post("/api/v1/hook")),
            _reason(_outcome(client.post("/guarded/hook"))),
            _reason(_outcome(client.post("/plain"))),
        ]

    assert _run_both(flow) == [
        (200, {"status": "ok"}),
        (200, "ok2"),
        (200, "by name"),
        (200, "hooked"),
        "The CSRF token is missing.",
        "The CSRF token is missing.",
    ]


def test_unrouted_requests_are_not_checked() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        return [client.post("/nowhere").status_code, client.post("/token").status_code]

    assert _run_both(flow) == [404, 405]


# -- settings ------------------------------------------------------------------------


def test_disabled_globally() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        return [
            _outcome(client.post("/plain")),
            client.post("/form", data={"name": "x"}).get_json(),
        ]

    plain, form = _run_both(flow, WTF_CSRF_ENABLED=False)
    assert plain == (200, "done")
    assert form == {"valid": True, "errors": {}, "hidden": ""}


def test_check_default_off_leaves_it_to_forms_and_protect() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        csrf = app.extensions["csrf"]

        @app.route("/manual", methods=["POST"])
        def manual() -> Any:
            csrf.protect()
            return "checked"

        token = _fetch_token(client)
        return [
            _outcome(client.post("/plain")),
            client.post("/form", data={"name": "x"}).get_json()["errors"],
            _reason(_outcome(client.post("/manual"))),
            _outcome(client.post("/manual", data={"csrf_token": token})),
        ]

    assert _run_both(flow, WTF_CSRF_CHECK_DEFAULT=False) == [
        (200, "done"),
        {"csrf_token": ["The CSRF token is missing."]},
        "The CSRF token is missing.",
        (200, "checked"),
    ]


def test_custom_methods() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        return [_outcome(client.post("/plain")), _reason(_outcome(client.delete("/plain")))]

    assert _run_both(flow, WTF_CSRF_METHODS=["DELETE"]) == [
        (200, "done"),
        "The CSRF token is missing.",
    ]


def test_custom_field_name() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        html = client.get("/form").get_json()["hidden"]
        token = html.split('value="')[1].split('"')[0]
        return [
            'name="_csrf"' in html,
            _outcome(client.post("/plain", data={"_csrf": token})),
            _reason(_outcome(client.post("/plain", data={"csrf_token": token}))),
            client.post("/form", data={"_csrf": token, "name": "n"}).get_json()["valid"],
        ]

    assert _run_both(flow, WTF_CSRF_FIELD_NAME="_csrf") == [
        True,
        (200, "done"),
        "The CSRF token is missing.",
        True,
    ]


def test_dedicated_secret_key() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        with client.session_transaction() as sess:
            raw = sess["csrf_token"]
        signer = itsdangerous.URLSafeTimedSerializer("csrf-only", salt="wtf-csrf-token")
        return [
            signer.loads(token) == raw,
            _outcome(client.post("/plain", data={"csrf_token": token})),
        ]

    assert _run_both(flow, WTF_CSRF_SECRET_KEY="csrf-only") == [True, (200, "done")]


def test_form_skips_its_check_when_csrfprotect_passed() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        # The token arrives in a header only; the form's own field is empty.
        response = client.post("/form", data={"name": "x"}, headers={"X-CSRFToken": token})
        return response.get_json()["valid"]

    assert _run_both(flow) is True


def test_form_meta_csrf_off() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        class NoCsrf(fw.Form):
            class Meta:
                csrf = False

            name = StringField()

        with app.test_request_context(method="POST", data={"name": "n"}):
            plain = NoCsrf()
            per_instance = type(plain).__base__(meta={"csrf": False})  # fw.Form itself
            return [plain.validate(), "csrf_token" in plain, "csrf_token" in per_instance]

    assert _run_both(flow, protect=False) == [True, False, False]


# -- HTTPS: the Referer must be same-origin --------------------------------------------


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        (None, "The referrer header is missing."),
        ("https://evil.example/form", "The referrer does not match the host."),
        ("http://localhost/form", "The referrer does not match the host."),
        ("https://localhost:8443/form", "The referrer does not match the host."),
        ("https://sub.localhost/form", "The referrer does not match the host."),
        ("https://localhost/form", (200, "done")),
        ("https://LOCALHOST/other/page?x=1", (200, "done")),
    ],
)
def test_https_referrer_check(referrer: str | None, expected: Any) -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client, "https://localhost")
        headers = {"Referer": referrer} if referrer else {}
        outcome = _outcome(
            client.post(
                "/plain", data={"csrf_token": token}, headers=headers, base_url="https://localhost"
            )
        )
        return outcome if outcome[0] == 200 else _reason(outcome)

    assert _run_both(flow) == expected


def test_https_token_failure_reported_before_referrer() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        response = client.post("/plain", base_url="https://localhost")
        return _reason(_outcome(response))

    assert _run_both(flow) == "The CSRF token is missing."


def test_ssl_strict_off_skips_referrer() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client, "https://localhost")
        return _outcome(
            client.post(
                "/plain",
                data={"csrf_token": token},
                headers={"Referer": "https://evil.example/"},
                base_url="https://localhost",
            )
        )

    assert _run_both(flow, WTF_CSRF_SSL_STRICT=False) == (200, "done")


def test_plain_http_does_not_check_referrer() -> None:
    def flow(fw: Stack, app: Any, client: Any) -> Any:
        token = _fetch_token(client)
        return _outcome(
            client.post("/plain", data={"csrf_token": token}, headers={"Referer": "http://evil/"})
        )

    assert _run_both(flow) == (200, "done")


# -- the error and the template helpers -------------------------------------------------


@both
def test_csrf_error_is_a_bad_request(stack_name: str) -> None:
    fw = stack(stack_name)
    assert issubclass(fw.CSRFError, fw.BadRequest)
    assert fw.CSRFError.code == 400
    assert fw.CSRFError("The CSRF token is missing.").description == "The CSRF token is missing."


def test_default_error_page_says_why() -> None:
    bodies = {}
    for name in ("flask", "erlen"):
        fw = stack(name)
        app = fw.App(__name__)
        app.config["SECRET_KEY"] = "k"
        fw.CSRFProtect(app)

        @app.route("/", methods=["POST"])
        def index() -> Any:
            return "never"

        response = app.test_client().post("/")
        assert response.status_code == 400
        bodies[name] = response.get_data(as_text=True)
    assert "The CSRF token is missing." in bodies["erlen"]
    assert bodies["erlen"] == bodies["flask"]


@both
def test_template_helpers(stack_name: str) -> None:
    fw = stack(stack_name)
    app = build_csrf_app(fw)
    with app.test_request_context():
        token = fw.generate_csrf()
        assert fw.render_template_string("{{ csrf_token() }}") == token
        meta = fw.render_template_string("{{ csrf_meta_tag() }}")
        assert meta == f'<meta name="csrf-token" content="{token}">'
        assert fw.g.csrf_token == token
        assert fw.generate_csrf() == token  # the same token all request long
        assert len(fw.session["csrf_token"]) == 40


def test_tokens_interoperate_with_flask_wtf() -> None:
    """A token Flask-WTF issued validates in erlen (same key, same session value)."""
    flask_fw, erlen_fw = stack("flask"), stack("erlen")
    flask_app, erlen_app = build_csrf_app(flask_fw), build_csrf_app(erlen_fw)
    with flask_app.test_request_context():
        flask_token = flask_fw.generate_csrf()
        raw = flask_fw.session["csrf_token"]
    with erlen_app.test_request_context():
        erlen_fw.session["csrf_token"] = raw
        erlen_fw.validate_csrf(flask_token)  # does not raise
        erlen_token = erlen_fw.generate_csrf()
    with flask_app.test_request_context():
        flask_fw.session["csrf_token"] = raw
        flask_fw.validate_csrf(erlen_token)
