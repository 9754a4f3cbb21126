"""The benchmark app on erlen with ``async def`` views, served over ASGI.

The same endpoints as ``erlen_app.py``; only the views are coroutines, which erlen runs
directly on the server's event loop (sync views under ASGI go through a thread pool, as
they do on Starlette). This is the app to compare with Starlette's and Quart's, whose
endpoints are coroutines too.
"""

from __future__ import annotations

from typing import Any

from erlen import Erlen, jsonify, redirect, request

app = Erlen(__name__)


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
    return f"name={request.form['name']} email={request.form['email']}"


@app.get("/old")
async def old() -> Any:
    return redirect("/hello")


asgi_app = app.asgi
