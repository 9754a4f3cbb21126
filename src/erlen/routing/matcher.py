"""The matcher: from ``(host part, path, method)`` to a rule and its raw values.

Rules are stored in a tree of states, one level per URL part (the host or subdomain
first, then each path segment).  Matching walks the tree depth first: at every level
static children are tried before dynamic ones, dynamic ones in weight order, and the
walk backtracks when a branch fails.  That is Werkzeug's semantics, which erlen keeps so
that routes resolve exactly as they do on Flask.

Walking a tree of objects is slow in Python, so the tree is *compiled*: the matcher
generates one function whose nested ``if`` blocks mirror the tree, with literal
comparisons for static parts, inlined checks for built-in converters and pre-compiled
regexes for the rest.  Fully static paths skip even that, through a dictionary.  The
generated source is readable (``Map.matcher_source()``).  :func:`walk` is the plain
interpreter of the same tree; the compiled code falls back to it for parts that swallow
the rest of the path, and the tests use it as a reference.
"""

from __future__ import annotations

import re
import typing as t

from .converters import ValidationError
from .exceptions import NoMatch, RequestAliasRedirect, RequestPath

if t.TYPE_CHECKING:
    from .rules import Rule, RulePart

__all__ = ["SLASH", "Matcher", "State", "walk"]


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: Returned when a match requires a trailing slash that the path lacks.
SLASH: t.Final = _Marker("SLASH")
#: Appended to the miss list when a rule matched but its WebSocket flag did not.
WEBSOCKET_MISMATCH: t.Final = _Marker("WEBSOCKET_MISMATCH")
_MAX_INDENT = 64
_FAN_OUT_DISPATCH = 8
_MERGE_SLASHES = re.compile("/{2,}")


class State:
    """A node of the rule tree: rules ending here and transitions to deeper parts."""

    __slots__ = ("dynamic", "rules", "static")

    def __init__(self) -> None:
        self.static: dict[str, State] = {}
        self.dynamic: list[tuple[RulePart, State]] = []
        self.rules: list[Rule] = []


_regex_cache: dict[str, re.Pattern[str]] = {}


def _compiled(content: str) -> re.Pattern[str]:
    pattern = _regex_cache.get(content)
    if pattern is None:
        pattern = _regex_cache[content] = re.compile(content)
    return pattern


def _groups(match: re.Match[str]) -> list[str]:
    """Values captured by converter groups, in placeholder order."""
    found = [
        (int(name[8:]), value)
        for name, value in match.groupdict().items()
        if name.startswith("__erlen_")
    ]
    found.sort()
    return [value for _, value in found]


def _finish(found: tuple[Rule, list[str]] | _Marker, matcher: Matcher) -> t.Any:
    """Turn a :func:`walk` result into the compiled matcher's ``(rule, view_args)``."""
    if found is SLASH:
        return found
    rule, raw = found  # type: ignore[misc]
    values = rule._python_values(raw)
    if rule.defaults:
        values.update(rule.defaults)
    if rule.alias:
        return _static_result_alias(rule, values, matcher)
    return rule, values


def _static_result_alias(
    rule: Rule, values: dict[str, t.Any], matcher: Matcher
) -> tuple[Rule, dict[str, t.Any]]:
    """Raise the alias redirect for an alias rule (when the map redirects defaults)."""
    if matcher.redirect_defaults:
        raise RequestAliasRedirect(values, rule.endpoint)
    return rule, values


def _static_result(rule: Rule, matcher: Matcher) -> tuple[Rule, dict[str, t.Any]]:
    """``(rule, view_args)`` for a static rule that has defaults or is an alias."""
    values = dict(rule.defaults) if rule.defaults else {}
    if rule.alias and matcher.redirect_defaults:
        raise RequestAliasRedirect(values, rule.endpoint)
    return rule, values


def _method_ok(rule: Rule, method: str) -> bool:
    return rule.methods is None or method in rule.methods


