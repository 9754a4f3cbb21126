"""Finding ``url_for`` calls in Jinja templates, through Jinja's own parser.

Each template of the application and of its blueprints is parsed with
``env.parse()`` (the syntax tree Jinja compiles from, so comments, raw blocks and
strings that merely look like calls are never mistaken for calls) and every
``Call`` node whose callee is the name ``url_for`` becomes a :class:`UrlCall`.
"""

from __future__ import annotations

import typing as t

from jinja2 import TemplateSyntaxError, nodes

from .findings import DYNAMIC, WARNING, Finding, UrlCall

if t.TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment

    from ..app import Erlen

__all__ = ["calls_in_template", "template_sources"]


class TemplateSource(t.NamedTuple):
    """A template file to scan and the blueprints owning it (registered names)."""

    name: str
    filename: str
    source: str
    blueprints: tuple[str, ...]


def template_sources(app: Erlen) -> tuple[list[TemplateSource], list[Finding]]:
    """Every template of *app* and its blueprints, and findings for unreadable ones."""
    env = app.jinja_env
    sources: list[TemplateSource] = []
    problems: list[Finding] = []
    seen: set[str] = set()
    owners: list[tuple[BaseLoader | None, tuple[str, ...]]] = [(app.jinja_loader, ())]
    for blueprint in dict.fromkeys(app.iter_blueprints()):
        names = tuple(name for name, other in app.blueprints.items() if other is blueprint)
        owners.append((blueprint.jinja_loader, names))
    for loader, blueprints in owners:
        if loader is None:
            continue
        try:
            names = loader.list_templates()
        except TypeError:  # a loader that cannot list its templates
            continue
        for name in names:
            try:
                source, filename, _ = loader.get_source(env, name)
            except (OSError, UnicodeDecodeError) as error:
                problems.append(_unreadable(name, str(error)))
                continue
            filename = filename or name
            if filename in seen:
                continue
            seen.add(filename)
            sources.append(TemplateSource(name, filename, source, blueprints))
    return sources, problems


def _unreadable(name: str, reason: str) -> Finding:
    return Finding(
        "template-unreadable",
        WARNING,
        name,
        1,
        "",
        f"template {name!r} could not be read: {reason}",
        "make it a UTF-8 text file, or move it out of the template folder",
    )


def calls_in_template(
    env: Environment, template: TemplateSource
) -> tuple[list[UrlCall], list[Finding]]:
    """The ``url_for`` calls in one template (or a finding when it does not parse)."""
    try:
        tree = env.parse(template.source, template.name, template.filename)
    except TemplateSyntaxError as error:
        return [], [
            Finding(
                "template-syntax-error",
                WARNING,
                template.filename,
                error.lineno or 1,
                "",
                f"template does not parse, so its url_for calls were not checked: {error.message}",
                "fix the template syntax (rendering it would fail too)",
            )
        ]
    calls = []
    for call in tree.find_all(nodes.Call):
        callee = call.node
        if not (isinstance(callee, nodes.Name) and callee.name == "url_for"):
            continue
        calls.append(_url_call(call, template))
    return calls, []


def _url_call(call: nodes.Call, template: TemplateSource) -> UrlCall:
    endpoint_node: nodes.Expr | None = call.args[0] if call.args else None
    values: dict[str, t.Any] = {}
    for keyword in call.kwargs:
        if keyword.key == "endpoint" and endpoint_node is None:
            endpoint_node = keyword.value
            continue
        values[keyword.key] = _literal(keyword.value)
    endpoint = None
    endpoint_text = _text(endpoint_node) if endpoint_node is not None else ""
    if isinstance(endpoint_node, nodes.Const) and isinstance(endpoint_node.value, str):
        endpoint = endpoint_node.value
    arguments = [_text(argument) for argument in call.args]
    arguments.extend(f"{keyword.key}={_text(keyword.value)}" for keyword in call.kwargs)
    if call.dyn_args is not None:
        arguments.append(f"*{_text(call.dyn_args)}")
    if call.dyn_kwargs is not None:
        arguments.append(f"**{_text(call.dyn_kwargs)}")
    return UrlCall(
        file=template.filename,
        line=call.lineno,
        text=f"{{{{ url_for({', '.join(arguments)}) }}}}",
        endpoint=endpoint,
        endpoint_text=endpoint_text,
        values=values,
        open_values=call.dyn_kwargs is not None or call.dyn_args is not None,
        blueprints=template.blueprints,
        source="template",
    )


def _literal(node: nodes.Node) -> t.Any:
    """The value of a literal expression (constants, lists, tuples, negative numbers),
    else :data:`DYNAMIC`."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, (nodes.List, nodes.Tuple)):
        items = [_literal(item) for item in node.items]
        if any(item is DYNAMIC for item in items):
            return DYNAMIC
        return items if isinstance(node, nodes.List) else tuple(items)
    if isinstance(node, nodes.Neg) and isinstance(node.node, nodes.Const):
        value = node.node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    return DYNAMIC


def _text(node: nodes.Node | None) -> str:
    """A short Jinja-like spelling of an expression, for messages."""
    if node is None:
        return ""
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_text(node.node)}[{_text(node.arg)}]"
    if isinstance(node, (nodes.List, nodes.Tuple)):
        inner = ", ".join(_text(item) for item in node.items)
        return f"[{inner}]" if isinstance(node, nodes.List) else f"({inner})"
    if isinstance(node, nodes.Neg):
        return f"-{_text(node.node)}"
    if isinstance(node, nodes.Call):
        return f"{_text(node.node)}(...)"
    if isinstance(node, nodes.Filter):
        return f"{_text(node.node)}|{node.name}"
    if isinstance(node, nodes.Concat):
        return " ~ ".join(_text(item) for item in node.nodes)
    if isinstance(node, nodes.BinExpr):
        return f"{_text(node.left)} {node.operator} {_text(node.right)}"
    return "..."
