from erlen import Blueprint, url_for

bp = Blueprint("shop", __name__)


@bp.route("/")
def catalogue():
    return url_for(".basket")  # expect: unknown-relative-endpoint


@bp.route("/item/<name>")
def item(name):
    return url_for(".item", name="")  # expect: rejected-value
