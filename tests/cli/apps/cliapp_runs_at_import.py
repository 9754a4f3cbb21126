"""Calls app.run() at import time, without the __main__ guard."""

from erlen import Erlen

app = Erlen(__name__)
app.run()
