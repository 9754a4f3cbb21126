"""ResponseHeadersMixin's typed header attributes against werkzeug.wrappers.Response.

Each test applies the same reads, assignments, deletions and in-place changes to an erlen
stand-in response and to a Werkzeug response with the same headers, then compares the
values read, the header lists and the bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from erlen.http.cache_control import ResponseCacheControl
from erlen.wrappers.response_headers import COOP, ResponseHeadersMixin

from .response_standin import (
    ERLEN,
    WERKZEUG,
    StandInResponse,
    assert_same_outcome,
    make_pair,
    outcome,
    plain,
)

# -- reading headers ---------------------------------------------------------------

READABLE = (
    "mimetype",
    "mimetype_params",
    "is_json",
    "content_type",
    "content_length",
    "content_location",
    "content_encoding",
    "content_md5",
    "content_language",
    "location",
    "age",
    "date",
    "expires",
    "last_modified",
    "vary",
    "allow",
    "cache_control",
    "accept_ranges",
    "content_range",
    "www_authenticate",
    "content_security_policy",
    "content_security_policy_report_only",
    "cross_origin_opener_policy",
    "cross_origin_embedder_policy",
    "access_control_allow_credentials",
    "access_control_allow_headers",
    "access_control_allow_methods",
    "access_control_allow_origin",
    "access_control_expose_headers",
    "access_control_max_age",
)

HEADER_OF = {
    "mimetype": "Content-Type",
    "mimetype_params": "Content-Type",
    "is_json": "Content-Type",
    "content_type": "Content-Type",
    "content_length": "Content-Length",
    "content_location": "Content-Location",
    "content_encoding": "Content-Encoding",
    "content_md5": "Content-MD5",
    "content_language": "Content-Language",
    "location": "Location",
    "age": "Age",
    "date": "Date",
    "expires": "Expires",
    "last_modified": "Last-Modified",
    "vary": "Vary",
    "allow": "Allow",
    "cache_control": "Cache-Control",
    "accept_ranges": "Accept-Ranges",
    "content_range": "Content-Range",
    "www_authenticate": "WWW-Authenticate",
    "content_security_policy": "Content-Security-Policy",
    "content_security_policy_report_only": "Content-Security-Policy-Report-Only",
    "cross_origin_opener_policy": "Cross-Origin-Opener-Policy",
    "cross_origin_embedder_policy": "Cross-Origin-Embedder-Policy",
    "access_control_allow_credentials": "Access-Control-Allow-Credentials",
    "access_control_allow_headers": "Access-Control-Allow-Headers",
    "access_control_allow_methods": "Access-Control-Allow-Methods",
    "access_control_allow_origin": "Access-Control-Allow-Origin",
    "access_control_expose_headers": "Access-Control-Expose-Headers",
    "access_control_max_age": "Access-Control-Max-Age",
}

GENERIC_VALUES = (
    "",
    " ",
    ",",
    ";",
    "=",
    '"',
    '"unterminated',
    "*",
    "0",
    "-1",
    "+5",
    " 7 ",
    "1_0",
    "\u0661",
    "\xe9",
    "a, b, A",
    "x" * 50_000,
    ", " * 10_000,
    "9" * 5_000,
)

SPECIFIC_VALUES: dict[str, tuple[str, ...]] = {
    "Content-Type": (
        "text/html; charset=utf-8",
        "TEXT/HTML",
        "application/json",
        "application/ld+json",
        "application/+json",
        "text/json",
        " text/plain ; charset=latin-1; format=flowed",
        ";charset=utf-8",
        "text/plain; filename*=UTF-8''%E2%82%AC",
    ),
    "Content-Length": ("12", "-5", "1.5"),
    "Age": ("60", "-5", "99999999999999999999999"),
    "Date": ("Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 +0200", "junk"),
    "Expires": ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT"),
    "Last-Modified": ("Sun, 06 Nov 1994 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"),
    "Vary": ("Accept, Cookie", "accept, ACCEPT", '"quoted, x", y'),
    "Allow": ("GET, HEAD, OPTIONS",),
    "Content-Language": ("en, de-DE",),
    "Cache-Control": (
        "max-age=60, public",
        "no-cache",
        'no-cache="Set-Cookie"',
        "private, s-maxage=10, immutable",
        "max-age=abc",
        "no-store, must-revalidate",
    ),
    "Accept-Ranges": ("bytes", "none"),
    "Content-Range": (
        "bytes 0-4/12",
        "bytes */12",
        "bytes 0-4/*",
        "bytes 5-4/12",
        "bytes 0-12/12",
        "bytes a-b/12",
        "items 0-4/12",
        "bytes 0-4",
        "bytes */*",
    ),
    "WWW-Authenticate": (
        'Basic realm="Login Required"',
        'Digest realm="r", nonce="n", qop="auth"',
        "Bearer",
        "Bearer abc==",
        'Newauth realm="apps", type=1, title="Login to \\"apps\\""',
    ),
    "Content-Security-Policy": (
        "default-src 'self'; img-src *",
        "default-src 'self'; ; broken",
        "script-src 'self' 'unsafe-inline';",
    ),
    "Content-Security-Policy-Report-Only": ("default-src 'none'",),
    "Cross-Origin-Opener-Policy": ("same-origin", "same-origin-allow-popups", "SAME-ORIGIN"),
    "Cross-Origin-Embedder-Policy": ("require-corp", "unsafe-none", "credentialless"),
    "Access-Control-Allow-Credentials": ("true", "false"),
    "Access-Control-Allow-Headers": ("X-A, x-b",),
    "Access-Control-Allow-Methods": ("GET, POST",),
    "Access-Control-Allow-Origin": ("https://a.example",),
    "Access-Control-Max-Age": ("600", "abc"),
}

READ_CASES = [
    pytest.param(header, value, id=f"{header}-{index}")
    for header in dict.fromkeys(HEADER_OF.values())
    for index, value in enumerate(SPECIFIC_VALUES.get(header, ()) + GENERIC_VALUES)
]


def _read_everything(response: Any, namespace: Any) -> list[Any]:
    results = []
    for prop in READABLE:
        try:
            results.append(plain(getattr(response, prop)))
        except Exception as error:
            results.append(("raised", prop, type(error).__name__))
    results.append(response.get_etag())
    return results


@pytest.mark.parametrize(("header", "value"), READ_CASES)
def test_reading_a_header_matches_werkzeug(header: str, value: str) -> None:
    assert_same_outcome(_read_everything, [(header, value)])


@pytest.mark.parametrize(
    "etag", ('"abc"', 'W/"abc"', "abc", 'w/"abc"', '""', "", 'W/""', '"a"b"', "W/")
)
def test_get_etag_matches_werkzeug(etag: str) -> None:
    assert_same_outcome(lambda r, ns: r.get_etag(), [("ETag", etag)])


def test_reading_with_no_headers_matches_werkzeug() -> None:
    assert_same_outcome(_read_everything)


def test_repeated_headers_read_the_first() -> None:
    headers = [
        ("Vary", "Accept"),
        ("Vary", "Cookie"),
        ("WWW-Authenticate", 'Basic realm="a"'),
        ("WWW-Authenticate", "Bearer"),
        ("Cache-Control", "max-age=1"),
        ("Cache-Control", "public"),
    ]
    assert_same_outcome(_read_everything, headers)


@pytest.mark.parametrize("value", ("120", "0", "-5", " 30 "))
def test_retry_after_in_seconds_counts_from_now(value: str) -> None:
    erlen_response, werkzeug_response = make_pair([("Retry-After", value)])
    before = datetime.now(timezone.utc)
    erlen_value = erlen_response.retry_after
    werkzeug_value = werkzeug_response.retry_after
    after = datetime.now(timezone.utc)
    seconds = timedelta(seconds=int(value))
    assert before + seconds <= erlen_value <= after + seconds
    assert abs(erlen_value - werkzeug_value) < timedelta(seconds=1)


@pytest.mark.parametrize("value", ("Sun, 06 Nov 1994 08:49:37 GMT", "junk", "", "1.5", "9" * 5000))
def test_retry_after_as_date_matches_werkzeug(value: str) -> None:
    assert_same_outcome(lambda r, ns: r.retry_after, [("Retry-After", value)])


# -- writing headers -------------------------------------------------------------------

NAIVE = datetime(2020, 2, 29, 12, 30, 45, 123456)
AWARE = datetime(2020, 2, 29, 12, 30, 45, tzinfo=timezone(timedelta(hours=5)))


def _set(prop: str, value: Any) -> Callable[[Any, Any], Any]:
    def operation(response: Any, namespace: Any) -> Any:
        setattr(response, prop, value)
        return getattr(response, prop)

    operation.__name__ = f"set_{prop}"
    return operation


def _delete(prop: str) -> Callable[[Any, Any], Any]:
    def operation(response: Any, namespace: Any) -> Any:
        delattr(response, prop)
        return getattr(response, prop)

    return operation


SET_CASES: list[tuple[str, Any]] = [
    ("mimetype", "text/html"),
    ("mimetype", "application/json"),
    ("mimetype", "image/svg+xml"),
    ("mimetype", "application/javascript"),
    ("mimetype", "application/xml"),
    ("content_type", "application/octet-stream"),
    ("content_type", "text/plain; charset=latin-1"),
    ("content_length", 5),
    ("content_length", "5"),
    ("content_length", 0),
    ("content_length", None),
    ("content_location", "/elsewhere"),
    ("content_encoding", "gzip"),
    ("content_md5", "Q2hlY2sgSW50ZWdyaXR5IQ=="),
    ("location", "/next"),
    ("location", "http://\xe9.example/\u2603"),
    ("age", 60),
    ("age", "60"),
    ("age", timedelta(seconds=90, microseconds=5)),
    ("age", timedelta(days=2)),
    ("age", 0),
    ("age", -1),
    ("age", None),
    ("date", NAIVE),
    ("date", AWARE),
    ("date", date(2021, 1, 2)),
    ("date", 0),
    ("date", 1_600_000_000.5),
    ("expires", NAIVE),
    ("expires", AWARE),
    ("last_modified", NAIVE),
    ("last_modified", 784111777),
    ("retry_after", 120),
    ("retry_after", "120"),
    ("retry_after", NAIVE),
    ("retry_after", AWARE),
    ("retry_after", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ("retry_after", None),
    ("vary", "Accept"),
    ("vary", ["Accept", "Cookie"]),
    ("vary", ("Accept", "accept")),
    ("vary", ["with space", 'q"uote']),
    ("vary", {"a": "b", "c": None}),
    ("vary", []),
    ("vary", ""),
    ("vary", None),
    ("allow", ["GET", "HEAD"]),
    ("content_language", ["en", "de"]),
    ("accept_ranges", "bytes"),
    ("content_range", "bytes 0-4/12"),
    ("content_range", None),
    ("content_range", ""),
    ("content_security_policy", "default-src 'self'"),
    ("content_security_policy", None),
    ("content_security_policy_report_only", "default-src 'none'"),
    ("content_security_policy_report_only", ""),
    ("access_control_allow_credentials", True),
    ("access_control_allow_credentials", False),
    ("access_control_allow_credentials", None),
    ("access_control_allow_credentials", "true"),
    ("access_control_allow_headers", ["X-A", "X-B"]),
    ("access_control_allow_headers", "X-A"),
    ("access_control_allow_methods", ["GET", "POST"]),
    ("access_control_allow_origin", "*"),
    ("access_control_expose_headers", ["X-Total"]),
    ("access_control_max_age", 600),
    ("access_control_max_age", "600"),
    ("www_authenticate", None),
    ("www_authenticate", []),
]

PRESET = [
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Vary", "Origin"),
    ("Content-Range", "bytes 0-1/12"),
    ("Content-Security-Policy", "img-src *"),
    ("Content-Security-Policy-Report-Only", "img-src *"),
    ("WWW-Authenticate", "Bearer"),
    ("Access-Control-Allow-Credentials", "true"),
    ("Age", "5"),
    ("Retry-After", "5"),
    ("X-Other", "kept"),
]


def _normalise_report_only(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Werkzeug writes ``Content-Security-policy-report-only``; erlen spells it properly."""
    return [
        (key.title() if key.lower() == "content-security-policy-report-only" else key, value)
        for key, value in headers
    ]


