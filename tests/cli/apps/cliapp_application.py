"""An app bound to ``application`` (and an unrelated object bound to ``app``)."""

from erlen import Erlen

app = "not an app"
application = Erlen(__name__)
