"""make_conditional, is_resource_modified, the entity/hop-by-hop helpers and RangeWrapper
against Werkzeug: the same request and response in, the same status, headers and body out.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
import werkzeug.http as whttp
from werkzeug.datastructures import Headers as WerkzeugHeaders
from werkzeug.exceptions import RequestedRangeNotSatisfiable as WerkzeugRangeError
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wsgi import wrap_file

import erlen.wrappers.conditional as conditional
from erlen.exceptions import RequestedRangeNotSatisfiable
from erlen.http.headers import Headers

from .response_standin import StandInResponse, header_list, make_pair

# -- make_conditional ------------------------------------------------------------------

BODY = b"Hello World!"
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
BODIES: dict[str, Callable[[], Any]] = {
    "chunks": lambda: [b"Hello", b" ", b"World!"],
    "single": lambda: [BODY],
    "bytes-per-chunk": lambda: [bytes([b]) for b in BODY],
    "generator": lambda: (chunk for chunk in [b"Hel", b"lo World", b"!"]),
    "text": lambda: ["Hello", " World!"],
    "file": lambda: wrap_file({}, io.BytesIO(BODY), buffer_size=5),
}
IF_NONE_MATCH = (
    None,
    '"abc"',
    'W/"abc"',
    '"other"',
    "*",
    "abc",
    '"x", W/"abc"',
    '"unterminated',
    "",
)
IF_MODIFIED_SINCE = (
    None,
    LAST_MODIFIED,
    "Wed, 21 Oct 2015 07:27:59 GMT",
    "Wed, 21 Oct 2015 07:28:01 GMT",
    "Wed, 21 Oct 2015 09:28:00 +0200",
    "junk",
)
IF_MATCH = (None, '"abc"', '"other"', "*", 'W/"abc"', '"abc", "other"', "junk")
IF_UNMODIFIED_SINCE = (None, "Wed, 21 Oct 2015 07:27:00 GMT", LAST_MODIFIED)
RANGES = (
    None,
    "bytes=0-4",
    "bytes=6-",
    "bytes=-6",
    "bytes=0-0",
    "bytes=11-11",
    "bytes=0-100",
    "bytes=12-",
    "bytes=100-200",
    "bytes=-100",
    "bytes=0-1,3-4",
    "bytes=5-2",
    "items=0-4",
    "garbage",
    "bytes=",
    "",
)
IF_RANGE = (
    None,
    '"abc"',
    'W/"abc"',
    '"other"',
    LAST_MODIFIED,
    "Wed, 21 Oct 2015 07:27:59 GMT",
    "junk",
    "",
)
ETAGS = (None, '"abc"', 'W/"abc"')
LAST_MODIFIED_HEADERS = (None, LAST_MODIFIED)
ACCEPT_RANGES = (False, True, "bytes", "none", "")
COMPLETE_LENGTHS = (None, 0, len(BODY), 5, 100)
METHODS = ("GET", "HEAD", "POST", "PUT")


def _environ(method: str, request_headers: dict[str, str | None]) -> dict[str, Any]:
    environ = EnvironBuilder(path="/file", method=method).get_environ()
    for name, value in request_headers.items():
        if value is not None:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _normalise(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replace a Date added by make_conditional (it is 'now') after checking it."""
    result = []
    for key, value in headers:
        if key == "Date" and value != LAST_MODIFIED:
            moment = whttp.parse_date(value)
            assert moment is not None
            assert abs(moment - datetime.now(timezone.utc)) < timedelta(seconds=5)
            value = "<now>"
        result.append((key, value))
    return result


def run_conditional(
    response: Any,
    environ: dict[str, Any],
    accept_ranges: Any,
    complete_length: Any,
    as_request: str,
) -> Any:
    if as_request == "request":
        target: Any = WerkzeugRequest(dict(environ))
    elif as_request == "object":
        target = SimpleNamespace(environ=dict(environ))
    else:
        target = dict(environ)
    try:
        returned = response.make_conditional(target, accept_ranges, complete_length)
    except (RequestedRangeNotSatisfiable, WerkzeugRangeError) as error:
        return ("416", error.code, error.length, _normalise(header_list(response)))
    assert returned is response
    headers = _normalise(header_list(response))
    body = b"".join(response.iter_encoded())
    return (response.status_code, headers, body, response.is_sequence)