@pytest.mark.parametrize("preset", (False, True), ids=("empty", "preset"))
@pytest.mark.parametrize(
    ("prop", "value"), SET_CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SET_CASES)]
)
def test_setting_matches_werkzeug(prop: str, value: Any, preset: bool) -> None:
    headers = PRESET if preset else []
    erlen_response, werkzeug_response = make_pair(headers)
    operation = _set(prop, value)
    erlen_result, erlen_headers, _ = outcome(erlen_response, operation, ERLEN)
    werkzeug_result, werkzeug_headers, _ = outcome(werkzeug_response, operation, WERKZEUG)
    if prop == "retry_after" and isinstance(erlen_result, tuple) and erlen_result[0] == "datetime":
        assert abs(erlen_result[1] - werkzeug_result[1]) < timedelta(seconds=1)
    else:
        assert erlen_result == werkzeug_result
    assert erlen_headers == _normalise_report_only(werkzeug_headers)


@pytest.mark.parametrize("preset", (False, True), ids=("empty", "preset"))
@pytest.mark.parametrize(
    "prop",
    (
        "content_type",
        "content_length",
        "content_location",
        "location",
        "age",
        "date",
        "expires",
        "last_modified",
        "accept_ranges",
        "www_authenticate",
        "access_control_allow_origin",
        "access_control_allow_headers",
        "access_control_max_age",
        "cross_origin_opener_policy",
        "cross_origin_embedder_policy",
    ),
)
def test_deleting_matches_werkzeug(prop: str, preset: bool) -> None:
    headers = [(HEADER_OF[prop], "x"), *PRESET] if preset else []
    assert_same_outcome(_delete(prop), headers)


