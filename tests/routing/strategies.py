"""Hypothesis strategies and a small harness shared by erlen's routing property tests.

A URL map is generated as plain data (:class:`MapSpec` holding :class:`RuleSpec` objects)
so that the *same* rules can be registered on Werkzeug's ``Map`` (the oracle) and on
erlen's, and so that a failing example can be printed as Python a reader can paste.
Each rule remembers its structure (static pieces, variables and their converters), which
lets the request strategies derive paths that a rule should match, then break them in
the ways routers get wrong: trailing and doubled slashes, percent-encoding, non-ASCII,
wrong types, near misses.

The implementations they run on are in :mod:`tests.routing.impls`.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from .impls import Impl, redirect_callback

# --------------------------------------------------------------------------------------
# Converters: the text written in the rule, and the values they accept
# --------------------------------------------------------------------------------------

# Characters a single path segment may hold once decoded: everything but "/".
SEGMENT_CHARS = list("abcxyz0189-_.~ %?#&=+:@!$'(),;é日ü\n")
SEGMENT_ALPHABET = st.sampled_from(SEGMENT_CHARS) | st.characters(
    codec="utf-8", exclude_characters="/"
)
# No "\n": Werkzeug's path regex uses "." without DOTALL, so a newline never matches.
PATH_ALPHABET = st.sampled_from([c for c in SEGMENT_CHARS if c != "\n"])
LOWER_ALPHABET = st.sampled_from(list("abcxyz019-_.~ %é日"))
DOMAIN_ALPHABET = st.sampled_from(list("abcxyz019"))
ANY_ITEMS = ["a", "b", "about", "help", "foo", "x-y", "foo,bar", "été", "a b", "q.r"]
FLOAT_TEXT = re.compile(r"-?\d+\.\d+")


@dataclass
class Conv:
    """One variable's converter: its source text in the rule and the parsed parameters."""

    kind: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """True when the converter can swallow slashes (the rest of the rule is one part)."""
        return self.kind in ("path", "segs")

    def values(self, *, domain: bool = False, hostile: bool = False) -> st.SearchStrategy:
        """Python values this converter builds and matches back unchanged."""
        p, kind = self.params, self.kind
        if kind in ("default", "string"):
            low = p.get("length") or p.get("minlength", 1)
            high = p.get("length") or p.get("maxlength") or low + 6
            alphabet = DOMAIN_ALPHABET if domain else SEGMENT_ALPHABET
            return st.text(alphabet, min_size=low, max_size=high)
        if kind == "int":
            return st.integers(p["low"], p["high"])
        if kind == "float":
            return st.floats(p["low"], p["high"], allow_nan=False, allow_infinity=False).filter(
                lambda f: FLOAT_TEXT.fullmatch(str(f)) and (p["signed"] or str(f)[0] != "-")
            )
        if kind == "uuid":
            return st.uuids()
        if kind == "any":
            return st.sampled_from(p["items"])
        if kind == "path":  # hostile: empty inner segments and newlines too
            alphabet = SEGMENT_ALPHABET if hostile else PATH_ALPHABET
            segment = st.text(alphabet, min_size=1, max_size=5)
            inner = segment | st.just("") if hostile else segment
            return st.builds(lambda x, xs: "/".join([x, *xs]), segment, st.lists(inner, max_size=3))
        if kind == "subint":
            return st.integers(1000, 10**9)
        if kind == "year":
            return st.integers(1000, 9999)
        if kind == "abc":
            return st.text(st.sampled_from("abc"), min_size=1, max_size=5)
        if kind == "substr":
            alphabet = st.sampled_from(list("ABCXYZ019-_.~ %É"))
            return st.text(alphabet, min_size=p["length"] or 1, max_size=p["length"] or 5)
        if kind in ("hex", "even", "prefixed"):
            high = 10 ** p.get("width", 6) - 1
            ints = st.integers(0, high)
            return ints.map(lambda n: n * 2) if kind == "even" else ints
        if kind in ("csv", "segs"):
            word = st.text(st.sampled_from("abz019"), min_size=1, max_size=4)
            items = st.lists(word, min_size=1, max_size=3)
            return items if kind == "csv" else items.map(tuple)
        if kind == "yesno":
            return st.booleans()
        if kind == "lower":
            return st.text(LOWER_ALPHABET, min_size=1, max_size=6)
        raise AssertionError(kind)

    def url_text(self, value: Any) -> str:
        """The decoded path text that stands for *value* (what a server hands to match)."""
        kind = self.kind
        if kind == "int":
            return str(value).zfill(self.params["fixed_digits"] or 0)
        if kind == "hex":
            return format(value, "x")
        if kind == "subint":
            return str(value - 1000)
        if kind == "substr":
            return value.lower()
        if kind == "prefixed":
            return f"{self.params['prefix']}{value:0{self.params['width']}d}"
        if kind in ("csv", "segs"):
            return ("," if kind == "csv" else "/").join(value)
        if kind == "yesno":
            return "yes" if value else "no"
        return str(value)


