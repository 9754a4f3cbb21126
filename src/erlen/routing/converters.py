"""Converters: how a ``<converter(args):name>`` placeholder matches and builds.

A converter owns three things: the regular expression a URL part must match, the
conversion of the matched text to a Python value (``to_python``), and the conversion of
a Python value back to URL text (``to_url``).  The semantics follow Werkzeug's, so that
rules written for Flask route identically on erlen.

Besides the public protocol, built-in converters may describe a *fast check*: a Python
expression over a single path segment that is exactly equivalent to their regex.  The
compiled matcher inlines it instead of calling the regex engine; custom converters never
need it.
"""

from __future__ import annotations

import re
import typing as t
import uuid
from urllib.parse import quote

if t.TYPE_CHECKING:
    from .map import Map

__all__ = [
    "DEFAULT_CONVERTERS",
    "AnyConverter",
    "BaseConverter",
    "FloatConverter",
    "IntegerConverter",
    "NumberConverter",
    "PathConverter",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
]

#: Characters left unescaped in a path segment (WHATWG's path-segment set).
PATH_SAFE = "!$&'()*+,/:;=@"

_QUOTE_CACHE: dict[str, str] = {}
_QUOTE_CACHE_MAX = 4096


def quote_path_value(value: str) -> str:
    """Percent-encode *value* for use inside a URL path, memoizing recent results.

    URL building quotes the same handful of values (slugs, user names) over and over,
    so a small bounded cache turns the common case into one dict lookup.
    """
    quoted = _QUOTE_CACHE.get(value)
    if quoted is None:
        quoted = quote(value, safe=PATH_SAFE)
        if len(_QUOTE_CACHE) >= _QUOTE_CACHE_MAX:
            _QUOTE_CACHE.clear()
        _QUOTE_CACHE[value] = quoted
    return quoted


class ValidationError(ValueError):
    """Raised by a converter when a matched value is not acceptable.

    During matching it makes the rule not match (404 or 405); during building it makes
    the rule unsuitable so the next candidate rule is tried.
    """


class BaseConverter:
    """The base of every converter; subclass it to add your own.

    Set ``regex`` to what a URL part must match, override ``to_python`` and ``to_url``,
    and register the class in ``app.url_map.converters``.  ``part_isolating`` says whether
    the value stays within one path segment; it defaults to ``False`` when a subclass's
    regex contains a slash.  ``weight`` orders competing placeholders: lower is tried
    first.
    """

    regex = "[^/]+"
    weight = 100
    part_isolating = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "regex" in cls.__dict__ and "part_isolating" not in cls.__dict__:
            cls.part_isolating = "/" not in cls.regex

    def __init__(self, map: Map, *args: t.Any, **kwargs: t.Any) -> None:
        self.map = map

    def to_python(self, value: str) -> t.Any:
        """Turn the matched URL text into the value passed to the view."""
        return value

    def to_url(self, value: t.Any) -> str:
        """Turn a value into URL text; the default percent-encodes ``str(value)``."""
        return quote_path_value(str(value))

    def _fast_check(self, var: str) -> str | None:
        """A Python expression over the segment named *var* equivalent to the regex.

        ``None`` means "use the regex".  Only exact equivalents may be returned: the
        compiled matcher relies on them to behave precisely like ``regex``.
        """
        return None

    def _inline_python(self, var: str) -> str | None:
        """A Python expression equal to ``to_python(var)`` for a segment that matched
        ``regex`` (the compiled matcher inlines it); ``None``: call ``to_python``."""
        return None

    @property
    def _python_is_identity(self) -> bool:
        """True when ``to_python`` returns its argument unchanged (skippable)."""
        return type(self).to_python is BaseConverter.to_python


