"""URL builders: one small generated function per rule.

Building a URL for a rule means converting each placeholder value with its converter's
``to_url`` and joining the pieces with the rule's literal text.  Doing that by walking a
token list on every ``url_for`` call is what makes URL building slow elsewhere, so each
rule gets a function generated once, at registration, whose body is a single string
concatenation.  The generated source is kept on the function (``__source__``) so it can
be read, e.g. ``print(rule._build.__source__)``.
"""

from __future__ import annotations

import typing as t
from urllib.parse import quote, urlencode

from .converters import _QUOTE_CACHE, PATH_SAFE, BaseConverter, ValidationError, quote_path_value

if t.TYPE_CHECKING:
    from .rules import Rule

__all__ = ["FastBuilder", "compile_builder", "compile_fast_builder", "encode_query"]

_QUERY_SAFE = "!$'()*,/:;?@"


def encode_query(
    values: t.Mapping[str, t.Any],
    sort: bool = False,
    key: t.Callable[[t.Any], t.Any] | None = None,
) -> str:
    """Encode query values: lists, tuples and sets repeat the key; ``None`` is skipped."""
    items: list[tuple[t.Any, t.Any]] = []
    for name, value in values.items():
        if isinstance(value, (list, tuple, set)):
            items.extend((name, item) for item in value if item is not None)
        elif value is not None:
            items.append((name, value))
    if sort:
        items.sort(key=key)
    return urlencode(items, safe=_QUERY_SAFE)


def _plain_to_url(converter: BaseConverter) -> bool:
    """True when the converter's ``to_url`` is the default quoting of ``str(value)``."""
    return type(converter).to_url is BaseConverter.to_url


def compile_builder(rule: Rule) -> t.Callable[[t.Mapping[str, t.Any], bool], tuple[str, str]]:
    """Generate ``build(values, append_unknown) -> (domain_part, path)`` for *rule*.

    Values for placeholders must be present (callers check ``suitable_for`` first);
    placeholders that have a default are fixed at generation time.  With
    *append_unknown*, values that are not rule arguments become the query string.
    """
    defaults = rule.defaults or {}
    namespace: dict[str, t.Any] = {
        "_quote": quote_path_value,
        "_str": str,
        "_encode_query": encode_query,
        "_arguments": frozenset(rule.arguments),
        "_map": rule.map,
    }
    domain: list[tuple[bool, str]] = []
    path: list[tuple[bool, str]] = []
    target = domain
    for dynamic, data in rule._trace:
        if not dynamic and data == "|" and target is domain:
            target = path
            continue
        if dynamic and data in defaults:
            target.append((False, rule._converters[data].to_url(defaults[data])))
        elif not dynamic:
            target.append((False, quote(data, safe=PATH_SAFE)))
        else:
            converter = rule._converters[data]
            if _plain_to_url(converter):
                target.append((True, f"_quote(_str(values[{data!r}]))"))
            else:
                name = f"_to_url_{data}"
                namespace[name] = converter.to_url
                target.append((True, f"{name}(values[{data!r}])"))
    domain_expr = _concatenation(domain)
    path_expr = _concatenation(path)
    lines = [
        "def build(values, append_unknown):",
        f"    path = {path_expr}",
        "    if append_unknown and not _arguments.issuperset(values):",
        "        query = _encode_query(",
        "            {k: v for k, v in values.items() if k not in _arguments},",
        "            _map.sort_parameters,",
        "            _map.sort_key,",
        "        )",
        "        if query:",
        "            path += '?' + query",
        f"    return ({domain_expr}, path)",
    ]
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<erlen builder {rule.rule!r}>", "exec")
    exec(code, namespace)
    build = namespace["build"]
    build.__source__ = source
    return build  # type: ignore[no-any-return]


def _concatenation(pieces: list[tuple[bool, str]]) -> str:
    """Source of an expression joining literal text and generated expressions."""
    terms: list[str] = []
    literal = ""
    for dynamic, text in pieces:
        if dynamic:
            if literal:
                terms.append(repr(literal))
                literal = ""
            terms.append(text)
        else:
            literal += text
    if literal or not terms:
        terms.append(repr(literal))
    return " + ".join(terms)


def _fstring(pieces: list[tuple[bool, str]]) -> str:
    """Source of an f-string joining literal URL text and expressions (one allocation,
    where ``a + b + c`` makes one per ``+``)."""
    parts = []
    for dynamic, text in pieces:
        if dynamic:
            parts.append("{" + text + "}")
        elif any(char in text for char in '"\\{}\n\r'):
            return _concatenation(pieces)  # not expected in quoted URL text; stay safe
        else:
            parts.append(text)
    return 'f"' + "".join(parts) + '"'


