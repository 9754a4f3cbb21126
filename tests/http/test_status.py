"""Status codes, status lines and status parsing, compared with Werkzeug's Response."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.http import HTTP_STATUS_CODES as WERKZEUG_STATUS_CODES
from werkzeug.wrappers import Response as WerkzeugResponse

from erlen.http import status as status_module
from erlen.http.status import HTTP_STATUS_CODES, STATUS_LINES, parse_status, status_line


def oracle_parse(value: object) -> tuple[int, str]:
    """What a Werkzeug response reports after ``response.status = value``."""
    response = WerkzeugResponse()
    response.status = value  # type: ignore[assignment]
    return response.status_code, response.status


def test_reason_table_is_werkzeugs() -> None:
    assert HTTP_STATUS_CODES == WERKZEUG_STATUS_CODES
    assert list(HTTP_STATUS_CODES) == list(WERKZEUG_STATUS_CODES)


def test_precomputed_lines_cover_every_known_code() -> None:
    assert set(STATUS_LINES) == set(HTTP_STATUS_CODES)
    for code, line in STATUS_LINES.items():
        assert line == WerkzeugResponse(status=code).status


@pytest.mark.parametrize("code", range(100, 600))
def test_status_line_matches_werkzeug_for_every_code(code: int) -> None:
    assert status_line(code) == WerkzeugResponse(status=code).status
    assert parse_status(code) == oracle_parse(code)


def test_known_and_unknown_examples() -> None:
    assert status_line(404) == "404 NOT FOUND"
    assert status_line(418) == "418 I'M A TEAPOT"
    assert status_line(599) == "599 UNKNOWN"
    assert status_line(200) == "200 OK"


@pytest.mark.parametrize("code", [0, -1, -404, 600, 999, 1000, 10**20, True, False])
def test_unusual_integers_match_werkzeug(code: int) -> None:
    assert parse_status(code) == oracle_parse(code)
    assert status_line(code) == oracle_parse(code)[1]


@pytest.mark.parametrize("member", list(HTTPStatus))
def test_http_status_members_match_werkzeug(member: HTTPStatus) -> None:
    code, line = parse_status(member)
    assert (code, line) == oracle_parse(member)
    assert type(code) is int
    assert status_line(member) == line


def test_code_added_at_runtime_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(status_module.HTTP_STATUS_CODES, 599, "Network Read Timeout")
    assert status_line(599) == "599 NETWORK READ TIMEOUT"
    assert parse_status("599") == (599, "599 NETWORK READ TIMEOUT")


VALID_STRINGS = [
    "404",
    " 404 ",
    "\t404\n",
    "404 Not Found",
    "404 not found",
    "  404 Not Found  ",
    "404  Two  Spaces",
    "299 My Reason",
    "200 OK",
    "599",
    "0",
    "000",
    "0404",
    "+404",
    "-404",
    "4_04",
    "\u0664\u0660\u0664",  # Arabic-Indic digits: int() accepts them, so Werkzeug does
    "abc",
    "Not Found",
    "x 404",
    "404\tNot Found",
    "404\u00a0Not Found",
    "404x",
    "4 04",
    "1e3",
    "404 ",
    "200 \u00e9t\u00e9",
    "9" * 50,
    "9" * 50 + " Big",
]


@pytest.mark.parametrize("value", VALID_STRINGS)
def test_parse_status_strings_match_werkzeug(value: str) -> None:
    assert parse_status(value) == oracle_parse(value)


def test_parse_status_examples() -> None:
    assert parse_status("404") == (404, "404 NOT FOUND")
    assert parse_status("404 Not Found") == (404, "404 Not Found")
    assert parse_status("299 My Reason") == (299, "299 My Reason")
    assert parse_status(HTTPStatus.NOT_FOUND) == (404, "404 NOT FOUND")
    assert parse_status("Teapot") == (0, "0 Teapot")


@given(st.text(max_size=30))
def test_parse_status_random_text_matches_werkzeug(value: str) -> None:
    try:
        expected: tuple[int, str] | type[Exception] = oracle_parse(value)
    except ValueError:
        expected = ValueError
    if expected is ValueError:
        with pytest.raises(ValueError):
            parse_status(value)
    else:
        assert parse_status(value) == expected


@given(st.integers(min_value=-(10**6), max_value=10**6), st.text(max_size=10))
def test_parse_status_code_and_reason_matches_werkzeug(code: int, reason: str) -> None:
    value = f"{code} {reason}"
    assert parse_status(value) == oracle_parse(value)


@pytest.mark.parametrize("value", ["", " ", "\t\r\n ", "\u3000"])
def test_blank_strings_are_rejected_like_werkzeug(value: str) -> None:
    with pytest.raises(ValueError):
        oracle_parse(value)
    with pytest.raises(ValueError, match="Empty status"):
        parse_status(value)


@pytest.mark.parametrize("value", [None, 404.0, b"404", b"", [404], (404,), object()])
def test_non_str_non_int_is_rejected(value: object) -> None:
    # Werkzeug fails on these too (AttributeError, TypeError or ValueError, depending on
    # the type); erlen always raises TypeError naming the accepted types.
    with pytest.raises((AttributeError, TypeError, ValueError)):
        WerkzeugResponse()._clean_status(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be an int"):
        parse_status(value)  # type: ignore[arg-type]


def test_hostile_long_inputs_stay_cheap() -> None:
    digits = "1" * 100_000
    assert parse_status(digits) == oracle_parse(digits)
    assert parse_status(digits) == (0, f"0 {digits}")
    long_reason = "404 " + "x" * 1_000_000
    assert parse_status(long_reason) == (404, long_reason)
    spaces = " " * 1_000_000 + "404" + " " * 1_000_000
    assert parse_status(spaces) == (404, "404 NOT FOUND")
