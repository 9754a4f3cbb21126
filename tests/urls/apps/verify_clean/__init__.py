"""A fixture application whose url_for calls are all correct (``erlen check`` exits 0)."""

import erlen
from erlen import Erlen, current_app, url_for
from erlen import url_for as link_to

app = Erlen(__name__)
app.config["SECRET_KEY"] = "fixture"


@app.route("/")
def index():
    return url_for("post", post_id=1)


@app.route("/post/<int:post_id>")
def post(post_id):
    return erlen.url_for("index", _anchor="top", _external=True, _scheme="https")


@app.route("/user/<name>")
def user(name):
    return link_to("user", name="ada", tab="repos")


@app.route("/files/<path:rest>", methods=["GET", "POST"])
def files(rest):
    return url_for("files", rest="a/b/c.txt", _method="POST")


def links(endpoint_name, **values):
    return [
        current_app.url_for("user", name="grace"),
        app.url_for("static", filename="app.css"),
        url_for("post", post_id=3, _sign=True, _expires=3600),
        url_for("user", **values),
        url_for(endpoint_name),  # computed: listed as unverifiable
    ]


from .admin import bp as admin_bp  # noqa: E402

app.register_blueprint(admin_bp, url_prefix="/admin")
