"""Error responses: pages for people, JSON for the API.

One handler for every HTTP error.  Under ``/api/`` it answers JSON, including for
URLs that match no API route (those never reach the API blueprint's own handlers) and
for CSRF failures raised before the view runs.  Elsewhere 404 and 500 have the seed's
custom pages and every other status a generic one.
"""

from __future__ import annotations

import typing as t

from erlen import jsonify, render_template, request
from erlen.exceptions import HTTPException, InternalServerError, NotFound
from erlen.forms import CSRFError

if t.TYPE_CHECKING:
    from erlen import Erlen

API_PREFIX = "/api/"


def _json_error(error: HTTPException) -> t.Any:
    body: dict[str, t.Any] = {
        "status": error.code,
        "title": error.name,
        "detail": error.description,
    }
    fields = getattr(error, "fields", None)
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = error.code or 500
    # Keep the headers the exception carries (Allow for 405, WWW-Authenticate...).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_http_error(error: HTTPException) -> t.Any:
    if request.path.startswith(API_PREFIX):
        return _json_error(error)
    if error.code == 404:
        # A view's own explanation ("There is no such task...") beats the generic one.
        own = error.description if error.description != NotFound.description else None
        return render_template("errors/404.html", description=own), 404
    if error.code == 500:
        return render_template("errors/500.html"), 500
    if isinstance(error, CSRFError):
        return render_template("errors/csrf.html", error=error), 400
    response = error.get_response()  # with its headers (Allow for 405...)
    response.set_data(render_template("errors/error.html", error=error))
    return response


def register_error_handlers(app: Erlen) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    # Unhandled exceptions arrive as InternalServerError when not propagated.
    app.register_error_handler(InternalServerError, handle_http_error)
