from erlen import Blueprint

bp = Blueprint("blog", __name__, template_folder="templates")

from . import views  # noqa: E402, F401
