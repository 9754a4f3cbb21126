"""Found as ``app.py`` in the current directory when nothing names an app."""

from erlen import Erlen

app = Erlen(__name__)
app.config["FOUND_AS"] = "app.py"
