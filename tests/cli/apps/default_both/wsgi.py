"""Found as ``wsgi.py`` in the current directory when nothing names an app."""

from erlen import Erlen

application = Erlen(__name__)
application.config["FOUND_AS"] = "wsgi.py"
