"""JSON providers: how an app serializes and parses JSON (``app.json``).

Replace ``app.json`` (or ``Erlen.json_provider_class``) with a subclass of
:class:`JSONProvider` to use another library; set attributes such as
``app.json.sort_keys = False`` or ``app.json.compact = True`` to tune the default one.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t
import uuid
from datetime import date
from json import encoder as _json_encoder

from ..http.dates import http_date

if t.TYPE_CHECKING:
    from ..app import Erlen
    from ..wrappers import Response

__all__ = ["DefaultJSONProvider", "JSONProvider"]


class JSONProvider:
    """The interface of ``app.json``: ``dumps``, ``loads`` and ``response``."""

    def __init__(self, app: Erlen) -> None:
        self._app: Erlen = app

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize *obj* to a JSON string."""
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialize *obj* to a text file."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse a JSON string or bytes."""
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Parse JSON from a file."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A response with the serialized arguments and the JSON mimetype."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(o: t.Any) -> t.Any:
    """Serialize what the json module can't: dates as HTTP dates, decimals and UUIDs as
    strings, dataclasses as dicts, ``__html__`` objects as their HTML."""
    if isinstance(o, date):
        return http_date(o)
    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


_c_make_encoder = _json_encoder.c_make_encoder


def _make_compact_encoder(
    markers: dict[int, t.Any] | None,
    default: t.Callable[[t.Any], t.Any],
    ensure_ascii: bool,
    sort_keys: bool,
) -> t.Callable[[t.Any, int], t.Any]:
    """A C encoder writing compact JSON; *markers* ``None`` turns cycle detection off."""
    return _c_make_encoder(  # type: ignore[no-any-return]
        markers,
        default,
        _json_encoder.encode_basestring_ascii if ensure_ascii else _json_encoder.encode_basestring,
        None,
        ":",
        ",",
        sort_keys,
        False,
        True,
    )


class DefaultJSONProvider(JSONProvider):
    """The standard library's :mod:`json` with Flask's defaults.

    Keys are sorted and non-ASCII is escaped; responses are compact unless the app is
    in debug mode (or ``compact`` says otherwise) and end with a newline.
    """

    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)  # type: ignore[assignment]
    ensure_ascii = True
    sort_keys = True
    compact: bool | None = None
    mimetype = "application/json"

    def __init__(self, app: Erlen) -> None:
        super().__init__(app)
        self._encoders: dict[tuple[t.Any, ...], json.JSONEncoder] = {}
        self._c_encoders: dict[tuple[t.Any, ...], t.Callable[[t.Any, int], t.Any]] = {}

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        return json.loads(s, **kwargs)

    def _encoder(self, indent: int | None) -> json.JSONEncoder:
        """A cached encoder for the current settings (building one per call is slow)."""
        key = (self.default, self.ensure_ascii, self.sort_keys, indent)
        encoder = self._encoders.get(key)
        if encoder is None:
            if len(self._encoders) > 16:
                self._encoders.clear()
            encoder = self._encoders[key] = json.JSONEncoder(
                default=self.default,
                ensure_ascii=self.ensure_ascii,
                sort_keys=self.sort_keys,
                indent=indent,
                separators=None if indent is not None else (",", ":"),
            )
        return encoder

    def _compact(self, obj: t.Any) -> str:
        """``json.dumps(obj, separators=(",", ":"), ...)`` with this provider's settings.

        ``JSONEncoder.encode`` builds the C encoder anew on every call, which costs more
        than encoding a small object; the C encoder is kept per settings instead.  It
        is made without cycle detection, which makes it stateless (one serves every
        thread) and a tenth cheaper per call: a cycle then ends in a RecursionError,
        and the object is encoded again with detection, which raises the usual
        "Circular reference detected" ValueError (or the RecursionError of an object
        that is merely too deep).
        """
        if type(obj) is str:
            return self._encoder(None).encode(obj)
        key = (self.default, self.ensure_ascii, self.sort_keys)
        encode = self._c_encoders.get(key)
        if encode is None:
            if _c_make_encoder is None:  # no C speedups: the plain way
                return self._encoder(None).encode(obj)
            if len(self._c_encoders) > 16:
                self._c_encoders.clear()
            encode = self._c_encoders[key] = _make_compact_encoder(None, *key)
        try:
            return "".join(encode(obj, 0))
        except RecursionError:
            return "".join(_make_compact_encoder({}, *key)(obj, 0))

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response; pretty-printed in debug mode unless ``compact`` is set."""
        obj = args[0] if len(args) == 1 and not kwargs else self._prepare_response_obj(args, kwargs)
        compact = self.compact
        # (config["DEBUG"] is what ``app.debug`` reads, without the property's call.)
        pretty = not (compact or (compact is None and not self._app.config["DEBUG"]))
        if self.__class__.dumps is _default_dumps:
            text = self._encoder(2).encode(obj) if pretty else self._compact(obj)
        else:
            text = self.dumps(obj, indent=2) if pretty else self.dumps(obj, separators=(",", ":"))
        return self._app.response_class._json_response(f"{text}\n", self.mimetype)  # type: ignore[attr-defined,no-any-return]


#: The stock ``dumps``: a provider that keeps it is encoded through the cached encoders.
_default_dumps = DefaultJSONProvider.dumps
