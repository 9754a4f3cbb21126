"""The session fixture app: routes that set, read, clear and flag the session, used by
every session test module."""

from __future__ import annotations

from datetime import datetime

__all__ = ["SECRET", "describe", "session_app"]

SECRET = "the secret key"


def describe(value):
    """A value as comparable data that keeps its type."""
    if isinstance(value, dict):
        return {"dict": {key: describe(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [describe(item) for item in value]}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    return {type(value).__name__: str(value) if not isinstance(value, (int, float)) else value}


def session_app(fw, **config):
    app = fw.App("session_app")
    app.secret_key = SECRET
    app.config.update(config)

    @app.route("/set")
    def set_values():
        for key, value in fw.request.args.items():
            fw.session[key] = value
        if not fw.request.args:
            fw.session["user"] = "ada"
        return "set"

    @app.route("/get")
    def get_values():
        return fw.jsonify(dict(fw.session))

    @app.route("/untouched")
    def untouched():
        return "untouched"

    @app.route("/clear")
    def clear():
        fw.session.clear()
        return "cleared"

    @app.route("/pop")
    def pop():
        fw.session.pop("user", None)
        return "popped"

    @app.route("/permanent")
    def permanent():
        fw.session.permanent = True
        fw.session["p"] = 1
        return "permanent"

    @app.route("/not-permanent")
    def not_permanent():
        fw.session.permanent = False
        return "not permanent"

    @app.route("/nested")
    def nested():
        fw.session.setdefault("items", []).append(len(fw.session.get("items", [])))
        if fw.request.args.get("mark"):
            fw.session.modified = True
        return fw.jsonify(fw.session["items"])

    @app.route("/flags")
    def flags():
        s = fw.session
        return fw.jsonify(new=s.new, modified=s.modified, permanent=s.permanent, size=len(s))

    return app