class UnicodeConverter(BaseConverter):
    """The default converter: one path segment of any text, optionally length-bounded.

    ``<string(minlength=2, maxlength=8):name>``, ``<string(length=2):lang>``.
    """

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            self._min = self._max = int(length)
            self.regex = f"[^/]{{{self._min}}}"
        else:
            self._min = int(minlength)
            self._max = None if maxlength is None else int(maxlength)
            upper = "" if self._max is None else str(self._max)
            self.regex = f"[^/]{{{self._min},{upper}}}"

    def _fast_check(self, var: str) -> str | None:
        upper = "" if self._max is None else str(self._max)
        own = f"[^/]{{{self._min}}}" if self._min == self._max else f"[^/]{{{self._min},{upper}}}"
        if self.regex != own:
            return None  # a subclass set its own pattern: use it
        if self._max is None:
            if self._min <= 1:
                return var if self._min == 1 else "True"  # (a part is a str: non-empty)
            return f"len({var}) >= {self._min}"
        if self._min == self._max:
            return f"len({var}) == {self._min}"
        return f"{self._min} <= len({var}) <= {self._max}"


class AnyConverter(BaseConverter):
    """Matches exactly one of the given items: ``<any(about, help, "a,b"):page>``.

    Building with a value outside the items raises ``ValueError`` naming the choices.
    """

    def __init__(self, map: Map, *items: str) -> None:
        super().__init__(map)
        self.items = set(items)
        self._ordered_items = tuple(items)
        self.regex = f"(?:{'|'.join(re.escape(item) for item in items)})"

    def to_url(self, value: t.Any) -> str:
        if value in self.items:
            return str(value)
        choices = ", ".join(f"'{item}'" for item in sorted(self.items))
        raise ValueError(f"'{value}' is not one of {choices}")

    def _fast_check(self, var: str) -> str | None:
        # A frozenset literal would be rebuilt per call; the matcher binds constants
        # by name instead, so describe membership through the converter itself.
        return None


class PathConverter(BaseConverter):
    """Like the default converter but also matches slashes: ``<path:filename>``."""

    part_isolating = False
    regex = "[^/].*?"
    weight = 200


class NumberConverter(BaseConverter):
    """Shared behaviour of ``int`` and ``float``: digits, bounds and sign handling."""

    weight = 50
    num_convert: t.Callable[[t.Any], t.Any] = int

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        if signed:
            self.regex = f"-?{self.regex}"
        super().__init__(map)
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max
        self.signed = signed

    def to_python(self, value: str) -> t.Any:
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        try:
            number = self.num_convert(value)
        except ValueError as e:
            raise ValidationError() from e
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def _inline_python(self, var: str) -> str | None:
        # A plain int: the matched digits always convert, except beyond the interpreter's
        # limit on digits (640 is the least it can be set to), which to_python handles.
        if (
            type(self).to_python is NumberConverter.to_python
            and self.num_convert is int
            and not self.fixed_digits
            and self.min is None
            and self.max is None
        ):
            return f"(int({var}) if len({var}) < 640 else {{to_python}}({var}))"
        return None

    def to_url(self, value: t.Any) -> str:
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """Non-negative integers by default: ``<int:id>``, ``<int(signed=True, min=-5):n>``.

    ``fixed_digits`` requires exactly that many digits (``/0042``); ``min``/``max``
    bound the value.
    """

    regex = r"\d+"

    def _fast_check(self, var: str) -> str | None:
        # str.isdecimal() accepts exactly the characters of Unicode category Nd, which
        # is what ``\d`` matches in a str pattern; an empty string is not decimal.
        if self.signed or self.regex != r"\d+":
            return None  # signed, or a subclass with its own pattern: use the regex
        return f"{var}.isdecimal()"


class FloatConverter(NumberConverter):
    """Non-negative decimal numbers with a dot: ``<float:price>`` (``1`` won't match)."""

    regex = r"\d+\.\d+"
    num_convert = float

    def __init__(
        self,
        map: Map,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, min=min, max=max, signed=signed)  # type: ignore[arg-type]


class UUIDConverter(BaseConverter):
    """Canonical hyphenated UUIDs, converted to :class:`uuid.UUID`."""

    regex = r"[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value: uuid.UUID) -> str:
        return str(value)


#: The converters every map knows, by the name used in rules.
DEFAULT_CONVERTERS: t.Mapping[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}
