"""Comparison helpers for the web-layer tests: run the same code on Flask and on erlen.

Two styles are used:

* harness scenarios (``tests/differential/harness.py``): requests and probes declared
  with ``@scenario``; :func:`scenario_cases` parametrizes a module's ``test_scenario``
  with them, for each selected candidate (``ERLEN_DIFF=self|erlen|both`` as in the
  differential suite; ``self`` is the Flask-against-Flask self-check);
* :func:`same`: any function ``fn(fw) -> plain data`` run on both frameworks, the two
  results compared (exceptions compare by kind, as in the harness).

:func:`snap` turns a test-client response into comparable data, decoding signed session
cookies of any name so that their content, not their timestamped signature, is compared.
"""

from __future__ import annotations

import hashlib
import os
import pprint
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.differential.frameworks import ORACLE, Framework, load_framework
from tests.differential.harness import scenarios_for
from tests.differential.snapshots import (
    decode_session_cookie,
    raised_from,
    results_equal,
    snapshot_headers,
)

__all__ = [
    "APPS_DIR",
    "check_scenario",
    "TEMPLATES",
    "both",
    "cookie_payload",
    "erlen",
    "flask",
    "same",
    "scenario_cases",
    "sign_session",
    "snap",
]

APPS_DIR = Path(__file__).resolve().parent
TEMPLATES = APPS_DIR / "templates"


def flask() -> Framework:
    return load_framework(ORACLE)


def erlen() -> Framework:
    return load_framework("erlen")


def _selected() -> list[str]:
    choice = os.environ.get("ERLEN_DIFF", "both").strip().lower()
    return ["self", "erlen"] if choice == "both" else [choice]


def scenario_cases(module_name: str) -> list[Any]:
    """``pytest.param(candidate, scenario)`` for every scenario of *module_name*."""
    return [
        pytest.param(candidate, sc, id=f"{candidate}-{sc.name}")
        for candidate in _selected()
        for sc in scenarios_for(module_name)
    ]


def check_scenario(candidate: str, sc: Any) -> None:
    sc.check(flask() if candidate == "self" else erlen())


def _run(fn: Callable[[Framework], Any], fw: Framework) -> Any:
    try:
        return fn(fw)
    except Exception as exc:
        return raised_from(fw, exc)


def both(fn: Callable[[Framework], Any]) -> tuple[Any, Any]:
    """``fn`` run on Flask and on erlen (an exception becomes its kind)."""
    return _run(fn, flask()), _run(fn, erlen())


def same(fn: Callable[[Framework], Any]) -> Any:
    """Assert ``fn`` gives equal results on Flask and erlen; return Flask's."""
    want, got = both(fn)
    if not results_equal(want, got):
        detail = getattr(want, "detail", "") or getattr(got, "detail", "")
        pytest.fail(
            "Flask and erlen differ\n--- flask\n"
            + pprint.pformat(want, width=100)
            + "\n--- erlen\n"
            + pprint.pformat(got, width=100)
            + (f"\n--- exception detail\n{detail}" if detail else ""),
            pytrace=False,
        )
    return want


def _normalize_cookie(value: str, session_names: Iterable[str]) -> str:
    """Decode a session cookie with another name than "session" (which the harness's
    normalization has already decoded)."""
    name, _, rest = value.partition("=")
    if name in session_names and name != "session":  # "session" is already decoded
        cookie_value, sep, attributes = rest.partition(";")
        value = f"{name}={decode_session_cookie(cookie_value)}{sep}{attributes}"
    return value


def snap(response: Any, session_names: Iterable[str] = ("session",)) -> dict[str, Any]:
    """Status, headers (normalized as in the harness) and body of a response."""
    names = tuple(session_names)
    headers = [
        (key, _normalize_cookie(value, names) if key == "set-cookie" else value)
        for key, value in snapshot_headers(response.headers.items())
    ]
    return {
        "status": response.status,
        "headers": headers,
        "body": response.get_data(),
    }


def sign_session(data: dict[str, Any], secret: str, serializer: Any = None) -> str:
    """A session cookie value as Flask's default interface writes it."""
    from flask.sessions import session_json_serializer

    return URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        serializer=serializer or session_json_serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).dumps(data)


def cookie_payload(value: str, secret: str) -> Any:
    """The data in a session cookie verified with *secret* only (``BadSignature`` if
    another key signed it)."""
    from flask.sessions import session_json_serializer

    return URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        serializer=session_json_serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).loads(value)
