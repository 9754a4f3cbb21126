"""Signed and expiring URLs: links that prove the application made them.

``url_for("unsubscribe", user_id=42, _sign=True, _expires=3600)`` appends
``expires=<unix time>`` and ``signature=<hex HMAC-SHA256>`` to the URL; a view decorated
with :func:`signed_url_required` (or calling ``request.has_valid_signature()``) accepts
the request only if nothing in it was changed and it has not expired.

What is signed is the path below the application root and the query, both as the
application reads them (decoded, parameters stably sorted by name), never the scheme,
host or mount point: a link survives proxies, HTTPS termination and being built with
``_external=True`` for an email.  Changing the path, a value, the order of the values
of one parameter, adding or removing a parameter, the expiry or the signature breaks
it; moving distinct parameters around does not (the application could not tell).

The key is derived from ``SECRET_KEY`` with HMAC, under a purpose of its own (so a
signed URL is never a valid session cookie signature, or the reverse); signatures made
with any of ``SECRET_KEY_FALLBACKS`` are still accepted, so keys can be rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import inspect
import typing as t
from datetime import datetime, timedelta, timezone
from functools import wraps
from time import time
from urllib.parse import quote, unquote

from .exceptions import Forbidden
from .globals import _get_app_ctx
from .http.urls import url_decode
from .routing import builder as _builder
from .routing.builder import _SPECIAL_VALUES as _URL_FOR_OPTIONS
from .routing.builder import encode_query

if t.TYPE_CHECKING:
    from .app import Erlen
    from .wrappers import Request

__all__ = [
    "EXPIRES_PARAM",
    "SIGNATURE_PARAM",
    "SignatureProblem",
    "sign_path",
    "sign_url",
    "signature_problem",
    "signed_url_required",
]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The query parameter carrying the signature (hex HMAC-SHA256).
SIGNATURE_PARAM = "signature"
#: The query parameter carrying the expiry (Unix time, whole seconds).
EXPIRES_PARAM = "expires"

#: Separates signed-URL keys from every other use of ``SECRET_KEY``.
_PURPOSE = b"erlen.signed-url.v1"

_SIGNING_OPTIONS = frozenset(("_sign", "_expires"))
_OTHER_OPTIONS = _URL_FOR_OPTIONS - _SIGNING_OPTIONS

#: Keyed HMAC-SHA256 states by secret (see :func:`_keyed_state`): the key derivation
#: is paid once per secret, and each signature costs two copies of keyed hash states
#: plus the message.
_keyed_states: dict[t.Any, tuple[t.Any, t.Any]] = {}


class SignatureProblem(t.NamedTuple):
    """Why a request's URL signature was refused: ``kind`` is ``"missing"``,
    ``"invalid"`` or ``"expired"``; ``message`` says it for people (the 403 body)."""

    kind: str
    message: str


_MISSING = SignatureProblem(
    "missing",
    "This URL must be signed, and it carries no signature: it was not made with"
    " url_for(..., _sign=True), or its 'signature' parameter was removed.",
)
_INVALID = SignatureProblem(
    "invalid",
    "This URL's signature does not match it: the URL was changed after it was signed"
    " (its path, a query value or parameter, the expiry or the signature itself).",
)


def _openssl_sha256(data: bytes = b"") -> t.Any:
    """hashlib's (OpenSSL's) SHA-256 as a plain Python callable."""
    return hashlib.sha256(data)


def _builtin_sha256() -> t.Callable[..., t.Any]:
    """CPython's own SHA-256 (``_sha2`` from 3.12, ``_sha256`` before), or OpenSSL's
    where a build leaves it out.

    Either, given as ``digestmod``, makes the standard library's ``hmac.HMAC`` keep
    its two keyed hash states as attributes.  CPython's copies a state with a plain
    memory copy where OpenSSL's duplicates a whole digest context; a signature copies
    states four times, which makes CPython's about a tenth cheaper per signature (the
    hashing itself is the same function: the tests check the signatures against
    ``hmac.new(..., hashlib.sha256)``).
    """
    for module in ("_sha2", "_sha256"):
        try:
            constructor = importlib.import_module(module).sha256
        except (ImportError, AttributeError):
            continue
        if constructor(b"abc").hexdigest() == hashlib.sha256(b"abc").hexdigest():
            return constructor  # type: ignore[no-any-return]
    return _openssl_sha256


_sha256 = _builtin_sha256()


def _keyed_state(secret: str | bytes) -> tuple[t.Any, t.Any]:
    """HMAC-SHA256 keyed for signed URLs under *secret*, as ``(inner, outer)``.

    The standard library does the keying.  With a Python ``digestmod`` its HMAC object
    holds the inner and outer SHA-256 states (the key blocks already hashed); a
    signature is then ``outer(inner(message))`` from copies of those — what the HMAC
    object itself computes, without copying OpenSSL's heavier HMAC context.  Where the
    object has no such states, ``(hmac object, None)``: it is copied whole per
    signature.
    """
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    derived = hmac.new(raw, _PURPOSE, hashlib.sha256).digest()
    state = hmac.HMAC(derived, digestmod=_sha256)
    inner, outer = getattr(state, "_inner", None), getattr(state, "_outer", None)
    if inner is not None and outer is not None and getattr(state, "_hmac", None) is None:
        return inner, outer
    return hmac.new(derived, digestmod=hashlib.sha256), None


def _hmac_hex(state: tuple[t.Any, t.Any], message: bytes) -> str:
    """The hex HMAC of *message* under a keyed state from :func:`_keyed_state`."""
    inner, outer = state
    inner = inner.copy()
    inner.update(message)
    if outer is None:
        return inner.hexdigest()  # type: ignore[no-any-return]
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.hexdigest()  # type: ignore[no-any-return]


def _signature(secret: str | bytes, message: str) -> str:
    """The hex HMAC-SHA256 of *message* under *secret*."""
    state = _keyed_states.get(secret)
    if state is None:
        if len(_keyed_states) >= 64:  # secrets change in tests, rarely in production
            _keyed_states.clear()
        state = _keyed_states[secret] = _keyed_state(secret)
    return _hmac_hex(state, message.encode("utf-8", "surrogatepass"))


def _canonical_query(lists: t.Iterable[tuple[str, list[str]]]) -> str:
    """The signed form of a query: parameters sorted by name, each parameter's values
    in their order, every name and value fully percent-encoded (so that ``&``, ``=``
    and ``?`` only ever appear as separators)."""
    return "&".join(
        f"{quote(name, safe='')}={quote(value, safe='')}"
        for name, values in sorted(lists, key=_first)
        for value in values
    )


def _first(item: tuple[str, list[str]]) -> str:
    return item[0]


def _expiry_timestamp(expires: t.Any) -> int:
    """Whole Unix seconds for ``_expires``: seconds from now, a timedelta from now, or a
    datetime (naive ones are taken as UTC)."""
    if expires.__class__ is int:
        return max(int(time()) + expires, 0)  # type: ignore[no-any-return]
    if isinstance(expires, timedelta):
        moment = time() + expires.total_seconds()
    elif isinstance(expires, datetime):
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        moment = expires.timestamp()
    elif isinstance(expires, (int, float)) and not isinstance(expires, bool):
        moment = time() + expires
    else:
        raise TypeError(
            f"'_expires' must be seconds from now, a timedelta or a datetime, not"
            f" {type(expires).__name__}."
        )
    return max(int(moment), 0)


def _secret_key(app: Erlen) -> str | bytes:
    secret = app.config["SECRET_KEY"]
    if not secret:
        raise RuntimeError(
            "Signed URLs are keyed from SECRET_KEY, which is not set: set"
            " app.config['SECRET_KEY'] (or app.secret_key) to a long random value."
        )
    return secret  # type: ignore[no-any-return]


def sign_url(app: Erlen, url: str, expires: t.Any = None, script_root: str = "") -> str:
    """Append ``expires`` (when given) and ``signature`` to a URL *app* built.

    *url* may be relative or absolute and must not have a fragment; *script_root* is
    the mount point its path starts with.  The scheme, host and mount point are left
    out of the signature.  ``url_for(..., _sign=True)`` calls this.
    """
    secret = app.config["SECRET_KEY"] or _secret_key(app)
    start = 0
    if url[:1] != "/" or url[:2] == "//":  # scheme://host/path or //host/path
        authority = url.find("//")
        start = url.find("/", authority + 2) if authority != -1 else 0
        if start == -1:
            start = len(url)
    path, mark, query = url[start:].partition("?")
    if script_root and (path == script_root or path.startswith(f"{script_root}/")):
        path = path[len(script_root) :]
    return f"{url}{'&' if mark else '?'}{_signature_params(secret, path or '/', query, expires)}"


def sign_path(app: Erlen, path: str, expires: t.Any = None) -> str:
    """:func:`sign_url` for a path (and query) below the application root, as the
    endpoint builders make them."""
    secret = app.config["SECRET_KEY"] or _secret_key(app)
    bare, mark, query = path.partition("?")
    return f"{path}{'&' if mark else '?'}{_signature_params(secret, bare, query, expires)}"


def _sign_link(path: str) -> str | None:
    """``url_for(endpoint, _sign=True, **rule_values)`` finished inside the endpoint's
    generated builder (see ``routing.builder._link_signer``): *path* plus its signature,
    or ``None`` (then :func:`_sign_built_path` decides) when there is no app, no keyed
    state yet, or a percent-encoded path to decode first."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None and "%" not in path:
        state = _keyed_states.get(app_ctx.app.config["SECRET_KEY"])
        if state is not None:
            inner, outer = state
            if outer is not None:  # _hmac_hex, inline: the common signed link
                inner = inner.copy()
                inner.update(f"{path}?".encode())
                outer = outer.copy()
                outer.update(inner.digest())
                return f"{path}?{SIGNATURE_PARAM}={outer.hexdigest()}"
    return None


