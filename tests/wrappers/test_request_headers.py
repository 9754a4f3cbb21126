"""RequestHeadersMixin against werkzeug.wrappers.Request: same environ, same answers.

Every property is read from both for each header value in a corpus of valid, malformed,
missing, hostile and huge values, and the results are compared after turning the
parsed objects into plain data.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest

from erlen.http.header_set import HeaderSet
from erlen.http.headers import EnvironHeaders
from erlen.wrappers.request_headers import RequestHeadersMixin


class HeaderHost(RequestHeadersMixin):
    """The smallest host the mixin needs: an environ and EnvironHeaders over it."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.headers = EnvironHeaders(environ)


PROPERTIES = (
    "accept_mimetypes",
    "accept_charsets",
    "accept_encodings",
    "accept_languages",
    "cache_control",
    "if_match",
    "if_none_match",
    "if_modified_since",
    "if_unmodified_since",
    "if_range",
    "range",
    "authorization",
    "user_agent",
    "date",
    "max_forwards",
    "pragma",
    "referrer",
    "origin",
    "content_encoding",
    "content_md5",
    "content_length",
    "mimetype",
    "mimetype_params",
    "content_type",
    "access_route",
    "access_control_request_headers",
    "access_control_request_method",
    "is_json",
    "is_secure",
)

CACHED = {
    "accept_mimetypes",
    "accept_charsets",
    "accept_encodings",
    "accept_languages",
    "cache_control",
    "if_match",
    "if_none_match",
    "if_modified_since",
    "if_unmodified_since",
    "if_range",
    "range",
    "authorization",
    "user_agent",
    "pragma",
    "content_length",
    "access_route",
    "mimetype_params",  # the dict of the cached parsed Content-Type
}


def _environ_key(header: str) -> str:
    key = header.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def make_environ(headers: dict[str, str] | None = None, **environ_overrides: Any) -> dict[str, Any]:
    """A test environ with ``headers`` written raw into it (no validation on the way)."""
    environ = EnvironBuilder(path="/p").get_environ()
    for name, value in (headers or {}).items():
        environ[_environ_key(name)] = value
    for key, value in environ_overrides.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return environ


def pair(headers: dict[str, str] | None = None, **overrides: Any) -> tuple[Any, Any]:
    environ = make_environ(headers, **overrides)
    return HeaderHost(dict(environ)), WerkzeugRequest(dict(environ))


def plain(value: Any) -> Any:
    """Turn a parsed header object into comparable plain data, type name included."""
    name = type(value).__name__
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime):
        return ("datetime", value, value.utcoffset())
    if name in ("MIMEAccept", "CharsetAccept", "LanguageAccept", "Accept"):
        return (name, list(value), value.provided, value.best)
    if name == "RequestCacheControl":
        return (
            name,
            dict(value),
            value.provided,
            value.max_age,
            value.no_cache,
            value.no_store,
            value.max_stale,
            value.min_fresh,
            value.only_if_cached,
            value.no_transform,
            value.stale_if_error,
        )
    if name == "ETags":
        return (
            name,
            sorted(value.as_set()),
            sorted(value.as_set(include_weak=True)),
            value.star_tag,
            bool(value),
            len(value),
            value.contains("abc"),
            value.contains_weak("abc"),
            value.is_weak("abc"),
        )
    if name == "IfRange":
        return (name, value.etag, plain(value.date), value.to_header())
    if name == "Range":
        return (name, value.units, list(value.ranges), value.to_header())
    if name == "Authorization":
        return (name, value.type, dict(value.parameters), value.token, value.username)
    if name == "UserAgent":
        return (name, value.string, bool(value), value.to_header())
    if name == "HeaderSet":
        return (name, list(value), len(value), value.to_header(), "no-cache" in value)
    if name == "ImmutableList":
        return (name, list(value))
    if isinstance(value, dict):
        return ("dict", dict(value))
    raise AssertionError(f"no comparison for {name}")


