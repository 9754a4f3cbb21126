"""Verified URLs: every ``url_for`` call in an application, checked before it runs.

``erlen check`` (or ``app.check_urls()``) reads the application's Jinja templates
(with Jinja's parser) and Python modules (with :mod:`ast`), finds the ``url_for``
calls with literal endpoint names and checks them against the URL map: unknown
endpoints (with the closest names), missing values, unknown ``.name`` endpoints for
the blueprint owning the file, literal values a converter would refuse, and
``_scheme`` without ``_external``.  Each finding has the file, the line, the call and
the fix; computed endpoints are listed as unverifiable.  In a test suite::

    from erlen.verify import assert_urls_verified

    def test_urls():
        assert_urls_verified(app)
"""

from __future__ import annotations

import typing as t

from .checker import check_app, check_calls, collect_calls
from .findings import DYNAMIC, ERROR, UNVERIFIABLE, WARNING, Finding, Findings, UrlCall

if t.TYPE_CHECKING:
    from ..app import Erlen

__all__ = [
    "DYNAMIC",
    "ERROR",
    "UNVERIFIABLE",
    "WARNING",
    "Finding",
    "Findings",
    "UrlCall",
    "assert_urls_verified",
    "check_app",
    "check_calls",
    "collect_calls",
]


def assert_urls_verified(app: Erlen, strict: bool = False, **options: t.Any) -> Findings:
    """Fail (``AssertionError`` listing each problem) unless every ``url_for`` call of
    *app* checks out; with *strict*, warnings fail too.  Returns the findings.
    Keyword options are those of :func:`check_app` (``paths``, ``templates``,
    ``python``)."""
    findings = check_app(app, **options)
    failing = findings.errors + (findings.warnings if strict else [])
    if failing:
        report = "\n\n".join(finding.format() for finding in failing)
        raise AssertionError(f"url_for problems found:\n\n{report}\n\n{findings.summary()}")
    return findings
