"""Safe redirects: follow a ``?next=`` only when it stays on this site.

``redirect(request.args["next"])`` is an open redirect: ``next=//evil.example`` sends
the user, still trusting your domain, wherever an attacker wants.  :func:`is_safe_url`
accepts relative URLs and absolute ``http``/``https`` URLs on an allowed host, and
refuses everything a browser could read as another host or scheme: ``//host``,
backslashes (browsers read them as slashes), ``https:host``, ``javascript:`` and other
schemes, control and invisible characters, and the percent-encoded, case-changed or
full-width spellings of those.  :func:`redirect_back` is the view helper built on it.
"""

from __future__ import annotations

import typing as t
import unicodedata
from urllib.parse import unquote

if t.TYPE_CHECKING:
    from .wrappers import Response

__all__ = ["is_safe_url", "redirect_back"]

_ALLOWED_SCHEMES = frozenset(("http", "https"))
_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+-.")
#: Rounds of percent-decoding checked: a target decoded once more by a browser,
#: a proxy or a later ``redirect`` must still be safe (three is beyond any real use).
_DECODING_ROUNDS = 3


def is_safe_url(
    url: str | None,
    allowed_hosts: t.Iterable[str] | str | None = None,
    require_https: bool = False,
) -> bool:
    """Whether redirecting to *url* keeps the user on an allowed host.

    *allowed_hosts* are ``host`` or ``host:port`` names (case-insensitive); by
    default the current request's host.  Relative URLs (``/account``, ``page2``,
    ``?tab=1``) are safe; an absolute URL must be ``http``/``https`` (only ``https``
    with *require_https*) on one of the hosts.  Anything ambiguous is unsafe: the
    caller falls back to a default, which is never wrong.
    """
    if not url or not isinstance(url, str):
        return False
    hosts = _allowed_hosts(allowed_hosts)
    if not _printable(url):
        return False
    # Only the part before the query decides where the URL goes; its decoded and
    # compatibility-normalised spellings must be as safe as the raw one.
    end = len(url)
    for delimiter in "?#":
        position = url.find(delimiter)
        if position != -1 and position < end:
            end = position
    candidates = [url]
    head = url[:end]
    for _ in range(_DECODING_ROUNDS):
        if "%" not in head:
            break
        head = unquote(head)
        candidates.append(head)
    if not head.isascii():
        candidates.append(unicodedata.normalize("NFKC", head))
    for candidate in candidates:
        if not _printable(candidate):
            return False
        if not _goes_to_allowed_host(candidate, hosts, require_https):
            return False
        if "\\" in candidate and not _goes_to_allowed_host(
            candidate.replace("\\", "/"), hosts, require_https
        ):
            return False
    return True


def _allowed_hosts(allowed_hosts: t.Iterable[str] | str | None) -> frozenset[str]:
    if allowed_hosts is None:
        from .globals import _cv_request

        ctx = _cv_request.get(None)
        return frozenset((ctx.request.host.lower(),)) if ctx is not None else frozenset()
    if isinstance(allowed_hosts, str):
        allowed_hosts = (allowed_hosts,)
    return frozenset(host.lower() for host in allowed_hosts if host)


def _printable(text: str) -> bool:
    """No control, format, separator (but the plain space) or unassigned characters,
    and no space at either end: browsers silently drop some of those, which can turn
    what looks like a path into a host."""
    return text.isprintable() and text[:1] != " " and text[-1:] != " "


def _goes_to_allowed_host(url: str, hosts: frozenset[str], require_https: bool) -> bool:
    """The check of one spelling of the URL (see :func:`is_safe_url`)."""
    if url.startswith("///"):
        return False  # browsers collapse the slashes: ///host is //host
    first_delimiter = len(url)
    for delimiter in "/?#":
        position = url.find(delimiter)
        if position != -1 and position < first_delimiter:
            first_delimiter = position
    colon = url.find(":", 0, first_delimiter)
    if colon != -1:
        scheme = url[:colon].lower()
        if (
            not scheme
            or not scheme[0].isalpha()
            or not _SCHEME_CHARACTERS.issuperset(scheme)
            or scheme not in _ALLOWED_SCHEMES
            or (require_https and scheme != "https")
        ):
            return False  # another scheme, or a colon no relative URL may have there
        rest = url[colon + 1 :]
        if not rest.startswith("//"):
            return False  # "https:host" and "http:/host" are read as a host by browsers
    elif url.startswith("//"):
        rest = url
    else:
        return True  # a path, query or fragment on the current host
    authority_end = len(rest)
    for delimiter in "/?#":
        position = rest.find(delimiter, 2)
        if position != -1 and position < authority_end:
            authority_end = position
    authority = rest[2:authority_end].lower()
    return bool(authority) and authority in hosts


def redirect_back(default_endpoint: str, param: str = "next", **values: t.Any) -> Response:
    """Redirect to the ``next`` URL the request carries (query string, then form) if it
    is safe (:func:`is_safe_url`, for the request's host, and HTTPS-only when the
    request came over HTTPS); otherwise to ``url_for(default_endpoint, **values)``.

    The usual end of a login view: ``return redirect_back("index")``.
    """
    from .globals import request
    from .helpers import redirect, url_for

    target = request.args.get(param)
    if not target and request.method in ("POST", "PUT", "PATCH"):
        target = request.form.get(param)
    if target and is_safe_url(target, require_https=request.scheme in ("https", "wss")):
        return redirect(target)
    return redirect(url_for(default_endpoint, **values))
