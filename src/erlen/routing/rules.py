"""Rules: one URL pattern, its endpoint and options, compiled for matching and building.

A :class:`Rule` is split into *parts*, one per path segment (plus one for the host or
subdomain).  The matcher walks those parts; the builder joins them back.  The split and
the ordering weights follow Werkzeug's, so that a Flask application's URLs resolve
identically on erlen.
"""

from __future__ import annotations

import re
import typing as t
from string import Template

from .builder import compile_builder
from .converters import BaseConverter
from .parser import parse_converter_args, parse_rule

if t.TYPE_CHECKING:
    from .map import Map

__all__ = [
    "EndpointPrefix",
    "Rule",
    "RuleFactory",
    "RulePart",
    "RuleTemplate",
    "RuleTemplateFactory",
    "Subdomain",
    "Submount",
]

_MERGE_SLASHES = re.compile("/{2,}")
_GROUP_PREFIX = "__erlen_"


class Weighting(t.NamedTuple):
    """Ordering key of a dynamic part: lower sorts first (is tried first)."""

    number_static_weights: int
    static_weights: list[tuple[int, int]]
    number_argument_weights: int
    argument_weights: list[int]


class RulePart(t.NamedTuple):
    """One segment of a rule as the matcher sees it.

    ``content`` is the literal text of a static part or the anchored regex of a dynamic
    one.  ``final`` parts swallow the rest of the path (``path`` converter).
    ``suffixed`` final parts end in an optional slash used for slash redirects.
    ``fast_check`` (not part of equality) is a Python expression template equivalent
    to the regex for a segment that is exactly one built-in converter.
    """

    content: str
    final: bool
    static: bool
    suffixed: bool
    weight: Weighting
    fast_check: str | None = None

    @property
    def key(self) -> tuple[t.Any, ...]:
        """Identity used to share matcher states between rules."""
        return (self.content, self.final, self.static, self.suffixed, self.weight)


_EMPTY_WEIGHT = Weighting(0, [], 0, [])


class RuleFactory:
    """Something that yields rules for a map: a rule itself or a group of rules."""

    def get_rules(self, map: Map) -> t.Iterable[Rule]:
        raise NotImplementedError()


class Subdomain(RuleFactory):
    """Give every rule of the group the same subdomain (which may contain variables)."""

    def __init__(self, subdomain: str, rules: t.Iterable[RuleFactory]) -> None:
        self.subdomain = subdomain
        self.rules = rules

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                rule = rule.empty()
                rule.subdomain = self.subdomain
                yield rule


class Submount(RuleFactory):
    """Prefix every rule of the group with a path: ``Submount('/blog', [...])``."""

    def __init__(self, path: str, rules: t.Iterable[RuleFactory]) -> None:
        self.path = path.rstrip("/")
        self.rules = rules

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                rule = rule.empty()
                rule.rule = self.path + rule.rule
                yield rule


class EndpointPrefix(RuleFactory):
    """Prefix the endpoint of every rule of the group: ``EndpointPrefix('blog/', [...])``."""

    def __init__(self, prefix: str, rules: t.Iterable[RuleFactory]) -> None:
        self.prefix = prefix
        self.rules = rules

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                rule = rule.empty()
                rule.endpoint = self.prefix + rule.endpoint
                yield rule


class RuleTemplate:
    """Rules with ``$placeholders`` filled in later: ``RuleTemplate([...])(name='x')``."""

    def __init__(self, rules: t.Iterable[Rule]) -> None:
        self.rules = list(rules)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> RuleTemplateFactory:
        return RuleTemplateFactory(self.rules, dict(*args, **kwargs))