def _render_args(draw: Any, args: list[tuple[str, Any]]) -> str:
    """Render converter arguments as people write them: ``(min=1, max=5)`` or ``(3)``."""
    if not args:
        return ""
    out = [str(value) if name == "" else f"{name}={value}" for name, value in args]
    return "(" + draw(st.sampled_from([", ", ",", " , "])).join(out) + ")"


@st.composite
def string_convs(draw: Any) -> Conv:
    name = draw(st.sampled_from(["", "string", "default"]))
    form = draw(st.sampled_from(["plain", "length", "min", "max", "minmax", "positional"]))
    if name == "" or form == "plain":
        return Conv(name or "default", name, {"minlength": 1})
    if form == "length":
        n = draw(st.integers(1, 4))
        return Conv(name, f"{name}(length={n})", {"length": n})
    low = draw(st.integers(1, 3))
    high = low + draw(st.integers(0, 4))
    args = {
        "min": [("minlength", low)],
        "max": [("maxlength", high)],
        "minmax": [("minlength", low), ("maxlength", high)],
        "positional": [("", low)],
    }[form]
    params = {"minlength": low if form != "max" else 1}
    if form in ("max", "minmax"):
        params["maxlength"] = high
    rendered = _render_args(draw, [(k, str(v)) for k, v in args])
    return Conv(name, name + rendered, params)


@st.composite
def int_convs(draw: Any) -> Conv:
    fixed = draw(st.sampled_from([0, 0, 0, 1, 2, 3]))
    signed = draw(st.booleans())
    low = draw(st.none() | st.integers(0, 20))
    high = draw(st.none() | st.integers(low or 0, 150))
    if fixed:  # a value must fit in the fixed width, sign included
        cap = 10**fixed - 1
        low = None if low is not None and low > cap else low
        high = None if high is None else min(high, cap)
    args: list[tuple[str, Any]] = []
    if fixed:
        alone = low is None and high is None and not signed and draw(st.booleans())
        args.append(("" if alone else "fixed_digits", fixed))
    args += [(name, v) for name, v in (("min", low), ("max", high)) if v is not None]
    if signed or draw(st.integers(0, 4)) == 0:
        args.append(("signed", signed))
    floor = -(10 ** (fixed - 1) - 1) if fixed else -(10**7)
    params = {
        "fixed_digits": fixed,
        "signed": signed,
        "low": low if low is not None else (floor if signed else 0),
        "high": high if high is not None else (10**fixed - 1 if fixed else 10**12),
    }
    return Conv("int", "int" + _render_args(draw, args), params)


@st.composite
def float_convs(draw: Any) -> Conv:
    signed = draw(st.booleans())
    low = draw(st.sampled_from([None, None, 0.0, 0.5, 1.25, 10.0]))
    high = draw(st.sampled_from([None, None, 12.5, 100.0, 2.5]))
    if low is not None and high is not None and high < low:
        high = None
    args = [(k, repr(v)) for k, v in (("min", low), ("max", high)) if v is not None]
    if signed:
        args.append(("signed", "True"))
    params = {
        "signed": signed,
        "low": low if low is not None else (-1e6 if signed else 0.0),
        "high": high if high is not None else 1e6,
    }
    return Conv("float", "float" + _render_args(draw, args), params)


def _any_item_source(item: str, quote: str) -> str:
    if item.isidentifier() and quote == "":
        return item
    quote = quote or '"'
    return quote + item + quote


@st.composite
def any_convs(draw: Any) -> Conv:
    items = draw(st.lists(st.sampled_from(ANY_ITEMS), min_size=1, max_size=4, unique=True))
    rendered = [_any_item_source(i, draw(st.sampled_from(["", '"', "'"]))) for i in items]
    sep = draw(st.sampled_from([", ", ","]))
    return Conv("any", f"any({sep.join(rendered)})", {"items": items})


