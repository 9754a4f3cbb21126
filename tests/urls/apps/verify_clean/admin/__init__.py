from erlen import Blueprint, url_for

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.route("/")
def dashboard():
    return url_for(".settings")


@bp.route("/settings")
def settings():
    return url_for("admin.dashboard") + url_for("index")
