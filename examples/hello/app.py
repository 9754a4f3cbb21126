"""A minimal erlen app served by ``make run`` until the example application lands."""

from erlen import Erlen, jsonify, render_template_string, url_for

app = Erlen(__name__)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>erlen</title></head>
<body>
  <h1>Hello from erlen</h1>
  <p>Flask's API, rebuilt for speed.</p>
  <ul>
    <li><a href="{{ url_for('greet', name='world') }}">Greet the world</a></li>
    <li><a href="{{ url_for('status') }}">JSON status</a></li>
  </ul>
</body>
</html>
"""


@app.route("/")
def index() -> str:
    return render_template_string(PAGE)


@app.route("/hello/<name>")
def greet(name: str) -> str:
    return f"Hello, {name}! (back to <a href='{url_for('index')}'>home</a>)"


@app.route("/status")
def status():
    return jsonify(status="ok", framework="erlen")