class RuleTemplateFactory(RuleFactory):
    """The factory a :class:`RuleTemplate` returns once its values are known."""

    def __init__(self, rules: t.Iterable[RuleFactory], context: dict[str, t.Any]) -> None:
        self.rules = rules
        self.context = context

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                new_defaults = subdomain = None
                if rule.defaults:
                    new_defaults = {}
                    for key, value in rule.defaults.items():
                        if isinstance(value, str):
                            value = Template(value).substitute(self.context)
                        new_defaults[key] = value
                if rule.subdomain is not None:
                    subdomain = Template(rule.subdomain).substitute(self.context)
                new_endpoint = rule.endpoint
                if isinstance(new_endpoint, str):
                    new_endpoint = Template(new_endpoint).substitute(self.context)
                yield Rule(
                    Template(rule.rule).substitute(self.context),
                    new_defaults,
                    subdomain,
                    rule.methods,
                    rule.build_only,
                    new_endpoint,
                    rule.strict_slashes,
                )


class Rule(RuleFactory):
    """A URL pattern bound to an endpoint.

    ``string`` must start with a slash; placeholders are ``<name>``,
    ``<converter:name>`` or ``<converter(args):name>``.  ``methods`` limits the HTTP
    methods (``GET`` implies ``HEAD``); ``defaults`` supplies values for placeholders the
    URL does not contain; ``strict_slashes`` redirects ``/x`` to ``/x/`` for branch
    rules; ``redirect_to`` makes the rule a permanent redirect; ``subdomain``/``host``
    constrain the host; ``websocket`` marks WebSocket-only rules.
    """

    #: Whether an ``OPTIONS`` request gets the automatic response.  ``add_url_rule``
    #: sets it on each rule; a rule added to the map directly keeps this ``False``, as
    #: Flask's ``getattr(rule, "provide_automatic_options", False)`` reads it.
    provide_automatic_options: bool = False

    def __init__(
        self,
        string: str,
        defaults: t.Mapping[str, t.Any] | None = None,
        subdomain: str | None = None,
        methods: t.Iterable[str] | None = None,
        build_only: bool = False,
        endpoint: t.Any | None = None,
        strict_slashes: bool | None = None,
        merge_slashes: bool | None = None,
        redirect_to: str | t.Callable[..., str] | None = None,
        alias: bool = False,
        host: str | None = None,
        websocket: bool = False,
    ) -> None:
        if not string.startswith("/"):
            raise ValueError(f"URL rule '{string}' must start with a slash.")
        self.rule = string
        self.is_leaf = not string.endswith("/")
        self.is_branch = string.endswith("/")
        self.map: Map = None  # type: ignore[assignment]
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.subdomain = subdomain
        self.host = host
        self.defaults = defaults
        self.build_only = build_only
        self.alias = alias
        self.websocket = websocket
        if methods is not None:
            if isinstance(methods, str):
                raise TypeError("'methods' should be a list of strings.")
            methods = {method.upper() for method in methods}
            if "GET" in methods:
                methods.add("HEAD")
            if websocket and methods - {"GET", "HEAD", "OPTIONS"}:
                raise ValueError(
                    "WebSocket rules can only use 'GET', 'HEAD', and 'OPTIONS' methods."
                )
        self.methods: set[str] | None = methods
        self.endpoint: t.Any = endpoint
        self.redirect_to = redirect_to
        self.arguments: set[str] = set(map(str, defaults)) if defaults else set()
        self._converters: dict[str, BaseConverter] = {}
        self._trace: list[tuple[bool, str]] = []
        self._parts: list[RulePart] = []
        self._build: t.Callable[[t.Mapping[str, t.Any], bool], tuple[str, str]] | None = None
        #: Converts matched text to view arguments (generated by :meth:`compile`).
        self._python_values: t.Callable[[t.Sequence[str]], dict[str, t.Any]] = _no_values
        #: Earlier rules of the same endpoint that provide defaults for this one.
        self._canonical: list[Rule] = []
        #: Whether a match on this rule may redirect (``redirect_to`` or defaults).
        self._redirects = redirect_to is not None

    # -- copying ---------------------------------------------------------------------

    def empty(self) -> Rule:
        """An unbound copy of this rule, for reuse in another map."""
        return type(self)(self.rule, **self.get_empty_kwargs())

    def get_empty_kwargs(self) -> t.Mapping[str, t.Any]:
        """The keyword arguments :meth:`empty` passes; extend it in subclasses."""
        return dict(
            defaults=dict(self.defaults) if self.defaults else None,
            subdomain=self.subdomain,
            methods=self.methods,
            build_only=self.build_only,
            endpoint=self.endpoint,
            strict_slashes=self.strict_slashes,
            redirect_to=self.redirect_to,
            alias=self.alias,
            host=self.host,
        )

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        yield self

    # -- binding and compiling ---------------------------------------------------------

    def refresh(self) -> None:
        """Recompile after the rule was changed in place."""
        self.bind(self.map, rebind=True)

    def bind(self, map: Map, rebind: bool = False) -> None:
        """Attach the rule to *map*, inherit the map's defaults and compile it."""
        if self.map is not None and not rebind:
            raise RuntimeError(f"url rule {self!r} already bound to map {self.map!r}")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self.compile()

    def get_converter(
        self,
        variable_name: str,
        converter_name: str,
        args: tuple[t.Any, ...],
        kwargs: t.Mapping[str, t.Any],
    ) -> BaseConverter:
        """Instantiate the converter *converter_name* for one placeholder."""
        if converter_name not in self.map.converters:
            known = ", ".join(sorted(self.map.converters))
            raise LookupError(
                f"the converter {converter_name!r} does not exist (rule {self.rule!r},"
                f" variable {variable_name!r}); known converters: {known}. Register custom"
                " ones in app.url_map.converters before adding the rule."
            )
        return self.map.converters[converter_name](self.map, *args, **kwargs)

    def compile(self) -> None:
        """Split the rule into matcher parts and generate its URL builder."""
        assert self.map is not None, "rule not bound"
        domain_rule = (self.host if self.map.host_matching else self.subdomain) or ""
        self._parts = []
        self._trace = []
        self._converters = {}
        if domain_rule == "":
            self._parts.append(RulePart("", False, True, False, _EMPTY_WEIGHT))
        else:
            self._parts.extend(self._parse(domain_rule))
        self._trace.append((False, "|"))
        rule = self.rule
        if self.merge_slashes:
            rule = _MERGE_SLASHES.sub("/", rule)
        self._parts.extend(self._parse(rule))
        self._build = compile_builder(self)
        self._python_values = _compile_values(self)

    def _parse(self, rule: str) -> t.Iterator[RulePart]:
        """Turn one rule string (host or path) into matcher parts."""
        content = ""
        static = True
        final = False
        static_weights: list[tuple[int, int]] = []
        argument_weights: list[int] = []
        group = 0
        single: BaseConverter | None = None  # the converter if the part is just one
        pieces = 0

        def weight() -> Weighting:
            return Weighting(
                -len(static_weights), static_weights, -len(argument_weights), argument_weights
            )

        for token in parse_rule(rule):
            if token.kind == "static":
                static_weights.append((len(static_weights), -len(token.text)))
                self._trace.append((False, token.text))
                content += token.text if static else re.escape(token.text)
                pieces += 1
            elif token.kind == "variable":
                if static:
                    content = re.escape(content)
                static = False
                args, kwargs = parse_converter_args(token.arguments or "")
                converter = self.get_converter(
                    token.text, token.converter or "default", args, kwargs
                )
                if token.text in self._converters:
                    raise ValueError(
                        f"malformed url rule: {self.rule!r}: the variable {token.text!r}"
                        f" appears twice (position {token.position}); give each"
                        " placeholder its own name"
                    )
                self._converters[token.text] = converter
                self.arguments.add(token.text)
                if not converter.part_isolating:
                    final = True
                content += f"(?P<{_GROUP_PREFIX}{group}>{converter.regex})"
                group += 1
                argument_weights.append(converter.weight)
                self._trace.append((True, token.text))
                single = converter
                pieces += 1
            else:  # slash
                self._trace.append((False, "/"))
                if final:
                    content += "/"
                    continue
                yield self._make_part(
                    content, static, final, False, weight(), single if pieces == 1 else None
                )
                content, static, final = "", True, False
                static_weights, argument_weights = [], []
                group, pieces, single = 0, 0, None

        suffixed = final and content.endswith("/")
        if suffixed:
            # A slash-matching converter followed by a trailing slash: let the regex
            # swallow an optional slash so the matcher can redirect ``/x`` to ``/x/``.
            content = content[:-1] + "(?<!/)(/?)"
        part_weight = weight()
        yield self._make_part(
            content, static, final, suffixed, part_weight, single if pieces == 1 else None
        )
        if suffixed:
            yield RulePart("", False, True, False, part_weight)

    @staticmethod
    def _make_part(
        content: str,
        static: bool,
        final: bool,
        suffixed: bool,
        weight: Weighting,
        single: BaseConverter | None,
    ) -> RulePart:
        if static:
            return RulePart(content, final, True, suffixed, weight)
        fast = single._fast_check("{}") if single is not None and not final else None
        return RulePart(content + r"\Z", final, False, suffixed, weight, fast)

    # -- building --------------------------------------------------------------------

    def build(
        self, values: t.Mapping[str, t.Any], append_unknown: bool = True
    ) -> tuple[str, str] | None:
        """``(domain_part, path)`` for *values*, or ``None`` if a converter refuses one."""
        from .converters import ValidationError

        assert self._build is not None, "rule not bound"
        try:
            return self._build(values, append_unknown)
        except ValidationError:
            return None

    def provides_defaults_for(self, rule: Rule) -> bool:
        """Whether this rule is the canonical, defaults-providing form of *rule*."""
        return bool(
            not self.build_only
            and self.defaults
            and self.endpoint == rule.endpoint
            and self != rule
            and self.arguments == rule.arguments
        )

    def suitable_for(self, values: t.Mapping[str, t.Any], method: str | None = None) -> bool:
        """Whether *values* (and *method*) are enough to build this rule."""
        if method is not None and self.methods is not None and method not in self.methods:
            return False
        defaults = self.defaults or ()
        for key in self.arguments:
            if key not in defaults and key not in values:
                return False
        if defaults:
            for key, value in defaults.items():  # type: ignore[union-attr]
                if key in values and value != values[key]:
                    return False
        return True

    def build_compare_key(self) -> tuple[int, int, int]:
        """Order in which rules of one endpoint are tried for building."""
        return (1 if self.alias else 0, -len(self.arguments), -len(self.defaults or ()))

    # -- identity ----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._trace == other._trace

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.rule

    def __repr__(self) -> str:
        if self.map is None:
            return f"<{type(self).__name__} (unbound)>"
        text = "".join(f"<{data}>" if dynamic else data for dynamic, data in self._trace)
        methods = f" ({', '.join(self.methods)})" if self.methods is not None else ""
        return f"<{type(self).__name__} {text.lstrip('|')!r}{methods} -> {self.endpoint}>"


def _no_values(raw: t.Sequence[str]) -> dict[str, t.Any]:
    return {}


def _compile_values(rule: Rule) -> t.Callable[[t.Sequence[str]], dict[str, t.Any]]:
    """Generate ``values(raw) -> dict``: matched text through each ``to_python``.

    Converters whose ``to_python`` is the identity are skipped, so for plain string
    placeholders the function just builds the dict.
    """
    namespace: dict[str, t.Any] = {}
    items = []
    for index, (name, converter) in enumerate(rule._converters.items()):
        if converter._python_is_identity:
            items.append(f"{name!r}: raw[{index}]")
        else:
            namespace[f"_c{index}"] = converter.to_python
            items.append(f"{name!r}: _c{index}(raw[{index}])")
    source = f"def values(raw):\n    return {{{', '.join(items)}}}\n"
    exec(compile(source, f"<erlen values {rule.rule!r}>", "exec"), namespace)
    return namespace["values"]  # type: ignore[no-any-return]
