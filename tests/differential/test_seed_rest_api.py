"""Seed 003, lines 1109-1700: the REST API tutorial's plain-Flask endpoints (health
check, in-memory CRUD, validation and pagination helpers, JSON error handlers for APIError /
HTTPException / Exception, API-key decorators). Extensions are skipped."""

from __future__ import annotations

from functools import wraps

from .harness import delete, get, in_request, post, put, scenario, url

# --------------------------------------------------------------------------------------
# REST API tutorial (lines 1109-1700)
# --------------------------------------------------------------------------------------


@scenario(
    get("/api/health"),
    post("/api/health"),
    get("/api/health/"),
    get("/api/health", exact_json=True),
)
def rest_health_check(fw):
    app = fw.App(__name__)

    @app.route("/api/health", methods=["GET"])
    def health_check():
        return fw.jsonify(
            {"status": "healthy", "service": "flask-rest-api", "version": "1.0.0"}
        ), 200

    return app


def _books_crud(fw):
    app = fw.App(__name__)
    state = {
        "books": [
            {"id": 1, "title": "Clean Code", "author": "Robert C. Martin", "year": 2008},
            {"id": 2, "title": "The Pragmatic Programmer", "author": "David Thomas", "year": 1999},
        ],
        "next_id": 3,
    }

    @app.route("/api/books", methods=["GET"])
    def get_books():
        return fw.jsonify({"books": state["books"], "total": len(state["books"])}), 200

    @app.route("/api/books/<int:book_id>", methods=["GET"])
    def get_book(book_id):
        book = next((b for b in state["books"] if b["id"] == book_id), None)
        if book is None:
            return fw.jsonify({"error": "Book not found"}), 404
        return fw.jsonify(book), 200

    @app.route("/api/books", methods=["POST"])
    def create_book():
        if not fw.request.is_json:
            return fw.jsonify({"error": "Content-Type must be application/json"}), 415
        data = fw.request.get_json()
        missing = [f for f in ["title", "author"] if f not in data]
        if missing:
            return fw.jsonify({"error": "Missing required fields", "missing_fields": missing}), 400
        book = {
            "id": state["next_id"],
            "title": data["title"],
            "author": data["author"],
            "year": data.get("year"),
        }
        state["next_id"] += 1
        state["books"].append(book)
        return fw.jsonify(book), 201

    @app.route("/api/books/<int:book_id>", methods=["PUT"])
    def update_book(book_id):
        book = next((b for b in state["books"] if b["id"] == book_id), None)
        if book is None:
            return fw.jsonify({"error": "Book not found"}), 404
        if not fw.request.is_json:
            return fw.jsonify({"error": "Content-Type must be application/json"}), 415
        data = fw.request.get_json()
        book["title"] = data.get("title", book["title"])
        book["author"] = data.get("author", book["author"])
        book["year"] = data.get("year", book["year"])
        return fw.jsonify(book), 200

    @app.route("/api/books/<int:book_id>", methods=["DELETE"])
    def delete_book(book_id):
        before = len(state["books"])
        state["books"] = [b for b in state["books"] if b["id"] != book_id]
        if len(state["books"]) == before:
            return fw.jsonify({"error": "Book not found"}), 404
        return "", 204

    return app


@scenario(
    get("/api/books"),
    get("/api/books/1"),
    get("/api/books/99"),
    post("/api/books", json={"title": "Design Patterns", "author": "Gang of Four", "year": 1994}),
    post("/api/books", json={"title": "Only Title"}),
    post("/api/books", data="title=x", content_type="application/x-www-form-urlencoded"),
    post("/api/books", data="not json", content_type="application/json"),
    put("/api/books/1", json={"title": "Clean Code (Revised)"}),
    put("/api/books/1", data="x", content_type="text/plain"),
    put("/api/books/42", json={}),
    delete("/api/books/2"),
    delete("/api/books/2"),
    get("/api/books"),
    get("/api/books/abc"),
    post("/api/books/1"),
)
def rest_books_crud(fw):
    return _books_crud(fw)


