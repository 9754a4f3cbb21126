"""Percent-encoding for URLs: path segments, query strings, IRI/URI conversion, and the
decoding of WSGI paths.

Everything matches Werkzeug 3.1 character for character: which characters stay
unescaped when building, how ``+`` and ``%XX`` are decoded, and that bytes which are
not valid UTF-8 stay percent-encoded instead of turning into replacement characters.
Query decoding is done in C for ASCII input when erlen's C extension is built
(``erlen._speedups.decode_query``, held to the Python code here by the tests); the
Python parser has a fast path for the common query with nothing to decode. All of
it is linear in the input.
"""

from __future__ import annotations

import codecs
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_to_bytes, urlsplit, urlunsplit

from .._native import native
from .multidict import ImmutableMultiDict, MultiDict, iter_multi_items

_multidict_init = MultiDict.__init__
_dict_new = dict.__new__
#: Whether a storage class keeps MultiDict's __init__ and dict's __new__ (it may then be
#: made empty and filled directly),
#: by class: reading ``cls.__init__`` costs more than this lookup on Python 3.11.
_fills_directly: dict[type, bool] = {}
_dict_setdefault = dict.setdefault


#: ``decode_query(cls, query)``: a new ``cls`` filled in C from an ASCII query string,
#: or None for any other string (which the Python code below then parses). None when
#: the C extension is not there (see erlen._native).
_decode_query: Callable[[type, str], Any] | None = native("decode_query")

__all__ = [
    "PATH_SAFE",
    "QUERY_SAFE",
    "SEGMENT_SAFE",
    "InvalidPathEncoding",
    "decode_path",
    "iri_to_uri",
    "is_plain_relative_uri",
    "quote_segment",
    "uri_to_iri",
    "url_decode",
    "url_encode",
    "url_quote",
]

#: Characters left unescaped in a path segment when building a URL (besides the
#: unreserved ``A-Za-z0-9_.-~``): the WHATWG path-segment set, ``/`` included.
SEGMENT_SAFE = "!$&'()*+,/:;=@"
#: Safe set for a whole path that may already contain percent-escapes.
PATH_SAFE = "!$&'()*+,/:;=@%"
#: Safe set for a whole query string that may already contain percent-escapes.
QUERY_SAFE = "!$&'()*+,/:;=?@%"
# Characters left unescaped in query keys and values (space becomes ``+``).
_QUERY_ITEM_SAFE = "!$'()*,/:;?@"

_UNRESERVED = "A-Za-z0-9_.\\-~"
_SEGMENT_NEEDS_NO_QUOTING = re.compile(f"[{_UNRESERVED}{re.escape(SEGMENT_SAFE)}]*")
_QUERY_ITEM_NEEDS_NO_QUOTING = re.compile(f"[{_UNRESERVED}{re.escape(_QUERY_ITEM_SAFE)}]*")


def _quote_invalid_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: keep bytes that are not valid UTF-8 as ``%XX``."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    invalid = error.object[error.start : error.end]
    return quote(invalid, safe=""), error.end


codecs.register_error("erlen.url_quote", _quote_invalid_bytes)

# Before Python 3.12, urlsplit/urlunsplit drop the ``//`` of itms-services URLs; tell
# urllib (as Werkzeug does) that this scheme has a network location.
if "itms-services" not in urllib.parse.uses_netloc:
    urllib.parse.uses_netloc.append("itms-services")


class InvalidPathEncoding(ValueError):
    """The request path is not valid UTF-8 once percent-decoded by the server.

    Werkzeug silently replaces such bytes with U+FFFD, which can make two different
    paths look equal to the application; erlen refuses them (answering 400).
    """


def url_quote(value: str | bytes, safe: str = "/") -> str:
    """Percent-encode ``value`` (UTF-8 for text), leaving unreserved characters and
    the characters in ``safe`` as they are."""
    return quote(value, safe=safe)


def quote_segment(value: Any) -> str:
    """Percent-encode a value for use in a URL path, as URL building does.

    The value is converted with ``str``; unreserved characters and
    ``!$&'()*+,/:;=@`` are kept, everything else is UTF-8 percent-encoded.
    """
    text = value if type(value) is str else str(value)
    if _SEGMENT_NEEDS_NO_QUOTING.fullmatch(text) is not None:
        return text
    return quote(text, safe=SEGMENT_SAFE)


def _quote_query_item(item: Any) -> str:
    if isinstance(item, bytes):
        return quote_plus(item, safe=_QUERY_ITEM_SAFE)
    text = item if type(item) is str else str(item)
    if _QUERY_ITEM_NEEDS_NO_QUOTING.fullmatch(text) is not None:
        return text
    return quote_plus(text, safe=_QUERY_ITEM_SAFE)


