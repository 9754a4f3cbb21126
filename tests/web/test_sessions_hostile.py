"""Hostile, broken and expired session cookies against Flask (an empty session, never
an error page), cookies only the key holder could make, and sessions without a secret
key."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from .apps.common import both, erlen, same, sign_session, snap
from .apps.sessions import SECRET, session_app

# --------------------------------------------------------------------------------------
# Hostile, broken and expired cookies: an empty session, never an error
# --------------------------------------------------------------------------------------


class _OldTimestampSigner(TimestampSigner):
    def get_timestamp(self):
        return int(time.time()) - 3 * 86400


def _expired_cookie(data):

    from flask.sessions import session_json_serializer

    return URLSafeTimedSerializer(
        SECRET,
        salt="cookie-session",
        serializer=session_json_serializer,
        signer=_OldTimestampSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).dumps(data)


def _tamper(value, position):
    chars = list(value)
    chars[position] = "A" if chars[position] != "A" else "B"
    return "".join(chars)


def _bad_cookies():
    good = sign_session({"user": "ada", "admin": False}, SECRET)
    forged = sign_session({"user": "ada", "admin": True}, "guessed key")
    return {
        "empty": "",
        "garbage": "not a session at all",
        "dots": "a.b.c",
        "many-dots": "." * 50,
        "tampered-signature": _tamper(good, -3),
        "tampered-payload": _tamper(good, 3),
        "tampered-timestamp": _tamper(good, good.index(".") + 2),
        "signed-with-another-key": forged,
        "payload-of-one-with-signature-of-other": good.split(".")[0]
        + "."
        + ".".join(forged.split(".")[1:]),
        "compressed-marker-garbage": ".eJzzSM3JyQcABiwCFQ.xyz.abc",
        "expired": _expired_cookie({"user": "ada"}),
        "huge": "x" * 8000,
        # What a WSGI server puts in the environ for UTF-8 bytes on the wire.
        "non-ascii": "ünï.cødé.✓".encode().decode("latin-1"),
        "latin-1": "caf\xe9.\xff.\xa0",
        "quoted": '"quoted.value.here"',
        "null-bytes": "a\x00b.c.d",
        "base64-padding": "eyJ1c2VyIjoiYWRhIn0==.AAAA.BBBB",
    }


@pytest.mark.parametrize(
    "kind",
    [
        *_bad_cookies(),
        pytest.param(
            "beyond-latin-1",
        ),
    ],
)
def test_bad_cookie_gives_an_empty_session(kind, caplog):
    value = _bad_cookies().get(kind, "ünï.cødé.✓")

    def run(fw):
        app = session_app(fw, PERMANENT_SESSION_LIFETIME=timedelta(days=1))
        # Without the cookie jar: Werkzeug's client replaces an explicit Cookie header.
        client = app.test_client(use_cookies=False)
        with caplog.at_level(logging.CRITICAL + 1):
            # As a server passes it (the test clients' header checks differ on NUL).
            environ = {"HTTP_COOKIE": f"session={value}"}
            read = client.get("/get", environ_base=environ)
            write = client.get("/set", query_string={"x": "1"}, environ_base=environ)
        return snap(read), snap(write)

    read, write = same(run)
    assert read["status"] == "200 OK"
    assert read["body"] == b"{}\n"
    assert write["status"] == "200 OK"


def test_expired_permanent_cookie_is_dropped_then_replaced():
    value = _expired_cookie({"user": "ada", "_permanent": True})

    def run(fw):
        client = session_app(fw, PERMANENT_SESSION_LIFETIME=timedelta(days=1)).test_client()
        client.set_cookie("session", value)
        return snap(client.get("/get")), snap(client.get("/permanent")), snap(client.get("/get"))

    first, _, last = same(run)
    assert first["body"] == b"{}\n"
    assert last["body"] != b"{}\n"


@pytest.mark.parametrize(
    "payload",
    ['{"a":1}', "[1, 2]", '"text"', "null", "not json", '{" t": [1]}'],
    ids=["dict", "list", "string", "null", "not-json", "tagged-top-level"],
)
def test_correctly_signed_but_odd_payloads(payload, caplog):
    """Cookies only the key holder can make.  Where Flask answers 500 for a payload that
    is not JSON, erlen deliberately gives an empty session (see docs/sessions.md)."""

    from itsdangerous.encoding import base64_encode

    value = (
        URLSafeTimedSerializer(
            SECRET,
            salt="cookie-session",
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
        )
        .make_signer("cookie-session")
        .sign(base64_encode(payload.encode()))
        .decode()
    )

    def run(fw):
        app = session_app(fw)
        with caplog.at_level(logging.CRITICAL + 1):
            response = app.test_client(use_cookies=False).get(
                "/get", headers={"Cookie": f"session={value}"}
            )
        return response.status_code, response.get_data(as_text=True)

    flask_result, erlen_result = both(run)
    if payload == "not json":
        assert flask_result[0] == 500
        assert erlen_result == (200, "{}\n")
    else:
        assert erlen_result == flask_result


# --------------------------------------------------------------------------------------
# No secret key
# --------------------------------------------------------------------------------------


def _no_key_app(fw, testing):
    app = session_app(fw)
    app.secret_key = None
    app.testing = testing

    @app.route("/flash")
    def flash():
        fw.flash("x")
        return "flashed"

    return app


@pytest.mark.parametrize("testing", [True, False])
@pytest.mark.parametrize(
    "path", ["/get", "/untouched", "/flags", "/set", "/clear", "/flash", "/permanent"]
)
def test_without_secret_key(path, testing, caplog):
    def run(fw):
        with caplog.at_level(logging.CRITICAL + 1):
            return snap(_no_key_app(fw, testing).test_client().get(path))

    result = same(run)
    if path not in {"/set", "/flash", "/permanent", "/clear"}:
        assert result["status"] == "200 OK"
    elif testing:
        assert result.kind == "RuntimeError"
    else:
        assert result["status"] == "500 INTERNAL SERVER ERROR"


def test_without_secret_key_the_error_names_the_fix():
    app = _no_key_app(erlen(), testing=True)
    with pytest.raises(RuntimeError, match="secret_key|SECRET_KEY"):
        app.test_client().get("/set")


def test_default_interface_settings():
    def run(fw):
        app = session_app(fw)
        interface = app.session_interface
        serializer = interface.get_signing_serializer(app)
        app.secret_key = ""
        return (
            type(interface).__name__,
            interface.salt,
            interface.key_derivation,
            interface.digest_method().name,
            interface.pickle_based,
            type(interface.serializer).__name__,
            interface.session_class.__name__,
            interface.null_session_class.__name__,
            type(serializer).__name__,
            interface.get_signing_serializer(app),
            [
                getattr(interface, f"get_cookie_{part}")(app)
                for part in (
                    "name",
                    "domain",
                    "path",
                    "httponly",
                    "secure",
                    "samesite",
                    "partitioned",
                )
            ],
        )

    same(run)


def test_null_session_type_and_reading():
    def run(fw):
        app = fw.App(__name__)
        with app.test_request_context("/"):
            s = fw.session._get_current_object()
            return (
                type(s).__name__,
                app.session_interface.is_null_session(s),
                dict(s),
                s.get("x", "default"),
                s.permanent,
                s.modified,
                s.new,
            )

    same(run)