CUSTOM_KINDS = ["hex", "even", "csv", "segs", "yesno", "lower", "prefixed", "subint", "substr"]
CUSTOM_KINDS += ["year", "abc"]


@st.composite
def custom_convs(draw: Any) -> Conv:
    kind = draw(st.sampled_from(CUSTOM_KINDS))
    if kind == "substr":
        length = draw(st.sampled_from([None, 2]))
        return Conv(kind, f"substr(length={length})" if length else kind, {"length": length or 0})
    if kind != "prefixed":
        return Conv(kind, kind)
    prefix, width = draw(st.sampled_from(["id", "v", "x"])), draw(st.integers(1, 3))
    forms = [f"prefixed({prefix}, {width})", f'prefixed(prefix="{prefix}", width={width})']
    source = draw(st.sampled_from(forms))
    if prefix == "id" and width == 2 and draw(st.booleans()):
        source = "prefixed"
    return Conv(kind, source, {"prefix": prefix, "width": width})


CONVERTER_KINDS = ["default", "string", "int", "float", "uuid", "any", "path", *CUSTOM_KINDS]


def converters(kind: str | None = None) -> st.SearchStrategy[Conv]:
    """Any converter, or only those of one *kind* (a name in ``CONVERTER_KINDS``)."""
    by_kind = {
        "default": string_convs(),
        "int": int_convs(),
        "float": float_convs(),
        "uuid": st.just(Conv("uuid", "uuid")),
        "any": any_convs(),
        "path": st.just(Conv("path", "path")),
        "custom": custom_convs(),
    }
    if kind is None:
        return st.one_of(list(by_kind.values()))
    if kind in by_kind:
        return by_kind[kind]
    family = "default" if kind == "string" else "custom"
    return by_kind[family].filter(lambda conv: conv.kind == kind)


# --------------------------------------------------------------------------------------
# Rules and maps as data
# --------------------------------------------------------------------------------------

# Static words collide on purpose (conflicts between rules) and carry regex metacharacters,
# characters that building percent-quotes, and dot segments.
STATIC_WORDS = ["a", "b", "foo", "bar", "edit", "page", "x.y", "ü", "a b", "index.html", "1"]
STATIC_WORDS += ["a+b", "(x)", "[y]*", "a|b", "$^", "\\", "?#", ".", "100%"]
PATH_NAMES = ["a", "b", "id", "page", "slug"]
DOMAIN_NAMES = ["sub", "tenant"]
ENDPOINTS = ["e0", "e1", "e2", "e3"]
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
Piece = tuple  # ("s", text) or ("v", name, Conv)


def _piece_source(piece: Piece) -> str:
    if piece[0] == "s":
        return piece[1]
    conv = piece[2]
    return f"<{conv.source}:{piece[1]}>" if conv.source else f"<{piece[1]}>"


@dataclass
class RuleSpec:
    """One rule as data: path segments of pieces, an optional domain template, options."""

    segments: list[list[Piece]]
    trailing: bool
    endpoint: str
    options: dict[str, Any] = field(default_factory=dict)
    domain: list[Piece] | None = None

    @property
    def string(self) -> str:
        body = "/".join("".join(_piece_source(p) for p in seg) for seg in self.segments)
        return "/" + body + ("/" if self.trailing and self.segments else "")

    @property
    def domain_string(self) -> str | None:
        return None if self.domain is None else "".join(_piece_source(p) for p in self.domain)

    def variables(self) -> dict[str, Conv]:
        pieces = [p for seg in self.segments for p in seg] + list(self.domain or [])
        return {p[1]: p[2] for p in pieces if p[0] == "v"}

    def domain_variables(self) -> dict[str, Conv]:
        return {p[1]: p[2] for p in self.domain or [] if p[0] == "v"}

    def path_text(self, values: dict[str, Any]) -> str:
        def text(piece: Piece) -> str:
            return piece[1] if piece[0] == "s" else piece[2].url_text(values[piece[1]])

        body = "/".join("".join(text(p) for p in seg) for seg in self.segments)
        return "/" + body + ("/" if self.trailing and self.segments else "")

    def domain_text(self, values: dict[str, Any]) -> str | None:
        if self.domain is None:
            return None
        return "".join(p[1] if p[0] == "s" else p[2].url_text(values[p[1]]) for p in self.domain)

    def kwargs(self, host_matching: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"endpoint": self.endpoint, **self.options}
        if self.domain is not None:
            out["host" if host_matching else "subdomain"] = self.domain_string
        return out

    def render(self, host_matching: bool) -> str:
        args = [repr(self.string)]
        for key, value in self.kwargs(host_matching).items():
            shown = value.__name__ if callable(value) else repr(value)
            args.append(f"{key}={shown}")
        return f"Rule({', '.join(args)})"


