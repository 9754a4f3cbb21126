"""erlen.http.cookiejar against the cookie rules of Werkzeug 3.1's test client."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.test import Cookie as WzCookie

from erlen.http.cookiejar import Cookie, CookieJar, default_cookie_path
from erlen.http.cookies import dump_cookie
from tests.http.test_urls import assert_linear

FIELDS = (
    "key",
    "value",
    "decoded_key",
    "decoded_value",
    "expires",
    "max_age",
    "domain",
    "origin_only",
    "path",
    "secure",
    "http_only",
    "same_site",
)

# Set-Cookie headers where erlen reads every attribute as Werkzeug does.
SAME_AS_WERKZEUG = [
    "a=b",
    "a=b; Path=/",
    "a=b; Path=/sub/dir",
    "a=b; Domain=example.com",
    "a=b; Domain=sub.example.com; Path=/x",
    "a=b; Secure; HttpOnly; SameSite=Lax",
    "a=b; secure; httponly; samesite=strict",
    "a=b; Max-Age=3600",
    "a=b; Expires=Wed, 09 Jun 2100 10:18:14 GMT",
    "a=b; Expires=Wed, 09 Jun 2100 10:18:14 GMT; Max-Age=60",
    'a="quoted value"; Path=/',
    'a="\\303\\251t\\303\\251"',
    "a=; Path=/",
    "  spaced  =  value  ; Path=/p",
    "a=b=c",
    "a=b; Unknown=attr; Flag",
    "a=b; Partitioned; Secure",
    dump_cookie("session", "x" * 50, max_age=100, path="/app", httponly=True, samesite="Lax"),
    dump_cookie("ü", "wert mit leerzeichen", path="/ü"),
    dump_cookie("k", "€ value"),
]


@pytest.mark.parametrize("header", SAME_AS_WERKZEUG)
@pytest.mark.parametrize(("server", "path"), [("localhost", "/"), ("example.com", "/a/b/c")])
def test_parsing_matches_werkzeug(header, server, path):
    mine = Cookie.from_set_cookie(header, server, path)
    theirs = WzCookie._from_response_header(server, path, header)
    for field in FIELDS:
        assert getattr(mine, field) == getattr(theirs, field), field
    assert mine.storage_key == theirs._storage_key
    assert mine.to_request_header() == theirs._to_request_header()


MATCH_COOKIES = [
    ("localhost", True, "/"),
    ("example.com", True, "/"),
    ("example.com", False, "/"),
    ("example.com", False, "/app"),
    ("example.com", False, "/app/"),
    ("sub.example.com", False, "/"),
]
MATCH_REQUESTS = [
    ("localhost", "/"),
    ("localhost", "/x"),
    ("example.com", "/"),
    ("example.com", "/app"),
    ("example.com", "/app/"),
    ("example.com", "/app/deeper"),
    ("example.com", "/application"),
    ("www.example.com", "/app/x"),
    ("a.sub.example.com", "/"),
    ("notexample.com", "/"),
    ("example.com.evil", "/"),
    ("com", "/"),
]


@pytest.mark.parametrize(("domain", "origin_only", "cookie_path"), MATCH_COOKIES)
def test_matching_matches_werkzeug(domain, origin_only, cookie_path):
    header = f"k=v; Path={cookie_path}" + ("" if origin_only else f"; Domain={domain}")
    mine = Cookie.from_set_cookie(header, domain)
    theirs = WzCookie._from_response_header(domain, "/", header)
    for server, path in MATCH_REQUESTS:
        assert mine.should_send(server, path) == theirs._matches_request(server, path), (
            server,
            path,
        )


def test_host_names_compare_case_insensitively():
    cookie = Cookie.from_set_cookie("k=v; Domain=Example.COM", "www.example.com")
    assert cookie.domain == "example.com"
    assert cookie.should_send("WWW.EXAMPLE.com", "/")
    host_only = Cookie.from_set_cookie("k=v", "LocalHost")
    assert host_only.domain == "localhost"
    assert host_only.should_send("LOCALHOST", "/")


def test_leading_dot_domain_matches_subdomains():
    # Werkzeug keeps ".example.com" verbatim, which then matches no host at all.
    cookie = Cookie.from_set_cookie("k=v; Domain=.example.com", "example.com")
    assert cookie.domain == "example.com"
    assert not cookie.origin_only
    assert cookie.should_send("example.com", "/") and cookie.should_send("a.example.com", "/")
    theirs = WzCookie._from_response_header("example.com", "/", "k=v; Domain=.example.com")
    assert not theirs._matches_request("a.example.com", "/")


def test_empty_domain_attribute_means_host_only():
    cookie = Cookie.from_set_cookie("k=v; Domain=", "example.com")
    assert cookie.origin_only and cookie.domain == "example.com"
    assert not cookie.should_send("www.example.com", "/")


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [("/", "/"), ("/a", "/"), ("/a/", "/a"), ("/a/b", "/a"), ("/a/b/c.html", "/a/b"), ("", "/")],
)
def test_default_path(request_path, expected):
    assert default_cookie_path(request_path) == expected
    assert Cookie.from_set_cookie("k=v", "h", request_path).path == expected
    theirs = WzCookie._from_response_header("h", request_path, "k=v")
    assert theirs.path == expected


def test_path_attribute_not_starting_with_slash_is_ignored():
    assert Cookie.from_set_cookie("k=v; Path=relative", "h", "/dir/page").path == "/dir"
    assert Cookie.from_set_cookie("k=v; Path=", "h", "/dir/page").path == "/dir"


@pytest.mark.parametrize(
    ("value", "expected"), [("60", 60), ("-5", -5), ("0", 0), ("", None), ("abc", None)]
)
def test_max_age_values(value, expected):
    assert Cookie.from_set_cookie(f"k=v; Max-Age={value}", "h").max_age == expected


def test_max_age_without_value_is_ignored():
    # Werkzeug reads a bare "Max-Age" as 0 and deletes the cookie; RFC 6265 ignores it.
    assert Cookie.from_set_cookie("k=v; Max-Age", "h").max_age is None
    with pytest.raises(ValueError):
        WzCookie._from_response_header("h", "/", "k=v; Max-Age=abc")


def test_headers_without_a_name_are_ignored():
    assert Cookie.from_set_cookie("", "h") is None
    assert Cookie.from_set_cookie("=value; Path=/", "h") is None
    jar = CookieJar()
    jar.update_from_headers("h", "/", ["=x", "ok=1"])
    assert [cookie.decoded_key for cookie in jar.values()] == ["ok"]


# -- expiry --------------------------------------------------------------------------------


def _past(seconds: int = 3600) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=seconds)


def test_expiry_rules():
    now = time.time()
    assert not Cookie.from_set_cookie("k=v", "h").is_expired()
    assert Cookie.from_set_cookie("k=v; Max-Age=0", "h").is_expired()
    assert Cookie.from_set_cookie("k=v; Max-Age=-1", "h").is_expired()
    assert not Cookie.from_set_cookie("k=v; Max-Age=60", "h").is_expired()
    assert Cookie.from_set_cookie("k=v; Max-Age=60", "h").is_expired(now + 61)
    epoch = "Thu, 01 Jan 1970 00:00:00 GMT"
    assert Cookie.from_set_cookie(f"k=v; Expires={epoch}", "h").is_expired()
    past = dump_cookie("k", "v", expires=_past())
    assert Cookie.from_set_cookie(past, "h").is_expired()
    # Max-Age wins over Expires, both ways.
    header = dump_cookie("k", "v", expires=_past(), max_age=60, sync_expires=False)
    assert not Cookie.from_set_cookie(header, "h").is_expired()
    future = dump_cookie("k", max_age=999).split("Expires=")[1].split(";")[0]
    header = f"k=v; Max-Age=0; Expires={future}"
    assert Cookie.from_set_cookie(header, "h").is_expired()


def test_storing_an_expired_cookie_deletes_its_namesake():
    jar = CookieJar()
    jar.update_from_headers("h", "/", ["k=v", "other=1"])
    assert set(jar) == {("h", "/", "k"), ("h", "/", "other")}
    jar.update_from_headers("h", "/", [dump_cookie("k", expires=_past(86400 * 365))])
    assert set(jar) == {("h", "/", "other")}
    # The delete only hits the same (domain, path, key).
    jar.update_from_headers("h", "/", ["other=; Max-Age=0; Path=/elsewhere"])
    assert set(jar) == {("h", "/", "other")}
    jar.update_from_headers("h", "/", ["other=; Max-Age=0"])
    assert not jar


def test_cookies_stop_being_sent_when_they_expire(monkeypatch):
    jar = CookieJar()
    jar.update_from_headers("h", "/", ["short=1; Max-Age=10", "long=2; Max-Age=1000", "s=3"])
    assert jar.request_header("h", "/") == "short=1; long=2; s=3"
    later = time.time() + 11
    monkeypatch.setattr(time, "time", lambda: later)
    assert jar.request_header("h", "/") == "long=2; s=3"
    assert ("h", "/", "short") not in jar  # dropped, not just skipped


# -- the jar ---------------------------------------------------------------------------------


def test_cookies_go_out_in_storage_order_and_replacing_keeps_the_place():
    jar = CookieJar()
    jar.update_from_headers(
        "h", "/", ["a=1", "b=1; Path=/x", "c=1; Path=/x/y", "a=2", "d=1; Path=/x"]
    )
    assert jar.request_header("h", "/x/y/z") == "a=2; b=1; c=1; d=1"
    assert jar.request_header("h", "/") == "a=2"
    assert jar.request_header("other", "/") is None


def test_get_and_delete():
    jar = CookieJar()
    jar.update_from_headers("example.com", "/", ["k=v; Path=/p; Domain=example.com"])
    assert jar.get_cookie("k") is None
    cookie = jar.get_cookie("k", "example.com", "/p")
    assert cookie is not None and cookie.value == "v"
    jar.delete("k", "example.com", "/")
    assert len(jar) == 1
    jar.delete("k", "example.com", "/p")
    assert not jar


def test_cookie_equality_and_repr():
    first = Cookie.from_set_cookie("k=v; Path=/; Secure", "h")
    second = Cookie.from_set_cookie("k=v; Path=/; Secure", "h")
    assert first == second
    assert first != Cookie.from_set_cookie("k=w; Path=/; Secure", "h")
    assert "k='v'" in repr(first) and "secure" in repr(first)


def test_many_cookies_and_long_headers_stay_linear():
    def many(n: int) -> None:
        jar = CookieJar()
        jar.update_from_headers("h", "/", [f"k{i}=v; Path=/" for i in range(n)])
        jar.request_header("h", "/a")

    assert_linear(many)
    assert_linear(lambda n: Cookie.from_set_cookie("k=v" + "; a=b" * n, "h"))
    assert_linear(lambda n: Cookie.from_set_cookie("k=" + "v" * n + "; Path=/" + "p" * n, "h"))
