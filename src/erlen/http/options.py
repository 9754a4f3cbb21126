"""Structured header values: ``value; key=val`` options, comma lists, ``key=val`` dicts.

These follow Werkzeug 3.1's parsing rules exactly (what is skipped, what is unquoted,
which RFC 2231 charsets are honoured), so a header means the same thing to an erlen
app as to a Flask app. Every parser here runs in linear time on hostile input: the
regular expressions have a single way to match each character, and plain string
methods take the common paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

__all__ = [
    "dump_header",
    "dump_options_header",
    "get_content_type",
    "parse_dict_header",
    "parse_list_header",
    "parse_options_header",
    "quote_header_value",
    "unquote_header_value",
]

# RFC 9110 token characters: a value made only of these needs no quotes.
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~"
)
_ASCII_DIGITS = frozenset("0123456789")

# RFC 2231 charsets honoured for ``key*=charset'lang'value``; any other charset leaves
# the value as sent. Modern clients only send ASCII or UTF-8.
_SAFE_CHARSETS = frozenset({"ascii", "us-ascii", "utf-8", "iso-8859-1"})

# Backslash escape inside a quoted string (a newline cannot be escaped).
_BACKSLASH_ESCAPE = re.compile(r"\\(.)")

# Pieces of a comma separated list: a run of plain characters, a complete quoted
# string, a comma, or a quote that never closes (the whole list is then invalid).
_LIST_PIECE = re.compile(r'[^,"]+|"(?:[^"\\]|\\[\s\S])*"|,|"')

# One ``key=`` of an options header, and the token form of its value.
_OPTION_KEY = re.compile(r"([\w!#$%&'*+\-.^`|~]+)=", re.ASCII)
_OPTION_TOKEN_VALUE = re.compile(r"[\w!#$%&'*+\-.^`|~]+", re.ASCII)
# A quoted option value: only ``\\`` and ``\"`` are escape pairs, any other backslash
# stands for itself.
_OPTION_QUOTED_VALUE = re.compile(r'"(?:[^"\\]|\\[\\"]|\\(?![\\"]))*"')
_OPTION_DELIMITER = re.compile(r";[ \t]*")

# RFC 2231 extended value: ``charset'language'percent-encoded``.
_EXTENDED_VALUE = re.compile(
    r"([\w!#$%&*+\-.^`|~]*)'[\w!#$%&*+\-.^`|~]*'([\w!#$%&'*+\-.^`|~]+)$", re.ASCII
)

# Non-text types that still carry a charset parameter.
_CHARSET_MIMETYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/sql",
        "application/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
    }
)


def quote_header_value(value: Any, allow_token: bool = True) -> str:
    """Quote a header value unless it is a plain token.

    The value is converted with ``str``; the empty string and values with non-token
    characters are wrapped in double quotes with ``\\`` and ``"`` backslash-escaped.
    Pass ``allow_token=False`` to always quote. Reverse of :func:`unquote_header_value`.
    """
    text = str(value)
    if not text:
        return '""'
    if allow_token and _TOKEN_CHARS.issuperset(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def unquote_header_value(value: str) -> str:
    """Remove surrounding double quotes and backslash escapes from a header value.

    A value that is not wrapped in quotes is returned unchanged. Reverse of
    :func:`quote_header_value`.
    """
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        inner = value[1:-1]
        if "\\" in inner:
            return _BACKSLASH_ESCAPE.sub(r"\1", inner)
        return inner
    return value


def dump_options_header(header: str | None, options: Mapping[str, Any]) -> str:
    """Build a ``value; key=val`` header such as ``Content-Type``.

    Options whose value is ``None`` are left out; values are quoted when needed,
    except for keys ending in ``*`` whose values are taken to be RFC 2231-encoded
    already. Reverse of :func:`parse_options_header`.
    """
    segments = [] if header is None else [header]
    for key, value in options.items():
        if value is None:
            continue
        if key.endswith("*"):
            segments.append(f"{key}={value}")
        else:
            segments.append(f"{key}={quote_header_value(value)}")
    return "; ".join(segments)


def dump_header(iterable: dict[str, Any] | Iterable[Any]) -> str:
    """Build a comma separated header from a list of items or a dict of ``key=val``.

    Values are quoted when needed; a dict value of ``None`` writes the key alone, and
    keys ending in ``*`` keep their (already encoded) value verbatim. Reverse of
    :func:`parse_list_header` and :func:`parse_dict_header`.
    """
    if isinstance(iterable, dict):
        items = []
        for key, value in iterable.items():
            if value is None:
                items.append(key)
            elif key.endswith("*"):
                items.append(f"{key}={value}")
            else:
                items.append(f"{key}={quote_header_value(value)}")
    else:
        items = [quote_header_value(item) for item in iterable]
    return ", ".join(items)


def parse_list_header(value: str) -> list[str]:
    """Split a comma separated header (RFC 9110 lists) into its items.

    Commas inside quoted strings do not split; items are stripped of spaces and tabs,
    empty items are dropped, and an item that is one whole quoted string is unquoted.
    A quoted string that never closes makes the whole header invalid: ``[]``.
    """
    if '"' not in value:
        raw_items: Iterable[str] = value.split(",")
    else:
        raw_items = []
        pieces: list[str] = []
        for match in _LIST_PIECE.finditer(value):
            piece = match.group()
            if piece == ",":
                raw_items.append("".join(pieces))
                pieces = []
            elif piece == '"':
                return []
            else:
                pieces.append(piece)
        raw_items.append("".join(pieces))

    result = []
    for item in raw_items:
        item = item.strip(" \t")
        if item:
            result.append(unquote_header_value(item))
    return result


def _decode_extended(value: str, encoding: str | None) -> str:
    """Percent-decode an RFC 2231 value if its charset is one we trust."""
    if encoding in _SAFE_CHARSETS:
        return unquote(value, encoding=encoding)
    return value


def parse_dict_header(value: str) -> dict[str, str | None]:
    """Parse a comma separated list of ``key=value`` items into a dict.

    A key without ``=`` maps to ``None``; items without a key are skipped; values are
    unquoted, and ``key*=charset''value`` items are percent-decoded into ``key`` when
    the charset is ASCII, UTF-8 or ISO-8859-1. Later duplicates win.
    """
    result: dict[str, str | None] = {}
    for item in parse_list_header(value):
        key, has_value, item_value = item.partition("=")
        key = key.strip(" \t")
        if not key:
            continue
        if not has_value:
            result[key] = None
            continue
        item_value = item_value.strip(" \t")
        if key.endswith("*"):
            key = key[:-1]
            encoding = None
            extended = _EXTENDED_VALUE.match(item_value)
            if extended is not None:
                encoding = extended.group(1).lower()
                item_value = extended.group(2)
            item_value = _decode_extended(item_value, encoding)
        result[key] = unquote_header_value(item_value)
    return result


def _split_parameter_markers(key: str) -> tuple[str, bool, bool]:
    """Strip RFC 2231 markers from a parameter name.

    Returns ``(name, is_continuation, has_charset)`` for ``name*N``, ``name*`` and
    ``name*N*`` forms.
    """
    has_charset = key.endswith("*")
    stem = key[:-1] if has_charset else key
    star = stem.rfind("*")
    if star != -1 and star < len(stem) - 1 and _ASCII_DIGITS.issuperset(stem[star + 1 :]):
        return stem[:star], True, has_charset
    return stem, False, has_charset


def _collect_options(rest: str) -> list[tuple[str, str]]:
    """Find the well-formed ``key=value`` parts of an options header, raw.

    Malformed parts are skipped up to the next ``;``; a quoted value that never
    closes ends the scan.
    """
    parts: list[tuple[str, str]] = []
    position = 0
    length = len(rest)
    while position < length:
        key_match = _OPTION_KEY.match(rest, position)
        if key_match is not None:
            key = key_match.group(1).lower()
            position = key_match.end()
            token = _OPTION_TOKEN_VALUE.match(rest, position)
            if token is not None:
                parts.append((key, token.group()))
            elif rest.startswith('"', position):
                quoted = _OPTION_QUOTED_VALUE.match(rest, position)
                if quoted is None:
                    break
                parts.append((key, quoted.group()))
                position = quoted.end()
        delimiter = _OPTION_DELIMITER.search(rest, position)
        if delimiter is None:
            break
        position = delimiter.end()
    return parts


def parse_options_header(value: str | None) -> tuple[str, dict[str, str]]:
    """Parse a ``value; key=val`` header such as ``Content-Type`` or
    ``Content-Disposition``.

    Returns the main value (stripped, case kept) and a dict of parameters with
    lowercased names. Invalid parts are skipped; quoted values are unquoted (``\\"``
    and multipart's ``%22`` both become ``"``); RFC 2231 continuations
    (``name*0``, ``name*1``) are joined and ``name*=charset''value`` is
    percent-decoded for ASCII, UTF-8 and ISO-8859-1. Reverse of
    :func:`dump_options_header`.
    """
    if value is None:
        return "", {}

    main, _, rest = value.partition(";")
    main = main.strip(" \t")
    rest = rest.strip(" \t")
    if not main or not rest:
        return main, {}

    options: dict[str, str] = {}
    continuations: dict[str, list[str]] = {}
    continuation_encodings: dict[str, str] = {}

    for raw_key, raw_value in _collect_options(rest):
        key, is_continuation, has_charset = _split_parameter_markers(raw_key)
        encoding: str | None = None
        option_value = raw_value

        if has_charset:
            extended = _EXTENDED_VALUE.match(raw_value)
            if extended is not None:
                encoding = extended.group(1).lower()
                option_value = extended.group(2)
            if not encoding and is_continuation:
                encoding = continuation_encodings.get(key)
            option_value = _decode_extended(option_value, encoding)
        else:
            option_value = unquote_header_value(raw_value).replace("%22", '"')

        if is_continuation:
            options.pop(key, None)
            continuations.setdefault(key, []).append(option_value)
            if encoding:
                continuation_encodings[key] = encoding
        else:
            if key in continuations:
                del continuations[key]
                continuation_encodings.pop(key, None)
            options[key] = option_value

    for key, pieces in continuations.items():
        options[key] = "".join(pieces)
    return main, options


def get_content_type(mimetype: str, charset: str) -> str:
    """Return a full ``Content-Type`` value, adding ``; charset=...`` for text types.

    Text types are ``text/*``, ``*+xml`` and a few ``application/`` types that are
    text in practice (JavaScript, XML, SQL); other mimetypes are returned unchanged.
    """
    if mimetype.startswith("text/") or mimetype in _CHARSET_MIMETYPES or mimetype.endswith("+xml"):
        return f"{mimetype}; charset={charset}"
    return mimetype