def url_encode(
    obj: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
    sort: bool = False,
    key: Callable[[tuple[Any, Any]], Any] | None = None,
) -> str:
    """Encode a multi-dict, mapping or list of pairs as a query string (no ``?``).

    Repeated keys (multi-dict entries, or list values in a plain mapping) produce
    repeated ``key=value`` pairs; ``None`` values are left out; bytes are encoded as
    they are and anything else through ``str``. Spaces become ``+``, and
    ``!$'()*,/:;?@`` stay unescaped, as Werkzeug does when building URLs. With
    ``sort`` the pairs are sorted (by ``key`` if given).
    """
    items: Iterable[tuple[Any, Any]] = (
        pair for pair in iter_multi_items(obj) if pair[1] is not None
    )
    if sort:
        items = sorted(items, key=key)
    return "&".join(
        f"{_quote_query_item(name)}={_quote_query_item(value)}" for name, value in items
    )


def _unquote_query_part(part: str) -> str:
    if "+" in part:
        part = part.replace("+", " ")
    if "%" in part:
        if part.isascii():  # what unquote() does for each ASCII run, for the whole part
            return unquote_to_bytes(part).decode("utf-8", "erlen.url_quote")
        part = unquote(part, "utf-8", "erlen.url_quote")
    return part


def url_decode(
    qs: str | bytes, cls: type[MultiDict[str, str]] | None = None
) -> MultiDict[str, str]:
    """Parse an ``application/x-www-form-urlencoded`` string (a query string or a form
    body) into a multi-dict, by default an :class:`ImmutableMultiDict`.

    Pairs are separated by ``&`` only; empty pairs are skipped, a pair without ``=``
    has an empty value, and blank values are kept. ``+`` is a space and ``%XX`` are
    UTF-8 bytes; bytes that do not form valid UTF-8 stay percent-encoded (``%FF``)
    rather than becoming replacement characters, as in Werkzeug. Pass the raw bytes
    of a WSGI ``QUERY_STRING`` (``environ["QUERY_STRING"].encode("latin-1")``): raw
    non-UTF-8 bytes are kept percent-encoded too, where Werkzeug would raise.
    """
    if cls is None:
        cls = ImmutableMultiDict
    if qs.__class__ is not str:
        if isinstance(qs, (bytes, bytearray, memoryview)):
            qs = bytes(qs).decode("utf-8", "erlen.url_quote")
        if not qs:
            return cls()
    fills = _fills_directly.get(cls)
    if fills is None:
        fills = cls.__init__ is _multidict_init and cls.__new__ is _dict_new
        if len(_fills_directly) < 64:
            _fills_directly[cls] = fills
    if fills and _decode_query is not None:
        result = _decode_query(cls, qs)
        if result is not None:
            return result  # type: ignore[no-any-return]
    if "%" not in qs and "+" not in qs:
        # Nothing to decode: the common query string.
        if fills:
            # Fill the dict of lists directly in one pass: no (key, value) pairs, no
            # __init__ (one loop costs a sixth less than a comprehension and a loop).
            result = _dict_new(cls)
            for piece in qs.split("&"):
                if piece:
                    key, _, value = piece.partition("=")
                    _dict_setdefault(result, key, []).append(value)
            return result
        return cls([piece.partition("=")[::2] for piece in qs.split("&") if piece])
    pairs = []
    for piece in qs.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((_unquote_query_part(name), _unquote_query_part(value)))
    return cls(pairs)


def _make_partial_unquoter(keep_quoted: str) -> Callable[[str], str]:
    """Build a function that decodes percent-escapes except those of the characters
    in ``keep_quoted``, whose escaping carries meaning in that part of a URL."""
    codes = "|".join(f"{ord(char):02X}" for char in sorted(keep_quoted))
    kept_runs = re.compile(f"((?:%(?:{codes}))+)", re.IGNORECASE)

    def unquote_partially(value: str) -> str:
        if "%" not in value:
            return value
        pieces = kept_runs.split(value)
        # Even indexes are free to decode, odd ones are the escapes to keep verbatim.
        for index in range(0, len(pieces), 2):
            pieces[index] = unquote(pieces[index], "utf-8", "erlen.url_quote")
        return "".join(pieces)

    return unquote_partially