class FastBuilder:
    """A whole endpoint's relative-URL builder, for the common case.

    ``build(values)`` returns the path (with query string) for a plain ``dict`` of
    values, or ``None`` when no rule of the endpoint can be built from them (the
    caller then takes the general path, which explains the failure).  It is only made
    for endpoints whose rules have no defaults, are not WebSocket rules and live on one
    fixed subdomain.  ``uniform(method)`` says whether the adapter's default method
    leaves the rule order unchanged; ``always`` says it does for every method.
    """

    __slots__ = ("all_methods", "always", "any_methods", "build", "subdomain")

    def __init__(
        self,
        subdomain: str,
        build: t.Callable[[dict[str, t.Any]], str | None],
        all_methods: frozenset[str] | None,
        any_methods: frozenset[str] | None,
        single: bool,
    ) -> None:
        self.subdomain = subdomain
        self.build = build
        self.all_methods = all_methods
        self.any_methods = any_methods
        self.always = single or all_methods is None

    def uniform(self, method: str) -> bool:
        if self.always or method in self.all_methods:  # type: ignore[operator]
            return True
        return self.any_methods is not None and method not in self.any_methods


def compile_fast_builder(rules: list[Rule]) -> FastBuilder | None:
    """Generate the :class:`FastBuilder` of an endpoint, or ``None`` if not eligible."""
    if not rules:
        return None
    domains = set()
    for rule in rules:
        if rule.defaults or rule.websocket or rule.map.host_matching:
            return None
        domain_dynamic = False
        for dynamic, data in rule._trace:
            if data == "|" and not dynamic:
                break
            domain_dynamic = domain_dynamic or dynamic
        if domain_dynamic:
            return None
        domains.add(rule.subdomain or "")
    if len(domains) != 1:
        return None
    namespace: dict[str, t.Any] = {
        "_c": _QUOTE_CACHE,
        "_q": quote_path_value,
        "_quote_any": _quote_any,
        "_with_query": _with_query,
        "_signed": _url_signer or _no_signer,
        "_signed_link": _link_signer or _no_signer,
        "_ValidationError": ValidationError,
        "_sort_key": rules[0].map.sort_key,
    }
    chunks = [_rule_builder_source(index, rule, namespace) for index, rule in enumerate(rules)]
    if len(rules) == 1:
        chunks.append("build = _rule0\n")
    else:
        calls = "\n".join(
            f"    path = _rule{index}(values)\n    if path is not None:\n        return path"
            for index in range(len(rules))
        )
        chunks.append(f"def build(values):\n{calls}\n    return None\n")
    source = "\n".join(chunks)
    exec(compile(source, f"<erlen endpoint builder {rules[0].endpoint!r}>", "exec"), namespace)
    build = namespace["build"]
    build.__source__ = source
    # The general path tries the rules accepting the adapter's default method first,
    # then all of them.  That order equals the plain rule order when the default method
    # is accepted by every rule, or (all rules listing methods) by none of them.
    concrete = [frozenset(rule.methods) for rule in rules if rule.methods is not None]
    all_methods = frozenset.intersection(*concrete) if concrete else None
    any_methods = frozenset.union(*concrete) if len(concrete) == len(rules) else None
    return FastBuilder(domains.pop(), build, all_methods, any_methods, len(rules) == 1)


def _quote_any(value: t.Any) -> str:
    """Quote ``str(value)`` for a path, as the default ``to_url`` does."""
    return quote_path_value(str(value))


