"""Sessions against Flask: cookie round trips, every ``SESSION_COOKIE_*`` setting,
permanence and refreshing, ``Vary: Cookie``, deletion, key rotation, cookies shared
between a Flask and an erlen app, the serializer's bytes, oversized cookies.

Hostile cookies and a missing secret key are in ``test_sessions_hostile.py``; custom
interfaces and ``session_transaction`` in ``test_session_interfaces.py``."""

from __future__ import annotations

import base64
import logging
import os
import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import BadSignature
from markupsafe import Markup

from tests.differential.harness import get, on_client, scenario

from .apps.common import (
    check_scenario,
    cookie_payload,
    erlen,
    flask,
    same,
    scenario_cases,
    sign_session,
    snap,
)
from .apps.sessions import SECRET, describe, session_app

# --------------------------------------------------------------------------------------
# Round trips (harness scenarios: the "session" cookie's payload is compared)
# --------------------------------------------------------------------------------------


@scenario(
    get("/get"),
    get("/set", query_string={"user": "ada", "lang": "<en>"}),
    get("/get"),
    get("/flags"),
    get("/untouched"),
    get("/set", query_string={"user": "grace"}),
    get("/get"),
    get("/pop"),
    get("/get"),
    get("/set"),
    get("/clear"),
    get("/get"),
    get("/clear"),
    on_client(
        "cookie after clearing",
        lambda fw, client: client.get_cookie("session") is None,
    ),
)
def set_read_change_delete(fw):
    return session_app(fw)


@scenario(
    get("/nested"),
    get("/nested"),
    get("/get"),
    get("/nested", query_string={"mark": "1"}),
    get("/get"),
)
def nested_changes_need_modified(fw):
    return session_app(fw)


@scenario(
    get("/permanent"),
    get("/untouched"),
    get("/get"),
    get("/flags"),
    get("/not-permanent"),
    get("/untouched"),
    name="permanent_with_refresh",
)
@scenario(
    get("/permanent"),
    get("/untouched"),
    get("/get"),
    get("/set"),
    name="permanent_without_refresh",
    config={"SESSION_REFRESH_EACH_REQUEST": False},
)
@scenario(
    get("/permanent"),
    get("/get"),
    name="permanent_lifetime_seconds",
    config={"PERMANENT_SESSION_LIFETIME": 600},
)
@scenario(
    get("/permanent"),
    get("/get"),
    name="permanent_lifetime_timedelta",
    config={"PERMANENT_SESSION_LIFETIME": timedelta(hours=2)},
)
@scenario(
    get("/set"),
    get("/untouched"),
    get("/get"),
    name="not_permanent_is_not_refreshed",
)
def permanence(fw):
    return session_app(fw)


# --------------------------------------------------------------------------------------
# Vary: Cookie (Flask 3.1.3: any use of the session through the context marks it)
# --------------------------------------------------------------------------------------

_ACCESS = {
    "none": lambda fw: None,
    "contains": lambda fw: "user" in fw.session,
    "get": lambda fw: fw.session.get("user"),
    "getitem-missing": lambda fw: fw.session.get("missing"),
    "len": lambda fw: len(fw.session),
    "iterate": lambda fw: list(fw.session),
    "bool": lambda fw: bool(fw.session),
    "permanent-read": lambda fw: fw.session.permanent,
    "modified-read": lambda fw: fw.session.modified,
    "new-read": lambda fw: fw.session.new,
    "accessed-read": lambda fw: fw.session.accessed,
    "keys": lambda fw: list(fw.session.keys()),
    "current-object": lambda fw: fw.session._get_current_object() is not None,
    "flashed-messages": lambda fw: fw.get_flashed_messages(),
    "template-session": lambda fw: fw.render_template_string("{{ session.get('user') }}"),
    "template-flashes": lambda fw: fw.render_template_string("{{ get_flashed_messages() }}"),
    "template-without-session": lambda fw: fw.render_template_string("{{ request.path }}"),
}


def _vary_app(fw):
    app = session_app(fw)

    @app.route("/access/<kind>")
    def access(kind):
        _ACCESS[kind](fw)
        return kind

    @app.route("/vary-already")
    def vary_already():
        fw.session.get("user")
        return "x", {"Vary": "Accept-Encoding"}

    @app.route("/in-after-request")
    def in_after_request():
        @fw.after_this_request
        def read(response):
            fw.session.get("user")
            return response

        return "after"

    @app.route("/in-error-handler")
    def in_error_handler():
        fw.abort(418)

    @app.errorhandler(418)
    def teapot(error):
        return f"teapot {fw.session.get('user')}", 418

    return app