@dataclass
class MapSpec:
    """A whole map as data; :meth:`build` registers it on one implementation.

    With *use_add* the map is created empty, the custom converters are put into
    ``map.converters`` afterwards (as Flask apps do) and each rule goes through
    ``map.add``. The last *late* rules are left for :meth:`add_late`, which a test calls
    after it has already matched: a compiled matcher must notice them.
    """

    rules: list[RuleSpec]
    options: dict[str, Any] = field(default_factory=dict)
    use_add: bool = False
    late: int = 0

    @property
    def host_matching(self) -> bool:
        return bool(self.options.get("host_matching"))

    def _rules(self, impl: Impl, start: int, stop: int) -> list[Any]:
        specs = self.rules[start:stop]
        return [impl.Rule(r.string, **r.kwargs(self.host_matching)) for r in specs]

    def build(self, impl: Impl) -> Any:
        rules = self._rules(impl, 0, len(self.rules) - self.late)
        if not self.use_add:
            return impl.Map(rules, converters=impl.converters, **self.options)
        url_map = impl.Map(**self.options)
        url_map.converters.update(impl.converters)
        for rule in rules:
            url_map.add(rule)
        return url_map

    def add_late(self, url_map: Any, impl: Impl) -> None:
        for rule in self._rules(impl, len(self.rules) - self.late, len(self.rules)):
            url_map.add(rule)

    def render(self) -> str:
        lines = ["m = Map(...); m.converters.update(CUSTOM); m.add() each of ["] * self.use_add
        lines = lines or ["m = Map(["]
        for index, rule in enumerate(self.rules):
            if index == len(self.rules) - self.late:
                lines.append("    # added with m.add() after the first requests:")
            lines.append(f"    {rule.render(self.host_matching)},")
        options = "".join(f", {k}={v!r}" for k, v in self.options.items())
        lines.append(f"]{options}, converters=CUSTOM)  # CUSTOM: impls.custom_converters")
        return "\n".join(lines)


@st.composite
def segments(draw: Any, names: list[str], *, single_var: bool) -> list[Piece]:
    """One path segment: static, a variable, or variables mixed with static text."""
    kind = draw(st.sampled_from(["static", "static", "var", "var", "mixed", "empty"]))
    if kind == "empty" or (kind != "static" and not names):
        return [] if kind == "empty" else [("s", draw(st.sampled_from(STATIC_WORDS)))]
    if kind == "static":
        return [("s", draw(st.sampled_from(STATIC_WORDS)))]

    def var() -> Piece:
        name = draw(st.sampled_from(names))
        names.remove(name)
        return ("v", name, draw(converters()))

    if kind == "var":
        return [var()]
    prefix = draw(st.sampled_from(["", "page-", "v", "x."]))
    suffix = draw(st.sampled_from(["", ".html", "-", ".json"]))
    pieces: list[Piece] = [("s", prefix)] if prefix else []
    pieces.append(var())
    if not single_var and names and draw(st.booleans()):
        separator = draw(st.sampled_from(["-", ".", "_to_", ""]))
        pieces += [("s", separator), var()] if separator else [var()]
    if suffix or not prefix:
        pieces.append(("s", suffix or "~"))
    return pieces


@st.composite
def domain_templates(draw: Any, host_matching: bool) -> list[Piece] | None:
    kinds = ["none", "static", "var", "mixed"] if host_matching else ["none"] * 6
    kind = draw(st.sampled_from([*kinds, "none", "static", "var", "mixed"]))
    if kind == "none":
        return None
    tail = [("s", ".example.com")] if host_matching else []
    if kind == "static":
        words = ["example.com", "api.example.com"] if host_matching else ["", "api", "www"]
        return [("s", draw(st.sampled_from(words)))]
    name = draw(st.sampled_from(DOMAIN_NAMES))
    conv = draw(st.sampled_from([Conv("default", ""), Conv("string", "string(length=3)")]))
    if conv.kind == "string":
        conv.params = {"length": 3}
    else:
        conv.params = {"minlength": 1}
    head = [("s", "n-")] if kind == "mixed" else []
    return [*head, ("v", name, conv), *tail]