def walk(
    state: State,
    parts: list[str],
    index: int,
    values: list[str],
    method: str,
    websocket: bool,
    miss: list[t.Any],
) -> tuple[Rule, list[str]] | tuple[str] | None:
    """Match ``parts[index:]`` below *state*: the reference depth-first search.

    Returns ``(rule, raw_values)``, :data:`SLASH` when the best match needs a trailing
    slash, or ``None``.  Method and WebSocket mismatches met on the way are appended to
    *miss* (the method sets, or :data:`WEBSOCKET_MISMATCH`).
    """
    if index == len(parts):
        for rule in state.rules:
            if not _method_ok(rule, method):
                miss.append(rule.methods)
            elif rule.websocket != websocket:
                miss.append(WEBSOCKET_MISMATCH)
            else:
                return rule, values
        slash_state = state.static.get("")
        if slash_state is not None:
            for rule in slash_state.rules:
                if rule.websocket == websocket and _method_ok(rule, method):
                    return SLASH if rule.strict_slashes else (rule, values)
        return None

    part = parts[index]
    child = state.static.get(part)
    if child is not None:
        found = walk(child, parts, index + 1, values, method, websocket, miss)
        if found is not None:
            return found
    for rule_part, child in state.dynamic:
        if rule_part.final:
            target = "/".join(parts[index:])
            remaining: list[str] = []
        else:
            target = part
            remaining = parts[index + 1 :]
        matched = _compiled(rule_part.content).match(target)
        if matched is None:
            continue
        if rule_part.suffixed and matched.groups()[-1] == "/":
            remaining = [""]
        found = walk(child, remaining, 0, values + _groups(matched), method, websocket, miss)
        if found is not None:
            return found

    if index == len(parts) - 1 and part == "":
        for rule in state.rules:
            if rule.strict_slashes:
                continue
            if not _method_ok(rule, method):
                miss.append(rule.methods)
            elif rule.websocket != websocket:
                miss.append(WEBSOCKET_MISMATCH)
            else:
                return rule, values
    return None


class Matcher:
    """The rule tree of one map, with its compiled form.

    ``add`` inserts rules; ``update`` sorts transitions and regenerates the compiled
    function; ``match`` is what :class:`~erlen.routing.MapAdapter` calls.
    """

    def __init__(self, merge_slashes: bool) -> None:
        self.merge_slashes = merge_slashes
        self._root = State()
        self._static: dict[str, dict[str, dict[str | None, tuple[Rule, bool | None]]]] = {}
        self._static_root: dict[str, dict[str | None, tuple[Rule, bool | None]]] = {}
        #: Whether alias rules redirect to their canonical URL (the map's setting).
        self.redirect_defaults = True
        self._compiled: t.Callable[..., t.Any] | None = None
        self.source = ""

    def add(self, rule: Rule) -> None:
        state = self._root
        for part in rule._parts:
            if part.static:
                state = state.static.setdefault(part.content, State())
                continue
            for existing, child in state.dynamic:
                if existing.key == part.key:
                    state = child
                    break
            else:
                child = State()
                state.dynamic.append((part, child))
                state = child
        state.rules.append(rule)
        self._compiled = None

    def update(self) -> None:
        """Order dynamic transitions by weight and recompile."""

        def sort(state: State) -> None:
            state.dynamic.sort(key=lambda entry: entry[0].weight)
            for child in state.static.values():
                sort(child)
            for _, child in state.dynamic:
                sort(child)

        sort(self._root)
        self._static = _static_index(self._root)
        self.source, self._compiled = _Generator(self._root, self._static, self).compile()
        #: ``_compiled`` without its static lookup, for callers that already did it.
        self._compiled_dynamic = self._compiled.__globals__["match_dynamic"]
        #: Static entries of the default domain: path -> method -> (rule, needs_work).
        self._static_root = self._static.get("", {})

    # -- matching ------------------------------------------------------------------

    def match(
        self, domain: str, path: str, method: str, websocket: bool
    ) -> tuple[Rule, dict[str, t.Any]]:
        """Find the rule for a request and convert its values.

        Raises :class:`RequestPath` when the path must change (a missing trailing slash,
        or merged slashes), :class:`NoMatch` with the methods that would have matched,
        and :class:`RequestAliasRedirect` when an alias rule matched.
        """
        miss: list[t.Any] = []
        try:
            compiled = self._compiled  # (loaded first: the fast form on Python 3.11)
            found = compiled(domain, path, method, websocket, miss)
        except ValidationError:
            raise _no_match(miss) from None
        if found is None or found is SLASH:
            self._no_direct_match(found, domain, path, method, websocket, miss)
        return found  # type: ignore[no-any-return]

    def _no_direct_match(
        self, found: t.Any, domain: str, path: str, method: str, websocket: bool, miss: list[t.Any]
    ) -> t.NoReturn:
        """Raise the outcome of a failed match: a slash redirect, a merged-slashes
        redirect, or :class:`NoMatch`."""
        if found is SLASH:
            raise RequestPath(f"{path}/")
        if self.merge_slashes and "//" in path:
            # Only the rule matters here (values are not converted, as in Werkzeug),
            # and this path is rare: use the plain walk.
            merged = _MERGE_SLASHES.sub("/", path)
            found = walk(self._root, [domain, *merged.split("/")], 0, [], method, websocket, miss)
            if found is SLASH:
                raise RequestPath(f"{merged}/")
            if found is not None and found[0].merge_slashes is not False:
                raise RequestPath(merged)
        raise _no_match(miss)