@scenario(
    *(get(f"/access/{kind}", label=f"no cookie: {kind}") for kind in _ACCESS),
    get("/set"),
    *(get(f"/access/{kind}", label=f"with cookie: {kind}") for kind in _ACCESS),
    get("/vary-already"),
    get("/in-after-request"),
    get("/in-error-handler"),
    get("/not-found"),
)
def vary_cookie_when_accessed(fw):
    return _vary_app(fw)


@scenario(
    *(get(f"/access/{kind}", label=f"permanent: {kind}") for kind in ("none", "get", "len")),
    get("/permanent", label="make permanent"),
    *(get(f"/access/{kind}", label=f"permanent: {kind}") for kind in ("none", "get", "len")),
    get("/not-found"),
)
def vary_with_a_refreshed_permanent_cookie(fw):
    return _vary_app(fw)


# --------------------------------------------------------------------------------------
# The cookie's attributes for every setting
# --------------------------------------------------------------------------------------

COOKIE_SETTINGS = {
    "defaults": {},
    "name": {"SESSION_COOKIE_NAME": "sid"},
    "domain": {"SESSION_COOKIE_DOMAIN": "example.com"},
    "domain-leading-dot": {"SESSION_COOKIE_DOMAIN": ".example.com"},
    "domain-localhost": {"SESSION_COOKIE_DOMAIN": "localhost"},
    "path": {"SESSION_COOKIE_PATH": "/app"},
    "application-root": {"APPLICATION_ROOT": "/root"},
    "path-over-application-root": {"APPLICATION_ROOT": "/root", "SESSION_COOKIE_PATH": "/p"},
    "not-httponly": {"SESSION_COOKIE_HTTPONLY": False},
    "secure": {"SESSION_COOKIE_SECURE": True},
    "samesite-lax": {"SESSION_COOKIE_SAMESITE": "Lax"},
    "samesite-strict": {"SESSION_COOKIE_SAMESITE": "Strict"},
    "samesite-none": {"SESSION_COOKIE_SAMESITE": "None"},
    "samesite-lowercase": {"SESSION_COOKIE_SAMESITE": "strict"},
    "samesite-invalid": {"SESSION_COOKIE_SAMESITE": "Sometimes"},
    "partitioned": {"SESSION_COOKIE_PARTITIONED": True},
    "lifetime": {"PERMANENT_SESSION_LIFETIME": 120},
    "everything": {
        "SESSION_COOKIE_NAME": "app_session",
        "SESSION_COOKIE_DOMAIN": ".example.com",
        "SESSION_COOKIE_PATH": "/shop",
        "SESSION_COOKIE_HTTPONLY": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_PARTITIONED": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=2),
    },
}


@pytest.mark.parametrize("setting", COOKIE_SETTINGS)
def test_cookie_attributes(setting, caplog):
    config = COOKIE_SETTINGS[setting]
    name = config.get("SESSION_COOKIE_NAME", "session")

    def run(fw):
        app = session_app(fw, **config)
        client = app.test_client()
        rows = []
        with caplog.at_level(logging.CRITICAL + 1):
            for base_url in ("http://localhost/", "https://www.example.com/"):
                for path in ("/set", "/get", "/permanent", "/untouched", "/get", "/clear"):
                    response = client.get(path, base_url=base_url)
                    rows.append((base_url, path, snap(response, session_names=[name])))
        return rows

    same(run)


@pytest.mark.parametrize("setting", ["defaults", "everything", "secure", "path"])
def test_cookie_attributes_in_the_cookie_jar(setting):
    """What the test client stores from the cookie (domain, path, expiry, flags)."""
    config = COOKIE_SETTINGS[setting]
    name = config.get("SESSION_COOKIE_NAME", "session")

    def run(fw):
        client = session_app(fw, **config).test_client()
        client.get("/permanent", base_url="https://www.example.com/shop/x")
        cookie = client.get_cookie(
            name, domain=config.get("SESSION_COOKIE_DOMAIN", "www.example.com").lstrip(".")
        )
        if cookie is None:
            return None
        expires = cookie.expires
        return {
            "domain": cookie.domain,
            "path": cookie.path,
            "secure": cookie.secure,
            "http_only": cookie.http_only,
            "same_site": cookie.same_site,
            "expires_in_days": None
            if expires is None
            else round((expires.timestamp() - time.time()) / 86400),
        }

    same(run)


# --------------------------------------------------------------------------------------
# Key rotation
# --------------------------------------------------------------------------------------


