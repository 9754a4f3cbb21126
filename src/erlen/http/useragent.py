"""The ``User-Agent`` header as an object, shaped like Werkzeug 3.1's ``UserAgent``.

Like Werkzeug, erlen ships no user agent parser: sniffing browsers from this header is
unreliable and the rules change every year. The object keeps the raw string; a
subclass may fill in ``platform``, ``browser``, ``version`` and ``language`` and be
installed as the request's ``user_agent_class``.
"""

from __future__ import annotations

__all__ = ["UserAgent"]


class UserAgent:
    """A ``User-Agent`` header value; only :attr:`string` is set by default."""

    #: The operating system name, if a subclass parsed it.
    platform: str | None = None
    #: The browser name, if a subclass parsed it.
    browser: str | None = None
    #: The browser version, if a subclass parsed it.
    version: str | None = None
    #: The browser language, if a subclass parsed it.
    language: str | None = None

    def __init__(self, string: str) -> None:
        #: The header value exactly as received.
        self.string: str = string

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.browser}/{self.version}>"

    def __str__(self) -> str:
        return self.string

    def __bool__(self) -> bool:
        """True only when a browser was recognised, as in Werkzeug."""
        return bool(self.browser)

    def to_header(self) -> str:
        """The value to send back in a ``User-Agent`` header."""
        return self.string