def _conditional_case(rng: random.Random) -> dict[str, Any]:
    return {
        "method": rng.choice(METHODS),
        "body": rng.choice(list(BODIES)),
        "etag": rng.choice(ETAGS),
        "last_modified": rng.choice(LAST_MODIFIED_HEADERS),
        "preset_date": rng.random() < 0.3,
        "preset_length": rng.random() < 0.2,
        "direct_passthrough": rng.random() < 0.1,
        "If-None-Match": rng.choice(IF_NONE_MATCH),
        "If-Modified-Since": rng.choice(IF_MODIFIED_SINCE),
        "If-Match": rng.choice(IF_MATCH),
        "If-Unmodified-Since": rng.choice(IF_UNMODIFIED_SINCE),
        "Range": rng.choice(RANGES),
        "If-Range": rng.choice(IF_RANGE),
        "accept_ranges": rng.choice(ACCEPT_RANGES),
        "complete_length": rng.choice(COMPLETE_LENGTHS),
        "as_request": rng.choice(("environ", "request", "object")),
    }


def _curated_cases() -> list[dict[str, Any]]:
    """Every conditional header alone and every range with each If-Range, on GET."""
    base = {
        "method": "GET",
        "body": "chunks",
        "etag": '"abc"',
        "last_modified": LAST_MODIFIED,
        "preset_date": False,
        "preset_length": False,
        "direct_passthrough": False,
        "If-None-Match": None,
        "If-Modified-Since": None,
        "If-Match": None,
        "If-Unmodified-Since": None,
        "Range": None,
        "If-Range": None,
        "accept_ranges": True,
        "complete_length": len(BODY),
        "as_request": "environ",
    }
    cases = []
    for header, values in (
        ("If-None-Match", IF_NONE_MATCH),
        ("If-Modified-Since", IF_MODIFIED_SINCE),
        ("If-Match", IF_MATCH),
        ("If-Unmodified-Since", IF_UNMODIFIED_SINCE),
    ):
        for value in values:
            for etag in ETAGS:
                cases.append({**base, header: value, "etag": etag})
    for range_value in RANGES:
        for if_range in IF_RANGE:
            for body in BODIES:
                cases.append({**base, "Range": range_value, "If-Range": if_range, "body": body})
    for accept_ranges in ACCEPT_RANGES:
        for complete_length in COMPLETE_LENGTHS:
            cases.append(
                {
                    **base,
                    "Range": "bytes=2-5",
                    "accept_ranges": accept_ranges,
                    "complete_length": complete_length,
                }
            )
    return cases


_RNG = random.Random(20240531)
CONDITIONAL_CASES = _curated_cases() + [_conditional_case(_RNG) for _ in range(1500)]


@pytest.mark.parametrize(
    "case", CONDITIONAL_CASES, ids=[f"case{i}" for i in range(len(CONDITIONAL_CASES))]
)
def test_make_conditional_matches_werkzeug(case: dict[str, Any]) -> None:
    headers = [("Content-Type", "text/plain; charset=utf-8")]
    if case["etag"] is not None:
        headers.append(("ETag", case["etag"]))
    if case["last_modified"] is not None:
        headers.append(("Last-Modified", case["last_modified"]))
    if case["preset_date"]:
        headers.append(("Date", LAST_MODIFIED))
    if case["preset_length"]:
        headers.append(("Content-Length", str(len(BODY))))
    request_headers = {
        name: case[name]
        for name in ("If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since")
    }
    request_headers["Range"] = case["Range"]
    request_headers["If-Range"] = case["If-Range"]
    environ = _environ(case["method"], request_headers)
    erlen_response, werkzeug_response = make_pair(
        headers, BODIES[case["body"]], direct_passthrough=case["direct_passthrough"]
    )
    args = (environ, case["accept_ranges"], case["complete_length"], case["as_request"])
    erlen_result = run_conditional(erlen_response, *args)
    werkzeug_result = run_conditional(werkzeug_response, *args)
    assert erlen_result == werkzeug_result

    # A 304 goes out without the headers that describe the (absent) body.
    if erlen_result[0] == 304:
        erlen_headers = Headers(erlen_response.headers)
        werkzeug_headers = WerkzeugHeaders(list(werkzeug_response.headers.items()))
        conditional.remove_entity_headers(erlen_headers)
        whttp.remove_entity_headers(werkzeug_headers)
        # (Each added its own "now" Date, possibly a second apart: compared normalised.)
        assert _normalise(list(erlen_headers.items())) == _normalise(list(werkzeug_headers.items()))


