"""The app of the differential checks: routing, redirects, errors, cookies, sessions, JSON.

It registers no request hooks, so requests take erlen's inlined fast path.  ``PROBES``
is the request sequence the tests send, in order (later requests carry the cookies set
by earlier ones), both in process through the test client and over real servers.
"""

from __future__ import annotations

import typing as t

from erlen import (
    Erlen,
    abort,
    jsonify,
    make_response,
    redirect,
    request,
    session,
    url_for,
)

app = Erlen(__name__)
app.config["SECRET_KEY"] = "differential"
asgi_app = app.asgi

#: The host every probe is sent to (``Host`` over a server, ``base_url`` in process).
HOST = "erlen.test"


@app.route("/")
def index() -> str:
    return "index"


@app.route("/docs/")
def docs() -> str:
    return "docs with a trailing slash"


@app.route("/old")
def old() -> t.Any:
    return redirect(url_for("new", page=2))


@app.route("/new")
def new() -> str:
    return f"new page {request.args.get('page')}"


@app.route("/external")
def external() -> str:
    return url_for("item", item_id=7, _external=True)


@app.route("/items/<int:item_id>", methods=["GET", "PUT", "DELETE"])
def item(item_id: int) -> t.Any:
    if request.method == "GET":
        return {"id": item_id}
    if request.method == "PUT":
        return {"id": item_id, "updated": request.get_json()}
    return "", 204


@app.route("/files/<path:name>")
def file_path(name: str) -> str:
    return f"file {name}"


@app.route("/hello/<name>")
def hello(name: str) -> str:
    return f"Grüße, {name}!"


@app.route("/query")
def query() -> dict[str, t.Any]:
    return {"args": request.args.to_dict(flat=False)}


@app.post("/json")
def post_json() -> t.Any:
    data = request.get_json()
    return jsonify(echo=data, type=type(data).__name__), 201


@app.post("/login")
def login() -> t.Any:
    session["user"] = request.form["user"]
    return redirect(url_for("me"))


@app.route("/me")
def me() -> dict[str, t.Any]:
    return {"user": session.get("user")}


@app.post("/logout")
def logout() -> str:
    session.clear()
    return "bye"


@app.route("/cookie/set")
def set_cookie() -> t.Any:
    response = make_response("cookie set")
    response.set_cookie("flavour", "oat meal", max_age=3600, httponly=True, samesite="Lax")
    response.set_cookie("plain", "1")
    return response


@app.route("/cookie/get")
def get_cookie() -> dict[str, t.Any]:
    return {"cookies": dict(request.cookies)}


@app.route("/abort/<int:code>")
def abort_with(code: int) -> t.NoReturn:
    abort(code)


@app.errorhandler(410)
def gone(error: t.Any) -> t.Any:
    return {"error": "gone", "code": error.code}, 410


@app.route("/boom")
def boom() -> str:
    raise RuntimeError("an error in a view")


@app.route("/bytes")
def some_bytes() -> t.Any:
    return app.response_class(bytes(range(256)), mimetype="application/octet-stream")


@app.route("/generated")
def generated() -> t.Any:
    return app.response_class((f"line {i}\n" for i in range(5)), mimetype="text/plain")


@app.route("/tuple")
def with_headers() -> t.Any:
    return "teapot", 418, {"X-Custom": "yes", "Cache-Control": "no-store"}


class Probe(t.NamedTuple):
    """One request of the differential sequence."""

    method: str
    path: str
    headers: dict[str, str] = {}
    body: bytes = b""


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_JSON = {"Content-Type": "application/json"}

PROBES: list[Probe] = [
    Probe("GET", "/"),
    Probe("HEAD", "/"),
    Probe("GET", "/docs"),  # 308 to the slash URL, absolute Location
    Probe("GET", "/docs/"),
    Probe("GET", "/old"),
    Probe("GET", "/new?page=2"),
    Probe("GET", "/external"),
    Probe("GET", "/items/5"),
    Probe("PUT", "/items/5", _JSON, b'{"name": "lamp"}'),
    Probe("DELETE", "/items/5"),
    Probe("PATCH", "/items/5"),  # 405 with Allow
    Probe("OPTIONS", "/items/5"),
    Probe("GET", "/items/five"),  # no converter match: 404
    Probe("GET", "/nowhere"),
    Probe("GET", "/files/a/b/c.txt"),
    Probe("GET", "/hello/J%C3%BCrgen"),
    Probe("GET", "/query?a=1&a=2&b=%20x&c"),
    Probe("POST", "/json", _JSON, b'{"list": [1, 2, 3], "text": "\\u00e9"}'),
    Probe("POST", "/json", _JSON, b"{not json"),  # 400
    Probe("POST", "/login", _FORM, b"user=ada"),
    Probe("GET", "/me"),
    Probe("GET", "/cookie/set"),
    Probe("GET", "/cookie/get"),
    Probe("POST", "/logout"),
    Probe("GET", "/me"),
    Probe("GET", "/abort/403"),
    Probe("GET", "/abort/410"),  # custom JSON error handler
    Probe("GET", "/boom"),  # 500
    Probe("GET", "/bytes"),
    Probe("GET", "/generated"),
    Probe("GET", "/tuple"),
    Probe("POST", "/"),  # 405 on a GET-only route
]