def _sign_built_path(
    path: str,
    values: dict[str, t.Any],
    arguments: frozenset[str],
    sort: bool,
    key: t.Callable[[t.Any], t.Any] | None,
) -> str | None:
    """Finish ``url_for(..., _sign=True)`` inside an endpoint's generated builder (see
    ``routing.builder._url_signer``): *path* is built, the other values become the
    query, then the signature is appended.  ``None`` (the general path decides) for
    other options, ``_sign`` other than ``True``, no app or no ``SECRET_KEY``; the
    general path explains errors."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is None or values["_sign"] is not True:
        return None
    secret = app_ctx.app.config["SECRET_KEY"]
    extra = len(values) - len(arguments)  # _sign, maybe _expires, then query values
    if extra == 2 and "_expires" in values and "%" not in path:
        state = _keyed_states.get(secret)
        if state is not None:
            # A signed, expiring link without query values, signed inline.
            expires = values["_expires"]
            if expires.__class__ is int and expires >= 0:
                expiry = f"{EXPIRES_PARAM}={int(time()) + expires}"
            else:
                expiry = f"{EXPIRES_PARAM}={_expiry_timestamp(expires)}"
            signature = _hmac_hex(state, f"{path}?{expiry}".encode())
            return f"{path}?{expiry}&{SIGNATURE_PARAM}={signature}"
    if not secret or not _OTHER_OPTIONS.isdisjoint(values):
        return None
    query = ""
    if extra > 1 + ("_expires" in values):
        extra_values = {
            name: value
            for name, value in values.items()
            if name not in arguments and name not in _SIGNING_OPTIONS and value is not None
        }
        if extra_values:
            query = encode_query(extra_values, sort, key)
    parameters = _signature_params(secret, path, query, values.get("_expires"))
    if query:
        return f"{path}?{query}&{parameters}"
    return f"{path}?{parameters}"


def _signature_params(secret: str | bytes, path: str, query: str, expires: t.Any) -> str:
    """The ``expires=...&signature=...`` to append for *path* and *query* (encoded)."""
    if "%" in path:
        path = unquote(path)
    if expires is not None:
        expiry = str(_expiry_timestamp(expires))
    if query:
        parameters = url_decode(query)
        if SIGNATURE_PARAM in parameters or EXPIRES_PARAM in parameters:
            raise ValueError(
                f"A signed URL uses the query parameters {SIGNATURE_PARAM!r} and"
                f" {EXPIRES_PARAM!r} itself; rename the URL value that uses one of them."
            )
        lists = list(parameters.lists())
        if expires is not None:
            lists.append((EXPIRES_PARAM, [expiry]))
        canonical = _canonical_query(lists)
    elif expires is not None:
        canonical = f"{EXPIRES_PARAM}={expiry}"  # the usual case: nothing to sort or quote
    else:
        canonical = ""
    signature = _signature(secret, f"{path}?{canonical}")
    if expires is None:
        return f"{SIGNATURE_PARAM}={signature}"
    return f"{EXPIRES_PARAM}={expiry}&{SIGNATURE_PARAM}={signature}"


def signature_problem(request: Request, app: Erlen | None = None) -> SignatureProblem | None:
    """What is wrong with the signature of *request*'s URL, or ``None`` if it is valid.

    The signature is checked against ``SECRET_KEY`` and then each key of
    ``SECRET_KEY_FALLBACKS``; the expiry is only trusted once the signature is.
    """
    if app is None:
        from .globals import current_app

        app = current_app._get_current_object()  # type: ignore[attr-defined]
    args = request.args
    given = args.getlist(SIGNATURE_PARAM)
    if not given:
        return _MISSING
    expiries = args.getlist(EXPIRES_PARAM)
    if len(given) != 1 or len(expiries) > 1:
        return _INVALID
    canonical = _canonical_query(
        (name, values) for name, values in args.lists() if name != SIGNATURE_PARAM
    )
    message = f"{request.path}?{canonical}"
    signature = given[0]
    if len(signature) != 64 or not signature.isascii():
        return _INVALID  # not a hex SHA-256 (compare_digest only takes ASCII text)
    secrets = [_secret_key(app), *(app.config.get("SECRET_KEY_FALLBACKS") or ())]
    if not any(hmac.compare_digest(_signature(key, message), signature) for key in secrets):
        return _INVALID
    if expiries:
        expiry = expiries[0]
        if not (expiry.isascii() and expiry.isdigit()):
            return _INVALID
        if int(expiry) < time():
            moment = datetime.fromtimestamp(int(expiry), timezone.utc)
            return SignatureProblem(
                "expired",
                f"This URL expired at {moment:%Y-%m-%d %H:%M:%S} UTC: ask for a new link.",
            )
    return None


def signed_url_required(view: F) -> F:
    """Decorate a view so that it only answers requests whose URL was signed by
    ``url_for(..., _sign=True)``, unchanged and not expired; others get 403 Forbidden
    with a body saying which check failed (missing, changed or expired)."""
    from .globals import request

    if inspect.iscoroutinefunction(view):

        @wraps(view)
        async def async_wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            _refuse_unsigned(request._get_current_object())  # type: ignore[attr-defined]
            return await view(*args, **kwargs)

        return t.cast(F, async_wrapper)

    @wraps(view)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        _refuse_unsigned(request._get_current_object())  # type: ignore[attr-defined]
        return view(*args, **kwargs)

    return t.cast(F, wrapper)


def _refuse_unsigned(request: Request) -> None:
    problem = signature_problem(request)
    if problem is not None:
        raise Forbidden(description=problem.message)


_builder._url_signer = _sign_built_path
_builder._link_signer = _sign_link
