"""The ``Authorization`` request header and the ``WWW-Authenticate`` response header.

Both carry a scheme (``Basic``, ``Bearer``, ``Digest``...) followed either by a token
or by ``key=value`` parameters. ``Basic`` credentials are decoded into ``username``
and ``password`` parameters. Behaviour follows ``werkzeug`` 3.1.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from .multidict import CallbackDict
from .options import dump_header, parse_dict_header, quote_header_value

__all__ = ["Authorization", "WWWAuthenticate"]

#: Digest parameters that are always sent quoted, even when they are tokens.
_DIGEST_QUOTED = frozenset(("realm", "domain", "nonce", "opaque", "qop"))


def _split_scheme(value: str) -> tuple[str, str]:
    scheme, _, rest = value.partition(" ")
    return scheme.lower(), rest.strip(" \t")


def _has_parameters(rest: str) -> bool:
    """Whether the credentials are ``key=value`` pairs rather than a token.

    Only an ``=`` before the end counts: base64 tokens may end in ``=`` padding.
    """
    return "=" in rest.rstrip("=")


class Authorization:
    """A parsed ``Authorization`` header.

    ``type`` is the lowercased scheme; either ``parameters`` (a dict) or ``token`` is
    set. ``auth.username``, ``auth["username"]`` and ``auth.get("username")`` all read
    ``parameters`` and give ``None`` for an absent key.
    """

    __slots__ = ("parameters", "token", "type")

    def __init__(
        self,
        auth_type: str,
        data: dict[str, str | None] | None = None,
        token: str | None = None,
    ) -> None:
        #: The scheme, such as ``"basic"`` or ``"bearer"``.
        self.type = auth_type
        #: The ``key=value`` parameters of the header (empty for a token scheme).
        self.parameters: dict[str, str | None] = {} if data is None else data
        #: The token of a token scheme such as ``Bearer``, else ``None``.
        self.token = token

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or name == "parameters":
            raise AttributeError(name)
        return self.parameters.get(name)

    def __getitem__(self, name: str) -> str | None:
        return self.parameters.get(name)

    def get(self, key: str, default: str | None = None) -> str | None:
        """Return parameter ``key``, or ``default``."""
        return self.parameters.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (
            other.type == self.type
            and other.token == self.token
            and other.parameters == self.parameters
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse a header value; ``None`` if it is empty or invalid ``Basic`` data."""
        if not value:
            return None
        scheme, rest = _split_scheme(value)
        if scheme == "basic":
            try:
                decoded = base64.b64decode(rest, validate=True).decode()
            except (binascii.Error, UnicodeError):
                return None
            username, _, password = decoded.partition(":")
            return cls(scheme, {"username": username, "password": password})
        if _has_parameters(rest):
            return cls(scheme, parse_dict_header(rest), None)
        return cls(scheme, None, rest)

    def to_header(self) -> str:
        """Render the header value."""
        if self.type == "basic":
            credentials = f"{self.username}:{self.password}".encode()
            return f"Basic {base64.b64encode(credentials).decode('ascii')}"
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        return f"{self.type.title()} {dump_header(self.parameters)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"


class WWWAuthenticate:
    """A ``WWW-Authenticate`` challenge, editable in place.

    ``type`` is the lowercased scheme; set either ``parameters`` or ``token``.
    ``auth.realm``, ``auth["realm"]`` read, set (``None`` removes) and delete
    parameters. Every change calls ``_on_update(self)``, which is how a response keeps
    its header in step.
    """

    _INTERNAL = frozenset(("_type", "_parameters", "_token", "_on_update"))

    def __init__(
        self,
        auth_type: str,
        values: dict[str, str | None] | None = None,
        token: str | None = None,
    ) -> None:
        self._type = auth_type.lower()
        self._parameters: dict[str, str | None] = CallbackDict(
            values, lambda _: self._trigger_on_update()
        )
        self._token = token
        self._on_update: Callable[[WWWAuthenticate], None] | None = None

    def _trigger_on_update(self) -> None:
        if self._on_update is not None:
            self._on_update(self)

    @property
    def type(self) -> str:
        """The scheme, such as ``"basic"``, ``"digest"`` or ``"bearer"``."""
        return self._type

    @type.setter
    def type(self, value: str) -> None:
        self._type = value
        self._trigger_on_update()

    @property
    def parameters(self) -> dict[str, str | None]:
        """The challenge parameters (changes to the dict are tracked)."""
        return self._parameters

    @parameters.setter
    def parameters(self, value: dict[str, str | None]) -> None:
        self._parameters = CallbackDict(value, lambda _: self._trigger_on_update())
        self._trigger_on_update()

    @property
    def token(self) -> str | None:
        """The token of a token scheme, else ``None``."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value
        self._trigger_on_update()

    def __getitem__(self, key: str) -> str | None:
        return self.parameters.get(key)

    def __setitem__(self, key: str, value: str | None) -> None:
        if value is None:
            if key in self.parameters:
                del self.parameters[key]
        else:
            self.parameters[key] = value
        self._trigger_on_update()

    def __delitem__(self, key: str) -> None:
        if key in self.parameters:
            del self.parameters[key]
            self._trigger_on_update()

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or name in self._INTERNAL:
            raise AttributeError(name)
        return self[name]

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._INTERNAL or name in ("type", "parameters", "token"):
            super().__setattr__(name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        del self[name]

    def __contains__(self, key: str) -> bool:
        return key in self.parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WWWAuthenticate):
            return NotImplemented
        return (
            other.type == self.type
            and other.token == self.token
            and other.parameters == self.parameters
        )

    __hash__ = None  # type: ignore[assignment]

    def get(self, key: str, default: str | None = None) -> str | None:
        """Return parameter ``key``, or ``default``."""
        return self.parameters.get(key, default)

    @classmethod
    def from_header(cls, value: str | None) -> WWWAuthenticate | None:
        """Parse a header value; ``None`` if it is empty."""
        if not value:
            return None
        scheme, rest = _split_scheme(value)
        if _has_parameters(rest):
            return cls(scheme, parse_dict_header(rest), None)
        return cls(scheme, None, rest)

    def to_header(self) -> str:
        """Render the header value."""
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        if not self.parameters:
            return self.type.title()
        if self.type == "digest":
            items = []
            for key, value in self.parameters.items():
                quoted = quote_header_value(value, allow_token=key not in _DIGEST_QUOTED)
                items.append(f"{key}={quoted}")
            return f"Digest {', '.join(items)}"
        return f"{self.type.title()} {dump_header(self.parameters)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"
