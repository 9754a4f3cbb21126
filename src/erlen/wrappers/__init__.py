"""Request and response objects (``from erlen.wrappers import Request, Response``)."""

from .request import Request
from .response import Response

__all__ = ["Request", "Response"]
