"""Tagged JSON: lossless JSON for tuples, bytes, Markup, UUIDs and datetimes.

The session cookie stores its data in this format.  Values JSON cannot represent are
written as a one-key object whose key is a tag (``{" t": [...]}`` for a tuple); the
tags and their encodings are Flask's, so a session cookie written by a Flask app is read
by erlen with the same secret key, and the other way round.

Add a type by subclassing :class:`JSONTag` and registering it::

    class TagOrderedDict(JSONTag):
        key = " od"
        def check(self, value): return isinstance(value, OrderedDict)
        def to_json(self, value): return [[k, self.serializer.tag(v)] for k, v in value.items()]
        def to_python(self, value): return OrderedDict(value)

    app.session_interface.serializer.register(TagOrderedDict, index=0)
"""

from __future__ import annotations

import typing as t
from base64 import b64decode, b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup

from ..http.dates import http_date, parse_date
from . import dumps, loads

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]


class JSONTag:
    """One tagged type: ``check`` recognises values, ``to_json``/``to_python``
    convert them.  ``key`` is the tag; an empty key only transforms in place."""

    __slots__ = ("serializer",)
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Whether *value* is of this tag's type."""
        raise NotImplementedError

    def to_json(self, value: t.Any) -> t.Any:
        """*value* as JSON-compatible data (without the tag)."""
        raise NotImplementedError

    def to_python(self, value: t.Any) -> t.Any:
        """The Python value for tagged data (the tag already removed)."""
        raise NotImplementedError

    def tag(self, value: t.Any) -> t.Any:
        """*value* converted and wrapped in its tag."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A one-key dict whose key looks like a tag: the key gets a ``__`` suffix."""

    __slots__ = ()
    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        (name,) = value
        return {f"{name}__": self.serializer.tag(value[name])}

    def to_python(self, value: t.Any) -> t.Any:
        (name,) = value
        return {name[:-2]: value[name]}


class PassDict(JSONTag):
    """Other dicts: tag their values."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return {name: tag(item) for name, item in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    __slots__ = ()
    key = " t"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return [tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class PassList(JSONTag):
    """Lists: tag their items."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return [tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    __slots__ = ()
    key = " b"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """Objects with ``__html__`` (Markup): stored as their HTML, loaded as Markup."""

    __slots__ = ()
    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(JSONTag):
    __slots__ = ()
    key = " u"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """Datetimes as HTTP dates (second precision, UTC)."""

    __slots__ = ()
    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        return parse_date(value)


class TaggedJSONSerializer:
    """Serializer (``dumps``/``loads``) for tagged JSON; the session's default."""

    __slots__ = ("order", "tags")

    default_tags: list[type[JSONTag]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        for cls in self.default_tags:
            self.register(cls)

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag type; ``index`` places it earlier in the checking order.

        Raises ``KeyError`` if its key is taken, unless ``force``.
        """
        tag = tag_class(self)
        if tag.key:
            if not force and tag.key in self.tags:
                raise KeyError(f"Tag '{tag.key}' is already registered.")
            self.tags[tag.key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """*value* with every non-JSON part tagged."""
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """The Python value for a tagged one-key dict (other dicts unchanged)."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        if tag is None:
            return value
        return tag.to_python(value[key])

    def _untag_scan(self, value: t.Any) -> t.Any:
        if isinstance(value, dict):
            return self.untag({name: self._untag_scan(item) for name, item in value.items()})
        if isinstance(value, list):
            return [self._untag_scan(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """Tag and serialize *value* compactly."""
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str) -> t.Any:
        """Parse and untag tagged JSON."""
        return self._untag_scan(loads(value))
