"""The benchmark app on Quart: Flask's API made async, ASGI only."""

from __future__ import annotations

from typing import Any

from quart import Quart, jsonify, redirect, request

app = Quart(__name__)


@app.get("/hello")
async def hello() -> Any:
    return "Hello, World!"


@app.get("/users/<int:user_id>/posts/<slug>")
async def user_post(user_id: int, slug: str) -> Any:
    return f"user {user_id:d}, post {slug}"


@app.get("/json")
async def json_message() -> Any:
    return jsonify({"message": "Hello, World!"})


@app.get("/search")
async def search() -> Any:
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    tags = ",".join(request.args.getlist("tag"))
    return f"q={query} page={page:d} tags={tags}"


@app.post("/form")
async def form() -> Any:
    fields = await request.form
    return f"name={fields['name']} email={fields['email']}"


@app.get("/old")
async def old() -> Any:
    return redirect("/hello")


asgi_app = app