def _rest_helpers(fw):
    app = fw.App(__name__)
    books = [{"id": i, "title": f"Book {i}"} for i in range(1, 96)]

    def api_response(data=None, message=None, status_code=200, **kwargs):
        response = {"success": 200 <= status_code < 300}
        if message:
            response["message"] = message
        if data is not None:
            response["data"] = data
        response.update(kwargs)
        return fw.jsonify(response), status_code

    def error_response(message, status_code, details=None):
        response = {"success": False, "error": {"message": message, "code": status_code}}
        if details:
            response["error"]["details"] = details
        return fw.jsonify(response), status_code

    def validate_book_data(data, required=True):
        errors = {}
        if required and "title" not in data:
            errors["title"] = "Title is required"
        elif "title" in data:
            if not isinstance(data["title"], str):
                errors["title"] = "Title must be a string"
            elif len(data["title"].strip()) == 0:
                errors["title"] = "Title cannot be empty"
            elif len(data["title"]) > 200:
                errors["title"] = "Title must be 200 characters or fewer"
        if "year" in data:
            if not isinstance(data["year"], int):
                errors["year"] = "Year must be an integer"
            elif data["year"] < 0 or data["year"] > 2030:
                errors["year"] = "Year must be between 0 and 2030"
        if errors:
            return None, errors
        return {
            "title": data.get("title", "").strip(),
            "author": data.get("author", "").strip(),
            "year": data.get("year"),
        }, None

    @app.route("/api/books", methods=["GET"])
    def get_books():
        page = fw.request.args.get("page", 1, type=int)
        per_page = min(fw.request.args.get("per_page", 20, type=int), 100)
        sort_by = fw.request.args.get("sort", "id")
        start = (page - 1) * per_page
        items = books[start : start + per_page]
        total_pages = (len(books) + per_page - 1) // per_page
        return api_response(
            data=items,
            message="Books retrieved successfully",
            sort=sort_by,
            pagination={
                "page": page,
                "per_page": per_page,
                "total_pages": total_pages,
                "total_items": len(books),
                "has_next": page < total_pages,
                "has_prev": page > 1,
            },
        )

    @app.route("/api/books", methods=["POST"])
    def create_book():
        data = fw.request.get_json()
        if data is None:
            return fw.jsonify({"error": "Request body must be JSON"}), 400
        cleaned, errors = validate_book_data(data, required=True)
        if errors:
            return fw.jsonify({"error": "Validation failed", "details": errors}), 422
        return api_response(data=cleaned, message="Book created", status_code=201)

    @app.route("/api/books/<int:book_id>", methods=["GET"])
    def get_book(book_id):
        if book_id > len(books):
            return error_response("Book not found", 404)
        return api_response(data=books[book_id - 1])

    @app.route("/api/books/<int:book_id>", methods=["DELETE"])
    def delete_book(book_id):
        return api_response(message="Book deleted", status_code=200)

    return app


@scenario(
    get("/api/books?page=2&per_page=10&sort=title"),
    get("/api/books?page=abc"),
    get("/api/books?per_page=1000&page=1"),
    get("/api/books?page=10"),
    get("/api/books/5"),
    get("/api/books/500"),
    delete("/api/books/5"),
    post("/api/books", json={"title": "  Spaced  ", "author": " A ", "year": 1999}),
    post("/api/books", json={"author": "x"}),
    post("/api/books", json={"title": "", "year": "1999"}),
    post("/api/books", json={"title": 5, "year": 3000}),
    post("/api/books", json={"title": "x" * 201}),
    post("/api/books", data="x", content_type="text/plain"),
    post("/api/books", json=None),
)
def rest_validation_pagination_helpers(fw):
    return _rest_helpers(fw)


