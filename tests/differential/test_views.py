"""Class-based views: View.as_view, dispatch_request arguments, methods inferred from
MethodView handlers, decorators, init_every_request, view attributes, the REST
tutorial's BookAPI registration (seed 003)."""

from __future__ import annotations

from .harness import (
    delete,
    get,
    head,
    in_app,
    in_request,
    options,
    patch,
    post,
    probe,
    put,
    scenario,
    url,
)


def _views_app(fw):
    app = fw.App(__name__)
    created = []

    class Hello(fw.View):
        def dispatch_request(self, name="world"):
            return f"Hello {name} via {fw.request.method}"

    class PostOnly(fw.View):
        methods = ["POST"]

        def dispatch_request(self):
            return "posted"

    class WithArgs(fw.View):
        def __init__(self, greeting, punctuation="!"):
            self.greeting = greeting
            self.punctuation = punctuation
            created.append(greeting)

        def dispatch_request(self):
            return f"{self.greeting}{self.punctuation} instances={len(created)}"

    class Shared(WithArgs):
        init_every_request = False

    def add_header(view):
        def wrapped(**kwargs):
            response = fw.make_response(view(**kwargs))
            response.headers["X-Decorated"] = "yes"
            return response

        return wrapped

    def require_key(view):
        def wrapped(**kwargs):
            if fw.request.headers.get("X-API-Key") != "secret":
                return fw.jsonify(error="API key is required"), 401
            return view(**kwargs)

        return wrapped

    class Decorated(fw.View):
        decorators = [add_header, require_key]

        def dispatch_request(self):
            return "decorated view"

    class Items(fw.MethodView):
        def get(self, item_id=None):
            if item_id is None:
                return fw.jsonify(items=[1, 2])
            return fw.jsonify(item=item_id)

        def post(self):
            return fw.jsonify(created=fw.request.get_json(silent=True)), 201

        def put(self, item_id):
            return fw.jsonify(updated=item_id)

        def delete(self, item_id):
            return "", 204

    class GetOnly(fw.MethodView):
        def get(self):
            return "get only"

    class HeadExplicit(fw.MethodView):
        def get(self):
            return "get body"

        def head(self):
            return "", 200, {"X-Head": "explicit"}

    class Base(fw.MethodView):
        def get(self):
            return "base get"

    class Child(Base):
        def patch(self):
            return "child patch"

    class LowercaseDispatch(fw.MethodView):
        methods = ["GET", "POST", "DELETE"]

        def get(self):
            return "lc get"

    app.add_url_rule("/hello", view_func=Hello.as_view("hello"))
    app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello_name"))
    app.add_url_rule("/post-only", view_func=PostOnly.as_view("post_only"))
    app.add_url_rule("/with-args", view_func=WithArgs.as_view("with_args", "Howdy", "?"))
    app.add_url_rule("/shared", view_func=Shared.as_view("shared", "Shared"))
    app.add_url_rule("/decorated", view_func=Decorated.as_view("decorated"))
    items = Items.as_view("items")
    app.add_url_rule("/items", view_func=items, methods=["GET", "POST"])
    app.add_url_rule("/items/<int:item_id>", view_func=items, methods=["GET", "PUT", "DELETE"])
    app.add_url_rule("/items-auto/<int:item_id>", view_func=Items.as_view("items_auto"))
    app.add_url_rule("/get-only", view_func=GetOnly.as_view("get_only"))
    app.add_url_rule("/head", view_func=HeadExplicit.as_view("head_explicit"))
    app.add_url_rule("/child", view_func=Child.as_view("child"))
    app.add_url_rule("/lc", view_func=LowercaseDispatch.as_view("lc"))
    return app


@scenario(
    get("/hello"),
    post("/hello"),
    head("/hello"),
    get("/hello/ada"),
    get("/post-only"),
    post("/post-only"),
    get("/with-args"),
    get("/with-args"),
    get("/shared"),
    get("/shared"),
    get("/decorated"),
    get("/decorated", headers={"X-API-Key": "secret"}),
    get("/items"),
    post("/items", json={"name": "new"}),
    put("/items"),
    get("/items/3"),
    put("/items/3"),
    delete("/items/3"),
    patch("/items/3"),
    options("/items/3"),
    get("/items-auto/4"),
    put("/items-auto/4"),
    post("/items-auto/4"),
    options("/items-auto/4"),
    get("/get-only"),
    post("/get-only"),
    head("/get-only"),
    get("/head"),
    head("/head"),
    get("/child"),
    patch("/child"),
    options("/child"),
    get("/lc"),
    post("/lc"),
    delete("/lc"),
    in_request(url("items"), url("items", item_id=3), url("items_auto", item_id=1)),
    in_app(
        probe(
            "view attributes",
            lambda fw: {
                name: (
                    getattr(v, "__name__", None),
                    sorted(getattr(v, "methods", None) or []),
                    getattr(getattr(v, "view_class", None), "__name__", None),
                )
                for name, v in sorted(fw.current_app.view_functions.items())
                if name != "static"
            },
        ),
        probe(
            "rule methods",
            lambda fw: sorted(
                (r.rule, sorted(r.methods)) for r in fw.current_app.url_map.iter_rules()
            ),
        ),
    ),
)
def class_based_views(fw):
    return _views_app(fw)


