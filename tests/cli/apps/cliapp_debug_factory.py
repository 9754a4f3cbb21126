"""A factory that records ERLEN_DEBUG as it is while the factory runs."""

import os

from erlen import Erlen

seen = []


def create_app():
    seen.append(os.environ.get("ERLEN_DEBUG"))
    return Erlen(__name__)
