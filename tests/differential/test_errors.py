"""Errors: abort() for every code and Flask's default error pages, HTTPException
subclasses with extra headers, error handlers by code and by class (most specific wins,
blueprint before app), handler failures, unhandled exceptions and propagation."""

from __future__ import annotations

from .harness import get, in_app, post, probe, put, request, scenario

_ABORT_CODES = [400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416]
_ABORT_CODES += [417, 418, 421, 422, 423, 424, 428, 429, 431, 451]
_ABORT_CODES += [500, 501, 502, 503, 504, 505]
_ABORT_UNREGISTERED = [200, 302, 402, 407, 419, 507, 999]


def _abort_app(fw):
    app = fw.App(__name__)

    @app.route("/abort/<int:code>", methods=["GET", "POST", "HEAD"])
    def do_abort(code):
        fw.abort(code)

    @app.route("/abort-description/<int:code>")
    def abort_description(code):
        fw.abort(code, description="A <custom> description & more.")

    @app.route("/abort-response")
    def abort_response():
        fw.abort(fw.Response("aborted with a response", status=418, headers={"X-A": "1"}))

    @app.route("/abort-tuple")
    def abort_tuple():
        fw.abort(fw.make_response(("made", 409)))

    @app.route("/raise/<name>")
    def raise_exception(name):
        exc = fw.exceptions
        if name == "method-not-allowed":
            raise exc.MethodNotAllowed(valid_methods=["GET", "POST"])
        if name == "unauthorized":
            raise exc.Unauthorized(
                www_authenticate=fw.datastructures.WWWAuthenticate("basic", {"realm": "api"})
            )
        if name == "too-many":
            raise exc.TooManyRequests(retry_after=30)
        if name == "unavailable":
            raise exc.ServiceUnavailable(retry_after=120)
        if name == "range":
            raise exc.RequestedRangeNotSatisfiable(length=1000)
        if name == "not-found-response":
            raise exc.NotFound(response=fw.Response("custom 404 body", 404))
        if name == "bad-request-key":
            return fw.request.form["missing"]
        if name == "bad-request-args-key":
            return fw.request.args["missing"]
        if name == "custom-subclass":

            class PaymentRequired(exc.HTTPException):
                code = 402
                description = "Pay up."

            raise PaymentRequired()
        if name == "no-code":
            raise exc.HTTPException("no code at all")
        if name == "internal":
            raise exc.InternalServerError()
        if name == "gone-description":
            raise exc.Gone(description="Moved to the <new> place.")
        if name == "zero-division":
            return str(1 / 0)
        if name == "key-error":
            return {}["nothing"]
        return "unknown"

    return app


@scenario(*[get(f"/abort/{code}") for code in _ABORT_CODES])
def abort_every_code(fw):
    return _abort_app(fw)


@scenario(*[get(f"/abort/{code}") for code in _ABORT_UNREGISTERED])
def abort_with_unregistered_codes(fw):
    return _abort_app(fw)


@scenario(
    post("/abort/404"),
    get("/abort-description/404"),
    request("HEAD", "/abort/404"),
    get("/abort-description/400"),
    get("/abort-description/500"),
    get("/abort-response"),
    get("/abort-tuple"),
)
def abort_variants(fw):
    return _abort_app(fw)


_RAISE_NAMES = [
    "method-not-allowed",
    "unauthorized",
    "too-many",
    "unavailable",
    "range",
    "not-found-response",
    "bad-request-key",
    "bad-request-args-key",
    "custom-subclass",
    "no-code",
    "internal",
    "gone-description",
    "zero-division",
    "key-error",
]


@scenario(*[get(f"/raise/{name}") for name in _RAISE_NAMES])
def http_exceptions_raised_directly(fw):
    return _abort_app(fw)


@scenario(
    get("/raise/zero-division"),
    get("/raise/bad-request-key"),
    get("/abort/404"),
    config={"TESTING": True},
)
def exceptions_propagate_when_testing(fw):
    return _abort_app(fw)


@scenario(
    get("/raise/bad-request-key"),
    get("/abort/404"),
    config={"TRAP_HTTP_EXCEPTIONS": True, "PROPAGATE_EXCEPTIONS": True},
)
def trap_http_exceptions(fw):
    return _abort_app(fw)


