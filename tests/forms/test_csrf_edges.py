"""CSRF on erlen alone: hostile tokens, the app factory pattern, where erlen differs."""

from __future__ import annotations

import time
from typing import Any

import pytest
from wtforms import StringField, ValidationError

from erlen import Blueprint, Erlen, g, jsonify, session
from erlen.exceptions import BadRequest
from erlen.forms import CSRFError, CSRFProtect, Form, generate_csrf, validate_csrf
from erlen.forms.csrf import MAX_TOKEN_LENGTH, same_origin
from erlen.views import MethodView


class NoteForm(Form):
    content = StringField()


def _app(**config: Any) -> Erlen:
    app = Erlen(__name__)
    app.config.update(SECRET_KEY="edge-secret", **config)

    @app.get("/t")
    def token() -> Any:
        return generate_csrf()

    return app


def _token(app: Erlen, client: Any) -> str:
    return client.get("/t").get_data(as_text=True)  # type: ignore[no-any-return]


def test_validate_csrf_reasons() -> None:
    app = _app()
    with app.test_request_context():
        with pytest.raises(ValidationError, match="The CSRF token is missing."):
            validate_csrf(None)
        with pytest.raises(ValidationError, match="The CSRF token is missing."):
            validate_csrf("")
        with pytest.raises(ValidationError, match="The CSRF session token is missing."):
            validate_csrf("x")
        token = generate_csrf()
        validate_csrf(token)
        for garbage in ["x", "a" * (MAX_TOKEN_LENGTH + 1), token[:-1], token.upper(), "é" * 10]:
            with pytest.raises(ValidationError, match="The CSRF token is invalid."):
                validate_csrf(garbage)
        for not_text in [123, ["a"], {"a": 1}, b"bytes"]:
            with pytest.raises(ValidationError, match="The CSRF token is invalid."):
                validate_csrf(not_text)
        session["csrf_token"] = "somebody else"
        with pytest.raises(ValidationError, match="The CSRF tokens do not match."):
            validate_csrf(token)
        session["csrf_token"] = 42  # not a string: never matches, never crashes
        with pytest.raises(ValidationError, match="The CSRF tokens do not match."):
            validate_csrf(token)


def test_huge_token_is_refused_quickly() -> None:
    app = _app()
    huge = "A" * 5_000_000
    with app.test_request_context():
        generate_csrf()
        started = time.perf_counter()
        with pytest.raises(ValidationError, match="invalid"):
            validate_csrf(huge)
        assert time.perf_counter() - started < 0.5


def test_non_string_session_token_is_replaced() -> None:
    app = _app()
    with app.test_request_context():
        session["csrf_token"] = ["not", "a", "string"]
        token = generate_csrf()
        assert isinstance(session["csrf_token"], str)
        validate_csrf(token)


def test_rotated_secret_keys() -> None:
    app = _app(WTF_CSRF_SECRET_KEY=["new-key", "old-key"])
    with app.test_request_context():
        token = generate_csrf()
        validate_csrf(token)
    with app.test_request_context():
        from itsdangerous import URLSafeTimedSerializer

        session["csrf_token"] = "raw"
        signed_with_old = URLSafeTimedSerializer("old-key", salt="wtf-csrf-token").dumps("raw")
        validate_csrf(signed_with_old)


def test_missing_secret_key() -> None:
    app = Erlen(__name__)
    with app.test_request_context(), pytest.raises(RuntimeError, match="secret key"):
        generate_csrf()


def test_json_token_in_form_body() -> None:
    app = _app()

    @app.post("/notes")
    def notes() -> Any:
        form = NoteForm()
        return jsonify(valid=form.validate_on_submit(), errors=form.errors)

    client = app.test_client()
    token = _token(app, client)

    assert client.post("/notes", json={"csrf_token": token, "content": "x"}).get_json() == {
        "valid": True,
        "errors": {},
    }
    assert client.post("/notes", json={"csrf_token": 7, "content": "x"}).get_json() == {
        "valid": False,
        "errors": {"csrf_token": ["The CSRF token is invalid."]},
    }


def test_app_factory_and_several_apps() -> None:
    csrf = CSRFProtect()

    def create_app(name: str) -> Erlen:
        app = _app()
        csrf.init_app(app)

        @app.post("/")
        def index() -> Any:
            return name

        return app

    first, second = create_app("first"), create_app("second")
    assert first.extensions["csrf"] is csrf is second.extensions["csrf"]
    for app in (first, second):
        client = app.test_client()
        assert client.post("/").status_code == 400
        assert client.post("/", headers={"X-CSRFToken": _token(app, client)}).status_code == 200


def test_init_app_settings() -> None:
    app = _app(WTF_CSRF_METHODS=("POST",))
    CSRFProtect(app)
    assert app.config["WTF_CSRF_METHODS"] == {"POST"}
    assert app.config["WTF_CSRF_HEADERS"] == ["X-CSRFToken", "X-CSRF-Token"]
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 3600
    assert app.config["WTF_CSRF_SSL_STRICT"] is True
    assert app.config["WTF_CSRF_FIELD_NAME"] == "csrf_token"
    assert app.config["WTF_CSRF_META_NAME"] == "csrf-token"