@st.composite
def rule_specs(draw: Any, host_matching: bool = False, *, simple: bool = False) -> RuleSpec:
    """A rule with random structure and options; *simple* keeps only round-trippable ones."""
    names, segs = list(PATH_NAMES), []
    for _ in range(draw(st.integers(0, 4))):
        seg = draw(segments(names, single_var=simple))
        if simple and not seg:
            continue  # no "//" in round-trip rules: merge_slashes would rewrite the URL
        segs.append(seg)
        if simple and any(p[0] == "v" and p[2].final for p in seg):
            names = []  # after a slash-swallowing variable, only static segments stay unambiguous
    trailing = draw(st.booleans())
    domain = draw(domain_templates(host_matching))
    spec = RuleSpec(segs, trailing, draw(st.sampled_from(ENDPOINTS)), {}, domain)
    if simple:
        return spec
    opts = spec.options
    websocket = draw(st.integers(0, 9)) == 0
    pool = ["GET", "HEAD", "OPTIONS"] if websocket else METHODS
    if draw(st.booleans()):
        methods = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        opts["methods"] = [m.lower() if draw(st.integers(0, 5)) == 0 else m for m in methods]
    if websocket:
        opts["websocket"] = True
    if draw(st.integers(0, 9)) == 0:  # the domain option the map does not use: ignored
        opts["subdomain" if host_matching else "host"] = draw(st.sampled_from(["api", "x.test"]))
    variables = spec.variables()
    if draw(st.integers(0, 3)) == 0:
        keys = draw(st.lists(st.sampled_from([*PATH_NAMES, "lang"]), max_size=2, unique=True))
        opts["defaults"] = {
            k: draw(variables[k].values()) if k in variables else draw(st.sampled_from([1, "x"]))
            for k in keys
        }
    for flag in ("strict_slashes", "merge_slashes"):
        value = draw(st.sampled_from([None, None, True, False]))
        if value is not None:
            opts[flag] = value
    extra = draw(st.sampled_from(["", "", "", "", "", "build_only", "redirect", "alias"]))
    if extra == "build_only":
        opts["build_only"] = True
    elif extra == "alias":
        opts["alias"] = True
    elif extra == "redirect":
        names_used = sorted(variables)
        holes = "/".join(f"<{n}>" for n in names_used)
        opts["redirect_to"] = draw(
            st.sampled_from(
                [f"target/{holes}", f"/abs/{holes}", f"http://other.test/{holes}", "../up"]
                + [redirect_callback]
            )
        )
    return spec


@st.composite
def sibling_rules(draw: Any, base: RuleSpec) -> RuleSpec:
    """A rule that interacts with *base*: same path other methods/endpoint, toggled
    trailing slash, a defaults rule for the same endpoint, or an alias."""
    kind = draw(st.sampled_from(["methods", "slash", "defaults", "alias"]))
    twin = RuleSpec(base.segments, base.trailing, base.endpoint, {}, base.domain)
    if kind == "methods":
        twin.endpoint = draw(st.sampled_from(ENDPOINTS))
        twin.options["methods"] = draw(
            st.lists(st.sampled_from(METHODS), min_size=1, max_size=2, unique=True)
        )
    elif kind == "slash":
        twin.trailing = not base.trailing
        twin.endpoint = draw(st.sampled_from(ENDPOINTS))
    elif kind == "defaults":
        variables = base.variables()
        static = [[("s", draw(st.sampled_from(STATIC_WORDS)))]]
        domain = [p for p in base.domain or [] if p[0] == "s"] or None
        twin = RuleSpec(static, draw(st.booleans()), base.endpoint, {}, domain)
        if base.domain_variables():
            twin.domain = base.domain
            variables = {k: v for k, v in variables.items() if k not in base.domain_variables()}
        twin.options["defaults"] = {k: draw(c.values()) for k, c in variables.items()}
        if not twin.options["defaults"]:
            twin.options["defaults"] = {"lang": "x"}
    else:
        twin.segments = [[("s", "alias")], *base.segments]
        twin.options["alias"] = True
    return twin