def test_make_conditional_outcomes_are_all_exercised() -> None:
    """The sampled cases reach every outcome, so the comparison above means something."""
    seen = set()
    for case in CONDITIONAL_CASES:
        headers = []
        if case["etag"] is not None:
            headers.append(("ETag", case["etag"]))
        if case["last_modified"] is not None:
            headers.append(("Last-Modified", case["last_modified"]))
        request_headers = {
            name: case[name]
            for name in (
                "If-None-Match",
                "If-Modified-Since",
                "If-Match",
                "If-Unmodified-Since",
                "Range",
                "If-Range",
            )
        }
        response = StandInResponse(BODIES[case["body"]](), headers=headers)
        environ = _environ(case["method"], request_headers)
        result = run_conditional(
            response, environ, case["accept_ranges"], case["complete_length"], "environ"
        )
        seen.add(result[0])
    assert seen == {200, 206, 304, 412, "416"}


def test_range_request_cuts_the_body() -> None:
    response = StandInResponse([b"Hello", b" ", b"World!"])
    environ = _environ("GET", {"Range": "bytes=3-7"})
    response.make_conditional(environ, accept_ranges=True, complete_length=12)
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 3-7/12"
    assert response.headers["Content-Length"] == "5"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert b"".join(response.iter_encoded()) == b"lo Wo"


def test_unsatisfiable_range_raises_416_with_the_length() -> None:
    response = StandInResponse([BODY])
    environ = _environ("GET", {"Range": "bytes=50-60"})
    with pytest.raises(RequestedRangeNotSatisfiable) as info:
        response.make_conditional(environ, accept_ranges=True, complete_length=12)
    assert info.value.code == 416
    assert ("Content-Range", "bytes */12") in info.value.get_headers()


def test_make_conditional_needs_an_environ() -> None:
    response = StandInResponse([BODY])
    with pytest.raises(TypeError, match="WSGI environ"):
        response.make_conditional("GET /")


def test_if_unmodified_since_is_not_evaluated_as_in_werkzeug() -> None:
    response = StandInResponse([BODY], headers=[("Last-Modified", LAST_MODIFIED)])
    environ = _environ("GET", {"If-Unmodified-Since": "Wed, 21 Oct 2015 07:00:00 GMT"})
    response.make_conditional(environ)
    assert response.status_code == 200


# -- the conditional helpers -------------------------------------------------------


@pytest.mark.parametrize("case", CONDITIONAL_CASES[:400:3])
@pytest.mark.parametrize("ignore_if_range", (True, False))
@pytest.mark.parametrize("use_data", (False, True))
def test_is_resource_modified_matches_werkzeug(
    case: dict[str, Any], ignore_if_range: bool, use_data: bool
) -> None:
    request_headers = {
        name: case[name]
        for name in ("If-None-Match", "If-Modified-Since", "If-Match", "Range", "If-Range")
    }
    if use_data and request_headers["If-None-Match"] == '"abc"':
        request_headers["If-None-Match"] = '"' + whttp.generate_etag(BODY) + '"'
    environ = _environ(case["method"], request_headers)
    kwargs: dict[str, Any] = {"ignore_if_range": ignore_if_range}
    if use_data:
        kwargs["data"] = BODY
    else:
        kwargs["etag"] = case["etag"]
    for last_modified in (case["last_modified"], datetime(2015, 10, 21, 7, 28, 0, 999)):
        kwargs["last_modified"] = last_modified
        assert conditional.is_resource_modified(environ, **kwargs) == whttp.is_resource_modified(
            environ, **kwargs
        )


def test_is_resource_modified_refuses_both_data_and_etag() -> None:
    with pytest.raises(TypeError):
        conditional.is_resource_modified({}, etag='"a"', data=b"x")


def test_is_resource_modified_with_aware_last_modified() -> None:
    environ = _environ("GET", {"If-Modified-Since": LAST_MODIFIED})
    moment = datetime(2015, 10, 21, 9, 28, tzinfo=timezone(timedelta(hours=2)))
    assert conditional.is_resource_modified(environ, last_modified=moment) is False
    assert whttp.is_resource_modified(environ, last_modified=moment) is False


HEADER_NAMES = (
    "Allow",
    "content-encoding",
    "Content-Language",
    "CONTENT-LENGTH",
    "Content-Location",
    "Content-MD5",
    "Content-Range",
    "Content-Type",
    "Expires",
    "Last-Modified",
    "ETag",
    "Connection",
    "keep-alive",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "X-Custom",
    "",
)


@pytest.mark.parametrize("name", HEADER_NAMES)
def test_header_classification_matches_werkzeug(name: str) -> None:
    assert conditional.is_entity_header(name) == whttp.is_entity_header(name)
    assert conditional.is_hop_by_hop_header(name) == whttp.is_hop_by_hop_header(name)