def read(obj: Any, prop: str) -> Any:
    try:
        return plain(getattr(obj, prop))
    except Exception as error:  # compare failures too
        return ("raised", type(error).__name__)


NEGOTIATIONS = (
    lambda r: r.accept_mimetypes.best_match(["text/html", "application/json", "image/png"]),
    lambda r: r.accept_mimetypes.best_match(["application/json", "text/*"], default="none"),
    lambda r: r.accept_mimetypes["text/html"],
    lambda r: "application/json" in r.accept_mimetypes,
    lambda r: r.accept_mimetypes.accept_html,
    lambda r: r.accept_mimetypes.accept_json,
    lambda r: r.accept_charsets.best_match(["utf-8", "iso-8859-1"]),
    lambda r: r.accept_charsets["UTF8"],
    lambda r: r.accept_encodings.best_match(["gzip", "br", "identity"]),
    lambda r: r.accept_encodings["gzip"],
    lambda r: r.accept_languages.best_match(["en", "de-DE", "fr"]),
    lambda r: r.accept_languages["de"],
    lambda r: r.if_none_match.contains_raw('W/"abc"'),
    lambda r: r.if_match.contains_raw('"abc"'),
)


def negotiation(obj: Any) -> list[Any]:
    """What content negotiation and tag matching conclude from the parsed headers."""
    results = []
    for ask in NEGOTIATIONS:
        try:
            results.append(ask(obj))
        except Exception as error:  # Werkzeug raises on some hostile values too
            results.append(("raised", type(error).__name__))
    return results


def assert_same(erlen_obj: Any, werkzeug_obj: Any) -> None:
    for prop in PROPERTIES:
        assert read(erlen_obj, prop) == read(werkzeug_obj, prop), prop
    assert negotiation(erlen_obj) == negotiation(werkzeug_obj)


# -- the corpus ------------------------------------------------------------------------

HEADERS = (
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Cache-Control",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "If-Range",
    "Range",
    "Authorization",
    "User-Agent",
    "Date",
    "Max-Forwards",
    "Pragma",
    "Referer",
    "Origin",
    "Content-Encoding",
    "Content-MD5",
    "Content-Length",
    "Content-Type",
    "X-Forwarded-For",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Method",
    "Transfer-Encoding",
)

#: Values every header is tried with: empty, separators only, broken quoting, odd
#: characters, and large inputs that must stay linear.
GENERIC_VALUES = (
    "",
    " ",
    "\t",
    ",",
    ", ,",
    ";",
    "=",
    "*",
    '"',
    '""',
    '"unterminated',
    '"esc\\"aped"',
    "\\",
    "W/",
    "null",
    "0",
    "-1",
    "+5",
    " 7 ",
    "1_000",
    "\u0661\u0662",
    "1e3",
    "\xe9t\xe9",
    "\x00",
    "\xff\xfe",
    "a, b, c",
    "a,,b",
    "x" * 100_000,
    ", " * 20_000,
    '"a",' * 20_000,
    "a=1; " * 10_000,
    '"' * 10_001,
    "9" * 5_000,
)

_HTTP_DATES = (
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Sun, 06 Nov 1994 08:49:37 +0200",
    "Sun, 06 Nov 1994 08:49:37 -0000",
    "Sun, 06 Nov 1994 08:49:37",
    "06 Nov 1994 08:49:37 GMT",
    "Sun, 31 Feb 1994 08:49:37 GMT",
    "Mon, 06 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 0094 08:49:37 GMT",
    "Sun, 06 Nov 94 08:49:37 GMT",
    "Sun, 06 Nov 1994 25:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37 XYZ",
    "garbage",
)

_ETAG_VALUES = (
    '"abc"',
    'W/"abc"',
    'w/"abc"',
    '"a", "b"',
    '"a", W/"abc", c',
    "abc",
    ' "abc" , "b" ',
    '"abc",',
    '"a,b"',
    '*, "a"',
)


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