def _rule_builder_source(index: int, rule: Rule, namespace: dict[str, t.Any]) -> str:
    """Source of ``_rule{index}(values) -> path or None`` for one rule.

    Values are looked up by subscript (a missing one means: not this rule).  When every
    value is a plain ``str`` the quoted forms come from the shared quoting cache;
    anything else goes through ``str()`` and quoting, or the converter's ``to_url``.
    """
    names = sorted(rule.arguments)
    variables = {name: f"v{position}" for position, name in enumerate(names)}
    namespace[f"_arguments{index}"] = frozenset(rule.arguments)
    plain_names = []
    cached: list[tuple[bool, str]] = []
    quoted: list[tuple[bool, str]] = []
    general: list[tuple[bool, str]] = []
    in_path = False
    for dynamic, data in rule._trace:
        if not in_path:
            in_path = data == "|" and not dynamic
            continue
        if not dynamic:
            literal = quote(data, safe=PATH_SAFE)
            cached.append((False, literal))
            quoted.append((False, literal))
            general.append((False, literal))
            continue
        converter = rule._converters[data]
        variable = variables[data]
        if _plain_to_url(converter):
            plain_names.append(variable)
            cached.append((True, f"_c[{variable}]"))
            quoted.append((True, f"_q({variable})"))
            general.append((True, f"_quote_any({variable})"))
        else:
            namespace[f"_to_url{index}_{data}"] = converter.to_url
            call = f"_to_url{index}_{data}({variable})"
            cached.append((True, call))
            quoted.append((True, call))
            general.append((True, call))

    def expression(pieces: list[tuple[bool, str]]) -> str:
        text = _fstring(pieces)
        leading = ""
        for dynamic_piece, literal in pieces:
            if dynamic_piece:
                break
            leading += literal
        if leading.startswith("//") or (leading == "/" and len(pieces) > 1):
            # A leading value could start with '/', or the rule itself does (with
            # merge_slashes off): Werkzeug strips extra leading slashes.
            return f"'/' + ({text}).lstrip('/')"
        return text

    lines = [f"def _rule{index}(values):"]
    if names:
        lines.append("    try:")
        lines.extend(f"        {variables[name]} = values[{name!r}]" for name in names)
        lines.append("    except KeyError:")
        lines.append("        return None")
        nones = " or ".join(f"{variables[name]} is None" for name in names)
        lines.append(f"    if {nones}:")
        lines.append("        return None")
    lines.append("    try:")
    if plain_names:
        strs = " and ".join(f"{name}.__class__ is str" for name in plain_names)
        lines.append(f"        if {strs}:")
        lines.append("            try:")
        lines.append(f"                path = {expression(cached)}")
        lines.append("            except KeyError:  # not cached yet: quote (and cache) them")
        lines.append(f"                path = {expression(quoted)}")
        lines.append("        else:")
        lines.append(f"            path = {expression(general)}")
    else:
        lines.append(f"        path = {expression(general)}")
    lines.append("    except _ValidationError:")
    lines.append("        return None")
    lines.append(f"    if len(values) != {len(names)}:")
    # A signed URL is finished by the signer in this same call (it is the one option
    # worth a branch here: signing makes the link, not just decorates it).
    lines.append("        if '_sign' in values:")
    lines.append(f"            if len(values) == {len(names) + 1} and values['_sign'] is True:")
    lines.append("                signed = _signed_link(path)  # the path and _sign, nothing else")
    lines.append("                if signed is not None:")
    lines.append("                    return signed")
    lines.append(
        f"            return _signed(path, values, _arguments{index},"
        f" {rule.map.sort_parameters!r}, _sort_key)"
    )
    lines.append(
        f"        return _with_query(path, values, _arguments{index},"
        f" {rule.map.sort_parameters!r}, _sort_key)"
    )
    lines.append("    return path")
    return "\n".join(lines) + "\n"


#: ``url_for``'s own options: a fast builder declines values containing any of them, so
#: that the general path applies them (``_sign``/``_expires``: signed URLs).
_SPECIAL_VALUES = frozenset(("_anchor", "_method", "_scheme", "_external", "_sign", "_expires"))


#: Signs a built path for ``url_for(..., _sign=True)`` without building it twice:
#: ``signer(path, values, arguments, sort, key)`` returns the signed path (with its
#: query), or ``None`` to leave the values to the general path.  Installed by
#: :mod:`erlen.signing` (before any builder is generated: builders bind it when they
#: are made); the routing layer itself never signs anything.
_url_signer: t.Callable[..., str | None] | None = None
#: The common case of ``_url_signer``, called first when ``_sign=True`` is the only value
#: besides the rule's: ``link_signer(path)`` returns the signed path or ``None`` (then
#: ``_url_signer`` is asked).
_link_signer: t.Callable[[str], str | None] | None = None


def _no_signer(*args: t.Any) -> None:
    """The signer when none is installed: ``_sign`` is left to the general path."""
    return None


def _with_query(
    path: str,
    values: dict[str, t.Any],
    arguments: frozenset[str],
    sort: bool,
    key: t.Callable[[t.Any], t.Any] | None,
) -> str | None:
    """Append the values that are not rule arguments (and not ``None``) as a query.

    ``None`` when ``url_for``'s own options (``_external``...) are among them: the
    caller's general path handles those (``_sign`` never gets here: the generated
    builder hands it to the installed signer).
    """
    if not _SPECIAL_VALUES.isdisjoint(values):
        return None
    extra = {
        name: value for name, value in values.items() if name not in arguments and value is not None
    }
    query = encode_query(extra, sort, key) if extra else ""
    return f"{path}?{query}" if query else path
