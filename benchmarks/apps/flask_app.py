"""The benchmark app on Flask: the reference API erlen reimplements, WSGI only."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, request
from flask.typing import ResponseReturnValue

app = Flask(__name__)


@app.get("/hello")
def hello() -> ResponseReturnValue:
    return "Hello, World!"


@app.get("/users/<int:user_id>/posts/<slug>")
def user_post(user_id: int, slug: str) -> ResponseReturnValue:
    return f"user {user_id:d}, post {slug}"


@app.get("/json")
def json_message() -> ResponseReturnValue:
    return jsonify({"message": "Hello, World!"})


@app.get("/search")
def search() -> ResponseReturnValue:
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    tags = ",".join(request.args.getlist("tag"))
    return f"q={query} page={page:d} tags={tags}"


@app.post("/form")
def form() -> ResponseReturnValue:
    return f"name={request.form['name']} email={request.form['email']}"


@app.get("/old")
def old() -> ResponseReturnValue:
    return redirect("/hello")


wsgi_app = app
