"""erlen.http.cookies against Werkzeug 3.1's parse_cookie and dump_cookie."""

from __future__ import annotations

import warnings
from datetime import date, datetime, timedelta, timezone

import pytest
import werkzeug.http as wz
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.sansio.http import parse_cookie as wz_parse_cookie

from erlen.http.cookies import dump_cookie, parse_cookie
from erlen.http.multidict import ImmutableMultiDict, MultiDict
from tests.http.test_urls import assert_linear


def as_pairs(parsed) -> list[tuple[str, list[str]]]:
    return list(parsed.lists())


COOKIE_HEADERS = [
    None,
    "",
    "a=b",
    "a=b; c=d",
    "a=b;c=d;",
    " a = b ; c\t=\td ",
    "a=1; a=2; b=3; a=4",
    "novalue; a=b",
    "a=; b",
    "=b; a=c",
    "a=b c; d=e",
    'a="quoted value"; b=2',
    'a="with;semicolon"; b=2',
    'a="esc\\"aped"; b="back\\\\slash"',
    'a="\\303\\251t\\303\\251"; b="\\777"',
    'a="\\012"; b="\\x"',
    'a="unterminated; b=2',
    'a="x"junk; b=2',
    'a="x" ; b=2',
    'a=x"y; b=2',
    'a"b=c; d=e',
    'a="x;a="x;b=1',
    'a="; k="x',
    'a="\\\n"; b=1',
    "ä=ö; 🍪=yum",
    ";;;a=b;;;",
    "a=b=c; d==e",
    '"a"=b; c=d',
    'a="\\"; b=1"; c=2',
    "a\x00b=c; d=\x01",
]


@pytest.mark.parametrize("header", COOKIE_HEADERS)
def test_parse_cookie_matches_werkzeug(header):
    assert as_pairs(parse_cookie(header)) == as_pairs(wz_parse_cookie(header))


cookie_text = st.lists(
    st.sampled_from(list(' \t;="\\=,ab0\n') + ["\\303", "\\251", "\\777", "é", "k=", "; "]),
    max_size=40,
).map("".join)


@settings(max_examples=1000)
@given(cookie_text)
def test_parse_cookie_matches_werkzeug_on_fuzz(header):
    assert as_pairs(parse_cookie(header)) == as_pairs(wz_parse_cookie(header))


@given(st.text())
def test_parse_cookie_matches_werkzeug_on_any_text(header):
    try:
        expected = as_pairs(wz_parse_cookie(header))
    except UnicodeError:  # Werkzeug encodes quoted values; lone surrogates fail there
        return
    assert as_pairs(parse_cookie(header)) == expected


def test_parse_cookie_first_value_wins_like_werkzeug():
    parsed = parse_cookie("session=first; session=second")
    assert (
        parsed["session"] == "first" == wz_parse_cookie("session=first; session=second")["session"]
    )
    assert parsed.getlist("session") == ["first", "second"]


def test_parse_cookie_cls_and_default():
    assert type(parse_cookie("a=b")) is MultiDict
    parsed = parse_cookie("a=b", cls=ImmutableMultiDict)
    assert type(parsed) is ImmutableMultiDict
    assert parse_cookie(None) == MultiDict()


@pytest.mark.parametrize(
    "raw",
    [b"a=b; c=d", "a=caf\xe9 ok".encode(), b'a="\\303\\251"', "ä=1".encode()],
)
def test_parse_cookie_from_wsgi_environ_matches_werkzeug(raw):
    environ = {"HTTP_COOKIE": raw.decode("latin-1")}
    assert as_pairs(parse_cookie(environ)) == as_pairs(wz.parse_cookie(environ))
    assert as_pairs(parse_cookie({})) == []


def test_parse_cookie_from_environ_replaces_invalid_utf8():
    # Werkzeug raises UnicodeDecodeError here; erlen replaces the invalid byte.
    parsed = parse_cookie({"HTTP_COOKIE": b"a=\xff".decode("latin-1")})
    assert parsed["a"] == "\ufffd"


cookie_value = st.text()
cookie_key = st.from_regex(r"[A-Za-z0-9_\-]{1,12}", fullmatch=True)