def test_setting_date_to_none_means_now() -> None:
    erlen_response, _ = make_pair()
    erlen_response.date = None
    assert abs(erlen_response.date - datetime.now(timezone.utc)) < timedelta(seconds=2)


def test_header_values_with_line_breaks_are_refused() -> None:
    erlen_response, _ = make_pair()
    with pytest.raises(ValueError):
        erlen_response.location = "/a\r\nSet-Cookie: x=1"
    with pytest.raises(ValueError):
        erlen_response.vary = ["a\nb"]
    assert "Location" not in erlen_response.headers


# -- changing parsed objects in place ----------------------------------------------


def _cache_control_ops(response: Any, ns: Any) -> Any:
    cc = response.cache_control
    cc.max_age = 60
    cc.public = True
    after_first = response.headers.get("Cache-Control")
    cc.no_cache = True
    cc.private = "Set-Cookie"
    cc.s_maxage = "30"
    cc.immutable = True
    cc.must_understand = True
    cc.stale_while_revalidate = 5
    cc.public = False
    del cc.max_age
    return after_first, response.cache_control


def _cache_control_clear(response: Any, ns: Any) -> Any:
    cc = response.cache_control
    cc.no_store = True
    cc.no_store = False
    return response.cache_control


def _cache_control_dict_ops(response: Any, ns: Any) -> Any:
    cc = response.cache_control
    cc.update({"max-age": "5", "x-custom": None})
    cc.setdefault("public", None)
    cc.pop("max-age")
    value = response.headers.get("Cache-Control")
    cc.clear()
    return value, response.cache_control


