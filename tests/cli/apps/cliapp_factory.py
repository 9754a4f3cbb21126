"""A ``create_app`` factory; ``make_named`` takes arguments."""

from erlen import Erlen

created = []


def create_app():
    app = Erlen(__name__)
    app.config["MADE_BY"] = "create_app"
    created.append(app)
    return app


def make_named(name, debug=False):
    app = Erlen(__name__)
    app.config["MADE_BY"] = f"make_named({name!r}, debug={debug!r})"
    return app


def broken_inside():
    return len(42)  # a TypeError raised inside the factory, not by calling it


def not_an_app():
    return {"an": "object"}


value = 42
