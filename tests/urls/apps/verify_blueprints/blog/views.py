from erlen import render_template, url_for

from . import bp


@bp.route("/")
def index():
    return render_template("blog/list.html", first=url_for(".post", slug="first"))


@bp.route("/<slug>")
def post(slug):
    return url_for(".index") + url_for(".archive")  # expect: unknown-relative-endpoint