# Controls, space, "%" and DEL stay escaped everywhere, plus what is structural in
# each part of a URL.
_ALWAYS_KEEP_QUOTED = "".join(map(chr, (*range(0x21), 0x25, 0x7F)))
_unquote_fragment = _make_partial_unquoter(_ALWAYS_KEEP_QUOTED)
_unquote_query = _make_partial_unquoter(_ALWAYS_KEEP_QUOTED + "&=+#")
_unquote_path = _make_partial_unquoter(_ALWAYS_KEEP_QUOTED + "/?#")
_unquote_userinfo = _make_partial_unquoter(_ALWAYS_KEEP_QUOTED + ":@/?#")


def _decode_idna(domain: str) -> str:
    """Decode a Punycode host name, label by label if needed; labels that do not
    decode are kept as they are."""
    try:
        data = domain.encode("ascii")
    except UnicodeEncodeError:
        return domain
    try:
        return data.decode("idna")
    except UnicodeDecodeError:
        pass
    labels = []
    for label in data.split(b"."):
        try:
            labels.append(label.decode("idna"))
        except UnicodeDecodeError:
            labels.append(label.decode("ascii"))
    return ".".join(labels)


def uri_to_iri(uri: str) -> str:
    """Convert a URI to an IRI: decode percent-escapes that are valid UTF-8 and not
    structural in their part of the URL, and decode a Punycode host.

    ``uri_to_iri("http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF")`` gives
    ``"http://\\u2603.net/p\\xe5th?q=\\xe8ry%DF"``.
    """
    parts = urlsplit(uri)
    netloc = _decode_idna(parts.hostname) if parts.hostname else ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        userinfo = _unquote_userinfo(parts.username)
        if parts.password is not None:
            userinfo = f"{userinfo}:{_unquote_userinfo(parts.password)}"
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            _unquote_path(parts.path),
            _unquote_query(parts.query),
            _unquote_fragment(parts.fragment),
        )
    )


# A relative URL (path, optional non-empty query and fragment) made only of characters
# that iri_to_uri keeps as they are: it is its own URI.
_PLAIN_CHARS = r"A-Za-z0-9\-._~%!$&'()*+,/:;=@"
_PLAIN_RELATIVE_URI = re.compile(
    rf"/(?!/)[{_PLAIN_CHARS}]*(?:\?[{_PLAIN_CHARS}?]+)?(?:#[{_PLAIN_CHARS}?#]+)?"
).fullmatch


def is_plain_relative_uri(url: str) -> bool:
    """Whether *url* is a path-absolute URL that :func:`iri_to_uri` leaves unchanged
    (the usual redirect target: nothing to encode, no host to normalise)."""
    return _PLAIN_RELATIVE_URI(url) is not None


def iri_to_uri(iri: str) -> str:
    """Convert an IRI to a URI: percent-encode non-ASCII and unsafe characters (as
    UTF-8) while keeping existing escapes and reserved characters, and encode the host
    with Punycode.

    ``iri_to_uri("http://\\u2603.net/p\\xe5th?q=\\xe8ry%DF")`` gives
    ``"http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF"``.
    """
    if _PLAIN_RELATIVE_URI(iri) is not None:
        return iri
    return _iri_to_uri(iri)


def _iri_to_uri(iri: str) -> str:
    parts = urlsplit(iri)
    netloc = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        userinfo = quote(parts.username, safe="%!$&'()*+,;=")
        if parts.password is not None:
            password = quote(parts.password, safe="%!$&'()*+,;=")
            userinfo = f"{userinfo}:{password}"
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe="%!$&'()*+,/:;=@"),
            quote(parts.query, safe="%!$&'()*+,/:;=?@"),
            quote(parts.fragment, safe="%!#$&'()*+,/:;=?@"),
        )
    )


def decode_path(raw: str) -> str:
    """Turn a WSGI ``PATH_INFO`` (bytes carried as latin-1 text, per PEP 3333) into
    the real path text.

    Raises :class:`InvalidPathEncoding` when the bytes are not valid UTF-8 (or the
    server broke PEP 3333 by passing characters above U+00FF). Werkzeug replaces
    invalid bytes with U+FFFD instead; erlen answers 400, so that distinct paths can
    never be confused.
    """
    if raw.isascii():
        return raw
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidPathEncoding(
            f"the request path {raw!r} has characters outside latin-1, which a WSGI"
            " server must not send (PEP 3333)"
        ) from error
    except UnicodeDecodeError as error:
        raise InvalidPathEncoding(
            f"the request path is not valid UTF-8: byte 0x{error.object[error.start]:02X}"
            f" at position {error.start} ({error.reason})"
        ) from error
