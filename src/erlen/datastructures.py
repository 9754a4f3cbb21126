"""The data structures Flask users import from ``werkzeug.datastructures``.

``from erlen.datastructures import MultiDict, Headers, FileStorage`` works like the
Werkzeug import it replaces. The implementations live in :mod:`erlen.http`; this module
only gathers them under the familiar names.
"""

from __future__ import annotations

from .http.accept import Accept, CharsetAccept, LanguageAccept, MIMEAccept
from .http.auth import Authorization, WWWAuthenticate
from .http.cache_control import (
    ContentSecurityPolicy,
    RequestCacheControl,
    ResponseCacheControl,
)
from .http.etags import ETags, IfRange
from .http.files import FileMultiDict, FileStorage
from .http.headers import EnvironHeaders, Headers, HeaderSet, ImmutableHeadersMixin
from .http.multidict import (
    CallbackDict,
    CombinedMultiDict,
    ImmutableDict,
    ImmutableDictMixin,
    ImmutableList,
    ImmutableListMixin,
    ImmutableMultiDict,
    ImmutableMultiDictMixin,
    ImmutableTypeConversionDict,
    MissingKeyError,
    MultiDict,
    TypeConversionDict,
    UpdateDictMixin,
    iter_multi_items,
)
from .http.ranges import ContentRange, Range

__all__ = [
    "Accept",
    "Authorization",
    "CallbackDict",
    "CharsetAccept",
    "CombinedMultiDict",
    "ContentRange",
    "ContentSecurityPolicy",
    "ETags",
    "EnvironHeaders",
    "FileMultiDict",
    "FileStorage",
    "HeaderSet",
    "Headers",
    "IfRange",
    "ImmutableDict",
    "ImmutableDictMixin",
    "ImmutableHeadersMixin",
    "ImmutableList",
    "ImmutableListMixin",
    "ImmutableMultiDict",
    "ImmutableMultiDictMixin",
    "ImmutableTypeConversionDict",
    "LanguageAccept",
    "MIMEAccept",
    "MissingKeyError",
    "MultiDict",
    "Range",
    "RequestCacheControl",
    "ResponseCacheControl",
    "TypeConversionDict",
    "UpdateDictMixin",
    "WWWAuthenticate",
    "iter_multi_items",
]