def _no_match(miss: list[t.Any]) -> NoMatch:
    """The miss for a failed match: the methods that would have matched, or a
    WebSocket mismatch."""
    methods: set[str] = set()
    websocket = False
    for entry in miss:
        if entry is WEBSOCKET_MISMATCH:
            websocket = True
        else:
            methods.update(entry)
    return NoMatch(methods, websocket)


def _static_entry(rule: Rule) -> tuple[Rule, bool | None]:
    """``(rule, None)`` for plain rules; ``(rule, True)`` when matching it needs more
    than an empty dict of values (defaults or an alias)."""
    return (rule, None if not (rule.defaults or rule.alias) else True)


def _static_index(root: State) -> dict[str, dict[str, dict[str | None, tuple[Rule, bool | None]]]]:
    """Index fully static rules by domain, then path, then method.

    The first rule (in insertion order) that accepts a method wins, exactly as the
    depth-first walk would pick it, because that walk explores the all-static branch
    first.  Only HTTP (non-WebSocket) rules are indexed.
    """
    index: dict[str, dict[str, dict[str | None, tuple[Rule, bool | None]]]] = {}

    def visit(state: State, domain: str | None, segments: list[str]) -> None:
        if domain is not None and segments:
            http_rules = [rule for rule in state.rules if not rule.websocket]
            if http_rules:
                by_method: dict[str | None, tuple[Rule, bool | None]] = {}
                methods = set().union(*(rule.methods or () for rule in http_rules))
                for method in methods:
                    for rule in state.rules:
                        if _method_ok(rule, method):
                            if not rule.websocket:
                                by_method[method] = _static_entry(rule)
                            break
                for rule in state.rules:
                    if rule.methods is None:
                        if not rule.websocket:
                            by_method[None] = _static_entry(rule)
                        break
                index.setdefault(domain, {})["/".join(segments)] = by_method
        for text, child in state.static.items():
            if domain is None:
                visit(child, text, [])
            else:
                visit(child, domain, [*segments, text])

    visit(root, None, [])
    return index


def _method_table_applies(rules: list[Rule]) -> bool:
    """Whether *rules* (ending at one state) can be chosen by a method lookup alone:
    two or more HTTP rules with method sets, no defaults or aliases, and the same
    view-argument names taken as they are (so one result expression fits them all)."""
    if len(rules) < 2:
        return False
    names = list(rules[0]._converters)
    for rule in rules:
        if rule.websocket or rule.methods is None or rule.defaults or rule.alias:
            return False
        if list(rule._converters) != names:
            return False
        if not all(c._python_is_identity for c in rule._converters.values()):
            return False
    return True


