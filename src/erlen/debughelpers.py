"""Errors and explanations that help during development (debug mode)."""

from __future__ import annotations

import typing as t

from .routing.exceptions import RequestRedirect

if t.TYPE_CHECKING:
    from .app import Erlen
    from .wrappers import Request

__all__ = ["DebugFilesKeyError", "FormDataRoutingRedirect", "explain_template_loading_attempts"]


class UnexpectedUnicodeError(AssertionError, UnicodeError):
    """Raised in places where only bytes make sense (debug mode only)."""


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[...]`` failed because the form was not sent as multipart."""

    def __init__(self, request: Request, key: str) -> None:
        form_matches = request.form.getlist(key)
        buf = [
            f"You tried to access the file {key!r} in the request.files"
            " dictionary but it does not exist. The mimetype for the"
            f" request is {request.mimetype!r} instead of"
            " 'multipart/form-data' which means that no file contents"
            " were transmitted. To fix this error you should provide"
            ' enctype="multipart/form-data" in your form.'
        ]
        if form_matches:
            names = ", ".join(repr(x) for x in form_matches)
            buf.append(
                f"\n\nThe browser instead transmitted some file names. This was submitted: {names}"
            )
        self.msg = "".join(buf)

    def __str__(self) -> str:
        return self.msg


class FormDataRoutingRedirect(AssertionError):
    """A POST (or other body-carrying) request was redirected to add a trailing slash;
    the browser would drop the body.  Raised in debug mode to point at the fix."""

    def __init__(self, request: Request) -> None:
        exc = request.routing_exception
        assert isinstance(exc, RequestRedirect)
        buf = [
            f"A request was sent to '{request.url}', but routing issued"
            f" a redirect to the canonical URL '{exc.new_url}'."
        ]
        if f"{request.base_url}/" == exc.new_url.partition("?")[0]:
            buf.append(
                " The URL was defined with a trailing slash. Flask-style routing"
                " redirects to the URL with a trailing slash if it was accessed"
                " without one."
            )
        buf.append(
            " Send requests to the canonical URL, or use 307 or 308 for"
            " routing redirects. Otherwise, browsers will drop form"
            " data.\n\n"
            "This exception is only raised in debug mode."
        )
        super().__init__("".join(buf))


def _loader_details(loader: t.Any) -> t.Iterator[str]:
    """The loader's class and its public, simple settings (search path, encoding...)."""
    yield f"class: {type(loader).__module__}.{type(loader).__name__}"
    for key, value in sorted(vars(loader).items()):
        if key.startswith("_"):
            continue
        if isinstance(value, (tuple, list)):
            if not all(isinstance(item, str) for item in value):
                continue
            yield f"{key}:"
            yield from (f"  - {item}" for item in value)
        elif isinstance(value, (str, int, float, bool)):
            yield f"{key}: {value!r}"


def explain_template_loading_attempts(app: Erlen, template: str, attempts: list[t.Any]) -> None:
    """Log where a template was looked for (``EXPLAIN_TEMPLATE_LOADING``)."""
    info = [f"Locating template {template!r}:"]
    total_found = 0
    blueprint = None
    from .globals import _cv_request

    ctx = _cv_request.get(None)
    if ctx is not None and ctx.request.blueprint is not None:
        blueprint = ctx.request.blueprint
    for idx, (loader, owner, triple) in enumerate(attempts):
        from .blueprints import Blueprint

        if isinstance(owner, Blueprint):
            src_info = f"blueprint {owner.name!r} ({owner.import_name})"
        else:
            src_info = f"application {owner.import_name!r}"
        info.append(f"{idx + 1:5}: trying loader of {src_info}")
        info.extend(f"       {line}" for line in _loader_details(loader))
        if triple is None:
            detail = "no match"
        else:
            detail = f"found ({triple[1] or '<string>'!r})"
            total_found += 1
        info.append(f"       -> {detail}")
    seems_fishy = False
    if total_found == 0:
        info.append("Error: the template could not be found.")
        seems_fishy = True
    elif total_found > 1:
        info.append("Warning: multiple loaders returned a match for the template.")
        seems_fishy = True
    if blueprint is not None and seems_fishy:
        info.append(
            "  The template was looked up from an endpoint that belongs"
            f" to the blueprint {blueprint!r}."
        )
        info.append("  Maybe you did not place a template in the right folder?")
    app.logger.info("\n".join(info))
