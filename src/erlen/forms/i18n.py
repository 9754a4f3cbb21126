"""Translated validation messages, chosen from the request's Accept-Language.

Off by default: messages are WTForms' English ones unless the app sets
``WTF_I18N_ENABLED = True`` (or a form names its ``Meta.locales``).  Translations
come from the catalogues WTForms ships, so no Babel extension is needed.  The
negotiated catalogue is cached per language list, in a bounded cache, so hostile
Accept-Language headers cannot grow memory.
"""

from __future__ import annotations

import gettext
import os
import typing as t

from wtforms.i18n import messages_path

from ..globals import request

__all__ = ["available_locales", "negotiate_locales", "request_translations"]

#: How many of the client's languages are considered (the rest are ignored).
MAX_LANGUAGES = 8
#: How many distinct language lists keep a cached catalogue.
_CACHE_LIMIT = 256

_cache: dict[tuple[str, ...], t.Any] = {}
_available: frozenset[str] | None = None


def available_locales() -> frozenset[str]:
    """The locales WTForms has message catalogues for (``de``, ``pt``, ``zh_TW``...)."""
    global _available
    if _available is None:
        path = messages_path()
        try:
            names = os.listdir(path)
        except OSError:
            names = []
        _available = frozenset(
            name for name in names if os.path.isdir(os.path.join(path, name, "LC_MESSAGES"))
        )
    return _available


def negotiate_locales(languages: t.Iterable[str]) -> tuple[str, ...]:
    """The catalogues to use for *languages* (client order), most preferred first.

    ``de-CH`` selects ``de_CH`` if WTForms has it and ``de`` otherwise; languages
    without a catalogue are dropped.
    """
    available = available_locales()
    chosen: list[str] = []
    for index, language in enumerate(languages):
        if index >= MAX_LANGUAGES:
            break
        tag = language.replace("-", "_")
        base, _, region = tag.partition("_")
        candidates = (
            (f"{base.lower()}_{region.upper()}", base.lower()) if region else (tag.lower(),)
        )
        for candidate in candidates:
            if candidate in available and candidate not in chosen:
                chosen.append(candidate)
                break
    return tuple(chosen)


def _catalogue(locales: tuple[str, ...]) -> t.Any:
    translations = _cache.get(locales)
    if translations is None:
        try:
            translations = gettext.translation("wtforms", messages_path(), list(locales))
        except OSError:
            translations = gettext.NullTranslations()
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[locales] = translations
    return translations


def request_translations() -> t.Any:
    """The translations for the current request's preferred languages, or ``None``.

    ``None`` (English) when the client prefers no language WTForms has.
    """
    languages = [value for value, _quality in request.accept_languages if value != "*"]
    locales = negotiate_locales(languages)
    if not locales:
        return None
    return _catalogue(locales)
