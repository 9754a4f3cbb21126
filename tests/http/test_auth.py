"""Authorization and WWW-Authenticate, checked against Werkzeug as the oracle."""

from __future__ import annotations

import base64

import pytest
import werkzeug.datastructures as wz
from hypothesis import given, settings
from hypothesis import strategies as st

from erlen.http.auth import Authorization, WWWAuthenticate


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


AUTH_EXAMPLES = [
    None,
    "",
    basic("alice:s3cret"),
    basic("bob:"),
    basic("no-colon"),
    basic("ünï:cödé:with:colons"),
    "Basic !!!notbase64",
    "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
    "Bearer abc.def.ghi",
    "bearer token==",
    "Token a=b",
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b", '
    'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", '
    'response="6629fae4", opaque="5ccc069c"',
    "Custom",
    "Custom   spaced-token  ",
    "Negotiate key*=UTF-8''%e2%82%ac, other=\"x, y\"",
]


@pytest.mark.parametrize("value", AUTH_EXAMPLES)
def test_authorization_matches_werkzeug(value):
    ours = Authorization.from_header(value)
    theirs = wz.Authorization.from_header(value)
    if theirs is None:
        assert ours is None
        return
    assert ours.type == theirs.type
    assert ours.parameters == theirs.parameters
    assert ours.token == theirs.token
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)
    for key in ("username", "password", "realm", "nonce", "missing"):
        assert getattr(ours, key) == getattr(theirs, key)
        assert ours[key] == theirs[key]
        assert ours.get(key, "d") == theirs.get(key, "d")
        assert (key in ours) == (key in theirs)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["Basic", "Bearer", "Digest", "X"]),
    st.text(alphabet=st.sampled_from(list('ab=," :\\QA+/')), max_size=30),
)
def test_authorization_random_headers_match_werkzeug(scheme, rest):
    value = f"{scheme} {rest}"
    ours = Authorization.from_header(value)
    theirs = wz.Authorization.from_header(value)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert (ours.type, ours.parameters, ours.token) == (
            theirs.type,
            theirs.parameters,
            theirs.token,
        )
        assert ours.to_header() == theirs.to_header()


def test_authorization_construction_and_equality():
    auth = Authorization("basic", {"username": "u", "password": "p"})
    assert (
        auth.to_header()
        == wz.Authorization("basic", {"username": "u", "password": "p"}).to_header()
    )
    assert auth == Authorization.from_header(auth.to_header())
    assert auth != Authorization("bearer", None, "t")
    assert auth.__eq__("basic") is NotImplemented
    bearer = Authorization("bearer", token="xyz")
    assert bearer.to_header() == "Bearer xyz"
    assert bearer.parameters == {}
    assert bearer.anything is None
    with pytest.raises(AttributeError):
        bearer.__nonexistent_dunder__  # noqa: B018


WWW_EXAMPLES = [
    None,
    "",
    'Basic realm="Access to the staging site", charset="UTF-8"',
    "Bearer",
    'Bearer realm="example", error="invalid_token", error_description="The token expired"',
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    "Negotiate abc==",
]


@pytest.mark.parametrize("value", WWW_EXAMPLES)
def test_www_authenticate_matches_werkzeug(value):
    ours = WWWAuthenticate.from_header(value)
    theirs = wz.WWWAuthenticate.from_header(value)
    if theirs is None:
        assert ours is None
        return
    assert ours.type == theirs.type
    assert dict(ours.parameters) == dict(theirs.parameters)
    assert ours.token == theirs.token
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)
    assert ours.realm == theirs.realm
    assert ours.get("qop", "d") == theirs.get("qop", "d")
    assert ("realm" in ours) == ("realm" in theirs)


def test_www_authenticate_item_changes_match_werkzeug():
    def run(cls):
        calls = []
        www = cls("Digest", {"realm": "r"})
        www._on_update = lambda w: calls.append(w.to_header())
        www["nonce"] = "abc"
        www.opaque = "o p"
        www.stale = "TRUE"
        www["realm"] = None
        del www["nonexistent"]
        del www.stale
        www.parameters["qop"] = "auth"
        return calls, www.to_header(), dict(www.parameters)

    assert run(WWWAuthenticate) == run(wz.WWWAuthenticate)


def test_www_authenticate_property_setters_work():
    # Werkzeug's __setattr__ routes these into ``parameters`` by mistake; erlen sets
    # the documented properties.
    calls = []
    www = WWWAuthenticate("basic", {"realm": "x"})
    www._on_update = lambda w: calls.append(w.to_header())
    www.type = "bearer"
    assert www.to_header() == "Bearer realm=x"
    www.token = "abc"
    assert www.to_header() == "Bearer abc"
    www.token = None
    www.parameters = {"realm": "y"}
    www.realm = "z"
    assert dict(www.parameters) == {"realm": "z"}
    # Setting an item reports twice (dict change, then item), exactly as Werkzeug does.
    assert calls == [
        "Bearer realm=x",
        "Bearer abc",
        "Bearer realm=x",
        "Bearer realm=y",
        "Bearer realm=z",
        "Bearer realm=z",
    ]
    assert WWWAuthenticate("basic") == WWWAuthenticate("BASIC")
    assert WWWAuthenticate("basic").to_header() == "Basic"


def test_digest_challenge_quotes_like_werkzeug():
    params = {"realm": "r", "qop": "auth", "nonce": "n", "algorithm": "MD5", "stale": "a b"}
    assert (
        WWWAuthenticate("digest", dict(params)).to_header()
        == wz.WWWAuthenticate("digest", dict(params)).to_header()
    )


def test_hostile_authorization_header():
    value = "Digest " + ", ".join(f"k{i}=v{i}" for i in range(50_000))
    auth = Authorization.from_header(value)
    assert len(auth.parameters) == 50_000
    assert Authorization.from_header("Basic " + "A" * 1_000_001) is None
