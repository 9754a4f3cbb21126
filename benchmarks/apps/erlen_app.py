"""The benchmark app on erlen: the Flask app of ``flask_app.py`` with only the imports changed.

That the two modules differ only in their imports is the point: it is the port a Flask user
makes. erlen serves the same app object over WSGI (the app itself) and ASGI (``app.asgi``).
"""

from __future__ import annotations

from typing import Any

from erlen import Erlen, jsonify, redirect, request

app = Erlen(__name__)


@app.get("/hello")
def hello() -> Any:
    return "Hello, World!"


@app.get("/users/<int:user_id>/posts/<slug>")
def user_post(user_id: int, slug: str) -> Any:
    return f"user {user_id:d}, post {slug}"


@app.get("/json")
def json_message() -> Any:
    return jsonify({"message": "Hello, World!"})


@app.get("/search")
def search() -> Any:
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    tags = ",".join(request.args.getlist("tag"))
    return f"q={query} page={page:d} tags={tags}"


@app.post("/form")
def form() -> Any:
    return f"name={request.form['name']} email={request.form['email']}"


@app.get("/old")
def old() -> Any:
    return redirect("/hello")


wsgi_app = app


def __getattr__(name: str) -> Any:
    """Resolve ``asgi_app`` (``app.asgi``) only when asked for.

    Looking it up lazily keeps the WSGI side measurable even when the ASGI adapter is
    missing or broken; the ASGI cells then say why.
    """
    if name == "asgi_app":
        return app.asgi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