@given(cookie_key, cookie_value)
def test_dump_cookie_matches_werkzeug_and_round_trips(key, value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = wz.dump_cookie(key, value)
        except UnicodeError:
            with pytest.raises(UnicodeError):
                dump_cookie(key, value)
            return
        header = dump_cookie(key, value)
    assert header == expected
    pair = header.split("; Path=/")[0]
    assert parse_cookie(pair)[key] == value.encode().decode(errors="replace")


FIXED = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"value": "plain"},
        {"value": "with space"},
        {"value": 'q"uo\\te'},
        {"value": "semi;colon,comma"},
        {"value": "ctrl\x00\x19\x1a\x1f\x7f"},
        {"value": "ünïcödé €"},
        {"value": "!#$%&'()*+-./:<=>?@[]^`{|}~"},
        {"expires": FIXED},
        {"expires": datetime(2030, 1, 2, 3, 4, 5)},
        {"expires": date(2030, 1, 2)},
        {"expires": 1_900_000_000},
        {"expires": 1_900_000_000.75},
        {"expires": "Thu, 01 Jan 1970 00:00:00 GMT"},
        {"max_age": 0, "sync_expires": False},
        {"max_age": 3600, "expires": FIXED},
        {"max_age": timedelta(hours=2), "expires": 0},
        {"max_age": 1.5, "sync_expires": False},
        {"path": None},
        {"path": "/a b/ü;x?y#z%20"},
        {"domain": "example.com"},
        {"domain": ".Example.COM:8080"},
        {"domain": "localhost"},
        {"domain": "bücher.de"},
        {"domain": ""},
        {"secure": True, "httponly": True},
        {"secure": 0},
        {"samesite": "lax"},
        {"samesite": "STRICT"},
        {"samesite": "none"},
        {"partitioned": True},
        {"partitioned": True, "secure": False, "samesite": "None"},
    ],
)
def test_dump_cookie_options_match_werkzeug(kwargs):
    assert dump_cookie("key", **kwargs) == wz.dump_cookie("key", **kwargs)


def test_dump_cookie_non_ascii_key_matches_werkzeug():
    assert dump_cookie("ключ", "v") == wz.dump_cookie("ключ", "v")


def test_dump_cookie_max_age_sets_expires():
    header = dump_cookie("k", "v", max_age=60)
    assert "Max-Age=60" in header
    assert "Expires=" in header
    expires = header.split("Expires=")[1].split(";")[0]
    assert expires == wz.dump_cookie("k", "v", max_age=60).split("Expires=")[1].split(";")[0]


@pytest.mark.parametrize("samesite", ["bogus", "", "laxx"])
def test_dump_cookie_rejects_bad_samesite(samesite):
    with pytest.raises(ValueError, match="SameSite must be 'Strict', 'Lax', or 'None'."):
        dump_cookie("k", "v", samesite=samesite)
    with pytest.raises(ValueError):
        wz.dump_cookie("k", "v", samesite=samesite)


@pytest.mark.parametrize("domain", ["a..b", "x" * 64 + ".com", "-" * 70])
def test_dump_cookie_invalid_domain_raises_like_werkzeug(domain):
    with pytest.raises(UnicodeError):
        wz.dump_cookie("k", "v", domain=domain)
    with pytest.raises(UnicodeError):
        dump_cookie("k", "v", domain=domain)


def test_dump_cookie_size_warning_matches_werkzeug():
    value = "x" * 5000
    with pytest.warns(UserWarning) as ours:
        header = dump_cookie("big", value)
    with pytest.warns(UserWarning) as theirs:
        expected = wz.dump_cookie("big", value)
    assert header == expected
    assert str(ours[0].message) == str(theirs[0].message)
    assert "The 'big' cookie is too large" in str(ours[0].message)
    assert ours[0].filename == __file__


def test_dump_cookie_size_warning_limits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dump_cookie("big", "x" * 5000, max_size=0)
        dump_cookie("k", "x" * 100, max_size=200)
    with pytest.warns(UserWarning):
        dump_cookie("k", "x" * 100, max_size=50)


def test_parse_10k_cookies():
    header = "; ".join(f"c{i}=v{i}" for i in range(10_000))
    parsed = parse_cookie(header)
    assert len(parsed) == 10_000
    assert parsed["c9999"] == "v9999"
    quoted = "; ".join(f'c{i}="v {i}"' for i in range(10_000))
    assert parse_cookie(quoted)["c42"] == "v 42"


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "; ".join(f"c{i}=v{i}" for i in range(n)),
        lambda n: 'a="x;' * n,
        lambda n: 'a="x' + ";a=" * n,
        lambda n: 'a="\\";' * n,
        lambda n: 'a="' + '\\";a="' * n,
        lambda n: 'a="x"y;' * n,
        lambda n: " " * n + "a",
        lambda n: "=" * n,
        lambda n: '"' * n,
        lambda n: 'a="\\\n;' * n,
        lambda n: 'a="' + '\\"' * n,
        lambda n: 'a="; k="x' * n,
        lambda n: "a=b" * n,
    ],
)
def test_parse_cookie_is_linear_on_hostile_input(make):
    assert_linear(lambda n: parse_cookie(make(n)))