def test_exempt_returns_its_argument_and_covers_class_views() -> None:
    app = _app()
    csrf = CSRFProtect(app)
    bp = Blueprint("hooks", __name__)

    class ItemAPI(MethodView):
        def post(self) -> Any:
            return "created"

    view = ItemAPI.as_view("items")
    assert csrf.exempt(view) is view
    assert csrf.exempt(bp) is bp
    app.add_url_rule("/items", view_func=view)

    @bp.post("/hook")
    def hook() -> Any:
        return "hooked"

    app.register_blueprint(bp, url_prefix="/hooks")
    app.register_blueprint(bp, name="hooks_again", url_prefix="/again")
    client = app.test_client()
    assert client.post("/items").get_data(as_text=True) == "created"
    assert client.post("/hooks/hook").status_code == 200
    assert client.post("/again/hook").status_code == 200  # the same blueprint, renamed


def test_nested_blueprint_is_not_exempted_by_its_parent() -> None:
    app = _app()
    csrf = CSRFProtect(app)
    parent, child = Blueprint("parent", __name__), Blueprint("child", __name__)

    @child.post("/x")
    def x() -> Any:
        return "x"

    parent.register_blueprint(child, url_prefix="/child")
    csrf.exempt(parent)
    app.register_blueprint(parent, url_prefix="/parent")
    assert app.test_client().post("/parent/child/x").status_code == 400  # as in Flask-WTF


def test_error_handler_and_description() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/")
    def index() -> Any:
        return "never"

    @app.errorhandler(CSRFError)
    def handle(error: CSRFError) -> Any:
        assert isinstance(error, BadRequest)
        return jsonify(reason=error.description, code=error.code), 400

    client = app.test_client()
    _token(app, client)
    response = client.post("/", data={"csrf_token": "forged"})
    assert response.get_json() == {"reason": "The CSRF token is invalid.", "code": 400}


def test_bad_request_handler_catches_csrf_errors() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/")
    def index() -> Any:
        return "never"

    @app.errorhandler(400)
    def handle(error: Any) -> Any:
        return f"400: {error.description}", 400

    assert app.test_client().post("/").get_data(as_text=True) == "400: The CSRF token is missing."


def test_successful_check_marks_the_request() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/mark")
    def mark() -> Any:
        return jsonify(valid=g.get("csrf_valid", False))

    client = app.test_client()
    token = _token(app, client)

    assert client.post("/mark", headers={"X-CSRF-Token": token}).get_json() == {"valid": True}


def test_async_view_is_protected() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/async")
    async def async_view() -> Any:
        return "async ok"

    client = app.test_client()
    token = _token(app, client)

    assert client.post("/async").status_code == 400
    assert client.post("/async", headers={"X-CSRFToken": token}).status_code == 200


def test_csrf_disabled_at_runtime() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/")
    def index() -> Any:
        return "ok"

    client = app.test_client()
    assert client.post("/").status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/").status_code == 200


# -- Referer matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://example.com/a", True),
        ("https://EXAMPLE.com/", True),
        ("https://example.com:443/", True),  # Flask-WTF: False (explicit default port)
        ("https://example.com:8443/", False),
        ("http://example.com/", False),
        ("https://example.com.evil.org/", False),
        ("https://evil.org/?next=https://example.com/", False),
        ("https://example.com:notaport/", False),  # Flask-WTF: ValueError (a 500)
        ("https://example.com:99999/", False),
        ("//example.com/", False),
        ("", False),
        ("example.com", False),
    ],
)
def test_same_origin(referrer: str, expected: bool) -> None:
    assert same_origin(referrer, "https://example.com/") is expected


def test_https_referrer_with_explicit_default_port_and_bad_port() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/")
    def index() -> Any:
        return "ok"

    client = app.test_client()
    token = _token(app, client)

    def post(referrer: str) -> int:
        return client.post(  # type: ignore[no-any-return]
            "/",
            headers={"X-CSRFToken": token, "Referer": referrer},
            base_url="https://localhost",
        ).status_code

    assert post("https://localhost:443/page") == 200
    assert post("https://localhost:bad/page") == 400
    assert post("https://localhost:8443/page") == 400


def test_referrer_check_uses_the_request_host_with_port() -> None:
    app = _app()
    CSRFProtect(app)

    @app.post("/")
    def index() -> Any:
        return "ok"

    client = app.test_client()
    base = "https://example.test:8443"
    token = client.get("/t", base_url=base).get_data(as_text=True)  # cookies are per host
    ok = client.post("/", headers={"X-CSRFToken": token, "Referer": base + "/form"}, base_url=base)
    assert ok.status_code == 200
    wrong = client.post(
        "/", headers={"X-CSRFToken": token, "Referer": "https://example.test/form"}, base_url=base
    )
    assert wrong.status_code == 400