def _header_set_ops(name: str) -> Callable[[Any, Any], Any]:
    def operation(response: Any, ns: Any) -> Any:
        values = getattr(response, name)
        values.add("Accept")
        values.add("accept")
        values.update(["Cookie", "X-Custom", "Accept-Encoding"])
        values.discard("x-custom")
        values.discard("missing")
        values.remove("cookie")
        values[0] = "Origin"
        del values[0]
        snapshot = response.headers.get(HEADER_OF.get(name, "Vary"))
        found = (
            values.find("ACCEPT-ENCODING"),
            values.find("nope"),
            values.index("Accept-Encoding"),
        )
        values.clear()
        return snapshot, found, getattr(response, name)

    return operation


def _mimetype_params_ops(response: Any, ns: Any) -> Any:
    params = response.mimetype_params
    params["charset"] = "latin-1"
    params["format"] = "flowed value"
    first = response.headers.get("Content-Type")
    params.pop("charset")
    return first, response.mimetype_params


def _content_range_ops(response: Any, ns: Any) -> Any:
    rng = response.content_range
    rng.set(0, 5, 12)
    first = response.headers.get("Content-Range")
    rng.length = None
    second = response.headers.get("Content-Range")
    rng.unset()
    return first, second, response.content_range


def _content_range_assign_object(response: Any, ns: Any) -> Any:
    response.content_range = ns.ContentRange("bytes", 2, 4, 10)
    return response.content_range


