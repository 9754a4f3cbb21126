"""The request's host, as the client named it, checked for validity and trust.

A ``Host`` header is client input: it ends up in redirect URLs and external links.
Only names made of valid characters (a domain, IPv4, or bracketed IPv6, with an
optional port 1-65535) are used; anything else is treated as no host at all, as in
Werkzeug 3.1.9.
"""

from __future__ import annotations

import re
import typing as t

__all__ = ["UntrustedHost", "get_host", "host_is_trusted"]

_HOST = re.compile(
    r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([1-9][0-9]{0,4}))?",
    flags=re.ASCII | re.IGNORECASE,
)


class UntrustedHost(ValueError):
    """The request's host is not in the application's ``TRUSTED_HOSTS``."""


def host_is_trusted(hostname: str | None, trusted_list: t.Collection[str] | None = None) -> bool:
    """Whether *hostname* (``host[:port]``) is well formed and, if *trusted_list* is
    given, one of its entries (``.example.com`` also trusts subdomains; ports are
    ignored)."""
    if not hostname:
        return False
    matched = _HOST.fullmatch(hostname)
    if matched is None:
        return False
    name, port = matched.groups()
    if port and not 1 <= int(port) <= 65535:
        return False
    if not trusted_list:
        return True
    if isinstance(trusted_list, str):
        trusted_list = [trusted_list]
    for entry in trusted_list:
        suffix = entry.startswith(".")
        if suffix:
            entry = entry[1:]
        try:
            entry = entry.partition(":")[0].encode("idna").decode("ascii")
        except UnicodeError:
            return False
        if entry == name or (suffix and name.endswith(f".{entry}")):
            return True
    return False


def get_host(
    scheme: str,
    host_header: str | None,
    server: tuple[str, int | str | None] | None = None,
    trusted_hosts: t.Collection[str] | None = None,
) -> str:
    """The host (with a non-default port) a request was sent to, or ``""``.

    Prefers the ``Host`` header, else the server's name and port (IPv6 wrapped in
    brackets; a Unix socket, with no port, gives no host).  The scheme's default port
    is dropped.  An invalid host gives ``""``; with *trusted_hosts*, a host not in the
    list raises :class:`UntrustedHost` (the request layer answers 400).
    """
    if host_header is not None:
        host = host_header
    elif server is not None and server[1] is not None and server[1] != "":
        host = server[0]
        if ":" in host and host[:1] != "[":
            host = f"[{host}]"
        host = f"{host}:{server[1]}"
    else:
        return ""
    if scheme in {"http", "ws"}:
        host = host.removesuffix(":80")
    elif scheme in {"https", "wss"}:
        host = host.removesuffix(":443")
    if not host_is_trusted(host, trusted_hosts):
        if trusted_hosts:
            raise UntrustedHost(f"Host {host!r} is not trusted.")
        return ""
    return host