class _Generator:
    """Generates the source of the compiled matcher from the rule tree."""

    def __init__(
        self,
        root: State,
        static: dict[str, dict[str, dict[str | None, tuple[Rule, bool | None]]]],
        matcher: Matcher,
    ) -> None:
        self.root = root
        self.static = static
        self.lines: list[str] = []
        self.namespace: dict[str, t.Any] = {
            "_matcher": matcher,
            "_aliased": _static_result_alias,
            "SLASH": SLASH,
            "WS": WEBSOCKET_MISMATCH,
            "walk": walk,
            "_groups": _groups,
            "_finish": _finish,
        }
        self.functions: list[list[str]] = []
        self.tables: list[str] = []
        self._counter = 0
        #: The part count (``n``) the code being generated is specialised for, or
        #: ``None`` for the generic tree that serves every other count.
        self.length: int | None = None
        self._reach_memo: dict[int, tuple[frozenset[int], int | None]] = {}

    def _name(self, prefix: str, value: t.Any) -> str:
        self._counter += 1
        name = f"{prefix}{self._counter}"
        self.namespace[name] = value
        return name

    def compile(self) -> tuple[str, t.Callable[..., t.Any]]:
        # ``match`` looks the path up among the static rules, then walks the tree in
        # ``match_dynamic``, which callers that did the static lookup call directly.
        entry = ["def match(domain, path, method, websocket, miss):"]
        entry.extend(self._static_lookup())
        entry.append("    return match_dynamic(domain, path, method, websocket, miss)")
        main = ["def match_dynamic(domain, path, method, websocket, miss):"]
        main.extend(["    parts = path.split('/')", "    n = len(parts) + 1", "    p0 = domain"])
        # One tree per part count a rule can match, each pruned to the rules of that
        # length and free of length checks; then the generic tree, for the counts only
        # a ``path``-style part (which swallows the rest) can match.
        lengths, _ = self._reach(self.root, 0)
        self._length_dispatch(sorted(lengths), main, 1)
        self.length = None
        if self._reach(self.root, 0)[1] is not None:
            self._state(self.root, 0, [], main, 1)
        main.append("    return None")
        chunks = ["\n".join(lines) for lines in self.functions]
        chunks.extend(self.tables)
        chunks.append("\n".join(main))
        chunks.append("\n".join(entry))
        source = "\n\n".join(chunks) + "\n"
        code = compile(source, "<erlen matcher>", "exec")
        exec(code, self.namespace)
        return source, self.namespace["match"]

    def _length_dispatch(self, lengths: list[int], out: list[str], indent: int) -> None:
        """Branch on ``n`` by bisection into the tree specialised for each length."""
        pad = "    " * indent
        if len(lengths) <= 3:
            keyword = "if"
            for length in lengths:
                out.append(f"{pad}{keyword} n == {length}:")
                self.length = length
                self._state(self.root, 0, [], out, indent + 1)
                out.append(f"{pad}    return None")
                keyword = "elif"
            return
        middle = len(lengths) // 2
        out.append(f"{pad}if n < {lengths[middle]}:")
        self._length_dispatch(lengths[:middle], out, indent + 1)
        out.append(f"{pad}else:")
        self._length_dispatch(lengths[middle:], out, indent + 1)

    def _reach(self, state: State, depth: int) -> tuple[frozenset[int], int | None]:
        """The part counts a match can have at or below *state* (at *depth*): a set of
        exact counts, and the least count from which a part that swallows the rest of
        the path can match any longer path (``None`` when there is no such part)."""
        memo = self._reach_memo.get(id(state))
        if memo is not None:
            return memo
        lengths: set[int] = set()
        open_from: int | None = None
        if depth >= 2 and (state.rules or "" in state.static):
            lengths.add(depth)
        if any(not rule.strict_slashes for rule in state.rules):
            lengths.add(depth + 1)
        children = [child for child in state.static.values()]
        for rule_part, child in state.dynamic:
            if rule_part.final:
                open_from = depth + 1 if open_from is None else min(open_from, depth + 1)
            else:
                children.append(child)
        for child in children:
            child_lengths, child_open = self._reach(child, depth + 1)
            lengths |= child_lengths
            if child_open is not None:
                open_from = child_open if open_from is None else min(open_from, child_open)
        result = (frozenset(lengths), open_from)
        self._reach_memo[id(state)] = result
        return result

    def _reaches(self, state: State, depth: int) -> bool:
        """Whether *state* can take part in a match of the length being generated."""
        lengths, open_from = self._reach(state, depth)
        if self.length is None:
            return open_from is not None
        return self.length in lengths or (open_from is not None and self.length >= open_from)

    # Each method appends lines at the given indent level to ``out``.  A state's code
    # falls through (continues after its block) when the state does not match, which
    # is how backtracking to the next alternative happens.

    def _state(
        self, state: State, depth: int, values: list[str], out: list[str], indent: int
    ) -> None:
        if indent > _MAX_INDENT:
            self._call_function(state, depth, values, out, indent)
            return
        if self.length is not None:
            self._state_of_length(state, depth, values, out, indent)
            return
        pad = "    " * indent
        # The parts list always holds the domain and at least one path part.
        has_leaf = depth >= 2 and (bool(state.rules) or "" in state.static)
        has_more = state.static or state.dynamic or any(not r.strict_slashes for r in state.rules)
        if has_leaf:
            out.append(f"{pad}if n == {depth}:")
            self._leaf(state, values, out, indent + 1)
            if not has_more:
                return
            out.append(f"{pad}else:")
        elif not has_more:
            return
        elif depth > 0:
            # Nothing ends here: only deeper parts can match.
            out.append(f"{pad}if n > {depth}:")
        else:
            indent -= 1  # the root always has a domain part; no guard needed
        inner = "    " * (indent + 1)
        var = f"p{depth}"
        if depth > 0:
            out.append(f"{inner}{var} = parts[{depth - 1}]")
        self._transitions(state, depth, values, out, indent + 1)
        fallback = [r for r in state.rules if not r.strict_slashes]
        if fallback:
            out.append(f"{inner}if n == {depth + 1} and not {var}:")
            self._rule_checks(fallback, values, out, indent + 2)

    def _state_of_length(
        self, state: State, depth: int, values: list[str], out: list[str], indent: int
    ) -> None:
        """:meth:`_state` when the part count is known: a state at that depth can only
        end the match, and one above it can only lead deeper."""
        pad = "    " * indent
        if depth == self.length:
            self._leaf(state, values, out, indent)
            return
        if depth > 0:
            out.append(f"{pad}p{depth} = parts[{depth - 1}]")
        self._transitions(state, depth, values, out, indent)
        fallback = [r for r in state.rules if not r.strict_slashes]
        if fallback and depth + 1 == self.length:
            out.append(f"{pad}if not p{depth}:")
            self._rule_checks(fallback, values, out, indent + 1)

    def _transitions(
        self, state: State, depth: int, values: list[str], out: list[str], indent: int
    ) -> None:
        """Static then dynamic transitions of *state*, skipping those that cannot take
        part in a match of the length being generated."""
        self._static_transitions(state, depth, values, out, indent)
        for rule_part, child in state.dynamic:
            if rule_part.final or self._reaches(child, depth + 1):
                self._dynamic_transition(rule_part, child, depth, values, out, indent)

    def _static_lookup(self) -> list[str]:
        """Lines matching fully static paths with two dictionary lookups.

        Plain static rules yield ``(rule, {})``; rules with defaults or aliases go
        through :func:`_static_result`, which the table marks by a non-``None`` second
        item.
        """
        self.namespace["_static_result"] = _static_result
        lines: list[str] = []
        for domain, by_path in self.static.items():
            name = self._name("_T", by_path)
            lines.append(f"    if not websocket and domain == {domain!r}:")
            lines.append(f"        by_method = {name}.get(path)")
            lines.append("        if by_method is not None:")
            lines.append("            entry = by_method.get(method) or by_method.get(None)")
            lines.append("            if entry is not None:")
            lines.append("                if entry[1] is None:")
            lines.append("                    return (entry[0], {})")
            lines.append("                return _static_result(entry[0], _matcher)")
        return lines

    def _leaf(self, state: State, values: list[str], out: list[str], indent: int) -> None:
        pad = "    " * indent
        wrote = self._rule_checks(state.rules, values, out, indent)
        slash_state = state.static.get("")
        if slash_state is not None:
            for rule in slash_state.rules:
                condition = "websocket" if rule.websocket else "not websocket"
                if rule.methods is not None:
                    condition += f" and method in {self._name('_M', frozenset(rule.methods))}"
                result = "SLASH" if rule.strict_slashes else self._result(rule, values)
                out.append(f"{pad}if {condition}:")
                out.append(f"{pad}    return {result}")
                wrote = True
        if not wrote:
            out.append(f"{pad}pass")

    def _rule_checks(
        self, rules: list[Rule], values: list[str], out: list[str], indent: int
    ) -> bool:
        pad = "    " * indent
        if _method_table_applies(rules):
            # Several plain HTTP rules end here (one per method, typically): find the
            # first that accepts the method with one dict lookup.  The checks below
            # replay the rules one by one only when that fails, to record the misses.
            table: dict[str, Rule] = {}
            for rule in rules:
                for method in rule.methods:  # type: ignore[union-attr]
                    table.setdefault(method, rule)
            items = ", ".join(
                f"{name!r}: {value}"
                for name, value in zip(rules[0]._converters, values, strict=True)
            )
            out.append(f"{pad}r = {self._name('_L', table)}.get(method)")
            out.append(f"{pad}if r is not None and not websocket:")
            out.append(f"{pad}    return (r, {{{items}}})")
        for rule in rules:
            ws = "websocket" if rule.websocket else "not websocket"
            result = f"return {self._result(rule, values)}"
            if rule.methods is None:
                out.append(f"{pad}if {ws}:")
                out.append(f"{pad}    {result}")
                out.append(f"{pad}miss.append(WS)")
            else:
                methods = self._name("_M", frozenset(rule.methods))
                out.append(f"{pad}if method in {methods}:")
                out.append(f"{pad}    if {ws}:")
                out.append(f"{pad}        {result}")
                out.append(f"{pad}    miss.append(WS)")
                out.append(f"{pad}else:")
                out.append(f"{pad}    miss.append({methods})")
        return bool(rules)

    def _static_transitions(
        self, state: State, depth: int, values: list[str], out: list[str], indent: int
    ) -> None:
        pad = "    " * indent
        var = f"p{depth}"
        children = [
            (text, child) for text, child in state.static.items() if self._reaches(child, depth + 1)
        ]
        if len(children) > _FAN_OUT_DISPATCH:
            # Many literal alternatives: look the segment up once, then branch on its
            # index with a balanced tree of integer comparisons (no function calls).
            index = {text: position for position, (text, _) in enumerate(children)}
            out.append(f"{pad}k{depth} = {self._name('_K', index)}.get({var}, -1)")
            self._index_tree(children, 0, len(children), depth, values, out, indent)
            return
        keyword = "if"
        for text, child in children:
            # (An empty part is tested for truth: a comparison followed by a long jump,
            # as in a big function, is never specialised on Python 3.11.)
            test = f"not {var}" if text == "" else f"{var} == {text!r}"
            out.append(f"{pad}{keyword} {test}:")
            self._state(child, depth + 1, values, out, indent + 1)
            keyword = "elif"

    def _index_tree(
        self,
        children: list[tuple[str, State]],
        low: int,
        high: int,
        depth: int,
        values: list[str],
        out: list[str],
        indent: int,
    ) -> None:
        """Branch on ``k{depth}`` over ``children[low:high]`` by bisection."""
        pad = "    " * indent
        if high - low <= 3:
            keyword = "if"
            for position in range(low, high):
                out.append(f"{pad}{keyword} k{depth} == {position}:")
                self._state(children[position][1], depth + 1, values, out, indent + 1)
                keyword = "elif"
            return
        middle = (low + high) // 2
        out.append(f"{pad}if k{depth} < {middle}:")
        self._index_tree(children, low, middle, depth, values, out, indent + 1)
        out.append(f"{pad}else:")
        self._index_tree(children, middle, high, depth, values, out, indent + 1)

    def _dynamic_transition(
        self,
        rule_part: RulePart,
        child: State,
        depth: int,
        values: list[str],
        out: list[str],
        indent: int,
    ) -> None:
        pad = "    " * indent
        var = f"p{depth}"
        if rule_part.final:
            regex = self._name("_X", _compiled(rule_part.content))
            child_name = self._name("_S", child)
            rest = "[domain, *parts]" if depth == 0 else f"parts[{depth - 1}:]"
            out.append(f"{pad}m = {regex}.match('/'.join({rest}))")
            out.append(f"{pad}if m is not None:")
            remaining = "[''] if m.groups()[-1] == '/' else []" if rule_part.suffixed else "[]"
            out.append(
                f"{pad}    r = walk({child_name}, {remaining}, 0, [{', '.join(values)}] + _groups(m), method, websocket, miss)"
            )
            out.append(f"{pad}    if r is not None:")
            out.append(f"{pad}        return _finish(r, _matcher)")
            return
        if rule_part.fast_check is not None and depth > 0:
            out.append(f"{pad}if {rule_part.fast_check.format(var)}:")
            self._state(child, depth + 1, [*values, var], out, indent + 1)
            return
        regex = self._name("_X", _compiled(rule_part.content))
        group_count = _compiled(rule_part.content).groupindex
        names = sorted(
            (name for name in group_count if name.startswith("__erlen_")), key=lambda s: int(s[8:])
        )
        match_var = f"m{depth}"
        out.append(f"{pad}{match_var} = {regex}.match({var})")
        out.append(f"{pad}if {match_var} is not None:")
        captured = [f"{match_var}.group({name!r})" for name in names]
        self._state(child, depth + 1, [*values, *captured], out, indent + 1)

    def _function(self, state: State, depth: int, value_count: int) -> str:
        """Generate a separate function for *state* and return its name.

        Used for wide levels (dispatched through a dict) and for very deep trees (to stay
        within Python's indentation limit).
        """
        params = [f"v{i}" for i in range(value_count)]
        self._counter += 1
        name = f"_state{self._counter}"
        lines = [
            f"def {name}({', '.join(['parts', 'n', 'method', 'websocket', 'miss', *params])}):"
        ]
        body: list[str] = []
        self._state(state, depth, params, body, 1)
        lines.extend(body)
        lines.append("    return None")
        self.functions.append(lines)
        return name

    def _call_function(
        self, state: State, depth: int, values: list[str], out: list[str], indent: int
    ) -> None:
        pad = "    " * indent
        name = self._function(state, depth, len(values))
        args = ", ".join(["parts", "n", "method", "websocket", "miss", *values])
        out.append(f"{pad}r = {name}({args})")
        out.append(f"{pad}if r is not None:")
        out.append(f"{pad}    return r")

    def _result(self, rule: Rule, values: list[str]) -> str:
        """Source of ``(rule, view_args)`` with each value through its converter.

        A converter raising ``ValidationError`` here ends the whole match (404/405),
        exactly as in Werkzeug, which converts only after choosing the rule.
        """
        items = []
        for (name, converter), value in zip(rule._converters.items(), values, strict=True):
            if converter._python_is_identity:
                items.append(f"{name!r}: {value}")
            elif (inline := converter._inline_python(value)) is not None:
                to_python = self._name("_C", converter.to_python)
                items.append(f"{name!r}: {inline.format(to_python=to_python)}")
            else:
                items.append(f"{name!r}: {self._name('_C', converter.to_python)}({value})")
        if rule.defaults:
            items.append(f"**{self._name('_DF', dict(rule.defaults))}")
        result = f"({self._name('_R', rule)}, {{{', '.join(items)}}})"
        if rule.alias:
            return f"_aliased(*{result}, _matcher)"
        return result
