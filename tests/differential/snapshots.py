"""Results as plain comparable data: response snapshots and their normalization,
exception kinds, equality and the text rendering used in diffs."""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import json
import pprint
import re
import time
import traceback
import zlib
from collections.abc import Iterable
from typing import Any

from .frameworks import Framework

# --------------------------------------------------------------------------------------
# Results: what a step produced, as plain comparable data
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Raised:
    """An exception in place of a value. Only the kind is compared, never the message."""

    kind: str
    detail: str = dataclasses.field(default="", compare=False)

    def __repr__(self) -> str:
        return f"raises {self.kind}"


def classify_exception(fw: Framework, exc: BaseException) -> str:
    """Name an exception by what callers can rely on: BuildError, an HTTP code, or the
    nearest built-in exception class (so a ValueError subclass still reads ValueError)."""
    build_error = _safe_getattr(fw, "BuildError")
    if build_error is not None and isinstance(exc, build_error):
        return "BuildError"
    http_exception = _safe_getattr(fw, "HTTPException")
    if http_exception is not None and isinstance(exc, http_exception):
        return f"HTTPException({getattr(exc, 'code', None)})"
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins":
            return cls.__name__
    return type(exc).__name__  # pragma: no cover - every exception derives from a builtin


def _safe_getattr(fw: Framework, name: str) -> Any:
    try:
        return getattr(fw, name)
    except (AttributeError, ImportError):
        return None


def raised_from(fw: Framework, exc: BaseException) -> Raised:
    """The Raised result for ``exc``, keeping the end of its traceback for the report."""
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return Raised(classify_exception(fw, exc), "".join(lines[-12:]))


# --------------------------------------------------------------------------------------
# Response snapshots
# --------------------------------------------------------------------------------------

IGNORED_HEADERS = frozenset({"date", "server"})
SESSION_COOKIE_NAMES = frozenset({"session"})
_MAX_AGE = re.compile(r";\s*Max-Age=(-?\d+)", re.IGNORECASE)
_EXPIRES = re.compile(r"(;\s*Expires=)([^;]*)", re.IGNORECASE)


def relative_date(text: str, now: float) -> str | None:
    """``<now+N min>`` for an HTTP date a little after ``now`` (a clock-derived expiry),
    None for anything else (fixed dates such as the 1970 of a deleted cookie stay as is).

    Minutes, not seconds: the date is truncated to the second and computed a few
    milliseconds before ``now``, so only a coarse offset is stable between two runs.
    """
    try:
        parsed = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return None
    if parsed is None:
        return None
    delta = parsed.timestamp() - now
    if not -5 <= delta <= _RELATIVE_WINDOW:
        return None
    return f"<now+{round(delta / 60)} min>"


_RELATIVE_WINDOW = 40 * 24 * 3600


def normalize_set_cookie(value: str, now: float | None = None) -> str:
    """Make a Set-Cookie value stable across runs.

    ``Expires`` derived from ``Max-Age`` depends on the clock; when it equals now+Max-Age
    (within a few seconds) it becomes ``<now+N>``, any other near-future expiry becomes
    ``<now+N min>``. A signed session cookie's value depends on the clock too; it becomes
    the decoded payload, so its *content* is still compared.
    """
    now = time.time() if now is None else now
    max_age = _MAX_AGE.search(value)
    expires = _EXPIRES.search(value)
    if expires:
        replacement = None
        if max_age:
            seconds = int(max_age.group(1))
            parsed = email.utils.parsedate_to_datetime(expires.group(2).strip())
            if parsed is not None and abs(parsed.timestamp() - (now + seconds)) < 5:
                replacement = f"<now+{seconds}>"
        else:
            replacement = relative_date(expires.group(2), now)
        if replacement is not None:
            value = value[: expires.start(2)] + replacement + value[expires.end(2) :]
    name, _, rest = value.partition("=")
    if name in SESSION_COOKIE_NAMES:
        cookie_value, sep, attributes = rest.partition(";")
        value = f"{name}={decode_session_cookie(cookie_value)}{sep}{attributes}"
    return value