@st.composite
def rule_families(draw: Any, host_matching: bool) -> list[RuleSpec]:
    """Many siblings under one prefix (a wide fan-out) or one very deep rule: the shapes
    where a compiled matcher switches strategy (dispatch tables, nesting limits)."""
    domain = draw(domain_templates(host_matching))
    if draw(st.booleans()):
        depth = draw(st.integers(12, 40))
        segs = [[("s", draw(st.sampled_from(["d", "a", "ü"])))] for _ in range(depth)]
        segs.insert(draw(st.integers(0, depth)), [("v", "a", draw(converters()))])
        return [RuleSpec(segs, draw(st.booleans()), "deep", {}, domain)]
    head = [[("s", "w")]] if draw(st.booleans()) else []
    width = draw(st.integers(6, 20))
    family = [
        RuleSpec([*head, [("s", f"k{i}")]], i % 3 == 0, f"w{i % 4}", {}, domain)
        for i in range(width)
    ]
    conv = draw(converters())
    family.append(RuleSpec([*head, [("v", "a", conv)]], False, "wide_dynamic", {}, domain))
    return family


@st.composite
def map_specs(draw: Any, *, max_rules: int = 5) -> MapSpec:
    """A random map: a few random rules, siblings that interact with them, sometimes a wide
    or deep family, in random order; some rules may be added after the first requests."""
    options: dict[str, Any] = {}
    host_matching = draw(st.integers(0, 5)) == 0
    if host_matching:
        options["host_matching"] = True
    elif draw(st.integers(0, 3)) == 0:
        options["default_subdomain"] = draw(st.sampled_from(["www", "api"]))
    for flag in ("strict_slashes", "merge_slashes", "redirect_defaults", "sort_parameters"):
        if draw(st.integers(0, 3)) == 0:
            options[flag] = flag == "sort_parameters"  # the value that is not the default
    rules = draw(st.lists(rule_specs(host_matching), min_size=1, max_size=max_rules))
    for base in list(rules):
        if draw(st.integers(0, 2)) == 0:
            rules.append(draw(sibling_rules(base)))
    if draw(st.integers(0, 5)) == 0:
        rules += draw(rule_families(host_matching))
    rules = list(draw(st.permutations(rules)) if draw(st.booleans()) else rules)
    late = draw(st.integers(0, len(rules) - 1)) if draw(st.integers(0, 3)) == 0 else 0
    return MapSpec(rules, options, use_add=draw(st.booleans()), late=late)


@st.composite
def round_trip_maps(draw: Any, kind: str | None = None) -> MapSpec:
    """A one-rule map whose URLs must survive build-then-match, optionally built around
    one variable of converter *kind*."""
    host_matching = draw(st.integers(0, 4)) == 0
    domains = domain_templates(host_matching)
    if kind is None:
        rule = draw(rule_specs(host_matching, simple=True))
    else:
        words = st.lists(st.sampled_from(STATIC_WORDS).map(lambda w: [("s", w)]), max_size=2)
        prefix, suffix = (
            draw(st.sampled_from(["", "page-", "v"])),
            draw(st.sampled_from(["", ".html"])),
        )
        middle = [("s", prefix)] * bool(prefix) + [("v", "a", draw(converters(kind)))]
        middle += [("s", suffix)] * bool(suffix)
        body = [*draw(words), middle, *draw(words)]
        rule = RuleSpec(body, draw(st.booleans()), "e0")
    if host_matching:
        rule.domain = draw(domains.filter(lambda d: d is not None))
    elif kind is not None:
        rule.domain = draw(domains)
    extra = draw(st.sampled_from(["", "", "", "methods", "websocket"]))
    if extra:
        rule.options = {"methods": ["POST"]} if extra == "methods" else {"websocket": True}
    options = {"host_matching": True} if host_matching else {}
    for flag in ("strict_slashes", "merge_slashes"):
        if draw(st.integers(0, 3)) == 0:
            options[flag] = False
    return MapSpec([rule], options, use_add=draw(st.booleans()))


# --------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------


@dataclass
class Request:
    """One ``bind(...)`` plus ``match(...)``; a path of None matches the bound path_info."""

    bind: dict[str, Any]
    path: str | None
    method: str | None = None
    query_args: Any = None
    websocket: bool | None = None

    def match_kwargs(self) -> dict[str, Any]:
        out = {"method": self.method, "query_args": self.query_args, "websocket": self.websocket}
        return {k: v for k, v in out.items() if v is not None}