def _rotation(fw, cookie_key, fallbacks):
    app = session_app(fw)
    app.secret_key = "new key"
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks
    client = app.test_client()
    client.set_cookie("session", sign_session({"user": "old"}, cookie_key))
    read = client.get("/get")
    result = {"read": read.get_json(), "set_cookie_on_read": read.headers.getlist("Set-Cookie")}
    changed = client.get("/set", query_string={"lang": "fr"})
    value = client.get_cookie("session").value
    for key in ("new key", cookie_key):
        try:
            result[f"verifies with {key}"] = cookie_payload(value, key)
        except BadSignature:
            result[f"verifies with {key}"] = "bad signature"
    result["changed_status"] = changed.status_code
    return result


@pytest.mark.parametrize(
    ("cookie_key", "fallbacks"),
    [
        ("old key", ["old key"]),
        ("older key", ["older key", "old key"]),
        ("old key", None),
        ("old key", []),
        ("unknown key", ["old key"]),
        ("new key", ["old key"]),
    ],
)
def test_secret_key_fallbacks(cookie_key, fallbacks):
    result = same(lambda fw: _rotation(fw, cookie_key, fallbacks))
    accepted = cookie_key == "new key" or cookie_key in (fallbacks or [])
    assert result["read"] == ({"user": "old"} if accepted else {})
    assert result["set_cookie_on_read"] == []
    assert result["verifies with new key"] != "bad signature"  # re-signed with the new key


# --------------------------------------------------------------------------------------
# One cookie, two frameworks
# --------------------------------------------------------------------------------------

RICH = {
    "tuple": (1, "two", (3.5, None)),
    "bytes": b"\x00\xffbinary",
    "markup": Markup("<b>bold</b>"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "datetime": datetime(2025, 2, 3, 4, 5, 6, tzinfo=timezone.utc),
    "tag_like": {" t": ["not", "a", "tuple"]},
    "di_like": {" di": {" m": "x"}},
    "nested": [{"inner": (b"x", [Markup("&")])}],
    "unicode": "ünïcødé ✓",
    "number": 12.5,
    "none": None,
    "bool": True,
    "_flashes": [("info", "hello")],
}


def _rich_app(fw):
    app = fw.App(__name__)
    app.secret_key = SECRET

    @app.route("/write")
    def write():
        fw.session.update(RICH)
        fw.session.permanent = True
        return "written"

    @app.route("/read")
    def read():
        return fw.jsonify(describe(dict(fw.session)))

    return app


@pytest.mark.parametrize(("writer", "reader"), [("flask", "erlen"), ("erlen", "flask")])
def test_cookie_written_by_one_framework_is_read_by_the_other(writer, reader):
    fws = {"flask": flask(), "erlen": erlen()}
    written = _rich_app(fws[writer]).test_client()
    written.get("/write")
    value = written.get_cookie("session").value
    results = {}
    for name, fw in fws.items():
        client = _rich_app(fw).test_client()
        client.set_cookie("session", value)
        results[name] = client.get("/read").get_json()
    assert results[reader] == results[writer]
    assert results[reader]["dict"]["tuple"] == describe(RICH["tuple"])
    assert cookie_payload(value, SECRET)["markup"] == RICH["markup"]
    # The signed payload is the same bytes from both (only timestamp and signature vary).
    payloads = set()
    for fw in fws.values():
        other = _rich_app(fw).test_client()
        other.get("/write")
        payloads.add(_payload_part(other.get_cookie("session").value))
    assert payloads == {_payload_part(value)}


def _payload_part(cookie_value):
    """The payload of a signed cookie: ``[.]payload.timestamp.signature``."""
    return cookie_value.lstrip(".").split(".")[0]


def test_session_serializer_output_is_flasks():
    """erlen's session serializer writes exactly Flask's bytes for the same data."""
    from flask.sessions import session_json_serializer as flask_serializer

    from erlen.sessions import session_json_serializer as erlen_serializer

    app = flask().App(__name__)
    with app.app_context():
        want = flask_serializer.dumps(RICH)
    eapp = erlen().App(__name__)
    with eapp.app_context():
        got = erlen_serializer.dumps(RICH)
    assert got == want
    assert flask_serializer.dumps(RICH) == erlen_serializer.dumps(RICH)  # no app context


# --------------------------------------------------------------------------------------
# Oversized cookies
# --------------------------------------------------------------------------------------


def test_oversized_session_cookie_warns():
    def run(fw):
        app = session_app(fw)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            big = base64.b64encode(os.urandom(4500)).decode()  # incompressible
            response = app.test_client().get("/set", query_string={"big": big})
        return (
            response.status_code,
            [w.category.__name__ for w in caught],
            len(response.headers.get("Set-Cookie", "")) > 4093,
        )

    assert same(run) == (200, ["UserWarning"], True)


@pytest.mark.parametrize(("candidate", "sc"), scenario_cases(__name__))
def test_scenario(candidate, sc):
    check_scenario(candidate, sc)