def _rest_errors(fw):
    app = fw.App(__name__)

    class APIError(Exception):
        def __init__(self, message, status_code=400, details=None):
            super().__init__()
            self.message = message
            self.status_code = status_code
            self.details = details

        def to_dict(self):
            response = {
                "success": False,
                "error": {"message": self.message, "code": self.status_code},
            }
            if self.details:
                response["error"]["details"] = self.details
            return response

    @app.errorhandler(APIError)
    def handle_api_error(error):
        return fw.jsonify(error.to_dict()), error.status_code

    @app.errorhandler(fw.HTTPException)
    def handle_http_error(error):
        return fw.jsonify(
            {"success": False, "error": {"message": error.description, "code": error.code}}
        ), error.code

    @app.errorhandler(Exception)
    def handle_unexpected_error(error):
        return fw.jsonify(
            {"success": False, "error": {"message": "An unexpected error occurred", "code": 500}}
        ), 500

    @app.route("/api/books/<int:book_id>", methods=["GET"])
    def get_book(book_id):
        if book_id != 1:
            raise APIError("Book not found", status_code=404)
        return fw.jsonify({"id": 1}), 200

    @app.route("/api/books", methods=["POST"])
    def create_book():
        data = fw.request.get_json()
        if "title" not in data:
            raise APIError("Validation failed", status_code=422, details={"title": "required"})
        return fw.jsonify(data), 201

    @app.route("/api/crash")
    def crash():
        raise RuntimeError("unexpected")

    return app


@scenario(
    get("/api/books/1"),
    get("/api/books/2"),
    get("/api/nothing"),
    put("/api/books/1"),
    post("/api/books", json={"author": "x"}),
    post("/api/books", json={"title": "x"}),
    post("/api/books", data="{bad", content_type="application/json"),
    post("/api/books", data="x", content_type="text/plain"),
    get("/api/crash"),
    get("/api/books/1/"),
)
def rest_json_error_handlers(fw):
    return _rest_errors(fw)


def _rest_api_keys(fw):
    app = fw.App(__name__)
    api_keys = {
        "sk-abc123": {"name": "Mobile App", "permissions": ["read", "write"]},
        "sk-def456": {"name": "Analytics Service", "permissions": ["read"]},
    }

    def require_api_key(f):
        @wraps(f)
        def decorated(*args, **kwargs):
            api_key = fw.request.headers.get("X-API-Key")
            if not api_key:
                return fw.jsonify({"error": "API key is required"}), 401
            if api_key not in api_keys:
                return fw.jsonify({"error": "Invalid API key"}), 401
            fw.g.api_client = api_keys[api_key]
            return f(*args, **kwargs)

        return decorated

    def require_permission(permission):
        def decorator(f):
            @wraps(f)
            def decorated(*args, **kwargs):
                if permission not in fw.g.api_client.get("permissions", []):
                    return fw.jsonify({"error": "Insufficient permissions"}), 403
                return f(*args, **kwargs)

            return decorated

        return decorator

    @app.route("/api/books", methods=["GET"])
    @require_api_key
    @require_permission("read")
    def get_books():
        return fw.jsonify({"books": [], "client": fw.g.api_client["name"]})

    @app.route("/api/books", methods=["POST"])
    @require_api_key
    @require_permission("write")
    def create_book():
        return fw.jsonify({"created": True}), 201

    return app


@scenario(
    get("/api/books"),
    get("/api/books", headers={"X-API-Key": "wrong"}),
    get("/api/books", headers={"X-API-Key": "sk-abc123"}),
    get("/api/books", headers={"X-API-Key": "sk-def456"}),
    post("/api/books", headers={"X-API-Key": "sk-def456"}),
    post("/api/books", headers={"X-API-Key": "sk-abc123"}),
    in_request(url("get_books"), url("create_book")),
)
def rest_api_key_decorators(fw):
    return _rest_api_keys(fw)


def test_scenario(scenario, candidate):
    scenario.check(candidate)
