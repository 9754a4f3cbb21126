"""The routing implementations the property tests compare (Werkzeug's, the oracle, and
erlen's), their custom converters, and the shared hypothesis settings.

erlen is imported lazily (:func:`erlen_impl`) so the modules collect before
``erlen.routing`` exists; the tests that need it then fail one by one.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings

# --------------------------------------------------------------------------------------
# The two implementations
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Impl:
    """One implementation's routing module, plus the custom converters built on it."""

    name: str
    routing: Any
    MultiDict: type
    converters: dict[str, type]

    @property
    def Map(self) -> Any:
        return self.routing.Map

    @property
    def Rule(self) -> Any:
        return self.routing.Rule


def _load(name: str, package: str) -> Impl:
    routing = importlib.import_module(f"{package}.routing")
    multidict = importlib.import_module(f"{package}.datastructures").MultiDict
    return Impl(name, routing, multidict, custom_converters(routing))


@functools.cache
def werkzeug_impl() -> Impl:
    """The oracle."""
    return _load("werkzeug", "werkzeug")


def erlen_impl() -> Impl:
    """The implementation under test; raises while ``erlen.routing`` is incomplete."""
    return _load("erlen", "erlen")


def candidate_names() -> list[str]:
    """Candidates to compare with Werkzeug, from ``ERLEN_DIFF`` (self, erlen or both).

    ``self`` runs Werkzeug against itself: it validates the strategies and the harness.
    """
    choice = os.environ.get("ERLEN_DIFF", "both").strip().lower()
    return ["self", "erlen"] if choice == "both" else [choice]


def candidate_impl(name: str) -> Impl:
    return werkzeug_impl() if name == "self" else erlen_impl()


def bounded_settings(max_examples: int) -> settings:
    """Deterministic, bounded settings; ``ERLEN_FUZZ_SCALE`` multiplies the budget."""
    scale = float(os.environ.get("ERLEN_FUZZ_SCALE", "1"))
    return settings(
        max_examples=max(1, int(max_examples * scale)),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# --------------------------------------------------------------------------------------
# Custom converters, built on either implementation's BaseConverter
# --------------------------------------------------------------------------------------


@functools.cache
def custom_converters(routing: Any) -> dict[str, type]:
    """Converters registered through ``Map(converters=...)`` on both maps.

    They cover what the built-ins do not: a class-level weight below int's, a regex with
    a ``/`` (so ``part_isolating`` must default to False), ``to_python`` raising
    ``ValidationError``, non-string values, constructor arguments, and the inherited
    ``BaseConverter.to_url`` (which percent-quotes), and subclasses of the built-in int
    and string converters whose methods or regex a compiled matcher must not inline away.
    """
    base, invalid = routing.BaseConverter, routing.ValidationError

    class HexConverter(base):  # type: ignore[valid-type, misc]
        regex = "[0-9a-f]+"
        weight = 60

        def to_python(self, value: str) -> int:
            return int(value, 16)

        def to_url(self, value: Any) -> str:
            return format(int(value), "x")

    class EvenConverter(base):  # type: ignore[valid-type, misc]
        regex = r"\d+"
        weight = 50

        def to_python(self, value: str) -> int:
            if int(value) % 2:
                raise invalid()
            return int(value)

        def to_url(self, value: Any) -> str:
            return str(int(value))

    class CsvConverter(base):  # type: ignore[valid-type, misc]
        regex = "[a-z0-9]+(?:,[a-z0-9]+)*"

        def to_python(self, value: str) -> list[str]:
            return value.split(",")

        def to_url(self, value: Any) -> str:
            return ",".join(value)

    class SegmentsConverter(base):  # type: ignore[valid-type, misc]
        regex = "[a-z0-9]+(?:/[a-z0-9]+)*"
        weight = 150

        def to_python(self, value: str) -> tuple[str, ...]:
            return tuple(value.split("/"))

        def to_url(self, value: Any) -> str:
            return "/".join(value)

    class YesNoConverter(base):  # type: ignore[valid-type, misc]
        regex = "(?:yes|no)"
        weight = 30

        def to_python(self, value: str) -> bool:
            return value == "yes"

        def to_url(self, value: Any) -> str:
            return "yes" if value else "no"

    class LowerConverter(base):  # type: ignore[valid-type, misc]
        def to_python(self, value: str) -> str:
            return value.lower()

    class PrefixedConverter(base):  # type: ignore[valid-type, misc]
        def __init__(self, map: Any, prefix: str = "id", width: int = 2) -> None:
            super().__init__(map)
            self.prefix, self.width = str(prefix), int(width)
            self.regex = re.escape(self.prefix) + r"\d{" + str(self.width) + "}"

        def to_python(self, value: str) -> int:
            return int(value[len(self.prefix) :])

        def to_url(self, value: Any) -> str:
            return f"{self.prefix}{int(value):0{self.width}d}"

    class ShiftedIntConverter(routing.IntegerConverter):  # type: ignore[name-defined, misc]
        def to_python(self, value: str) -> int:
            return super().to_python(value) + 1000

        def to_url(self, value: Any) -> str:
            return super().to_url(int(value) - 1000)

    class UpperStringConverter(routing.UnicodeConverter):  # type: ignore[name-defined, misc]
        def to_python(self, value: str) -> str:
            return value.upper()

        def to_url(self, value: Any) -> str:
            return super().to_url(str(value).lower())

    class YearConverter(routing.IntegerConverter):  # type: ignore[name-defined, misc]
        regex = r"\d{4}"

    class AbcConverter(routing.UnicodeConverter):  # type: ignore[name-defined, misc]
        def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(map, *args, **kwargs)
            self.regex = "[abc]+"

    return {
        "year": YearConverter,
        "abc": AbcConverter,
        "subint": ShiftedIntConverter,
        "substr": UpperStringConverter,
        "hex": HexConverter,
        "even": EvenConverter,
        "csv": CsvConverter,
        "segs": SegmentsConverter,
        "yesno": YesNoConverter,
        "lower": LowerConverter,
        "prefixed": PrefixedConverter,
    }


def redirect_callback(adapter: Any, **values: Any) -> str:
    """A callable ``redirect_to`` target shared by both maps."""
    return "moved/" + "/".join(f"{key}-{values[key]}" for key in sorted(values))
