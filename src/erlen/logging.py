"""The app's logger, configured as Flask configures its own.

``app.logger`` is the logger named after the app.  In debug mode its level is DEBUG
unless set; if no handler would see its records, a handler writing to the request's
``wsgi.errors`` stream (or stderr outside requests) is added.
"""

from __future__ import annotations

import logging
import sys
import typing as t

if t.TYPE_CHECKING:
    from .app import Erlen

__all__ = ["create_logger", "default_handler", "has_level_handler", "wsgi_errors_stream"]


class _ErrorsStream:
    """A stream that writes to the current request's ``wsgi.errors`` or to stderr."""

    def _target(self) -> t.TextIO:
        from .globals import _cv_request

        ctx = _cv_request.get(None)
        if ctx is not None:
            stream = ctx.request.environ.get("wsgi.errors")
            if stream is not None:
                return stream  # type: ignore[no-any-return]
        return sys.stderr

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()


#: Where the default handler writes.
wsgi_errors_stream = _ErrorsStream()


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether some handler in the logger's hierarchy handles its effective level."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


#: The handler added when no other would show the app's log records.
default_handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[arg-type]
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: Erlen) -> logging.Logger:
    """The logger named after *app*, with Flask's defaults applied."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
