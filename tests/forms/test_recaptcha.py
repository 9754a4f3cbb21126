"""reCAPTCHA: rendering and verification against Flask-WTF, with the network faked."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from wtforms import StringField

from .frameworks import both, stack


def _recaptcha(stack_name: str) -> Any:
    if stack_name == "flask":
        import flask_wtf

        return flask_wtf.RecaptchaField
    import erlen.forms

    return erlen.forms.RecaptchaField


class _FakeAnswer:
    def __init__(self, payload: Any, code: int = 200) -> None:
        self.code = code
        self._body = json.dumps(payload).encode()

    def read(self) -> bytes:
        return self._body

    def __enter__(self) -> _FakeAnswer:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class _FakeServer:
    """Records verify calls and answers with a canned payload (or fails)."""

    def __init__(self, payload: Any = None, error: Exception | None = None) -> None:
        self.payload = payload
        self.error = error
        self.calls: list[tuple[str, dict[str, list[str]]]] = []

    def urlopen(self, url: str, data: bytes, *args: Any, **kwargs: Any) -> _FakeAnswer:
        self.calls.append((url, urllib.parse.parse_qs(data.decode())))
        if self.error is not None:
            raise self.error
        return _FakeAnswer(self.payload)


def _app(stack_name: str, **config: Any) -> tuple[Any, Any]:
    fw = stack(stack_name)
    RecaptchaField = _recaptcha(stack_name)

    class Signup(fw.Form):
        name = StringField()
        recaptcha = RecaptchaField()

    app = fw.App(__name__)
    app.config.update(
        SECRET_KEY="k",
        WTF_CSRF_ENABLED=False,
        RECAPTCHA_PUBLIC_KEY="public-key",
        RECAPTCHA_PRIVATE_KEY="private-key",
        **config,
    )

    @app.route("/", methods=["GET", "POST"])
    def index() -> Any:
        form = Signup()
        valid = form.validate_on_submit()
        return fw.jsonify(
            valid=valid,
            errors=form.errors,
            html=str(form.recaptcha()),
            flag=form.recaptcha.recaptcha_error,
        )

    return fw, app


def _both(
    monkeypatch: pytest.MonkeyPatch, server: _FakeServer, request: dict[str, Any], **config: Any
) -> Any:
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    results = {}
    for name in ("flask", "erlen"):
        _fw, app = _app(name, **config)
        response = app.test_client().post("/", **request)
        results[name] = (response.status_code, response.get_json())
    assert results["erlen"] == results["flask"]
    return results["erlen"]


def test_rendering_matches_flask_wtf() -> None:
    pages = {}
    for name in ("flask", "erlen"):
        _fw, app = _app(name, RECAPTCHA_DATA_ATTRS={"theme": "dark"})
        pages[name] = app.test_client().get("/").get_json()["html"]
    assert pages["erlen"] == pages["flask"]
    assert 'data-sitekey="public-key"' in pages["erlen"]
    assert 'data-theme="dark"' in pages["erlen"]
    assert "https://www.google.com/recaptcha/api.js" in pages["erlen"]


@both
def test_rendering_options(stack_name: str) -> None:
    _fw, app = _app(stack_name, RECAPTCHA_ENABLED=False)
    assert app.test_client().get("/").get_json()["html"] == "<!-- recaptcha disabled -->"
    _fw, app = _app(stack_name, RECAPTCHA_HTML="<b>custom</b>")
    assert app.test_client().get("/").get_json()["html"] == "<b>custom</b>"


def test_accepted_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _FakeServer({"success": True})
    outcome = _both(monkeypatch, server, {"data": {"g-recaptcha-response": "answer"}})
    assert outcome[1]["valid"] is True
    url, sent = server.calls[-1]
    assert url == "https://www.google.com/recaptcha/api/siteverify"
    assert sent["secret"] == ["private-key"] and sent["response"] == ["answer"]


def test_answer_in_json_body(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _FakeServer({"success": True})
    outcome = _both(monkeypatch, server, {"json": {"g-recaptcha-response": "answer"}})
    assert outcome[1]["valid"] is True


@pytest.mark.parametrize(
    ("payload", "message", "flag"),
    [
        ({"success": False}, "The response parameter is missing.", "incorrect-captcha-sol"),
        (
            {"success": False, "error-codes": ["invalid-input-response"]},
            "The response parameter is invalid or malformed.",
            None,
        ),
        (
            {"success": False, "error-codes": ["invalid-input-secret"]},
            "The secret parameter is invalid or malformed.",
            None,
        ),
    ],
)
def test_rejected_answers(
    monkeypatch: pytest.MonkeyPatch, payload: Any, message: str, flag: Any
) -> None:
    server = _FakeServer(payload)
    status, body = _both(monkeypatch, server, {"data": {"g-recaptcha-response": "answer"}})
    assert body["errors"] == {"recaptcha": [message]}
    assert body["flag"] == flag


def test_missing_answer_is_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _FakeServer({"success": True})
    status, body = _both(monkeypatch, server, {"data": {"name": "x"}})
    assert body["errors"] == {"recaptcha": ["The response parameter is missing."]}
    assert server.calls == []


def test_skipped_when_testing_or_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _FakeServer({"success": False})
    for config in ({"TESTING": True}, {"RECAPTCHA_ENABLED": False}):
        status, body = _both(monkeypatch, server, {"data": {"name": "x"}}, **config)
        assert body["valid"] is True
    assert server.calls == []


def test_custom_verify_server(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _FakeServer({"success": True})
    _both(
        monkeypatch,
        server,
        {"data": {"g-recaptcha-response": "a"}},
        RECAPTCHA_VERIFY_SERVER="https://verify.test/",
    )
    assert server.calls[-1][0] == "https://verify.test/"


def test_network_failure_fails_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deviation: Flask-WTF lets the URLError escape (a 500); erlen reports it on the field."""
    server = _FakeServer(error=OSError("network down"))
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    _fw, app = _app("erlen")
    response = app.test_client().post("/", data={"g-recaptcha-response": "a"})
    assert response.status_code == 200
    assert response.get_json()["errors"] == {
        "recaptcha": ["The reCAPTCHA could not be verified, please try again."]
    }


def test_script_parameters_are_escaped() -> None:
    _fw, app = _app("erlen", RECAPTCHA_PARAMETERS={"hl": "de", "render": "x'y"})
    html = app.test_client().get("/").get_json()["html"]
    assert "api.js?hl=de&amp;render=x%27y'" in html


def test_missing_keys() -> None:
    _fw, app = _app("erlen")
    del app.config["RECAPTCHA_PUBLIC_KEY"]
    with app.test_request_context(), pytest.raises(RuntimeError, match="RECAPTCHA_PUBLIC_KEY"):
        from erlen.forms import RecaptchaWidget

        field = type("F", (), {"id": "r", "nonce": None})()
        RecaptchaWidget()(field)