def _book_api(fw):
    """The REST tutorial's MethodView with an in-memory store (seed 003)."""
    app = fw.App(__name__)
    books = [
        {"id": 1, "title": "Clean Code", "author": "Robert C. Martin", "year": 2008},
        {"id": 2, "title": "The Pragmatic Programmer", "author": "David Thomas", "year": 1999},
    ]

    def find_book(book_id):
        return next((b for b in books if b["id"] == book_id), None)

    class BookAPI(fw.MethodView):
        def get(self, book_id=None):
            if book_id is None:
                return fw.jsonify({"books": books}), 200
            book = find_book(book_id)
            if not book:
                return fw.jsonify({"error": "Book not found"}), 404
            return fw.jsonify(book), 200

        def post(self):
            data = fw.request.get_json()
            if not data or "title" not in data:
                return fw.jsonify({"error": "Title is required"}), 400
            book = {"id": max(b["id"] for b in books) + 1, **data}
            books.append(book)
            return fw.jsonify(book), 201

        def put(self, book_id):
            book = find_book(book_id)
            if not book:
                return fw.jsonify({"error": "Book not found"}), 404
            book.update(fw.request.get_json())
            return fw.jsonify(book), 200

        def delete(self, book_id):
            book = find_book(book_id)
            if not book:
                return fw.jsonify({"error": "Book not found"}), 404
            books.remove(book)
            return "", 204

    book_view = BookAPI.as_view("book_api")
    app.add_url_rule("/api/books", defaults={"book_id": None}, view_func=book_view, methods=["GET"])
    app.add_url_rule("/api/books", view_func=book_view, methods=["POST"])
    app.add_url_rule(
        "/api/books/<int:book_id>", view_func=book_view, methods=["GET", "PUT", "DELETE"]
    )
    return app


@scenario(
    get("/api/books"),
    get("/api/books/1"),
    get("/api/books/99"),
    post("/api/books", json={"title": "Design Patterns", "author": "Gang of Four"}),
    post("/api/books", json={"author": "No Title"}),
    post("/api/books", data="x", content_type="text/plain"),
    put("/api/books/1", json={"title": "Clean Code (Revised)"}),
    put("/api/books/42", json={"title": "Nope"}),
    delete("/api/books/2"),
    delete("/api/books/2"),
    get("/api/books"),
    patch("/api/books/1"),
    options("/api/books"),
    get("/api/books/"),
    in_request(
        url("book_api"),
        url("book_api", book_id=None),
        url("book_api", book_id=1),
        url("book_api", _method="POST"),
    ),
)
def rest_tutorial_book_method_view(fw):
    return _book_api(fw)


@scenario(
    get("/counter"),
    get("/counter"),
    get("/counter-shared"),
    get("/counter-shared"),
)
def init_every_request_state(fw):
    app = fw.App(__name__)

    class Counter(fw.View):
        def __init__(self):
            self.count = 0

        def dispatch_request(self):
            self.count += 1
            return str(self.count)

    class SharedCounter(Counter):
        init_every_request = False

    app.add_url_rule("/counter", view_func=Counter.as_view("counter"))
    app.add_url_rule("/counter-shared", view_func=SharedCounter.as_view("counter_shared"))
    return app


@scenario(
    get("/abstract"),
    in_app(probe("View without dispatch_request", lambda fw: _plain_view(fw))),
)
def view_without_dispatch_request(fw):
    app = fw.App(__name__)
    app.add_url_rule("/abstract", view_func=fw.View.as_view("abstract"))
    return app


def _plain_view(fw):
    with fw.current_app.test_request_context("/"):
        return fw.View.as_view("x")()


def test_scenario(scenario, candidate):
    scenario.check(candidate)