def decode_session_cookie(value: str) -> str:
    """The payload of an itsdangerous-signed session cookie, without signature/timestamp."""
    if not value:
        return value
    compressed = value.startswith(".")
    payload = value[1:] if compressed else value
    payload = payload.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if compressed:
            raw = zlib.decompress(raw)
        return f"<signed {json.loads(raw)!r}>"
    except Exception:
        return f"<undecodable session {value!r}>"


def normalize_allow(value: str) -> str:
    """Allow lists methods in set order, which varies between processes: sort them."""
    return ", ".join(sorted(part.strip() for part in value.split(",") if part.strip()))


def snapshot_headers(headers: Iterable[tuple[str, str]], ignore: Iterable[str] = ()) -> list:
    """Headers as (lowercase name, normalized value), grouped by name, repeats in order."""
    skip = IGNORED_HEADERS | {name.lower() for name in ignore}
    now = time.time()
    rows = []
    for name, value in headers:
        key = name.lower()
        if key in skip:
            continue
        if key == "allow":
            value = normalize_allow(value)
        elif key == "set-cookie":
            value = normalize_set_cookie(value, now)
        elif key == "expires":
            value = relative_date(value, now) or value
        rows.append((key, value))
    return sorted(rows, key=lambda row: row[0])


def snapshot_response(response: Any, step: Any) -> dict:
    """The parts of a test-client response that a Flask user can observe and rely on."""
    snap: dict[str, Any] = {
        "status_code": response.status_code,
        "status": response.status,
        "headers": snapshot_headers(response.headers.items(), step.ignore_headers),
    }
    body = response.get_data()
    parsed = _maybe_json(response, body) if not step.exact_json else _NOT_JSON
    if parsed is _NOT_JSON:
        snap["body"] = body
    else:
        snap["json"] = parsed
    history = getattr(response, "history", ())
    if history:
        snap["history"] = [(r.status, r.headers.get("Location"), _request_url(r)) for r in history]
    if step.kwargs.get("follow_redirects"):
        snap["final_url"] = _request_url(response)
    return snap


_NOT_JSON = object()


def _maybe_json(response: Any, body: bytes) -> Any:
    content_type = response.headers.get("Content-Type", "")
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if not (mimetype == "application/json" or mimetype.endswith("+json")):
        return _NOT_JSON
    try:
        return json.loads(body)
    except ValueError:
        return _NOT_JSON


def _request_url(response: Any) -> str | None:
    request = getattr(response, "request", None)
    return getattr(request, "url", None)


def results_equal(want: Any, got: Any) -> bool:
    """Equality of two results, strict about types and treating NaN as equal to NaN."""
    # type() check keeps True from equalling 1 and 1.0 from equalling 1.
    if type(want) is not type(got):
        return False
    if isinstance(want, dict):
        return want.keys() == got.keys() and all(results_equal(want[k], got[k]) for k in want)
    if isinstance(want, list | tuple):
        return len(want) == len(got) and all(map(results_equal, want, got))
    if isinstance(want, float) and want != want:
        return got != got  # NaN equals NaN here: both sides produced the same value
    return bool(want == got)


def render(value: Any) -> list[str]:
    """Lines for a diff: response snapshots field by field, anything else pprint'ed."""
    if isinstance(value, dict) and "status_code" in value and "headers" in value:
        lines = []
        for key, item in value.items():
            if key == "headers":
                lines.append("headers:")
                lines.extend(f"  {name}: {header}" for name, header in item)
            elif key == "body":
                lines.append(f"body: ({len(item)} bytes)")
                lines.extend(f"  {chunk!r}" for chunk in item.splitlines(keepends=True))
            elif key == "json":
                lines.append("json:")
                lines.extend("  " + line for line in pprint.pformat(item, width=90).splitlines())
            elif key == "history":
                lines.append("history:")
                lines.extend(f"  {entry!r}" for entry in item)
            else:
                lines.append(f"{key}: {item!r}")
        return lines
    return [f"{type(value).__name__}: " + line for line in pprint.pformat(value).splitlines()]