@st.composite
def mutated(draw: Any, path: str) -> str:
    """*path* broken in one of the ways routers get wrong."""
    at = draw(st.integers(0, max(len(path) - 1, 0)))
    cut = draw(st.sampled_from([i for i, c in enumerate(path) if c == "/"] or [0]))
    runs = list(re.finditer(r"\d+", path)) or [re.match("", path)]
    run: re.Match[str] = draw(st.sampled_from(runs))  # type: ignore[arg-type]
    head, digits, tail = path[: run.start()], run.group(), path[run.end() :]
    segs = path.split("/")
    which = draw(st.integers(0, len(segs) - 1))

    def choose(*options: str) -> str:
        return draw(st.sampled_from(options))

    mutations = {
        "toggle_slash": lambda: path[:-1] if path.endswith("/") else path + "/",
        "double_slash": lambda: path[:cut] + "/" + path[cut:],
        "leading_slashes": lambda: "//" + path.lstrip("/"),
        "quote_all": lambda: urllib.parse.quote(path),
        "quote_one": lambda: (
            path[:at] + urllib.parse.quote(path[at:][:1], safe="") + path[at + 1 :]
        ),
        "percent_slash": lambda: path[:1] + path[1:].replace("/", "%2F", 1),
        "non_ascii": lambda: (
            path[:at] + choose("é", "日本", "\u0130", "\x00", "\u2028") + path[at:]
        ),
        "letter_for_digit": lambda: head + "x" + tail,
        "sign": lambda: head + choose("-", "+") + digits + tail,
        "zero_pad": lambda: head + "0" + digits + tail,
        "huge_number": lambda: head + "9" * 30 + tail,
        "unicode_digits": lambda: head + "\u0661\u0662" + tail,
        "float_form": lambda: head + digits + choose(".0", ".", "e3", ".5e1") + tail,
        "upper": lambda: path.upper(),
        "drop_segment": lambda: "/".join(segs[:which] + segs[which + 1 :]) or "/",
        "dup_segment": lambda: "/".join(segs[: which + 1] + segs[which:]),
        "append": lambda: path + choose("x", "-", ".html", "/edit", "/x/"),
        "newline": lambda: path[:at] + "\n" + path[at:] if at else path + "\n",
        "dot_segment": lambda: path[:cut] + choose("/.", "/..") + path[cut:],
        "empty": lambda: choose("", "/", "//"),
    }
    return mutations[draw(st.sampled_from(sorted(mutations)))]()


def _random_paths(spec: MapSpec) -> st.SearchStrategy[str]:
    words = {p[1] for r in spec.rules for seg in r.segments for p in seg if p[0] == "s"}
    tokens = sorted(words) + ["1", "42", "007", "-3", "1.5", "abc", "yes", "ff", "id07", "a,b"]
    tokens += ["0b0b2c5e-94f7-4b1b-9a6b-2c8f6f0f2d3e", "édition", "", "%41", "k7", "w"]
    segment = st.sampled_from(tokens) | st.text(SEGMENT_ALPHABET, max_size=4)
    segments = st.lists(segment, max_size=5)
    return st.builds(lambda xs, end: "/" + "/".join(xs) + end, segments, st.sampled_from(["", "/"]))


SERVER_NAMES = ["example.com", "Example.COM", "example.com:8080", "api.example.com"]
SUBDOMAINS = [None, "", "www", "api", "abc", "n-abc"]
QUERY_ARGS = [None, None, "a=1&b=2", {"q": "x y", "z": "é"}, {"multi": ["1", "2"]}, ""]


def _draw_binding(draw: Any, spec: MapSpec, domain_text: str | None, derived: bool) -> dict:
    """``bind()`` arguments: the host or subdomain a derived request needs, else random."""
    bind: dict[str, Any] = {}
    if spec.host_matching:
        bind["server_name"] = domain_text or draw(st.sampled_from(SERVER_NAMES))
    else:
        bind["server_name"] = draw(st.sampled_from(SERVER_NAMES[:3]))
        subdomains = [None] * 6 + SUBDOMAINS if derived else SUBDOMAINS
        subdomain = domain_text if domain_text is not None else draw(st.sampled_from(subdomains))
        if subdomain is not None:
            bind["subdomain"] = subdomain
    for key, choices in (
        ("script_name", [None, None, "/app", "/app/", "/ü"]),
        ("url_scheme", [None, None, None, None, "https", "ws", "wss"]),
        ("default_method", [None, None, "POST"]),
        ("query_args", [None, None, None, "bound=1", {"bound": "ü"}]),
    ):
        value = draw(st.sampled_from(choices))
        if value is not None:
            bind[key] = value
    return bind


