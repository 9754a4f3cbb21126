"""A ``make_app`` factory only."""

from erlen import Erlen


def make_app():
    app = Erlen(__name__)
    app.config["MADE_BY"] = "make_app"
    return app
