"""The request's host, as the client named it, checked against trusted hosts."""

from __future__ import annotations

__all__ = ["get_host", "host_is_trusted"]


def host_is_trusted(hostname: str | None, trusted_list: list[str] | tuple[str, ...]) -> bool:
    """Whether *hostname* (``host[:port]``) is one of *trusted_list*.

    An entry starting with a dot (``.example.com``) also trusts every subdomain.  The
    port is ignored; hosts are compared in their IDNA (ASCII) form.
    """
    if not hostname:
        return False
    try:
        hostname = _idna(hostname.partition(":")[0] if hostname[:1] != "[" else hostname)
    except UnicodeError:
        return False
    for entry in trusted_list:
        suffix = entry.startswith(".")
        if suffix:
            entry = entry[1:]
        try:
            entry = _idna(entry.partition(":")[0])
        except UnicodeError:
            return False
        if entry == hostname or (suffix and hostname.endswith(f".{entry}")):
            return True
    return False


def _idna(host: str) -> str:
    return host.encode("idna").decode("ascii")


def get_host(
    scheme: str,
    host_header: str | None,
    server: tuple[str, int | str | None] | None = None,
    trusted_hosts: list[str] | tuple[str, ...] | None = None,
) -> str:
    """The host (with a non-default port) a request was sent to.

    Prefers the ``Host`` header and falls back to the server's own name and port; the
    default port of the scheme is dropped.  With *trusted_hosts*, an untrusted host
    raises ``ValueError`` (the request layer turns it into 400 Bad Request).
    """
    host = ""
    if host_header:
        host = host_header
    elif server is not None:
        host = server[0]
        if server[1] is not None and server[1] != "":
            host = f"{host}:{server[1]}"
    if scheme in {"http", "ws"}:
        if host.endswith(":80"):
            host = host[:-3]
    elif scheme in {"https", "wss"} and host.endswith(":443"):
        host = host[:-4]
    if trusted_hosts is not None and not host_is_trusted(host, trusted_hosts):
        raise UntrustedHost(f"Host {host!r} is not trusted.")
    return host


class UntrustedHost(ValueError):
    """The request's host is not in the application's ``TRUSTED_HOSTS``."""
