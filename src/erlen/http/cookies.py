"""The ``Cookie`` request header and the ``Set-Cookie`` response header.

Parsing and formatting follow Werkzeug 3.1 to the byte: the same pairs are kept or
skipped, quoted values are unescaped the same way, and :func:`dump_cookie` produces the
identical header string (attribute order, quoting, octal escapes, the size warning).
The parser is linear in the header length, whatever the header holds.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from .dates import http_date
from .multidict import MultiDict

__all__ = ["dump_cookie", "parse_cookie"]

# One ``key=value`` pair of a Cookie header: optional blanks, a key, an optional
# ``=value`` (blanks allowed around ``=``) where the value is a token or a quoted
# string with backslash escapes, then ``;`` or the end. Every character can match in
# only one way, and a quoted string ends at the first unescaped quote, so a scan never
# re-reads more than the pair it failed on: parsing stays linear on hostile headers.
_COOKIE_PAIR = re.compile(
    r'[ \t]*([^ \t=";]+)(?:[ \t]*=[ \t]*("(?:[^\\"]|\\.)*"|[^ \t";]*))?[ \t]*(?:;|\Z)'
)

# Escapes inside a quoted cookie value: three octal digits for a byte, or any
# single character.
_COOKIE_UNESCAPE = re.compile(rb"\\([0-3][0-7]{2}|.)")

# Characters a cookie value may carry without quotes (RFC 6265, loosened as browsers
# accept it).
_UNQUOTED_VALUE_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_!#$%&'()*+-./:<=>?@[]^`{|}~"
)
# Bytes that must be escaped inside a quoted value. Werkzeug escapes the control bytes
# 0x00-0x19 (not 0x1A-0x1F), so erlen does the same to produce identical headers.
_ESCAPED_VALUE_BYTES = re.compile(rb'[\x00-\x19",;\\\x7f-\xff]')
_VALUE_BYTE_ESCAPES = {bytes([code]): b"\\%03o" % code for code in range(256)}
_VALUE_BYTE_ESCAPES[b'"'] = b'\\"'
_VALUE_BYTE_ESCAPES[b"\\"] = b"\\\\"

_SAMESITE_VALUES = frozenset({"Strict", "Lax", "None"})


def _unescape_byte(match: re.Match[bytes]) -> bytes:
    escaped = match.group(1)
    if len(escaped) == 1:
        return escaped
    return bytes((int(escaped, 8),))


def _decode_quoted(value: str) -> str:
    """Turn a quoted cookie value (quotes included) into its text."""
    inner = value[1:-1]
    if "\\" not in inner:
        return inner
    return _COOKIE_UNESCAPE.sub(_unescape_byte, inner.encode()).decode(errors="replace")


def _parse_pairs(header: str) -> list[tuple[str, str]]:
    """Collect the well-formed pairs; a malformed one is skipped up to the next ``;``."""
    pairs = []
    position = 0
    match_pair = _COOKIE_PAIR.match
    while True:
        match = match_pair(header, position)
        if match is None:
            position = header.find(";", position) + 1
            if position == 0:
                break
            continue
        key, value = match.groups()
        if value is None:
            value = ""
        elif value[:1] == '"':
            value = _decode_quoted(value)
        pairs.append((key, value))
        position = match.end()
    return pairs


def parse_cookie(
    header: str | Mapping[str, Any] | None,
    cls: type[MultiDict[str, str]] | None = None,
) -> MultiDict[str, str]:
    """Parse a ``Cookie`` header into a multi-dict of names to values.

    Pairs keep their order, so the first value of a repeated name is what ``d[name]``
    gives (browsers send the most specific cookie first) and ``d.getlist(name)`` gives
    all. Quoted values lose their quotes and backslash/octal escapes; malformed pairs
    are skipped up to the next ``;``.

    ``header`` is the header as text. A WSGI environ may be passed instead: its
    ``HTTP_COOKIE`` (latin-1 per PEP 3333) is decoded as UTF-8, with invalid bytes
    replaced where Werkzeug would raise.
    """
    if cls is None:
        cls = MultiDict
    if isinstance(header, Mapping):
        raw = header.get("HTTP_COOKIE")
        if raw:
            try:
                header = raw.encode("latin-1").decode(errors="replace")
            except UnicodeEncodeError:
                header = raw  # not a PEP 3333 string (a test client sent text): use it
        else:
            header = None
    if not header:
        return cls()
    return cls(_parse_pairs(header))


def _quote_cookie_value(value: str) -> str:
    """Quote a value that has characters a bare cookie value may not contain."""
    if _UNQUOTED_VALUE_CHARS.issuperset(value):
        return value
    escaped = _ESCAPED_VALUE_BYTES.sub(
        lambda match: _VALUE_BYTE_ESCAPES[match.group()], value.encode()
    )
    return f'"{escaped.decode("ascii")}"'


def dump_cookie(
    key: str,
    value: str = "",
    max_age: timedelta | int | None = None,
    expires: str | datetime | int | float | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    sync_expires: bool = True,
    max_size: int = 4093,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Build a ``Set-Cookie`` header value (without the ``Set-Cookie:`` prefix).

    The value is quoted with octal escapes when it has characters RFC 6265 does not
    allow bare; the path is percent-encoded; the domain loses any port and leading dot
    and is IDNA-encoded (an invalid domain raises ``UnicodeError``). ``max_age`` sets
    ``Expires`` too unless ``sync_expires`` is false. ``samesite`` must be Strict, Lax
    or None (any case) or ``ValueError`` is raised; ``partitioned`` implies ``secure``.
    A header longer than ``max_size`` (0 disables the check) triggers a warning, since
    browsers silently drop such cookies. A non-ASCII key is sent as UTF-8 bytes in a
    latin-1 string, as PEP 3333 requires.
    """
    if path is not None:
        path = quote(path, safe="%!$&'()*+,/:=@")

    if domain:
        domain = domain.partition(":")[0].lstrip(".").encode("idna").decode("ascii")

    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())

    if expires is not None:
        if not isinstance(expires, str):
            expires = http_date(expires)
    elif max_age is not None and sync_expires:
        expires = http_date(datetime.now(tz=timezone.utc).timestamp() + max_age)

    if samesite is not None:
        samesite = samesite.title()
        if samesite not in _SAMESITE_VALUES:
            raise ValueError("SameSite must be 'Strict', 'Lax', or 'None'.")

    if partitioned:
        secure = True

    value = _quote_cookie_value(value)
    parts = [f"{key.encode().decode('latin-1')}={value}"]
    attributes: tuple[tuple[str, Any], ...] = (
        ("Domain", domain),
        ("Expires", expires),
        ("Max-Age", max_age),
        ("Secure", secure),
        ("HttpOnly", httponly),
        ("Path", path),
        ("SameSite", samesite),
        ("Partitioned", partitioned),
    )
    for name, attribute in attributes:
        if attribute is None or attribute is False:
            continue
        if attribute is True:
            parts.append(name)
        else:
            parts.append(f"{name}={attribute}")
    header = "; ".join(parts)

    header_size = len(header)
    if max_size and header_size > max_size:
        value_size = len(value)
        warnings.warn(
            f"The '{key}' cookie is too large: the value was {value_size} bytes but the"
            f" header required {header_size - value_size} extra bytes. The final size"
            f" was {header_size} bytes but the limit is {max_size} bytes. Browsers may"
            " silently ignore cookies larger than this.",
            stacklevel=2,
        )
    return header
