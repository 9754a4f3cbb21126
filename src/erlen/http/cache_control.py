"""``Cache-Control`` and ``Content-Security-Policy`` headers as editable dicts.

Both headers are lists of directives. The classes here are dicts of directive ->
value (``None`` for a bare directive) with attribute access in Python spelling
(``cc.max_age = 3600`` sets ``max-age=3600``). Each calls an ``on_update`` callback on
every change, which is how a response re-serialises its header after
``response.cache_control.no_store = True``. Behaviour follows ``werkzeug`` 3.1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .multidict import CallbackDict, ImmutableDictMixin
from .options import dump_header, parse_dict_header

__all__ = [
    "ContentSecurityPolicy",
    "RequestCacheControl",
    "ResponseCacheControl",
    "cache_control_property",
    "csp_property",
    "dump_csp_header",
    "parse_cache_control_header",
    "parse_csp_header",
]


def cache_control_property(
    key: str, empty: Any, type: type[Any] | None, *, doc: str | None = None
) -> Any:
    """Return a property for directive ``key``, for use in a cache control subclass.

    With ``type=bool`` the property is whether the directive is present. Otherwise it
    is the value converted by ``type`` (``None`` if absent or not convertible), or
    ``empty`` when the directive is present without a value. Setting ``None`` or
    ``False`` removes the directive, ``True`` sets it without a value.
    """
    if doc is None:
        if type is bool:
            doc = f"Whether the ``{key}`` directive is present."
        else:
            kind = "str" if type is None else type.__name__
            bare = "" if empty is None else f" ``{empty!r}`` if present without a value,"
            doc = f"The ``{key}`` directive as ``{kind}``,{bare} or ``None`` if absent."
    return property(
        lambda self: self._get_cache_value(key, empty, type),
        lambda self, value: self._set_cache_value(key, value, type),
        lambda self: self._del_cache_value(key),
        doc=doc,
    )


class _CacheControl(CallbackDict[str, "str | None"]):
    """The directives shared by request and response ``Cache-Control`` headers.

    Values are stored as ``str`` (or ``None`` for a bare directive); typed properties
    convert on the way in and out. ``provided`` tells whether a header was given.
    """

    no_store: bool = cache_control_property("no-store", None, bool)
    max_age: int | None = cache_control_property("max-age", None, int)
    no_transform: bool = cache_control_property("no-transform", None, bool)
    stale_if_error: int | None = cache_control_property("stale-if-error", None, int)

    def __init__(
        self,
        values: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = (),
        on_update: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(values, on_update)
        self.provided = values is not None

    def _get_cache_value(self, key: str, empty: Any, type: type[Any] | None) -> Any:
        if type is bool:
            return key in self
        if key not in self:
            return None
        value = self[key]
        if value is None:
            return empty
        if type is not None:
            try:
                return type(value)
            except ValueError:
                return None
        return value

    def _set_cache_value(self, key: str, value: Any, type: type[Any] | None) -> None:
        if type is bool:
            if value:
                self[key] = None
            else:
                self.pop(key, None)
        elif value is None or value is False:
            self.pop(key, None)
        elif value is True:
            self[key] = None
        else:
            if type is not None:
                value = type(value)
            self[key] = str(value)

    def _del_cache_value(self, key: str) -> None:
        if key in self:
            del self[key]

    def to_header(self) -> str:
        """Render the directives as a ``Cache-Control`` header value."""
        return dump_header(self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        pairs = " ".join(f"{k}={v!r}" for k, v in sorted(self.items()))
        return f"<{type(self).__name__} {pairs}>"

    cache_property = staticmethod(cache_control_property)


class RequestCacheControl(ImmutableDictMixin, _CacheControl):  # type: ignore[misc]
    """The read-only ``Cache-Control`` header of a request."""

    no_cache: bool = cache_control_property("no-cache", None, bool)
    max_stale: int | bool | None = cache_control_property("max-stale", True, int)
    min_fresh: int | None = cache_control_property("min-fresh", None, int)
    only_if_cached: bool = cache_control_property("only-if-cached", None, bool)


class ResponseCacheControl(_CacheControl):
    """The editable ``Cache-Control`` header of a response."""

    no_cache: str | bool | None = cache_control_property("no-cache", True, None)
    public: bool = cache_control_property("public", None, bool)
    private: str | bool | None = cache_control_property("private", True, None)
    must_revalidate: bool = cache_control_property("must-revalidate", None, bool)
    proxy_revalidate: bool = cache_control_property("proxy-revalidate", None, bool)
    s_maxage: int | None = cache_control_property("s-maxage", None, int)
    immutable: bool = cache_control_property("immutable", None, bool)
    must_understand: bool = cache_control_property("must-understand", None, bool)
    stale_while_revalidate: int | None = cache_control_property("stale-while-revalidate", None, int)


_CacheControlT = TypeVar("_CacheControlT", bound=_CacheControl)


def parse_cache_control_header(
    value: str | None,
    on_update: Callable[[Any], None] | None = None,
    cls: type[_CacheControlT] | None = None,
) -> Any:
    """Parse a ``Cache-Control`` value into ``cls`` (default :class:`RequestCacheControl`).

    Request and response directives are not told apart here; pick the class that fits.
    """
    if cls is None:
        cls = RequestCacheControl  # type: ignore[assignment]
    if not value:
        return cls((), on_update)  # type: ignore[misc]
    return cls(parse_dict_header(value), on_update)  # type: ignore[misc]


def csp_property(key: str) -> Any:
    """Return a property for policy directive ``key``, for a CSP subclass."""
    return property(
        lambda self: self._get_value(key),
        lambda self, value: self._set_value(key, value),
        lambda self: self._del_value(key),
        f"The ``{key}`` directive, or ``None`` if absent.",
    )


class ContentSecurityPolicy(CallbackDict[str, str]):
    """A ``Content-Security-Policy`` header: directive -> source list.

    Attributes use Python spelling (``csp.default_src = "'self'"``); setting ``None``
    removes a directive.
    """

    base_uri: str | None = csp_property("base-uri")
    child_src: str | None = csp_property("child-src")
    connect_src: str | None = csp_property("connect-src")
    default_src: str | None = csp_property("default-src")
    font_src: str | None = csp_property("font-src")
    form_action: str | None = csp_property("form-action")
    frame_ancestors: str | None = csp_property("frame-ancestors")
    frame_src: str | None = csp_property("frame-src")
    img_src: str | None = csp_property("img-src")
    manifest_src: str | None = csp_property("manifest-src")
    media_src: str | None = csp_property("media-src")
    navigate_to: str | None = csp_property("navigate-to")
    object_src: str | None = csp_property("object-src")
    prefetch_src: str | None = csp_property("prefetch-src")
    plugin_types: str | None = csp_property("plugin-types")
    report_to: str | None = csp_property("report-to")
    report_uri: str | None = csp_property("report-uri")
    sandbox: str | None = csp_property("sandbox")
    script_src: str | None = csp_property("script-src")
    script_src_attr: str | None = csp_property("script-src-attr")
    script_src_elem: str | None = csp_property("script-src-elem")
    style_src: str | None = csp_property("style-src")
    style_src_attr: str | None = csp_property("style-src-attr")
    style_src_elem: str | None = csp_property("style-src-elem")
    worker_src: str | None = csp_property("worker-src")

    def __init__(
        self,
        values: Mapping[str, str] | Iterable[tuple[str, str]] | None = (),
        on_update: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(values, on_update)
        self.provided = values is not None

    def _get_value(self, key: str) -> str | None:
        return self.get(key)

    def _set_value(self, key: str, value: str | None) -> None:
        if value is None:
            self.pop(key, None)
        else:
            self[key] = value

    def _del_value(self, key: str) -> None:
        if key in self:
            del self[key]

    def to_header(self) -> str:
        """Render the policy as a header value."""
        return dump_csp_header(self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        pairs = " ".join(f"{k}={v!r}" for k, v in sorted(self.items()))
        return f"<{type(self).__name__} {pairs}>"


def dump_csp_header(header: Mapping[str, str]) -> str:
    """Render ``{"default-src": "'self'"}`` as ``default-src 'self'`` (``; `` joined)."""
    return "; ".join(f"{key} {value}" for key, value in header.items())


_CSPT = TypeVar("_CSPT", bound=ContentSecurityPolicy)


def parse_csp_header(
    value: str | None,
    on_update: Callable[[Any], None] | None = None,
    cls: type[_CSPT] | None = None,
) -> Any:
    """Parse a ``Content-Security-Policy`` value; directives without a space are skipped."""
    if cls is None:
        cls = ContentSecurityPolicy  # type: ignore[assignment]
    if value is None:
        return cls((), on_update)  # type: ignore[misc]
    items = []
    for policy in value.split(";"):
        policy = policy.strip(" \t")
        if " " in policy:
            directive, _, sources = policy.partition(" ")
            items.append((directive.strip(" \t"), sources.strip(" \t")))
    return cls(items, on_update)  # type: ignore[misc]
