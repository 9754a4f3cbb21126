"""A ``create_app`` factory that cannot be called without arguments."""

from erlen import Erlen


def create_app(config_name):
    return Erlen(__name__)