@scenario(
    get("/raise/bad-request-key"),
    get("/abort/400"),
    config={"TRAP_BAD_REQUEST_ERRORS": True, "PROPAGATE_EXCEPTIONS": True},
)
def trap_bad_request_errors(fw):
    return _abort_app(fw)


@scenario(
    get("/raise/zero-division"),
    config={"PROPAGATE_EXCEPTIONS": False, "TESTING": True},
)
def propagate_exceptions_false_overrides_testing(fw):
    return _abort_app(fw)


# --------------------------------------------------------------------------------------
# Error handlers
# --------------------------------------------------------------------------------------


class _APIError(Exception):
    """The REST tutorial's custom exception (seed 003)."""

    def __init__(self, message, status_code=400, details=None):
        super().__init__()
        self.message = message
        self.status_code = status_code
        self.details = details

    def to_dict(self):
        response = {"success": False, "error": {"message": self.message, "code": self.status_code}}
        if self.details:
            response["error"]["details"] = self.details
        return response


class _NotFoundAPIError(_APIError):
    pass


def _handlers_app(fw):
    app = fw.App(__name__)

    @app.errorhandler(404)
    def not_found(e):
        return f"app 404: {type(e).__name__} {e.code} {e.name}", 404

    @app.errorhandler(fw.exceptions.Forbidden)
    def forbidden(e):
        return fw.jsonify(error=e.name, description=e.description), 403

    @app.errorhandler(fw.HTTPException)
    def any_http(e):
        return fw.jsonify(kind="http", code=e.code, name=e.name), e.code

    @app.errorhandler(_APIError)
    def api_error(e):
        return fw.jsonify(e.to_dict()), e.status_code

    @app.errorhandler(_NotFoundAPIError)
    def api_not_found(e):
        return fw.jsonify(kind="specific", message=e.message), 404

    @app.errorhandler(ValueError)
    def value_error(e):
        return f"value error: {e}", 400

    @app.errorhandler(LookupError)
    def lookup_error(e):
        return f"lookup error: {type(e).__name__}", 409

    def teapot(e):
        return "registered with register_error_handler", 418

    app.register_error_handler(418, teapot)

    @app.route("/err/<name>", methods=["GET", "POST"])
    def err(name):
        if name == "404":
            fw.abort(404)
        if name == "403":
            fw.abort(403, "Go away")
        if name == "400":
            fw.abort(400)
        if name == "418":
            fw.abort(418)
        if name == "api":
            raise _APIError("Validation failed", 422, {"title": "Title is required"})
        if name == "api-404":
            raise _NotFoundAPIError("Book not found", 404)
        if name == "value":
            raise ValueError("bad value")
        if name == "unicode-value":
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        if name == "key":
            raise KeyError("k")
        if name == "index":
            return [][1]
        if name == "type":
            raise TypeError("not handled")
        return "no error"

    @app.route("/strict/")
    def strict():
        return "strict"

    return app


_HANDLER_PATHS = [
    "/err/404",
    "/err/403",
    "/err/400",
    "/err/418",
    "/err/api",
    "/err/api-404",
    "/err/value",
    "/err/unicode-value",
    "/err/key",
    "/err/index",
    "/err/type",
    "/err/none",
    "/no/such/route",
    "/strict",
]


@scenario(
    *[get(path) for path in _HANDLER_PATHS],
    put("/err/none"),
    post("/err/403"),
)
def error_handler_resolution(fw):
    return _handlers_app(fw)


@scenario(
    get("/boom"),
    get("/missing"),
    get("/http-500"),
)
def handler_for_500_gets_original_exception(fw):
    app = fw.App(__name__)

    @app.errorhandler(500)
    def server_error(e):
        original = getattr(e, "original_exception", None)
        return fw.jsonify(
            handler="500",
            type=type(e).__name__,
            original=type(original).__name__ if original is not None else None,
        ), 500

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    @app.route("/http-500")
    def http_500():
        fw.abort(500)

    return app


@scenario(
    get("/boom"),
    get("/missing"),
    get("/abort/405"),
    post("/only-get"),
)
def catch_all_exception_handler_sees_http_errors(fw):
    app = fw.App(__name__)

    @app.errorhandler(Exception)
    def handle_generic_exception(error):
        if isinstance(error, fw.HTTPException):
            return fw.jsonify(error=error.name, status_code=error.code), error.code
        return fw.jsonify(
            error="Internal Server Error",
            message="An unexpected error occurred.",
            status_code=500,
        ), 500

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    @app.route("/abort/<int:code>")
    def do_abort(code):
        fw.abort(code)

    @app.route("/only-get")
    def only_get():
        return "get"

    return app


