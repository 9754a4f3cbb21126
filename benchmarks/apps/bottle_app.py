"""The benchmark app on Bottle: a single-module micro-framework, WSGI only."""

from __future__ import annotations

from typing import Any

import bottle

app = bottle.Bottle()


@app.get("/hello")
def hello() -> str:
    return "Hello, World!"


@app.get("/users/<user_id:int>/posts/<slug>")
def user_post(user_id: int, slug: str) -> str:
    return f"user {user_id:d}, post {slug}"


@app.get("/json")
def json_message() -> dict[str, Any]:
    return {"message": "Hello, World!"}


@app.get("/search")
def search() -> str:
    args = bottle.request.query
    page = args.get("page", 1, type=int)
    tags = ",".join(args.getall("tag"))
    return f"q={args.get('q', '')} page={page:d} tags={tags}"


@app.post("/form")
def form() -> str:
    fields = bottle.request.forms
    return f"name={fields.get('name')} email={fields.get('email')}"


@app.get("/old")
def old() -> None:
    bottle.redirect("/hello", 302)


wsgi_app = app
