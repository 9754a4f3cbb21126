"""An app in a module inside a package: a file path must import it as cliapp_pkg.web."""

from erlen import Erlen

app = Erlen(__name__)