@scenario(
    get("/boom"),
    get("/missing"),
    get("/handler-returns-none"),
)
def failing_error_handlers(fw):
    app = fw.App(__name__)

    @app.errorhandler(404)
    def broken_404(e):
        raise RuntimeError("the handler itself failed")

    @app.errorhandler(ZeroDivisionError)
    def returns_none(e):
        return None

    @app.errorhandler(500)
    def server_error(e):
        return "custom 500 page", 500

    @app.route("/boom")
    def boom():
        raise KeyError("x")

    @app.route("/handler-returns-none")
    def handler_returns_none():
        return str(1 / 0)

    return app


@scenario(
    get("/one"),
    get("/two"),
)
def error_handler_changes_status_and_headers(fw):
    app = fw.App(__name__)

    @app.errorhandler(404)
    def nf(e):
        return "not here", 200, {"X-Was": "404"}

    @app.errorhandler(ValueError)
    def ve(e):
        response = fw.make_response("handled")
        response.status_code = 299
        return response

    @app.route("/two")
    def two():
        raise ValueError()

    return app


@scenario(
    get("/bp/abort404"),
    get("/bp/abort403"),
    get("/bp/value"),
    get("/bp/nothing-here"),
    get("/app/abort404"),
    get("/app/value"),
    get("/nothing-here"),
    get("/bp2/abort404"),
)
def blueprint_handlers_before_app_handlers(fw):
    app = fw.App(__name__)
    bp = fw.Blueprint("bp", __name__, url_prefix="/bp")
    bp2 = fw.Blueprint("bp2", __name__, url_prefix="/bp2")

    @bp.errorhandler(404)
    def bp_404(e):
        return "blueprint 404", 404

    @bp.errorhandler(ValueError)
    def bp_value(e):
        return "blueprint value error", 400

    @bp.app_errorhandler(403)
    def app_wide_403(e):
        return "app-wide 403 from blueprint", 403

    @app.errorhandler(404)
    def app_404(e):
        return "app 404", 404

    @app.errorhandler(ValueError)
    def app_value(e):
        return "app value error", 400

    def abort_view(code):
        def view():
            fw.abort(code)

        return view

    def value_view():
        raise ValueError()

    for parent in (bp, bp2):
        parent.add_url_rule("/abort404", "abort404", abort_view(404))
        parent.add_url_rule("/abort403", "abort403", abort_view(403))
        parent.add_url_rule("/value", "value", value_view)
    app.add_url_rule("/app/abort404", "abort404", abort_view(404))
    app.add_url_rule("/app/value", "value", value_view)
    app.register_blueprint(bp)
    app.register_blueprint(bp2)
    return app


@scenario(
    in_app(
        probe("errorhandler(999)", lambda fw: _register(fw, 999)),
        probe("errorhandler(instance)", lambda fw: _register(fw, fw.exceptions.NotFound())),
        probe("errorhandler(HTTPException)", lambda fw: _register(fw, fw.HTTPException)),
        probe("errorhandler(str)", lambda fw: _register(fw, str)),
        probe("errorhandler(418)", lambda fw: _register(fw, 418)),
        probe("errorhandler(Exception)", lambda fw: _register(fw, Exception)),
    ),
)
def error_handler_registration_checks(fw):
    return fw.App(__name__)


def _register(fw, key):
    fw.current_app.register_error_handler(key, lambda e: "x")
    return "registered"


@scenario(
    get("/before"),
    get("/after"),
    get("/missing"),
)
def errors_in_hooks(fw):
    app = fw.App(__name__)

    @app.before_request
    def before():
        if fw.request.path == "/before":
            fw.abort(401)

    @app.after_request
    def after(response):
        if fw.request.path == "/after":
            raise ValueError("after hook failed")
        response.headers["X-After"] = "ran"
        return response

    @app.route("/before")
    def before_view():
        return "never"

    @app.route("/after")
    def after_view():
        return "view ran"

    return app


def test_scenario(scenario, candidate):
    scenario.check(candidate)