SPECIFIC_VALUES: dict[str, tuple[str, ...]] = {
    "Accept": (
        "text/html",
        "text/html;q=0.9, application/json",
        "*/*;q=0.1, text/*;q=0.5, text/html",
        "text/html;level=1;q=0.3, text/html",
        "application/json;q=1.5",
        "application/json;q=abc, text/plain",
        "text/html;q=-0, */*;q=0.001",
        "*/html",
        "text",
        "text/html, text/HTML;q=0.5",
        "application/xhtml+xml, application/xml;q=0.9, */*;q=0.8",
        "TEXT/HTML; Q=0.5",
        "text/html ; q = 0.5",
    ),
    "Accept-Charset": ("utf-8, iso-8859-1;q=0.5", "UTF8", "latin1;q=0, *", "unknown-charset"),
    "Accept-Encoding": ("gzip, deflate, br", "gzip;q=0, *", "identity", "GZIP;q=0.5"),
    "Accept-Language": (
        "de-DE, en;q=0.5",
        "en_US",
        "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5",
        "EN",
    ),
    "Cache-Control": (
        "no-cache",
        "max-age=60",
        "max-age=abc",
        "max-age=-1",
        "MAX-AGE=5",
        "max-stale",
        "max-stale=10",
        "min-fresh=5, only-if-cached",
        'private="x, y"',
        "no-store, no-transform, stale-if-error=3",
        'max-age="30"',
    ),
    "If-Match": _ETAG_VALUES,
    "If-None-Match": _ETAG_VALUES,
    "If-Modified-Since": _HTTP_DATES,
    "If-Unmodified-Since": _HTTP_DATES,
    "Date": _HTTP_DATES,
    "If-Range": (*_ETAG_VALUES, *_HTTP_DATES),
    "Range": (
        "bytes=0-499",
        "bytes=500-",
        "bytes=-500",
        "bytes=0-0,-1",
        "bytes=500-499",
        "bytes=0-1,1-2",
        "bytes=0-1,2-3",
        "bytes=-0",
        "bytes=",
        "bytes=a-b",
        "items=0-5",
        "bytes = 0-5",
        "BYTES=0-5",
        "bytes=-5,0-1",
        "bytes=+1-2",
        "bytes=1-+2",
        "bytes=0-5,,6-7",
        "bytes=" + ",".join(f"{i * 2}-{i * 2}" for i in range(5_000)),
    ),
    "Authorization": (
        _basic(b"user:pass"),
        _basic(b"user"),
        _basic(b"user:pa:ss"),
        _basic("\xfc:\xdf".encode()),
        _basic(b"\xff:x"),
        "Basic !!!",
        "Basic ",
        "basic dXNlcjpwYXNz",
        "Bearer token123",
        "Bearer abc==",
        'Digest username="u", realm="r", nonce="n", uri="/", response="x"',
        "Token",
        "Negotiate a=b=c",
    ),
    "User-Agent": ("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "curl/8.0"),
    "Max-Forwards": ("5", "10 ", "abc", "0x10"),
    "Pragma": ("no-cache", "no-cache, x=1", '"a, b", c', "NO-CACHE"),
    "Content-Length": ("10", "-5", " 12 ", "abc", "1.5", "10, 10"),
    "Content-Type": (
        "text/html; charset=utf-8",
        "TEXT/HTML",
        "application/json",
        "application/JSON; charset=UTF-8",
        "application/ld+json",
        "application/vnd.api+json",
        "application/+json",
        "text/json",
        "text/x+json",
        "multipart/form-data; boundary=abc",
        ";charset=utf-8",
        "application/json;",
        'text/plain; charset="utf-8"; format=flowed',
        "text/plain; filename*=UTF-8''%E2%82%AC",
        "text/plain; name*0=a; name*1=b",
    ),
    "X-Forwarded-For": ("1.2.3.4", "1.2.3.4, 5.6.7.8", '"quoted, x", y', "unknown"),
    "Access-Control-Request-Headers": ("X-Custom, Content-Type", "x, X"),
    "Transfer-Encoding": ("chunked", "gzip, chunked", "CHUNKED", '"chunked"', "chunkedx"),
}

CASES = [
    pytest.param(header, value, id=f"{header}-{index}")
    for header in HEADERS
    for index, value in enumerate(SPECIFIC_VALUES.get(header, ()) + GENERIC_VALUES)
]


@pytest.mark.parametrize(("header", "value"), CASES)
def test_single_header_matches_werkzeug(header: str, value: str) -> None:
    erlen_request, werkzeug_request = pair({header: value})
    assert_same(erlen_request, werkzeug_request)


@pytest.mark.parametrize("value", ("10", "abc", "", "-1"))
@pytest.mark.parametrize("transfer_encoding", (None, "chunked", "gzip"))
def test_content_length_with_transfer_encoding(value: str, transfer_encoding: str | None) -> None:
    headers = {"Content-Length": value}
    if transfer_encoding is not None:
        headers["Transfer-Encoding"] = transfer_encoding
    erlen_request, werkzeug_request = pair(headers)
    assert erlen_request.content_length == werkzeug_request.content_length


def test_no_headers_at_all_matches_werkzeug() -> None:
    environ = make_environ()
    for key in list(environ):
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            del environ[key]
    erlen_request = HeaderHost(dict(environ))
    werkzeug_request = WerkzeugRequest(dict(environ))
    assert_same(erlen_request, werkzeug_request)
    assert erlen_request.authorization is None
    assert erlen_request.range is None
    assert erlen_request.access_control_request_headers is None
    assert erlen_request.mimetype == ""
    assert not erlen_request.accept_mimetypes.provided


def test_browser_request_matches_werkzeug() -> None:
    headers = {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "gzip, deflate, br",
        "Accept-Language": "en-US,en;q=0.5",
        "Cache-Control": "max-age=0",
        "If-None-Match": 'W/"5e-abc"',
        "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT",
        "Referer": "https://example.com/page",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Origin": "https://example.com",
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": "17",
        "X-Forwarded-For": "203.0.113.7, 10.0.0.1",
        "Authorization": _basic(b"alice:s3cret"),
        "Pragma": "no-cache",
        "Range": "bytes=0-1023",
        "If-Range": '"v1"',
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Token, content-type",
    }
    erlen_request, werkzeug_request = pair(headers)
    assert_same(erlen_request, werkzeug_request)
    assert erlen_request.authorization.username == "alice"
    assert erlen_request.is_json
    assert erlen_request.access_route == ["203.0.113.7", "10.0.0.1"]


@pytest.mark.parametrize("scheme", ("http", "https", "wss", "ws", "HTTPS", None))
def test_is_secure_follows_url_scheme(scheme: str | None) -> None:
    erlen_request, werkzeug_request = pair(**{"wsgi.url_scheme": scheme})
    assert erlen_request.is_secure == werkzeug_request.is_secure


@pytest.mark.parametrize("remote_addr", ("127.0.0.1", "", "::1", None))
@pytest.mark.parametrize("forwarded_for", (None, "", "1.1.1.1", "1.1.1.1, 2.2.2.2"))
def test_access_route(remote_addr: str | None, forwarded_for: str | None) -> None:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    erlen_request, werkzeug_request = pair(headers, REMOTE_ADDR=remote_addr)
    assert read(erlen_request, "access_route") == read(werkzeug_request, "access_route")


def test_access_route_uses_list_storage_class() -> None:
    class ListHost(HeaderHost):
        list_storage_class = list

    host = ListHost(make_environ({"X-Forwarded-For": "1.1.1.1"}))
    assert type(host.access_route) is list


def test_user_agent_class_is_used() -> None:
    from erlen.http.useragent import UserAgent

    class Parsed(UserAgent):
        browser = "firefox"

    class ParsingHost(HeaderHost):
        user_agent_class = Parsed

    host = ParsingHost(make_environ({"User-Agent": "Mozilla/5.0"}))
    assert isinstance(host.user_agent, Parsed)
    assert host.user_agent.string == "Mozilla/5.0"
    assert bool(host.user_agent)


def _all_headers() -> dict[str, str]:
    return {
        header: (SPECIFIC_VALUES.get(header) or ("value",))[0]
        for header in HEADERS
        if header != "Transfer-Encoding"
    }


@pytest.mark.parametrize("prop", PROPERTIES)
def test_caching_matches_werkzeug(prop: str) -> None:
    """A property is cached (same object twice) exactly when Werkzeug caches it."""
    erlen_request, werkzeug_request = pair(_all_headers())
    erlen_first = getattr(erlen_request, prop)
    werkzeug_first = getattr(werkzeug_request, prop)
    if isinstance(werkzeug_first, (bool, int, str, type(None))):
        assert erlen_first == werkzeug_first
        return
    erlen_cached = getattr(erlen_request, prop) is erlen_first
    assert erlen_cached == (getattr(werkzeug_request, prop) is werkzeug_first)
    assert erlen_cached == (prop in CACHED)


def test_cached_property_can_be_reset_and_overridden() -> None:
    host = HeaderHost(make_environ({"Range": "bytes=0-1"}))
    first = host.range
    assert first is host.range
    host.environ["HTTP_RANGE"] = "bytes=2-3"
    assert host.range is first
    del host.range
    assert host.range.ranges == [(2, 4)]
    host.accept_mimetypes = "overridden"  # type: ignore[assignment]
    assert host.accept_mimetypes == "overridden"


def test_nothing_is_parsed_until_asked() -> None:
    environ = make_environ(_all_headers())
    host = HeaderHost(environ)
    assert set(vars(host)) == {"environ", "headers"}
    assert "__init__" not in vars(RequestHeadersMixin)
    host.mimetype  # noqa: B018
    assert set(vars(host)) == {"environ", "headers", "_parsed_content_type"}
    host.is_json  # noqa: B018
    host.mimetype_params  # noqa: B018
    assert set(vars(host)) == {"environ", "headers", "_parsed_content_type"}
    host.accept_languages  # noqa: B018
    assert set(vars(host)) == {
        "environ",
        "headers",
        "_parsed_content_type",
        "accept_languages",
    }


def test_read_only_header_properties_refuse_assignment() -> None:
    host = HeaderHost(make_environ({"Origin": "https://a.example"}))
    for prop in ("origin", "referrer", "content_type", "date", "mimetype", "is_json"):
        with pytest.raises(AttributeError):
            setattr(host, prop, "x")
    assert host.origin == "https://a.example"


def test_request_cache_control_is_read_only() -> None:
    host = HeaderHost(make_environ({"Cache-Control": "max-age=5"}))
    with pytest.raises(TypeError):
        host.cache_control["max-age"] = "6"
    assert host.cache_control.max_age == 5


def test_pragma_and_preflight_headers_are_header_sets() -> None:
    host = HeaderHost(
        make_environ({"Pragma": "No-Cache", "Access-Control-Request-Headers": "X-A, x-b"})
    )
    assert isinstance(host.pragma, HeaderSet)
    assert "no-cache" in host.pragma
    assert list(host.pragma) == ["No-Cache"]
    assert host.access_control_request_headers.as_set() == {"x-a", "x-b"}


def test_mimetype_params_is_the_parsed_dict_every_time() -> None:
    erlen_request, werkzeug_request = pair({"Content-Type": "text/plain; charset=latin-1"})
    assert erlen_request.mimetype_params is erlen_request.mimetype_params
    assert werkzeug_request.mimetype_params is werkzeug_request.mimetype_params
    assert erlen_request.mimetype_params == {"charset": "latin-1"}