def _www_authenticate_ops(response: Any, ns: Any) -> Any:
    auth = response.www_authenticate
    auth.realm = "Login Required"
    first = response.headers.get("WWW-Authenticate")
    # (``auth.type = ...`` is left out: Werkzeug stores it as a *parameter* named
    # "type", erlen.http.auth changes the scheme; that difference belongs to auth.py.)
    auth["nonce"] = "abc"
    auth.parameters["qop"] = "auth"
    auth.qop = None
    del auth.nonce
    return first, response.www_authenticate


def _www_authenticate_assign(response: Any, ns: Any) -> Any:
    challenge = ns.WWWAuthenticate("bearer", token="xyz")
    response.www_authenticate = challenge
    first = response.headers.getlist("WWW-Authenticate")
    challenge["scope"] = "read"
    return first, response.www_authenticate


def _www_authenticate_list(response: Any, ns: Any) -> Any:
    response.www_authenticate = [
        ns.WWWAuthenticate("basic", {"realm": "a"}),
        ns.WWWAuthenticate("bearer", {"realm": "b", "scope": "x y"}),
    ]
    return response.headers.getlist("WWW-Authenticate"), response.www_authenticate


def _csp_ops(name: str) -> Callable[[Any, Any], Any]:
    def operation(response: Any, ns: Any) -> Any:
        csp = getattr(response, name)
        csp.default_src = "'self'"
        csp.img_src = "*"
        csp.script_src_elem = "'none'"
        first = list(response.headers.items())
        csp.default_src = None
        del csp.img_src
        csp.script_src_elem = None
        return first, getattr(response, name)

    return operation


def _csp_assign_object(response: Any, ns: Any) -> Any:
    response.content_security_policy = ns.ContentSecurityPolicy(
        [("default-src", "'self'"), ("report-uri", "/r")]
    )
    return response.content_security_policy


def _policies(response: Any, ns: Any) -> Any:
    response.cross_origin_opener_policy = ns.COOP.SAME_ORIGIN
    response.cross_origin_embedder_policy = ns.COEP.REQUIRE_CORP
    return response.cross_origin_opener_policy, response.cross_origin_embedder_policy


def _etag_ops(response: Any, ns: Any) -> Any:
    response.set_etag("abc")
    first = response.get_etag()
    response.set_etag("abc", weak=True)
    second = response.get_etag()
    response.add_etag()
    third = response.get_etag()
    response.add_etag(overwrite=True)
    fourth = response.get_etag()
    response.add_etag(overwrite=True, weak=True)
    return first, second, third, fourth, response.get_etag()


def _etag_with_quote(response: Any, ns: Any) -> Any:
    response.set_etag('a"b')


def _cors_sets(response: Any, ns: Any) -> Any:
    response.access_control_allow_headers = ["X-A"]
    allowed = response.access_control_allow_headers
    allowed.add("X-B")  # not written back, as in Werkzeug
    response.access_control_expose_headers = ns.HeaderSet(["X-Total", "X-Page"])
    return allowed, response.access_control_allow_headers, response.access_control_expose_headers


