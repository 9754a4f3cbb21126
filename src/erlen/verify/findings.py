"""What URL verification reports: the ``url_for`` calls it found and its findings.

A :class:`UrlCall` is one ``url_for(...)`` call read from a template or a Python
module, with what could be known without running it (a literal endpoint, literal
keyword values).  A :class:`Finding` is one problem with one call, with the file,
the line, the call's text and the fix.  :class:`Findings` is the list
``app.check_urls()`` returns, with the summary and the output formats of
``erlen check``.
"""

from __future__ import annotations

import json
import os
import typing as t
from dataclasses import asdict, dataclass, field

__all__ = ["DYNAMIC", "ERROR", "UNVERIFIABLE", "WARNING", "Finding", "Findings", "UrlCall"]

#: A finding that breaks a URL (a build error or a link to nowhere): ``erlen check``
#: exits with status 1 when there is one.
ERROR = "error"
#: A probable problem that does not fail the check (``--strict`` makes it fail).
WARNING = "warning"
#: A call whose endpoint is computed at run time: listed, not judged.
UNVERIFIABLE = "unverifiable"


class _Dynamic:
    """The value of a keyword argument that is not a literal."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DYNAMIC"


#: Stands for a keyword value only known at run time.
DYNAMIC: t.Any = _Dynamic()


@dataclass(frozen=True)
class UrlCall:
    """One ``url_for`` call found in source.

    ``endpoint`` is the literal endpoint name, or ``None`` when it is computed
    (``endpoint_text`` then shows the expression).  ``values`` maps each keyword
    argument to its literal value or :data:`DYNAMIC`; ``open_values`` means a
    ``**mapping`` may pass more.  ``blueprints`` are the registered names of the
    blueprints owning the file (for ``.name``); empty for the application's own files.
    """

    file: str
    line: int
    text: str
    endpoint: str | None
    endpoint_text: str
    values: dict[str, t.Any] = field(default_factory=dict)
    open_values: bool = False
    blueprints: tuple[str, ...] = ()
    source: str = "python"  # or "template"


@dataclass(frozen=True)
class Finding:
    """One problem with one ``url_for`` call: where, what, and how to fix it."""

    code: str
    severity: str
    file: str
    line: int
    call: str
    message: str
    fix: str
    endpoint: str | None = None

    @property
    def location(self) -> str:
        """``file:line``, the file relative to the working directory when inside it."""
        return f"{display_path(self.file)}:{self.line}"

    def format(self) -> str:
        """The finding as ``erlen check`` prints it (three lines)."""
        return (
            f"{self.location}: {self.severity}: {self.message} [{self.code}]\n"
            f"    {self.call}\n"
            f"    fix: {self.fix}"
        )

    def as_dict(self) -> dict[str, t.Any]:
        return asdict(self)


def display_path(path: str) -> str:
    """*path* relative to the working directory when it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


class Findings(list):  # type: ignore[type-arg]
    """The findings of one check (a list of :class:`Finding`), errors first.

    ``calls`` is how many ``url_for`` calls were read, ``files`` how many templates
    and modules; ``ok`` is true when there is no error.
    """

    def __init__(self, findings: t.Iterable[Finding] = (), calls: int = 0, files: int = 0) -> None:
        order = {ERROR: 0, WARNING: 1, UNVERIFIABLE: 2}
        super().__init__(
            sorted(findings, key=lambda f: (order.get(f.severity, 3), f.file, f.line, f.code))
        )
        self.calls = calls
        self.files = files

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self if finding.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self if finding.severity == WARNING]

    @property
    def unverifiable(self) -> list[Finding]:
        return [finding for finding in self if finding.severity == UNVERIFIABLE]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """``2 errors, 1 warning, 3 unverifiable in 40 url_for calls (12 files)``."""

        def count(number: int, word: str) -> str:
            return f"{number} {word}{'' if number == 1 or word == 'unverifiable' else 's'}"

        return (
            f"{count(len(self.errors), 'error')}, {count(len(self.warnings), 'warning')},"
            f" {count(len(self.unverifiable), 'unverifiable')} in"
            f" {count(self.calls, 'url_for call')} ({count(self.files, 'file')})"
        )

    def format(self, show_unverifiable: bool = True) -> str:
        """The text report of ``erlen check``: each finding, then the summary."""
        blocks = [
            finding.format()
            for finding in self
            if show_unverifiable or finding.severity != UNVERIFIABLE
        ]
        blocks.append(self.summary())
        return "\n\n".join(blocks)

    def to_json(self) -> str:
        """The findings and counts as JSON (``erlen check --json``), for tools."""
        return json.dumps(
            {
                "ok": self.ok,
                "calls": self.calls,
                "files": self.files,
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "unverifiable": len(self.unverifiable),
                "findings": [finding.as_dict() for finding in self],
            },
            indent=2,
        )
