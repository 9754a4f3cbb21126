"""Safe redirects: ``is_safe_url`` and ``redirect_back``."""

from __future__ import annotations

import time

import pytest

from erlen import Erlen, is_safe_url, redirect, redirect_back, request

HOST = "good.example"

# Every one of these must be refused: each would send the user somewhere else (or run
# script) in some browser, or is ambiguous enough that no redirect should trust it.
HOSTILE = [
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "////evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http:evil.example",
    "https:/evil.example",
    "https:///evil.example",
    "http://evil.example",
    "https://evil.example/login",
    "HTTPS://EVIL.EXAMPLE",
    "//EVIL.example",
    "https://good.example@evil.example",
    "https://good.example:pass@evil.example",
    "https://evil.example\\@good.example",
    "https://evil.example#@good.example",
    "https://good.example.evil.example",
    "https://evil.example?@good.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript://good.example/%0aalert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x00javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://good.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example ",
    "\u200b//evil.example",
    "/\u2028/evil.example",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%2F/evil.example",
    "%5C%5Cevil.example",
    "/%5Cevil.example",
    "%252F%252Fevil.example",
    "javascript%3Aalert(1)",
    "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
    "%09//evil.example",
    "\uff0f\uff0fevil.example",
    "/\uff3cevil.example",
    "https:\uff0f\uff0fevil.example",
    "http://good.example:8080",
    "http://[::1]/",
    "",
    None,
    "//",
    "http://",
    "https:",
    "1http://good.example/",
    "mailto:someone@good.example",
]

# These stay on good.example and must be followed.
BENIGN = [
    "/",
    "/account",
    "/account/settings?tab=security",
    "/search?q=//evil.example",
    "/search?next=https://evil.example",
    "/path#section",
    "?page=2",
    "#top",
    "page2",
    "settings/profile",
    "http://good.example/dashboard",
    "https://good.example/dashboard?x=1",
    "HTTPS://GOOD.EXAMPLE/upper",
    "//good.example/protocol-relative",
    "/caf\u00e9/menu",
    "/a%20b/c",
    "/with space",
    "/path:with:colons",
    "/search?q=%2F%2Fevil.example",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_targets_are_refused(url):
    assert is_safe_url(url, allowed_hosts=[HOST]) is False


@pytest.mark.parametrize("url", BENIGN)
def test_benign_targets_are_followed(url):
    assert is_safe_url(url, allowed_hosts=[HOST]) is True


def test_the_tables_are_big_enough():
    assert len(HOSTILE) >= 30 and len(BENIGN) >= 10


@pytest.mark.parametrize(
    ("url", "https_only", "expected"),
    [
        ("https://good.example/x", True, True),
        ("http://good.example/x", True, False),
        ("/relative", True, True),
        ("//good.example/x", True, True),  # keeps the current (https) scheme
        ("http://good.example/x", False, True),
    ],
)
def test_require_https(url, https_only, expected):
    assert is_safe_url(url, allowed_hosts=HOST, require_https=https_only) is expected


def test_allowed_hosts_forms():
    assert is_safe_url("https://cdn.example/x", allowed_hosts=["good.example", "CDN.example"])
    assert is_safe_url("https://good.example:8443/x", allowed_hosts=["good.example:8443"])
    assert not is_safe_url("https://good.example/x", allowed_hosts=[])
    assert not is_safe_url("https://good.example/x", allowed_hosts=None)  # no request
    assert is_safe_url("/x", allowed_hosts=None)  # relative needs no host


def test_default_allowed_host_is_the_request_host():
    app = Erlen(__name__)
    with app.test_request_context(base_url="https://good.example"):
        assert is_safe_url("https://good.example/x")
        assert not is_safe_url("https://other.example/x")
    with app.test_request_context(base_url="http://localhost:5000"):
        assert is_safe_url("http://localhost:5000/x")
        assert not is_safe_url("http://localhost/x")


def test_hostile_input_stays_linear():
    long_inputs = [
        "/" + "%25" * 200_000,
        "//" + "a" * 500_000,
        "https:" + "/" * 500_000,
        "/" + "\\" * 500_000,
        "j" * 500_000 + ":x",
        "/" + "\u00e9" * 200_000,
    ]
    started = time.perf_counter()
    for value in long_inputs:
        is_safe_url(value, allowed_hosts=[HOST])
    assert time.perf_counter() - started < 5  # generous: quadratic would take minutes


# -- redirect_back ------------------------------------------------------------------------


def make_app():
    app = Erlen(__name__)

    @app.route("/")
    def index():
        return "home"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        return redirect_back("index")

    @app.route("/done")
    def done():
        return redirect_back("profile", param="return_to", user="ada", _anchor="top")

    @app.route("/profile/<user>")
    def profile(user):
        return user

    @app.route("/go")
    def go():
        return redirect(request.args["to"])

    return app


@pytest.mark.parametrize("target", [url for url in HOSTILE if isinstance(url, str)])
def test_redirect_back_ignores_hostile_next(target):
    client = make_app().test_client()
    response = client.get("/login", query_string={"next": target}, base_url="http://good.example")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", BENIGN)
def test_redirect_back_follows_benign_next(target):
    app = make_app()
    response = app.test_client().get(
        "/login", query_string={"next": target}, base_url="http://good.example"
    )
    assert response.status_code == 302
    # The same Location as a plain redirect to the target (made a valid URI when sent).
    direct = app.test_client().get("/go", query_string={"to": target})
    assert response.headers["Location"] == direct.headers["Location"]


def test_redirect_back_reads_the_form_and_custom_parameters():
    client = make_app().test_client()
    response = client.post("/login", data={"next": "/account"})
    assert response.headers["Location"] == "/account"
    response = client.get("/login")
    assert response.headers["Location"] == "/"
    response = client.get("/done", query_string={"return_to": "/settings"})
    assert response.headers["Location"] == "/settings"
    response = client.get("/done", query_string={"return_to": "//evil.example"})
    assert response.headers["Location"] == "/profile/ada#top"
    response = client.get("/done", query_string={"next": "/ignored"})
    assert response.headers["Location"] == "/profile/ada#top"


def test_redirect_back_over_https_refuses_http_targets():
    client = make_app().test_client()
    base = "https://good.example"
    response = client.get("/login?next=http://good.example/x", base_url=base)
    assert response.headers["Location"] == "/"
    response = client.get("/login?next=https://good.example/x", base_url=base)
    assert response.headers["Location"] == "https://good.example/x"


def test_redirect_back_only_trusts_the_requested_host():
    client = make_app().test_client()
    response = client.get("/login?next=http://good.example/x", base_url="http://other.example")
    assert response.headers["Location"] == "/"