@st.composite
def requests(draw: Any, spec: MapSpec) -> Request:
    """A request derived from one of the rules (maybe broken), or a random one."""
    rule, domain_text, websocket = None, None, None
    if draw(st.integers(0, 4)) and spec.rules:
        rule = draw(st.sampled_from(spec.rules))
        values = {
            name: draw(conv.values(domain=name in DOMAIN_NAMES, hostile=True))
            for name, conv in rule.variables().items()
        }
        path = rule.path_text(values)
        domain_text = rule.domain_text(values)
        if rule.options.get("websocket"):
            websocket = draw(st.sampled_from([True, True, None, False]))
    else:
        path = draw(_random_paths(spec))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        path = draw(mutated(path))
    bind = _draw_binding(draw, spec, domain_text, rule is not None)
    if draw(st.integers(0, 7)) == 0:
        bind["path_info"], path = path, None
    methods = [None, "GET", "GET", "POST", "HEAD", "PUT", "DELETE", "get"]
    methods += list((rule.options.get("methods") or []) if rule else []) * 4
    if websocket is None:
        websocket = draw(st.sampled_from([None] * 8 + [True, False]))
    query_args = draw(st.sampled_from(QUERY_ARGS))
    return Request(bind, path, draw(st.sampled_from(methods)), query_args, websocket)


@dataclass
class BuildCall:
    """One ``bind(...)`` plus ``build(...)``."""

    bind: dict[str, Any]
    endpoint: str
    values: dict[str, Any] | None
    method: str | None = None
    force_external: bool = False
    append_unknown: bool = True
    url_scheme: str | None = None

    def build_kwargs(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "force_external": self.force_external,
            "append_unknown": self.append_unknown,
            "url_scheme": self.url_scheme,
        }


WRONG_VALUES = ["abc", -1, 1.5, None, "", "x/y", True, 10**20]
EXTRA_VALUES = {"q": "x y", "page": 3, "lang": "ü", "multi": ["1", "2"], "none": None}


@st.composite
def build_calls(draw: Any, spec: MapSpec) -> BuildCall:
    """A build for an endpoint of the map (or a missing one) with mostly right values."""
    endpoints = sorted({r.endpoint for r in spec.rules})
    endpoint = draw(st.sampled_from([*endpoints, *endpoints, "missing"]))
    candidates = [r for r in spec.rules if r.endpoint == endpoint]
    values: dict[str, Any] = {}
    if candidates:
        rule = draw(st.sampled_from(candidates))
        for name, conv in rule.variables().items():
            values[name] = draw(conv.values(domain=name in DOMAIN_NAMES))
        for key, value in (rule.options.get("defaults") or {}).items():
            if draw(st.booleans()):
                values[key] = value
    keys = sorted(values)
    if keys and draw(st.integers(0, 4)) == 0:
        del values[draw(st.sampled_from(keys))]
    if keys and draw(st.integers(0, 4)) == 0:
        values[draw(st.sampled_from(keys))] = draw(st.sampled_from(WRONG_VALUES))
    for key in draw(st.lists(st.sampled_from(sorted(EXTRA_VALUES)), max_size=2, unique=True)):
        values.setdefault(key, EXTRA_VALUES[key])
    bind = {"server_name": draw(st.sampled_from(SERVER_NAMES[:3]))}
    if not spec.host_matching:
        subdomain = draw(st.sampled_from(SUBDOMAINS))
        if subdomain is not None:
            bind["subdomain"] = subdomain
    for key, choices in (
        ("script_name", [None, "/app", "/app/"]),
        ("url_scheme", [None, "https", "ws"]),
    ):
        value = draw(st.sampled_from(choices))
        if value is not None:
            bind[key] = value
    return BuildCall(
        bind,
        endpoint,
        values if values or draw(st.booleans()) else None,
        draw(st.sampled_from([None, None, "GET", "POST", "PUT"])),
        draw(st.booleans()),
        draw(st.sampled_from([True, True, False])),
        draw(st.sampled_from([None, None, "https", "http", "wss"])),
    )
