"""Signed and expiring URLs: ``url_for(..., _sign=True, _expires=...)``,
``@signed_url_required`` and ``request.has_valid_signature()``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest

import erlen.signing
from erlen import Blueprint, Erlen, render_template_string, request, signed_url_required, url_for


def make_app(**config):
    app = Erlen(__name__)
    app.config.update({"SECRET_KEY": "first secret", **config})

    @app.route("/unsubscribe/<int:user_id>")
    @signed_url_required
    def unsubscribe(user_id):
        return f"unsubscribed {user_id}"

    @app.route("/files/<path:name>")
    @signed_url_required
    def download(name):
        return f"{name} {sorted(request.args.items(multi=True))}"

    @app.route("/check")
    def check():
        return "valid" if request.has_valid_signature() else "invalid"

    @app.route("/async/<int:n>")
    @signed_url_required
    async def asynchronous(n):
        await asyncio.sleep(0)
        return f"async {n}"

    return app


def signed(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, _sign=True, **values)


def expected_signature(secret: str, path: str, pairs: list[tuple[str, str]]) -> str:
    """The documented signature, computed independently: HMAC-SHA256 keyed with
    HMAC-SHA256(secret, purpose), over the decoded path, '?' and the query stably
    sorted by name, each name and value percent-encoded."""
    key = hmac.new(secret.encode(), b"erlen.signed-url.v1", hashlib.sha256).digest()
    ordered = sorted(pairs, key=lambda pair: pair[0])
    canonical = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in ordered)
    return hmac.new(key, f"{path}?{canonical}".encode(), hashlib.sha256).hexdigest()


# -- building ---------------------------------------------------------------------------


def test_signature_is_the_documented_hmac():
    app = make_app()
    url = signed(app, "unsubscribe", user_id=42)
    assert url == (
        "/unsubscribe/42?signature=" + expected_signature("first secret", "/unsubscribe/42", [])
    )
    url = signed(app, "download", name="a b/c.txt", b="2", a=["x", "y"], _expires=60)
    parts = urlsplit(url)
    assert parts.path == "/files/a%20b/c.txt"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    signature = pairs.pop()
    assert signature[0] == "signature"
    assert [name for name, _ in pairs] == ["b", "a", "a", "expires"]
    assert signature[1] == expected_signature("first secret", "/files/a b/c.txt", pairs)


@pytest.mark.parametrize("path", ["helpers", "app", "template", "general"])
def test_every_url_for_path_signs_the_same(path):
    app = make_app()
    values = {"name": "r\u00e9sum\u00e9.pdf", "v": "1", "_sign": True, "_expires": 3600}
    with app.test_request_context():
        reference = url_for("download", **values)
        if path == "helpers":
            url = url_for("download", **values)
        elif path == "app":
            url = app.url_for("download", **values)
        elif path == "template":
            url = html.unescape(  # autoescaping writes & as &amp;
                render_template_string(
                    "{{ url_for('download', name=n, v='1', _sign=True, _expires=3600) }}",
                    n=values["name"],
                )
            )
        else:
            app.url_default_functions[None] = [lambda endpoint, values: None]
            url = url_for("download", **values)  # url_defaults: the general path
    assert url == reference
    assert "r%C3%A9sum%C3%A9.pdf?v=1&expires=" in url


def _whole_hmac_state(secret):
    """The keyed state as it is where ``hmac.HMAC`` exposes no inner/outer hash states:
    the HMAC object itself, copied whole per signature."""
    raw = secret.encode() if isinstance(secret, str) else secret
    derived = hmac.new(raw, b"erlen.signed-url.v1", hashlib.sha256).digest()
    return hmac.new(derived, digestmod=hashlib.sha256), None


def test_signing_hashes_with_cpythons_sha256_or_openssls(monkeypatch):
    import sys

    builtin = erlen.signing._builtin_sha256()
    assert builtin is not erlen.signing._openssl_sha256  # CPython 3.10-3.13 have one
    assert builtin(b"message").digest() == hashlib.sha256(b"message").digest()
    for module in ("_sha2", "_sha256"):  # a build without them: OpenSSL's
        monkeypatch.setitem(sys.modules, module, None)
    assert erlen.signing._builtin_sha256() is erlen.signing._openssl_sha256


@pytest.mark.parametrize("state", ["split", "split-openssl", "whole"])
@pytest.mark.parametrize(
    "endpoint, values, path, pairs",
    [
        ("unsubscribe", {"user_id": 7}, "/unsubscribe/7", []),  # the inline link signer
        ("download", {"name": "a b"}, "/files/a b", []),  # percent-encoded: general path
        ("unsubscribe", {"user_id": 7, "x": "1"}, "/unsubscribe/7", [("x", "1")]),
        ("unsubscribe", {"user_id": 7, "_expires": 60}, "/unsubscribe/7", [("expires", "*")]),
    ],
)
def test_each_signing_path_makes_the_documented_hmac(
    monkeypatch, state, endpoint, values, path, pairs
):
    if state == "whole":
        monkeypatch.setattr(erlen.signing, "_keyed_state", _whole_hmac_state)
    elif state == "split-openssl":
        monkeypatch.setattr(erlen.signing, "_sha256", erlen.signing._openssl_sha256)
    monkeypatch.setattr(erlen.signing, "_keyed_states", {})
    app = make_app()
    for sign in (True, 1):  # 1 is not True: the general path signs it, identically
        with app.test_request_context():
            url_for(endpoint, _sign=True, **values)  # the first call keys the state
            url = url_for(endpoint, _sign=sign, **values)
        query = parse_qsl(urlsplit(url).query)
        name, signature = query.pop()
        assert name == "signature"
        expected_pairs = [(k, v if v != "*" else dict(query)["expires"]) for k, v in pairs]
        assert query == expected_pairs
        assert signature == expected_signature("first secret", path, query)
        assert app.test_client().get(url).status_code == 200


def test_anchor_goes_after_the_signature():
    app = make_app()
    url = signed(app, "unsubscribe", user_id=1, _anchor="done here")
    assert url.startswith("/unsubscribe/1?signature=")
    assert url.endswith("#done%20here")
    assert app.test_client().get(url.partition("#")[0]).status_code == 200


def test_sign_false_is_a_plain_url():
    app = make_app()
    with app.test_request_context():
        assert url_for("unsubscribe", user_id=1, _sign=False) == "/unsubscribe/1"


def test_expires_without_sign_is_an_error():
    app = make_app()
    with app.test_request_context(), pytest.raises(ValueError, match="_sign=True"):
        url_for("unsubscribe", user_id=1, _expires=60)


def test_signing_needs_a_secret_key():
    app = make_app(SECRET_KEY=None)
    with app.test_request_context(), pytest.raises(RuntimeError, match="SECRET_KEY"):
        url_for("unsubscribe", user_id=1, _sign=True)


@pytest.mark.parametrize("name", ["signature", "expires"])
def test_reserved_parameter_names_are_refused(name):
    app = make_app()
    with app.test_request_context(), pytest.raises(ValueError, match="rename"):
        url_for("unsubscribe", user_id=1, _sign=True, **{name: "x"})


def test_expires_accepts_seconds_timedelta_and_datetime(monkeypatch):
    monkeypatch.setattr(erlen.signing, "time", lambda: 1_000_000.25)
    app = make_app()
    moment = datetime.fromtimestamp(1_000_500, timezone.utc)
    cases = {
        60: 1_000_060,
        90.9: 1_000_091,
        timedelta(minutes=2): 1_000_120,
        moment: 1_000_500,
        moment.replace(tzinfo=None): 1_000_500,  # naive: UTC
        moment.astimezone(timezone(timedelta(hours=5))): 1_000_500,
        -(10**12): 0,  # long ago: clamped at the epoch
    }
    for expires, timestamp in cases.items():
        url = signed(app, "unsubscribe", user_id=1, _expires=expires)
        assert f"?expires={timestamp}&signature=" in url, expires
    with app.test_request_context(), pytest.raises(TypeError, match="timedelta"):
        url_for("unsubscribe", user_id=1, _sign=True, _expires="tomorrow")


def test_external_urls_sign_the_path_not_the_host():
    app = make_app()
    with app.test_request_context(base_url="https://app.example"):
        external = url_for("unsubscribe", user_id=7, _sign=True, _external=True, _expires=600)
    assert external.startswith("https://app.example/unsubscribe/7?expires=")
    relative = external.removeprefix("https://app.example")
    client = app.test_client()
    # Behind a proxy the app sees another host and scheme: the link still works.
    for base in ("http://internal:8080", "https://app.example", "http://localhost"):
        assert client.get(relative, base_url=base).status_code == 200, base


def test_signed_urls_built_outside_requests_for_emails():
    app = make_app(SERVER_NAME="mail.example", PREFERRED_URL_SCHEME="https")
    with app.app_context():
        url = url_for("unsubscribe", user_id=3, _sign=True, _expires=timedelta(days=7))
    assert url.startswith("https://mail.example/unsubscribe/3?expires=")
    response = app.test_client().get(url.removeprefix("https://mail.example"))
    assert response.status_code == 200


def test_mount_point_is_not_signed():
    app = make_app(APPLICATION_ROOT="/shop", SERVER_NAME="shop.example")
    with app.app_context():
        url = url_for("unsubscribe", user_id=5, _sign=True)
    assert url.startswith("http://shop.example/shop/unsubscribe/5?signature=")
    query = url.partition("?")[2]
    assert query == f"signature={expected_signature('first secret', '/unsubscribe/5', [])}"
    client = app.test_client()
    response = client.get(
        "/unsubscribe/5", query_string=query, environ_base={"SCRIPT_NAME": "/shop"}
    )
    assert response.status_code == 200
    with app.test_request_context("/", environ_base={"SCRIPT_NAME": "/shop"}):
        in_request = url_for("unsubscribe", user_id=5, _sign=True)
    assert in_request == f"/shop/unsubscribe/5?{query}"


def test_blueprint_relative_and_external_signed_urls():
    app = make_app()
    bp = Blueprint("mail", __name__)

    @bp.route("/confirm/<token>")
    @signed_url_required
    def confirm(token):
        return f"confirmed {token}"

    @bp.route("/send")
    def send():
        return url_for(".confirm", token="t 1", _sign=True, _expires=60)

    app.register_blueprint(bp, url_prefix="/mail")
    client = app.test_client()
    link = client.get("/mail/send").get_data(as_text=True)
    assert link.startswith("/mail/confirm/t%201?expires=")
    assert client.get(link).get_data(as_text=True) == "confirmed t 1"


# -- verifying --------------------------------------------------------------------------


def status_and_body(app, url):
    response = app.test_client().get(url)
    return response.status_code, response.get_data(as_text=True)


def test_round_trip():
    app = make_app()
    for url in (
        signed(app, "unsubscribe", user_id=42),
        signed(app, "unsubscribe", user_id=42, _expires=60),
        signed(app, "download", name="x/y z.txt", tag=["b", "a"], empty="", _expires=60),
        signed(app, "check"),
    ):
        status, body = status_and_body(app, url)
        assert status == 200, (url, body)
    assert status_and_body(app, signed(app, "check"))[1] == "valid"
    assert status_and_body(app, "/check")[1] == "invalid"


def test_async_views_are_protected():
    app = make_app()
    assert status_and_body(app, signed(app, "asynchronous", n=3)) == (200, "async 3")
    assert status_and_body(app, "/async/3")[0] == 403


def tamper(url: str, how: str) -> str:
    path, _, query = url.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    if how == "path":
        path = path.replace("/42", "/43")
    elif how == "query value":
        pairs = [(k, "evil" if k == "tag" else v) for k, v in pairs]
    elif how == "added parameter":
        pairs.insert(0, ("admin", "1"))
    elif how == "removed parameter":
        pairs = [(k, v) for k, v in pairs if k != "tag"]
    elif how == "signature":
        pairs = [
            (k, (v[:-1] + ("0" if v[-1] != "0" else "1")) if k == "signature" else v)
            for k, v in pairs
        ]
    elif how == "signature case":
        pairs = [(k, v.upper() if k == "signature" else v) for k, v in pairs]
    elif how == "expiry":
        pairs = [(k, str(int(v) + 3600) if k == "expires" else v) for k, v in pairs]
    elif how == "expiry removed":
        pairs = [(k, v) for k, v in pairs if k != "expires"]
    elif how == "second signature":
        pairs.append(("signature", dict(pairs)["signature"]))
    elif how == "second expiry":
        pairs.insert(0, ("expires", "9999999999"))
    elif how == "repeated values reordered":
        tags = [v for k, v in pairs if k == "tag"]
        rest = [(k, v) for k, v in pairs if k != "tag"]
        pairs = [("tag", v) for v in reversed(tags)] + rest
    elif how == "value moved to another name":
        pairs = [("ta", "g" + v) if k == "tag" else (k, v) for k, v in pairs]
    elif how == "separator smuggled into a value":
        pairs = [(k, v) for k, v in pairs if k != "tag"]
        pairs.insert(0, ("tag", "a&tag=b"))
    else:
        raise AssertionError(how)
    return f"{path}?{urlencode(pairs)}"


@pytest.mark.parametrize(
    "how",
    [
        "path",
        "query value",
        "added parameter",
        "removed parameter",
        "signature",
        "signature case",
        "expiry",
        "expiry removed",
        "second signature",
        "second expiry",
        "repeated values reordered",
        "value moved to another name",
        "separator smuggled into a value",
    ],
)
def test_tampering_is_refused(how):
    app = make_app()

    @app.route("/item/<int:item_id>")
    @signed_url_required
    def item(item_id):
        return "item"

    url = signed(app, "item", item_id=42, tag=["a", "b"], _expires=600)
    assert status_and_body(app, url)[0] == 200
    status, body = status_and_body(app, tamper(url, how))
    assert status == 403, how
    assert "signature does not match" in body, body


def test_reordering_distinct_parameters_is_harmless():
    """The application cannot tell ``a=1&b=2`` from ``b=2&a=1``: both are accepted."""
    app = make_app()
    url = signed(app, "download", name="f", a="1", b="2", _expires=60)
    path, _, query = url.partition("?")
    pairs = parse_qsl(query)
    reordered = f"{path}?{urlencode(list(reversed(pairs)))}"
    assert status_and_body(app, reordered)[0] == 200
    # Re-encoding a value the same way the app decodes it changes nothing either.
    assert status_and_body(app, url.replace("name=", "name=").replace("a=1", "a=%31"))[0] == 200


def test_missing_invalid_and_expired_say_which(monkeypatch):
    app = make_app()
    status, body = status_and_body(app, "/unsubscribe/1")
    assert status == 403 and "carries no signature" in body
    status, body = status_and_body(app, "/unsubscribe/1?signature=abc")
    assert status == 403 and "signature does not match" in body
    url = signed(app, "unsubscribe", user_id=1, _expires=-5)
    status, body = status_and_body(app, url)
    assert status == 403 and "This URL expired at" in body and "UTC" in body
    # The expiry itself is only believed once the signature is.
    forged = tamper(url, "expiry")
    assert "signature does not match" in status_and_body(app, forged)[1]


def test_expiry_boundary(monkeypatch):
    app = make_app()
    monkeypatch.setattr(erlen.signing, "time", lambda: 2_000_000.0)
    url = signed(app, "unsubscribe", user_id=1, _expires=10)
    assert "expires=2000010&" in url
    monkeypatch.setattr(erlen.signing, "time", lambda: 2_000_010.0)
    assert status_and_body(app, url)[0] == 200
    monkeypatch.setattr(erlen.signing, "time", lambda: 2_000_010.5)
    assert status_and_body(app, url)[0] == 403


def test_key_rotation_with_fallbacks():
    old = make_app()
    url = signed(old, "unsubscribe", user_id=9)
    rotated = make_app(SECRET_KEY="second secret", SECRET_KEY_FALLBACKS=["first secret"])
    assert status_and_body(rotated, url)[0] == 200
    # New links use the new key only.
    new_url = signed(rotated, "unsubscribe", user_id=9)
    assert new_url != url
    assert status_and_body(old, new_url)[0] == 403
    # Once the old key is dropped, its links stop working.
    dropped = make_app(SECRET_KEY="second secret")
    assert status_and_body(dropped, url)[0] == 403
    assert status_and_body(dropped, new_url)[0] == 200


def test_bytes_secret_keys():
    app = make_app(SECRET_KEY=b"\x00\xffbinary")
    url = signed(app, "unsubscribe", user_id=1)
    assert status_and_body(app, url)[0] == 200


def test_signature_is_not_a_session_signature():
    """Signed URLs use a key of their own: an HMAC made directly with SECRET_KEY (as
    another component might) is not accepted."""
    app = make_app()
    direct = hmac.new(b"first secret", b"/unsubscribe/1?", hashlib.sha256).hexdigest()
    assert status_and_body(app, f"/unsubscribe/1?signature={direct}")[0] == 403


def test_hostile_signature_values_are_refused_quickly():
    app = make_app()
    for value in ("", "0" * 10_000, "\u00e9" * 64, "%00", "g" * 64):
        status, _ = status_and_body(app, f"/unsubscribe/1?signature={quote(value)}")
        assert status == 403
    long_query = "&".join(f"p{n}={n}" for n in range(5_000))
    status, _ = status_and_body(app, f"/unsubscribe/1?{long_query}&signature=00")
    assert status == 403


def test_non_digit_expiry_with_valid_signature_is_impossible_to_forge():
    app = make_app()
    url = signed(app, "unsubscribe", user_id=1, _expires=60)
    assert status_and_body(app, url.replace("expires=", "expires=+"))[0] == 403
