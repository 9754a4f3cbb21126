"""Parsing of rule strings (``/post/<int(min=1):post_id>``) into tokens.

The parser is a single left-to-right scan with no backtracking.  Errors name the rule,
the character position and what was expected, so a typo in a decorator is found at
registration time rather than on the first request.
"""

from __future__ import annotations

import re
import typing as t

__all__ = ["Token", "parse_converter_args", "parse_rule"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_VALUE = re.compile(r"[\w.]+")
_CONSTANTS = {"None": None, "True": True, "False": False}


class Token(t.NamedTuple):
    """One piece of a rule: ``kind`` is ``"slash"``, ``"static"`` or ``"variable"``."""

    kind: str
    text: str = ""
    converter: str | None = None
    arguments: str | None = None
    position: int = 0


def _error(rule: str, position: int, problem: str) -> ValueError:
    pointer = " " * position + "^"
    return ValueError(
        f"malformed url rule: {rule!r}: {problem} at position {position}\n    {rule}\n    {pointer}"
    )


def parse_rule(rule: str) -> list[Token]:
    """Split *rule* into slash, static and variable tokens, in order.

    Raises ``ValueError`` naming the rule and position when a placeholder is malformed.
    """
    tokens: list[Token] = []
    pos = 0
    end = len(rule)
    while pos < end:
        char = rule[pos]
        if char == "/":
            tokens.append(Token("slash", "/", position=pos))
            pos += 1
            continue
        if char != "<":
            stop = pos
            while stop < end and rule[stop] not in "/<":
                stop += 1
            tokens.append(Token("static", rule[pos:stop], position=pos))
            pos = stop
            continue
        token, pos = _parse_placeholder(rule, pos)
        tokens.append(token)
    return tokens


def _parse_placeholder(rule: str, start: int) -> tuple[Token, int]:
    """Parse ``<name>``, ``<conv:name>`` or ``<conv(args):name>`` starting at *start*.

    Returns the token and the position just after the closing ``>``.
    """
    pos = start + 1
    first = _IDENTIFIER.match(rule, pos)
    if first is None:
        raise _error(rule, pos, "expected a variable or converter name after '<'")
    pos = first.end()
    converter: str | None = None
    arguments: str | None = None
    if pos < len(rule) and rule[pos] == "(":
        close = _find_closing_paren(rule, pos)
        if close < 0:
            raise _error(rule, pos, "converter arguments are not closed with ')'")
        converter = first.group()
        arguments = rule[pos + 1 : close]
        pos = close + 1
        if pos >= len(rule) or rule[pos] != ":":
            raise _error(rule, pos, "expected ':' after the converter arguments")
    if pos < len(rule) and rule[pos] == ":":
        if converter is None:
            converter = first.group()
        name_match = _IDENTIFIER.match(rule, pos + 1)
        if name_match is None:
            raise _error(rule, pos + 1, "expected a variable name after ':'")
        name = name_match.group()
        pos = name_match.end()
    else:
        name = first.group()
    if pos >= len(rule) or rule[pos] != ">":
        raise _error(rule, pos, "expected '>' to close the placeholder")
    return Token("variable", name, converter, arguments, start), pos + 1


def _find_closing_paren(rule: str, open_pos: int) -> int:
    """Index of the ``)`` closing the argument list at *open_pos*, skipping quoted text."""
    pos = open_pos + 1
    quote: str | None = None
    while pos < len(rule):
        char = rule[pos]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ")":
            return pos
        elif char == ">":
            return -1
        pos += 1
    return -1


def _split_arguments(argstr: str) -> t.Iterator[str]:
    """Split a converter argument string on top-level commas, honouring quotes."""
    current: list[str] = []
    quote: str | None = None
    for char in argstr:
        if quote is not None:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
            current.append(char)
        elif char == ",":
            yield "".join(current)
            current = []
        else:
            current.append(char)
    if quote is not None:
        raise ValueError(f"Cannot parse converter argument {argstr!r}: unclosed quote")
    yield "".join(current)


def _python_value(text: str, argstr: str) -> t.Any:
    """Interpret one argument the way rule authors expect: numbers, constants, strings."""
    if len(text) >= 2 and text[-1] in "\"'":
        body = text[1:] if text[0] in "uUrR" and text[1] == text[-1] else text
        if body[0] == body[-1] and len(body) >= 2:
            return body[1:-1]
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if _BARE_VALUE.fullmatch(text) is None:
        raise ValueError(f"Cannot parse converter argument {text!r} in ({argstr})")
    return text


def parse_converter_args(argstr: str) -> tuple[tuple[t.Any, ...], dict[str, t.Any]]:
    """Parse ``"2, maxlength=8, name='x'"`` into positional and keyword arguments."""
    args: list[t.Any] = []
    kwargs: dict[str, t.Any] = {}
    if not argstr.strip():
        return (), {}
    for raw in _split_arguments(argstr):
        item = raw.strip()
        if not item:
            raise ValueError(f"Cannot parse converter argument '' in ({argstr})")
        name, sep, value = item.partition("=")
        if sep and _IDENTIFIER.fullmatch(name.strip()) and not value.startswith("="):
            kwargs[name.strip()] = _python_value(value.strip(), argstr)
        else:
            args.append(_python_value(item, argstr))
    return tuple(args), kwargs
