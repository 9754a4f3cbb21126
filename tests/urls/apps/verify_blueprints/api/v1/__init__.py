from erlen import Blueprint, url_for

bp = Blueprint("v1", __name__)


@bp.route("/status")
def status():
    return url_for(".status") + url_for(".health")  # expect: unknown-relative-endpoint