MUTATIONS = {
    "cache_control": _cache_control_ops,
    "cache_control_emptied": _cache_control_clear,
    "cache_control_dict": _cache_control_dict_ops,
    "vary": _header_set_ops("vary"),
    "allow": _header_set_ops("allow"),
    "content_language": _header_set_ops("content_language"),
    "mimetype_params": _mimetype_params_ops,
    "content_range": _content_range_ops,
    "content_range_object": _content_range_assign_object,
    "www_authenticate": _www_authenticate_ops,
    "www_authenticate_assign": _www_authenticate_assign,
    "www_authenticate_list": _www_authenticate_list,
    "csp": _csp_ops("content_security_policy"),
    "csp_object": _csp_assign_object,
    "policies": _policies,
    "etags": _etag_ops,
    "etag_with_quote": _etag_with_quote,
    "cors_sets": _cors_sets,
}

MUTATION_PRESETS = {
    "none": [],
    "text": [("Content-Type", "text/plain; charset=utf-8")],
    "existing": [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store, max-age=5"),
        ("Vary", "Accept-Language"),
        ("Allow", "GET"),
        ("Content-Language", "fr"),
        ("Content-Range", "bytes 0-1/12"),
        ("WWW-Authenticate", 'Basic realm="old"'),
        ("Content-Security-Policy", "frame-ancestors 'none'"),
        ("ETag", '"old"'),
        ("X-After", "stays last"),
    ],
}


@pytest.mark.parametrize("preset", MUTATION_PRESETS)
@pytest.mark.parametrize("name", MUTATIONS)
def test_changes_to_parsed_objects_write_back_like_werkzeug(name: str, preset: str) -> None:
    assert_same_outcome(MUTATIONS[name], MUTATION_PRESETS[preset])


def test_csp_report_only_writes_back() -> None:
    erlen_response, werkzeug_response = make_pair()
    operation = _csp_ops("content_security_policy_report_only")
    erlen_outcome = outcome(erlen_response, operation, ERLEN)
    werkzeug_outcome = outcome(werkzeug_response, operation, WERKZEUG)
    assert erlen_outcome[0][1] == werkzeug_outcome[0][1]
    assert erlen_outcome[0][0] == _normalise_report_only(werkzeug_outcome[0][0])
    assert erlen_response.headers.get("Content-Security-Policy-Report-Only") is None
    assert erlen_response.headers.to_wsgi_list() == []


def test_cache_control_assignment_updates_the_header() -> None:
    response, _ = make_pair()
    response.cache_control.max_age = 60
    assert response.headers["Cache-Control"] == "max-age=60"
    response.cache_control.no_cache = True
    assert response.headers["Cache-Control"] == "max-age=60, no-cache"
    assert isinstance(response.cache_control, ResponseCacheControl)
    response.cache_control.max_age = None
    response.cache_control.no_cache = False
    assert "Cache-Control" not in response.headers


def test_mimetype_setter_adds_charset_for_text_types() -> None:
    response, _ = make_pair()
    response.mimetype = "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.mimetype == "text/csv"
    response.mimetype = "image/png"
    assert response.headers["Content-Type"] == "image/png"
    assert not response.is_json
    response.mimetype = "application/problem+json"
    assert response.is_json


def test_policies_accept_their_string_values() -> None:
    """Werkzeug needs the enum member here (a string raises AttributeError)."""
    response, _ = make_pair()
    response.cross_origin_opener_policy = "same-origin"  # type: ignore[assignment]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.cross_origin_opener_policy is COOP.SAME_ORIGIN
    with pytest.raises(ValueError):
        response.cross_origin_embedder_policy = "bogus"  # type: ignore[assignment]


def test_mixin_does_no_work_until_used() -> None:
    assert "__init__" not in vars(ResponseHeadersMixin)
    assert ResponseHeadersMixin.__slots__ == ()
    response = StandInResponse([b"body"], headers=[("Cache-Control", "max-age=5")])
    before = list(response.headers.items())
    assert response.cache_control.max_age == 5
    assert list(response.headers.items()) == before
