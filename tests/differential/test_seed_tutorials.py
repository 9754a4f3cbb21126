"""Seed 003, lines 3699-5494: the Flask tutorial's routes, request handling, responses
and error pages, the blog, and the routing tutorial's tasks API and Task Manager
(templates under templates/, kept minimal)."""

from __future__ import annotations

import datetime

from .harness import File, delete, get, in_app, in_request, post, probe, put, scenario, url

# --------------------------------------------------------------------------------------
# Flask tutorial (lines 3699-4300): routes, converters, methods, request, responses
# --------------------------------------------------------------------------------------


def _flask_tutorial(fw):
    app = fw.App(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024

    @app.route("/")
    def index():
        return "Home Page"

    @app.route("/about")
    def about():
        return "About Page"

    @app.route("/user/<username>")
    def user_profile(username):
        return f"Profile: {username}"

    @app.route("/post/<int:post_id>")
    def show_post(post_id):
        return f"Post #{post_id}"

    @app.route("/price/<float:amount>")
    def show_price(amount):
        return f"Price: ${amount:.2f}"

    @app.route("/files/<path:filepath>")
    def serve_file(filepath):
        return f"Serving: {filepath}"

    @app.route("/item/<uuid:item_id>")
    def get_item(item_id):
        return f"Item: {item_id}"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if fw.request.method == "POST":
            username = fw.request.form["username"]
            fw.request.form["password"]  # raises 400 when missing
            return fw.redirect(fw.url_for("index", user=username))
        return "login form"

    @app.route("/api/users", methods=["GET"])
    def list_users():
        return fw.jsonify([{"id": 1, "name": "Folau"}, {"id": 2, "name": "Sione"}])

    @app.route("/api/users", methods=["POST"])
    def create_user():
        data = fw.request.get_json()
        return fw.jsonify({"id": 3, "name": data["name"]}), 201

    @app.route("/api/users/<int:user_id>", methods=["PUT"])
    def update_user(user_id):
        data = fw.request.get_json()
        return fw.jsonify({"id": user_id, "name": data["name"]})

    @app.route("/api/users/<int:user_id>", methods=["DELETE"])
    def delete_user(user_id):
        return "", 204

    @app.route("/search")
    def search():
        query = fw.request.args.get("q", "")
        page = fw.request.args.get("page", 1, type=int)
        return f"Searching for '{query}' on page {page}"

    @app.route("/submit", methods=["POST"])
    def submit():
        name = fw.request.form.get("name")
        email = fw.request.form.get("email")
        return f"Received: {name}, {email}"

    @app.route("/api/data", methods=["POST"])
    def receive_json():
        return fw.jsonify({"received": fw.request.get_json()})

    @app.route("/upload", methods=["POST"])
    def upload_file():
        file = fw.request.files.get("document")
        if file:
            return f"Uploaded: {file.filename} ({len(file.read())} bytes)"
        return "No file provided", 400

    @app.route("/debug-request")
    def debug_request():
        return fw.jsonify(
            {
                "method": fw.request.method,
                "url": fw.request.url,
                "path": fw.request.path,
                "host": fw.request.host,
                "headers": {
                    k: v for k, v in fw.request.headers.items() if k.lower() != "content-length"
                },
                "content_type": fw.request.content_type,
                "remote_addr": fw.request.remote_addr,
                "cookies": dict(fw.request.cookies),
                "user_agent": str(fw.request.user_agent),
                "is_json": fw.request.is_json,
            }
        )

    @app.route("/simple")
    def simple():
        return "Hello"

    @app.route("/not-found-example")
    def custom_status():
        return "This page does not exist", 404

    @app.route("/api/status")
    def api_status():
        return fw.jsonify({"status": "healthy", "version": "1.0.0", "uptime": 99.9})

    @app.route("/api/error")
    def api_error():
        return fw.jsonify({"error": "Something went wrong"}), 500

    @app.route("/custom")
    def custom_response():
        resp = fw.make_response("Custom Response", 200)
        resp.headers["X-Custom-Header"] = "MyValue"
        resp.set_cookie("visited", "true", max_age=3600)
        return resp

    @app.route("/old-page")
    def old_page():
        return fw.redirect(fw.url_for("index"))

    @app.route("/old-permanent")
    def old_permanent():
        return fw.redirect(fw.url_for("about"), code=301)

    @app.route("/admin")
    def admin_panel():
        if fw.request.args.get("admin") != "1":
            fw.abort(403)
        return "Admin"

    @app.route("/api/users/<int:user_id>")
    def get_user(user_id):
        if user_id > 2:
            fw.abort(404)
        return fw.jsonify({"id": user_id})

    return app


_UUID = "a8098c1a-f86e-11da-bd1a-00112444be1e"


@scenario(
    get("/"),
    get("/about"),
    get("/about/"),
    get("/user/folau"),
    get("/user/jane"),
    get("/post/42"),
    get("/post/abc"),
    get("/price/19.99"),
    get("/price/100"),
    get("/files/docs/readme.txt"),
    get(f"/item/{_UUID}"),
    get("/item/not-a-uuid"),
    get("/login"),
    post("/login", data={"username": "ada", "password": "pw"}),
    post("/login", data={"username": "ada"}),
    put("/login"),
    get("/api/users"),
    post("/api/users", json={"name": "Ana"}),
    put("/api/users/7", json={"name": "Bo"}),
    delete("/api/users/7"),
    get("/api/users/1"),
    get("/api/users/9"),
    get("/search?q=flask&page=2"),
    get("/search"),
    post("/submit", data={"name": "Folau", "email": "folau@example.com"}),
    post("/submit"),
    post("/api/data", json={"k": [1, 2]}),
    post("/upload", data={"document": File(b"%PDF-1.4 fake", "report.pdf", "application/pdf")}),
    post("/upload", data={"other": "x"}),
    get("/debug-request", headers={"User-Agent": "curl/8.0", "X-Trace": "1"}),
    get("/simple"),
    get("/not-found-example"),
    get("/api/status"),
    get("/api/error"),
    get("/custom"),
    get("/old-page"),
    get("/old-permanent"),
    get("/admin"),
    get("/admin?admin=1"),
    get("/nonexistent"),
    in_request(
        url("index"),
        url("user_profile", username="folau"),
        url("static", filename="css/style.css"),
        url("show_post", post_id=42, highlight="true"),
        url("get_item", item_id=_UUID),
        url("serve_file", filepath="docs/readme.txt"),
    ),
    in_app(
        probe(
            "registered routes",
            lambda fw: sorted(
                f"{r.endpoint}: {r.rule} [{', '.join(sorted(r.methods))}]"
                for r in fw.current_app.url_map.iter_rules()
            ),
        ),
    ),
)
def flask_tutorial_routes_requests_responses(fw):
    return _flask_tutorial(fw)


@scenario(
    get("/"),
    get("/nonexistent"),
    get("/forbidden"),
    get("/crash"),
    config={"PROPAGATE_EXCEPTIONS": False},
)
def flask_tutorial_error_handlers(fw):
    app = fw.App(__name__)

    @app.errorhandler(404)
    def page_not_found(error):
        return "<h1>404</h1><h2>Page Not Found</h2>", 404

    @app.errorhandler(500)
    def internal_server_error(error):
        return "<h1>500</h1>", 500

    @app.errorhandler(403)
    def forbidden(error):
        return "<h1>403</h1>", 403

    @app.route("/")
    def index():
        return "index"

    @app.route("/forbidden")
    def forbidden_view():
        fw.abort(403)

    @app.route("/crash")
    def crash():
        raise RuntimeError("bug")

    return app


@scenario(
    get("/nonexistent"),
    get("/boom"),
    post("/"),
)
def flask_tutorial_json_error_handlers(fw):
    app = fw.App(__name__)

    @app.errorhandler(fw.HTTPException)
    def handle_http_exception(error):
        response = fw.jsonify(
            {"error": error.name, "message": error.description, "status_code": error.code}
        )
        response.status_code = error.code
        return response

    @app.errorhandler(Exception)
    def handle_generic_exception(error):
        response = fw.jsonify(
            {
                "error": "Internal Server Error",
                "message": "An unexpected error occurred.",
                "status_code": 500,
            }
        )
        response.status_code = 500
        return response

    @app.route("/")
    def index():
        return "index"

    @app.route("/boom")
    def boom():
        raise ValueError("x")

    return app


# --------------------------------------------------------------------------------------
# The blog (templates under tests/differential/templates/blog)
# --------------------------------------------------------------------------------------

_POSTS = [
    {
        "id": 1,
        "title": "Getting Started with Flask",
        "author": "Folau Kaveinga",
        "date": "2026-02-20",
        "summary": "Learn the basics of Flask.",
        "content": "Flask is a micro-framework for Python.",
    },
    {
        "id": 2,
        "title": "Understanding Jinja2 Templates <& more>",
        "author": "Folau Kaveinga",
        "date": "2026-02-22",
        "summary": "Deep dive into Jinja2.",
        "content": "Jinja2 supports inheritance, filters & macros.",
    },
]


@scenario(
    get("/"),
    get("/about"),
    get("/post/1"),
    get("/post/2"),
    get("/post/3"),
    get("/post/abc"),
    get("/nowhere"),
    get("/", base_url="https://blog.example.com/mount"),
)
def blog_with_templates(fw):
    app = fw.App(__name__)

    @app.route("/")
    def index():
        return fw.render_template("blog/index.html", posts=_POSTS)

    @app.route("/about")
    def about():
        return fw.render_template("blog/about.html")

    @app.route("/post/<int:post_id>")
    def post_detail(post_id):
        post = next((p for p in _POSTS if p["id"] == post_id), None)
        if post is None:
            fw.abort(404)
        return fw.render_template("blog/post.html", post=post)

    @app.errorhandler(404)
    def page_not_found(error):
        return fw.render_template("blog/404.html"), 404

    return app


# --------------------------------------------------------------------------------------
# Routing tutorial (lines 4300-5494): tasks API, trailing slashes, Task Manager
# --------------------------------------------------------------------------------------


def _tasks_api(fw):
    app = fw.App(__name__)
    tasks = []

    @app.route("/api/tasks", methods=["GET"])
    def get_tasks():
        return fw.jsonify(tasks)

    @app.route("/api/tasks", methods=["POST"])
    def create_task():
        data = fw.request.get_json()
        task = {"id": len(tasks) + 1, "title": data["title"], "done": False}
        tasks.append(task)
        return fw.jsonify(task), 201

    @app.route("/api/tasks/<int:task_id>", methods=["PUT"])
    def update_task(task_id):
        task = next((t for t in tasks if t["id"] == task_id), None)
        if task is None:
            return fw.jsonify({"error": "Task not found"}), 404
        data = fw.request.get_json()
        task["title"] = data.get("title", task["title"])
        task["done"] = data.get("done", task["done"])
        return fw.jsonify(task)

    @app.route("/api/tasks/<int:task_id>", methods=["DELETE"])
    def delete_task(task_id):
        tasks[:] = [t for t in tasks if t["id"] != task_id]
        return "", 204

    @app.route("/projects/")
    def projects():
        return "Projects List"

    @app.route("/about")
    def about():
        return "About Page"

    def health_check():
        return "OK", 200

    app.add_url_rule("/health", endpoint="health", view_func=health_check)

    @app.route("/submit")
    def submit_wrong():
        return "OK"

    @app.route("/example")
    def example():
        resp = fw.make_response("Hello")
        resp.headers["X-Custom"] = "value"
        return resp

    return app


@scenario(
    get("/api/tasks"),
    post("/api/tasks", json={"title": "Learn routing"}),
    post("/api/tasks", json={"title": "Learn templates"}),
    post("/api/tasks", json={"nope": 1}),
    put("/api/tasks/1", json={"done": True}),
    put("/api/tasks/9", json={"done": True}),
    delete("/api/tasks/2"),
    get("/api/tasks"),
    get("/projects"),
    get("/projects/"),
    get("/about/"),
    get("/health"),
    post("/submit", data={"name": "x"}),
    get("/example"),
    in_request(url("health"), url("projects"), url("/user/profile")),
)
def routing_tutorial_tasks_api(fw):
    return _tasks_api(fw)


def _task_manager(fw):
    app = fw.App(__name__)
    app.secret_key = "dev-secret-key-change-in-production"
    state = {
        "tasks": [
            {
                "id": 1,
                "title": "Learn Flask routing",
                "description": "Study URL rules, methods, and variables",
                "priority": "high",
                "done": False,
                "created_at": datetime.datetime(2026, 2, 1),
            },
            {
                "id": 2,
                "title": "Master Jinja2 templates",
                "description": "Learn inheritance, macros, and filters",
                "priority": "high",
                "done": False,
                "created_at": datetime.datetime(2026, 2, 5),
            },
            {
                "id": 3,
                "title": "Build a CRUD app",
                "description": "Apply routing and templates in a real project",
                "priority": "medium",
                "done": False,
                "created_at": datetime.datetime(2026, 2, 10),
            },
        ],
        "next_id": 4,
    }

    def find_task(task_id):
        return next((t for t in state["tasks"] if t["id"] == task_id), None)

    @app.template_filter("dateformat")
    def dateformat_filter(value, fmt="%B %d, %Y"):
        return value.strftime(fmt)

    @app.route("/")
    def index():
        return fw.redirect(fw.url_for("task_list"))

    @app.route("/tasks/")
    def task_list():
        filter_status = fw.request.args.get("status", "all")
        sort_by = fw.request.args.get("sort", "created_at")
        filtered = state["tasks"][:]
        if filter_status == "done":
            filtered = [t for t in filtered if t["done"]]
        elif filter_status == "pending":
            filtered = [t for t in filtered if not t["done"]]
        if sort_by == "priority":
            order = {"high": 0, "medium": 1, "low": 2}
            filtered.sort(key=lambda t: order.get(t["priority"], 1))
        elif sort_by == "title":
            filtered.sort(key=lambda t: t["title"].lower())
        else:
            filtered.sort(key=lambda t: t["created_at"], reverse=True)
        return fw.render_template(
            "tasks/list.html", tasks=filtered, current_status=filter_status, current_sort=sort_by
        )

    @app.route("/tasks/create", methods=["GET", "POST"])
    def task_create():
        if fw.request.method == "POST":
            title = fw.request.form.get("title", "").strip()
            description = fw.request.form.get("description", "").strip()
            priority = fw.request.form.get("priority", "medium")
            if not title:
                fw.flash("Title is required.", "danger")
                return fw.render_template(
                    "tasks/form.html",
                    action="Create",
                    title=title,
                    description=description,
                    priority=priority,
                )
            state["tasks"].append(
                {
                    "id": state["next_id"],
                    "title": title,
                    "description": description,
                    "priority": priority,
                    "done": False,
                    "created_at": datetime.datetime(2026, 3, 1),
                }
            )
            state["next_id"] += 1
            fw.flash(f'Task "{title}" created successfully!', "success")
            return fw.redirect(fw.url_for("task_list"))
        return fw.render_template("tasks/form.html", action="Create")

    @app.route("/tasks/<int:task_id>")
    def task_detail(task_id):
        task = find_task(task_id)
        if task is None:
            fw.flash("Task not found.", "danger")
            return fw.redirect(fw.url_for("task_list"))
        return fw.render_template("tasks/detail.html", task=task)

    @app.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
    def task_edit(task_id):
        task = find_task(task_id)
        if task is None:
            fw.flash("Task not found.", "danger")
            return fw.redirect(fw.url_for("task_list"))
        if fw.request.method == "POST":
            title = fw.request.form.get("title", "").strip()
            if not title:
                fw.flash("Title is required.", "danger")
                return fw.render_template("tasks/form.html", action="Edit", task=task, title=title)
            task["title"] = title
            task["description"] = fw.request.form.get("description", "").strip()
            task["priority"] = fw.request.form.get("priority", "medium")
            fw.flash(f'Task "{title}" updated successfully!', "success")
            return fw.redirect(fw.url_for("task_detail", task_id=task_id))
        return fw.render_template(
            "tasks/form.html",
            action="Edit",
            task=task,
            title=task["title"],
            description=task["description"],
            priority=task["priority"],
        )

    @app.route("/tasks/<int:task_id>/toggle", methods=["POST"])
    def task_toggle(task_id):
        task = find_task(task_id)
        if task is None:
            fw.flash("Task not found.", "danger")
            return fw.redirect(fw.url_for("task_list"))
        task["done"] = not task["done"]
        status = "completed" if task["done"] else "reopened"
        fw.flash(f'Task "{task["title"]}" {status}.', "info")
        return fw.redirect(fw.url_for("task_list"))

    @app.route("/tasks/<int:task_id>/delete", methods=["POST"])
    def task_delete(task_id):
        task = find_task(task_id)
        if task is None:
            fw.flash("Task not found.", "danger")
            return fw.redirect(fw.url_for("task_list"))
        state["tasks"] = [t for t in state["tasks"] if t["id"] != task_id]
        fw.flash(f'Task "{task["title"]}" deleted.', "warning")
        return fw.redirect(fw.url_for("task_list"))

    @app.errorhandler(404)
    def not_found(e):
        return "<h1>Task Manager: not found</h1>", 404

    return app


@scenario(
    get("/"),
    get("/tasks/"),
    get("/tasks"),
    get("/tasks/?status=done"),
    get("/tasks/?status=pending&sort=priority"),
    get("/tasks/?sort=title"),
    get("/tasks/create"),
    post("/tasks/create", data={"title": "", "description": "d"}),
    get("/tasks/"),
    post("/tasks/create", data={"title": "Write <tests>", "priority": "low"}),
    get("/tasks/"),
    post("/tasks/create", data={"title": "Follow me"}, follow_redirects=True),
    get("/tasks/1"),
    get("/tasks/99"),
    get("/tasks/?sort=title"),
    get("/tasks/1/edit"),
    post("/tasks/1/edit", data={"title": "Learn routing well", "priority": "high"}),
    get("/tasks/1"),
    post("/tasks/1/edit", data={"title": ""}),
    post("/tasks/2/toggle"),
    get("/tasks/?status=done"),
    post("/tasks/2/toggle", follow_redirects=True),
    post("/tasks/3/delete"),
    post("/tasks/3/delete", follow_redirects=True),
    get("/tasks/3/delete"),
    get("/tasks/abc"),
    in_request(
        url("task_list", status="all", sort="created_at"),
        url("task_list", status="done", sort="priority"),
        url("task_detail", task_id=1),
        url("task_edit", task_id=1),
        url("task_toggle", task_id=1),
        url("task_delete", task_id=1),
        url("task_create"),
    ),
)
def task_manager_app(fw):
    return _task_manager(fw)


def test_scenario(scenario, candidate):
    scenario.check(candidate)
