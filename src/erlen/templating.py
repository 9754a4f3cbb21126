"""Jinja templates: the app's environment, template lookup and rendering functions.

Templates are looked up in the app's template folder first, then in each blueprint's,
in registration order (Flask's order).  ``url_for``, ``get_flashed_messages``,
``config``, ``request``, ``session`` and ``g`` are available in every template.
"""

from __future__ import annotations

import typing as t
from types import MethodType as _MethodType

from jinja2 import BaseLoader, Template, TemplateNotFound
from jinja2 import Environment as BaseEnvironment
from jinja2.runtime import Context

from .globals import _get_app_ctx, _get_request_ctx
from .signals import before_render_template, template_rendered
from .urls import UrlMixin

_url_for_function = UrlMixin.url_for

if t.TYPE_CHECKING:
    from .app import Erlen
    from .scaffold import Scaffold

__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """Put the real ``g`` and ``request`` objects (not proxies) into the context."""
    app_ctx = _get_app_ctx(None)
    req_ctx = _get_request_ctx(None)
    rv: dict[str, t.Any] = {}
    if app_ctx is not None:
        rv["g"] = app_ctx.g
    if req_ctx is not None:
        rv["request"] = req_ctx.request
    return rv


class _Context(Context):
    """Jinja's template context, calling plain helpers (``url_for``) directly.

    Jinja's ``Context.call`` inspects every callable for ``pass_context`` markers on
    every call; for the helpers erlen puts in every template, which have none, that is
    most of the cost of ``{{ url_for(...) }}``.
    """

    def call(__self, __obj: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if __obj.__class__ is _MethodType and __obj.__func__ is _url_for_function:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return __obj(*args, **kwargs)
        return Context.call(__self, __obj, *args, **kwargs)


class Environment(BaseEnvironment):
    """A Jinja environment that knows its app and searches blueprint folders."""

    context_class = _Context

    def __init__(self, app: Erlen, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app


class DispatchingJinjaLoader(BaseLoader):
    """Finds a template in the app's folder, then in each blueprint's."""

    def __init__(self, app: Erlen) -> None:
        self.app = app

    def get_source(
        self, environment: BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        for _owner, loader in self._iter_loaders(template):
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)

    def _get_source_explained(
        self, environment: BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        attempts = []
        found = None
        for owner, loader in self._iter_loaders(template):
            try:
                source = loader.get_source(environment, template)
                if found is None:
                    found = source
            except TemplateNotFound:
                source = None
            attempts.append((loader, owner, source))
        from .debughelpers import explain_template_loading_attempts

        explain_template_loading_attempts(self.app, template, attempts)
        if found is not None:
            return found
        raise TemplateNotFound(template)

    def _iter_loaders(self, template: str) -> t.Iterator[tuple[Scaffold, BaseLoader]]:
        loader = self.app.jinja_loader
        if loader is not None:
            yield self.app, loader
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        loader = self.app.jinja_loader
        if loader is not None:
            names.update(loader.list_templates())
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                names.update(loader.list_templates())
        return list(names)


def _current_app() -> Erlen:
    app_ctx = _get_app_ctx(None)
    if app_ctx is None:
        from .globals import _no_app_msg

        raise RuntimeError(_no_app_msg)
    return app_ctx.app


def _render(app: Erlen, template: Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    rv = template.render(context)
    if template_rendered.receivers:
        template_rendered.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    return rv


def render_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> str:
    """Render a template by name (the first existing one of a list) with *context*."""
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render template source code with *context*."""
    app = _current_app()
    template = app.jinja_env.from_string(source)
    return _render(app, template, context)


def _stream(app: Erlen, template: Template, context: dict[str, t.Any]) -> t.Iterator[str]:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        if template_rendered.receivers:
            template_rendered.send(
                app, _async_wrapper=app.ensure_sync, template=template, context=context
            )

    rv: t.Iterator[str] = generate()
    if _get_request_ctx(None) is not None:
        from .helpers import stream_with_context

        rv = stream_with_context(rv)  # type: ignore[assignment]
    return rv


def stream_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> t.Iterator[str]:
    """Render a template as a stream of strings (return it from a view to stream)."""
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render template source code as a stream of strings."""
    app = _current_app()
    template = app.jinja_env.from_string(source)
    return _stream(app, template, context)