@pytest.mark.parametrize("allowed", (None, (), ("Content-Type", "expires")))
def test_remove_entity_and_hop_by_hop_headers_match_werkzeug(allowed: Any) -> None:
    pairs = [(name or "X-Empty", f"v{i}") for i, name in enumerate(HEADER_NAMES)]
    kwargs = {} if allowed is None else {"allowed": allowed}
    for erlen_target, werkzeug_target in (
        (list(pairs), list(pairs)),
        (Headers(pairs), WerkzeugHeaders(pairs)),
    ):
        conditional.remove_entity_headers(erlen_target, **kwargs)
        whttp.remove_entity_headers(werkzeug_target, **kwargs)
        assert list(erlen_target) == list(werkzeug_target)
    erlen_list, werkzeug_list = list(pairs), list(pairs)
    conditional.remove_hop_by_hop_headers(erlen_list)
    whttp.remove_hop_by_hop_headers(werkzeug_list)
    assert erlen_list == werkzeug_list


def test_removing_headers_keeps_the_wsgi_list_object() -> None:
    headers = Headers([("Content-Type", "text/plain"), ("ETag", '"a"')])
    wsgi_list = headers.to_wsgi_list()
    conditional.remove_entity_headers(headers)
    assert wsgi_list == [("ETag", '"a"')]


# -- the range wrapper -------------------------------------------------------------

RANGE_BODIES: dict[str, Callable[[], Any]] = {
    "chunks": lambda: [b"Hello", b" ", b"World!"],
    "single": lambda: [BODY],
    "bytes": lambda: [bytes([b]) for b in BODY],
    "generator": lambda: (c for c in [b"Hel", b"lo World", b"!"]),
    "file": lambda: wrap_file({}, io.BytesIO(BODY), buffer_size=4),
    "text": lambda: ["Hello", " World!"],
}


@pytest.mark.parametrize("body", RANGE_BODIES)
@pytest.mark.parametrize(
    ("start", "length"),
    [(s, n) for s in (0, 1, 4, 5, 6, 11, 12, 20) for n in (None, 0, 1, 3, 7, 12, 30)],
)
def test_range_wrapper_matches_werkzeug(body: str, start: int, length: int | None) -> None:
    from werkzeug.wsgi import _RangeWrapper

    erlen_chunks = list(conditional.RangeWrapper(RANGE_BODIES[body](), start, length))
    werkzeug_chunks = list(_RangeWrapper(RANGE_BODIES[body](), start, length))
    assert erlen_chunks == werkzeug_chunks


def test_range_wrapper_skips_empty_chunks_instead_of_stopping() -> None:
    """Werkzeug stops at an empty chunk and sends fewer bytes than announced."""
    body = [b"ab", b"", b"cd", b"", b"ef"]
    assert b"".join(conditional.RangeWrapper(body, 1, 4)) == b"bcde"
    assert b"".join(conditional.RangeWrapper(body, 0)) == b"abcdef"


def test_range_wrapper_is_lazy_and_reads_no_further_than_needed() -> None:
    pulled: list[bytes] = []

    def source() -> Iterator[bytes]:
        for chunk in (b"aaaa", b"bbbb", b"cccc", b"dddd"):
            pulled.append(chunk)
            yield chunk

    wrapper = conditional.RangeWrapper(source(), 5, 4)
    assert pulled == []
    assert b"".join(wrapper) == b"bbbc"
    assert pulled == [b"aaaa", b"bbbb", b"cccc"]
    assert list(wrapper) == []


def test_range_wrapper_seeks_seekable_bodies() -> None:
    class Tracked(io.BytesIO):
        reads = 0

        def read(self, size: int | None = -1) -> bytes:
            Tracked.reads += 1
            return super().read(size)

    source = Tracked(b"x" * 1000 + b"wanted" + b"y" * 1000)
    wrapper = conditional.RangeWrapper(wrap_file({}, source, buffer_size=6), 1000, 6)
    assert b"".join(wrapper) == b"wanted"
    assert Tracked.reads <= 2


def test_range_wrapper_closes_the_body() -> None:
    closed: list[str] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            return iter([BODY])

        def close(self) -> None:
            closed.append("body")

    def generator() -> Iterator[bytes]:
        try:
            yield BODY
        finally:
            closed.append("generator")

    conditional.RangeWrapper(Body(), 0, 2).close()
    wrapper = conditional.RangeWrapper(generator(), 0, 2)
    next(wrapper)
    wrapper.close()
    conditional.RangeWrapper([BODY], 0, 2).close()
    assert closed == ["body", "generator"]
