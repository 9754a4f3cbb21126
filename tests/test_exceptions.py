"""erlen.exceptions compared with the werkzeug.exceptions oracle, class by class."""

from __future__ import annotations

import importlib.util
import inspect
import pickle
import subprocess
import sys
import traceback
from datetime import date, datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

import pytest
import werkzeug.exceptions as wz
from markupsafe import Markup
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.test import create_environ

import erlen.exceptions as ex
from erlen.http import status as status_module

WERKZEUG_CLASS_NAMES = [
    name
    for name, value in vars(wz).items()
    if inspect.isclass(value) and issubclass(value, wz.HTTPException)
]
PUBLIC_CLASS_NAMES = [name for name in WERKZEUG_CLASS_NAMES if not name.startswith("_")]
# Classes whose constructor takes (description, response) as the first two arguments.
DESCRIPTION_FIRST = [
    name
    for name in PUBLIC_CLASS_NAMES
    if name not in {"MethodNotAllowed", "BadRequestKeyError", "RequestedRangeNotSatisfiable"}
]

HAS_WRAPPERS = importlib.util.find_spec("erlen.wrappers") is not None


def pair(name: str) -> tuple[type[Any], type[Any]]:
    return getattr(ex, name), getattr(wz, name)


def wsgi_output(app: Any, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app (an exception) once; return status, headers and the joined body."""
    environ = create_environ("/missing", method=method)
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"] = status
        started["headers"] = list(headers)

    body = b"".join(app(environ, start_response))
    return started["status"], started["headers"], body


def assert_same_page(mine: ex.HTTPException, theirs: wz.HTTPException) -> None:
    """Same text, body, headers and WSGI output (GET and HEAD) as the oracle."""
    assert mine.code == theirs.code
    assert mine.name == theirs.name
    assert mine.description == theirs.description
    assert str(mine) == str(theirs)
    assert repr(mine) == repr(theirs)
    assert mine.get_description() == theirs.get_description()
    assert mine.get_body() == theirs.get_body()
    assert mine.get_headers() == theirs.get_headers()
    for method in ("GET", "HEAD", "POST"):
        assert wsgi_output(mine, method) == wsgi_output(theirs, method)


# -- the class hierarchy ------------------------------------------------------------------


def test_every_werkzeug_exception_class_exists() -> None:
    assert len(WERKZEUG_CLASS_NAMES) >= 36
    missing = [name for name in WERKZEUG_CLASS_NAMES if not hasattr(ex, name)]
    assert missing == []
    assert set(PUBLIC_CLASS_NAMES) <= set(ex.__all__)
    assert {"abort", "Aborter", "default_exceptions", "HTTPException"} <= set(ex.__all__)


@pytest.mark.parametrize("name", WERKZEUG_CLASS_NAMES)
def test_class_attributes_and_bases_match(name: str) -> None:
    mine, theirs = pair(name)
    assert [base.__name__ for base in mine.__mro__] == [base.__name__ for base in theirs.__mro__]
    assert mine.code == theirs.code
    if name != "BadRequestKeyError":  # a property on both
        assert mine.description == theirs.description
    assert inspect.signature(mine.__init__).parameters.keys() == (
        inspect.signature(theirs.__init__).parameters.keys()
    )


def test_default_exceptions_match() -> None:
    assert list(ex.default_exceptions) == list(wz.default_exceptions)
    for code, cls in ex.default_exceptions.items():
        assert cls.__name__ == wz.default_exceptions[code].__name__
        assert cls.code == code
    assert ex.default_exceptions[400] is ex.BadRequest


# -- pages, text and headers ------------------------------------------------------------------


@pytest.mark.parametrize("name", PUBLIC_CLASS_NAMES)
def test_default_page_is_byte_identical(name: str) -> None:
    mine, theirs = pair(name)
    assert_same_page(mine(), theirs())


@pytest.mark.parametrize("name", DESCRIPTION_FIRST)
@pytest.mark.parametrize(
    "description",
    [
        "Post 42 does not exist.",
        "<script>alert('x')</script> & \"quotes\"",
        "line one\nline two\n\nline four",
        "caf\u00e9 \u2603 \U0001f600",
        "",
        Markup("<b>already safe</b>\nsecond"),
    ],
)
def test_custom_description_page_matches(name: str, description: str) -> None:
    mine, theirs = pair(name)
    assert_same_page(mine(description), theirs(description))


def test_non_string_description_matches() -> None:
    assert_same_page(ex.NotFound(12345), wz.NotFound(12345))  # type: ignore[arg-type]


def test_base_exception_without_code_matches() -> None:
    assert_same_page(ex.HTTPException(), wz.HTTPException())
    assert str(ex.HTTPException()) == "??? Unknown Error: None"
    assert wsgi_output(ex.HTTPException())[0] == "200 OK"


def test_str_and_name_examples() -> None:
    error = ex.NotFound()
    assert error.name == "Not Found"
    assert str(error).startswith("404 Not Found: The requested URL was not found")
    assert repr(error) == "<NotFound '404: Not Found'>"
    assert ex.ImATeapot().name == "I'm a teapot"
    assert "I&#39;m a teapot" in ex.ImATeapot().get_body()
    assert ex.NotFound().get_headers() == [("Content-Type", "text/html; charset=utf-8")]


def test_length_required_escapes_its_markup_like_werkzeug() -> None:
    body = ex.LengthRequired().get_body()
    assert "&lt;code&gt;Content-Length&lt;/code&gt;" in body
    assert body == wz.LengthRequired().get_body()


def test_get_headers_returns_a_fresh_list() -> None:
    error = ex.NotFound()
    error.get_headers().append(("X-Extra", "1"))
    assert error.get_headers() == [("Content-Type", "text/html; charset=utf-8")]


def test_huge_description_renders_like_werkzeug() -> None:
    description = ("<&>\"'\n" * 50_000) + "x" * 500_000
    assert ex.BadRequest(description).get_body() == wz.BadRequest(description).get_body()


# -- special headers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid_methods",
    [None, [], ["GET"], ["GET", "HEAD", "POST"], ("OPTIONS", "PUT"), {"GET": 1}],
)
def test_method_not_allowed_allow_header(valid_methods: Any) -> None:
    mine = ex.MethodNotAllowed(valid_methods)
    theirs = wz.MethodNotAllowed(valid_methods)
    assert mine.valid_methods == theirs.valid_methods
    assert_same_page(mine, theirs)
    assert_same_page(
        ex.MethodNotAllowed(valid_methods, "Use GET."),
        wz.MethodNotAllowed(valid_methods, "Use GET."),
    )


def test_method_not_allowed_header_value() -> None:
    headers = ex.MethodNotAllowed(["GET", "POST"]).get_headers()
    assert headers[-1] == ("Allow", "GET, POST")


@pytest.mark.parametrize(
    "challenges",
    [
        None,
        [],
        WWWAuthenticate("basic", {"realm": "members"}),
        [WWWAuthenticate("basic", {"realm": "a"}), WWWAuthenticate("bearer", {"error": "x"})],
        (WWWAuthenticate("digest", {"realm": "r", "nonce": "n"}),),
    ],
)
def test_unauthorized_www_authenticate(challenges: Any) -> None:
    mine = ex.Unauthorized(www_authenticate=challenges)
    theirs = wz.Unauthorized(www_authenticate=challenges)
    assert mine.www_authenticate == theirs.www_authenticate
    assert_same_page(mine, theirs)


def test_unauthorized_single_string_challenge_is_one_header() -> None:
    # Deviation: Werkzeug iterates a str and sends one header per character.
    error = ex.Unauthorized(www_authenticate='Basic realm="site"')
    assert error.www_authenticate == ('Basic realm="site"',)
    assert error.get_headers()[1:] == [("WWW-Authenticate", 'Basic realm="site"')]
    listed = ex.Unauthorized(www_authenticate=["Basic", "Bearer"])
    assert listed.get_headers()[1:] == [
        ("WWW-Authenticate", "Basic"),
        ("WWW-Authenticate", "Bearer"),
    ]


@pytest.mark.parametrize(
    ("length", "units"), [(None, "bytes"), (0, "bytes"), (1000, "bytes"), (5, "items")]
)
def test_range_not_satisfiable_content_range(length: int | None, units: str) -> None:
    mine = ex.RequestedRangeNotSatisfiable(length, units)
    theirs = wz.RequestedRangeNotSatisfiable(length, units)
    assert (mine.length, mine.units) == (theirs.length, theirs.units)
    assert_same_page(mine, theirs)
    assert_same_page(
        ex.RequestedRangeNotSatisfiable(length=length, description="no"),
        wz.RequestedRangeNotSatisfiable(length=length, description="no"),
    )


def test_content_range_value() -> None:
    assert ex.RequestedRangeNotSatisfiable(1000).get_headers()[-1] == (
        "Content-Range",
        "bytes */1000",
    )


RETRY_AFTER_VALUES = [
    None,
    0,
    120,
    "60",
    datetime(2024, 2, 29, 13, 45, 7),
    datetime(2024, 2, 29, 13, 45, 7, tzinfo=timezone.utc),
    datetime(2024, 2, 29, 13, 45, 7, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=14))),
    date(2024, 1, 2),
    timedelta(seconds=30),
]


@pytest.mark.parametrize("name", ["TooManyRequests", "ServiceUnavailable"])
@pytest.mark.parametrize("retry_after", RETRY_AFTER_VALUES)
def test_retry_after_header(name: str, retry_after: Any) -> None:
    mine, theirs = pair(name)
    assert_same_page(mine(retry_after=retry_after), theirs(retry_after=retry_after))
    assert mine(retry_after=retry_after).retry_after == retry_after


def test_retry_after_http_date() -> None:
    moment = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert ex.ServiceUnavailable(retry_after=moment).get_headers()[-1] == (
        "Retry-After",
        "Wed, 21 Oct 2015 07:28:00 GMT",
    )


def test_internal_server_error_keeps_original_exception() -> None:
    cause = RuntimeError("boom")
    mine = ex.InternalServerError(original_exception=cause)
    assert mine.original_exception is cause
    assert ex.InternalServerError().original_exception is None
    assert_same_page(mine, wz.InternalServerError(original_exception=cause))


@pytest.mark.parametrize("name", ["MethodNotAllowed", "Unauthorized", "TooManyRequests"])
def test_newline_in_dynamic_header_is_refused(name: str) -> None:
    hostile = "GET\r\nSet-Cookie: pwned=1"
    kwargs = {
        "MethodNotAllowed": {"valid_methods": [hostile]},
        "Unauthorized": {"www_authenticate": [hostile]},
        "TooManyRequests": {"retry_after": hostile},
    }[name]
    mine, theirs = pair(name)
    with pytest.raises(ValueError, match="newline"):
        theirs(**kwargs).get_response()
    with pytest.raises(ValueError, match="newline"):
        mine(**kwargs).get_page()
    with pytest.raises(ValueError, match="newline"):
        wsgi_output(mine(**kwargs))


# -- BadRequestKeyError ---------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "name", 0, ("a", "b"), "quo'te<"])
@pytest.mark.parametrize("show", [False, True])
def test_bad_request_key_error_matches(key: Any, show: bool) -> None:
    mine = ex.BadRequestKeyError(key)
    theirs = wz.BadRequestKeyError(key)
    mine.show_exception = theirs.show_exception = show
    assert mine.args == theirs.args
    assert_same_page(mine, theirs)


def test_bad_request_key_error_is_both_kinds() -> None:
    error = ex.BadRequestKeyError("user")
    assert isinstance(error, KeyError)
    assert isinstance(error, ex.BadRequest)
    assert error.args == ("user",)
    assert error.description == ex.BadRequest.description
    error.show_exception = True
    assert error.description == ex.BadRequest.description + "\nKeyError: 'user'"
    assert "KeyError: &#39;user&#39;" in error.get_body()
    with pytest.raises(KeyError):
        raise ex.BadRequestKeyError("x")
    with pytest.raises(ex.BadRequest):
        raise ex.BadRequestKeyError("x")


def test_bad_request_key_error_custom_description() -> None:
    mine = ex.BadRequestKeyError("k", "Missing field.")
    theirs = wz.BadRequestKeyError("k", "Missing field.")
    assert_same_page(mine, theirs)
    mine.description = theirs.description = "Changed."
    mine.show_exception = theirs.show_exception = True
    assert_same_page(mine, theirs)


class MissingKeyError(KeyError):
    """Stand-in for erlen.http.multidict.MissingKeyError (a KeyError with ``key``)."""

    def __init__(self, key: object) -> None:
        super().__init__(key)
        self.key = key


def raise_missing(key: object) -> None:
    raise MissingKeyError(key)


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (MissingKeyError("title"), "title"),
        (KeyError("plain"), "plain"),
        (KeyError(), None),
        (KeyError(None), None),
    ],
)
def test_from_key_error_converts(error: KeyError, key: object) -> None:
    converted = ex.BadRequestKeyError.from_key_error(error)
    assert type(converted) is ex.BadRequestKeyError
    assert converted.args == wz.BadRequestKeyError(key).args
    assert converted.code == 400


def test_from_key_error_keeps_traceback_and_identity() -> None:
    try:
        raise_missing("title")
    except KeyError as error:
        converted = ex.BadRequestKeyError.from_key_error(error)
    frames = [frame.name for frame in traceback.extract_tb(converted.__traceback__)]
    assert "raise_missing" in frames
    already = ex.BadRequestKeyError("x")
    assert ex.BadRequestKeyError.from_key_error(already) is already


def test_from_key_error_with_erlen_multidict() -> None:
    pytest.importorskip("erlen.http.multidict")
    from werkzeug.datastructures import MultiDict as WerkzeugMultiDict

    from erlen.http.multidict import MissingKeyError as RealMissingKeyError
    from erlen.http.multidict import MultiDict

    with pytest.raises(RealMissingKeyError) as caught:
        MultiDict({"a": "1"})["title"]
    with pytest.raises(wz.BadRequestKeyError) as expected:
        WerkzeugMultiDict({"a": "1"})["title"]
    converted = ex.BadRequestKeyError.from_key_error(caught.value)
    assert converted.args == expected.value.args == ("title",)
    converted.show_exception = expected.value.show_exception = True
    assert_same_page(converted, expected.value)


# -- abort and Aborter ----------------------------------------------------------------------


@pytest.mark.parametrize("code", list(wz.default_exceptions))
def test_abort_every_code(code: int) -> None:
    with pytest.raises(wz.HTTPException) as theirs:
        wz.abort(code)
    with pytest.raises(ex.HTTPException) as mine:
        ex.abort(code)
    assert type(mine.value).__name__ == type(theirs.value).__name__
    assert type(mine.value) is ex.default_exceptions[code]
    assert_same_page(mine.value, theirs.value)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((404, "No such post."), {}),
        ((404,), {"description": "No such post."}),
        ((405, ["GET"]), {}),
        ((405,), {"valid_methods": ["GET", "PUT"], "description": "Nope"}),
        ((401,), {"www_authenticate": WWWAuthenticate("basic", {"realm": "r"})}),
        ((429,), {"retry_after": 30}),
        ((416,), {"length": 10}),
        ((HTTPStatus.NOT_FOUND,), {}),
        ((404.0,), {}),
    ],
)
def test_abort_passes_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with pytest.raises(wz.HTTPException) as theirs:
        wz.abort(*args, **kwargs)
    with pytest.raises(ex.HTTPException) as mine:
        ex.abort(*args, **kwargs)
    assert_same_page(mine.value, theirs.value)


@pytest.mark.parametrize("code", [200, 302, 399, 420, 599, 0, -1, "404", None, True])
def test_abort_unknown_code_raises_lookup_error(code: Any) -> None:
    with pytest.raises(LookupError) as theirs:
        wz.abort(code)
    with pytest.raises(LookupError) as mine:
        ex.abort(code)
    assert str(mine.value) == str(theirs.value)
    assert not isinstance(mine.value, ex.HTTPException)


def test_abort_unhashable_raises_type_error() -> None:
    with pytest.raises(TypeError):
        wz.abort({})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ex.abort({})  # type: ignore[arg-type]


def test_aborter_mapping_and_extra() -> None:
    class Custom(ex.HTTPException):
        code = 599
        description = "custom"

    aborter = ex.Aborter(extra={599: Custom})
    with pytest.raises(Custom):
        aborter(599)
    with pytest.raises(ex.NotFound):
        aborter(404)
    only = ex.Aborter(mapping={404: ex.Gone})
    with pytest.raises(ex.Gone):
        only(404)
    with pytest.raises(LookupError):
        only(400)
    with pytest.raises(LookupError):
        ex.Aborter(mapping={})(404)
    assert ex.Aborter().mapping == ex.default_exceptions
    assert ex.Aborter().mapping is not ex.default_exceptions


class StubResponse:
    """Records how the exception builds a response; acts as a tiny WSGI app."""

    def __init__(self, body: Any = None, status: Any = None, headers: Any = None) -> None:
        self.body, self.status, self.headers = body, status, headers

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("299 STUB", [("X-Stub", "1")])
        return [b"stub"]


@pytest.fixture
def stub_response(monkeypatch: pytest.MonkeyPatch) -> type[StubResponse]:
    monkeypatch.setattr(ex, "_response_class", lambda: StubResponse)
    return StubResponse


def test_abort_with_response_wraps_it(stub_response: type[StubResponse]) -> None:
    response = stub_response()
    with pytest.raises(ex.HTTPException) as caught:
        ex.abort(response)
    error = caught.value
    assert type(error) is ex.HTTPException
    assert error.response is response
    assert error.get_response() is response
    assert error.get_page() is None
    assert wsgi_output(error) == ("299 STUB", [("X-Stub", "1")], b"stub")
    assert str(error) == str(wz.HTTPException()) == "??? Unknown Error: None"


def test_get_response_builds_from_body_and_headers(stub_response: type[StubResponse]) -> None:
    response = ex.MethodNotAllowed(["GET"]).get_response()
    assert isinstance(response, stub_response)
    assert response.body == wz.MethodNotAllowed(["GET"]).get_body()
    assert response.status == 405
    assert response.headers == [("Content-Type", "text/html; charset=utf-8"), ("Allow", "GET")]


def test_get_response_accepts_request_objects(stub_response: type[StubResponse]) -> None:
    seen: list[Any] = []

    class Echo(ex.NotFound):
        def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
            seen.append(environ)
            return super().get_headers(environ, scope)

    environ = create_environ("/")
    request = type("FakeRequest", (), {"environ": environ})()
    Echo().get_response(request)
    Echo().get_response(environ)
    assert seen == [environ, environ]
    with pytest.raises(TypeError, match="WSGI environ"):
        Echo().get_response(["not", "an", "environ"])


@pytest.mark.skipif(not HAS_WRAPPERS, reason="erlen.wrappers (Request/Response) is not written yet")
@pytest.mark.parametrize("name", PUBLIC_CLASS_NAMES)
def test_get_response_matches_werkzeug(name: str) -> None:
    from erlen.wrappers import Response

    mine, theirs = pair(name)
    response, expected = mine().get_response(), theirs().get_response()
    assert isinstance(response, Response)
    assert response.status == expected.status
    assert response.status_code == expected.status_code
    assert list(response.headers.items()) == list(expected.headers.items())
    assert response.get_data() == expected.get_data()


@pytest.mark.skipif(not HAS_WRAPPERS, reason="erlen.wrappers (Request/Response) is not written yet")
def test_abort_with_real_response() -> None:
    from erlen.wrappers import Response

    response = Response("teapot", 418)
    with pytest.raises(ex.HTTPException) as caught:
        ex.abort(response)
    assert caught.value.get_response() is response


# -- the fast path: get_page ----------------------------------------------------------------


@pytest.mark.parametrize("name", PUBLIC_CLASS_NAMES)
def test_page_equals_werkzeug_wsgi_output(name: str) -> None:
    mine, theirs = pair(name)
    page = mine().get_page()
    assert page is not None
    status, headers, body = wsgi_output(theirs())
    assert (page.status, list(page.headers), page.body) == (status, headers, body)
    assert page.code == theirs().get_response().status_code


def test_default_page_is_rendered_once_per_class() -> None:
    first = ex.NotFound().get_page()
    assert first is ex.NotFound().get_page()
    custom = ex.NotFound("Only this once.").get_page()
    assert custom is not None and b"Only this once." in custom.body
    assert ex.NotFound().get_page() is first  # a custom description does not evict it


def test_page_cache_notices_class_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    ex.Gone().get_page()
    monkeypatch.setattr(ex.Gone, "description", "Moved to the archive.")
    monkeypatch.setattr(wz.Gone, "description", "Moved to the archive.")
    page = ex.Gone().get_page()
    assert page is not None and b"Moved to the archive." in page.body
    assert (page.status, list(page.headers), page.body) == wsgi_output(wz.Gone())
    monkeypatch.setitem(status_module.HTTP_STATUS_CODES, 410, "Long Gone")
    renamed = ex.Gone().get_page()
    assert renamed is not None and b"<h1>Long Gone</h1>" in renamed.body


def test_page_for_dynamic_headers_is_not_shared() -> None:
    one = ex.MethodNotAllowed(["GET"]).get_page()
    two = ex.MethodNotAllowed(["POST"]).get_page()
    assert one is not None and two is not None
    assert ("Allow", "GET") in one.headers and ("Allow", "POST") in two.headers


def test_user_subclasses_and_the_fast_path() -> None:
    class JSONNotFound(ex.NotFound):
        def get_response(self, environ: Any = None, scope: Any = None) -> Any:
            return "json response"

    class ExtraHeader(ex.NotFound):
        def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
            return [*super().get_headers(environ, scope), ("X-Why", "gone")]

    class CustomBody(ex.NotFound):
        def get_description(self, environ: Any = None, scope: Any = None) -> str:
            return "<p>custom</p>"

    class Teapot(ex.HTTPException):
        code = 418
        description = "short and stout"

    class NoContent(ex.HTTPException):
        code = 204

    class BytesBody(ex.NotFound):
        def get_body(self, environ: Any = None, scope: Any = None) -> Any:
            return b"raw"

    class ListBody(ex.NotFound):
        def get_body(self, environ: Any = None, scope: Any = None) -> Any:
            return ["not", "a", "str"]

    assert JSONNotFound().get_page() is None
    assert ExtraHeader().get_page() is None
    assert NoContent().get_page() is None
    assert ListBody().get_page() is None
    page = CustomBody().get_page()
    assert page is not None and page.body.endswith(b"<p>custom</p>\n")
    assert CustomBody().get_page() is not page  # overridden renderers are never cached
    teapot = Teapot().get_page()
    assert teapot is not None and teapot.status == "418 I'M A TEAPOT"
    assert b"short and stout" in teapot.body
    raw = BytesBody().get_page()
    assert raw is not None and raw.body == b"raw" and ("Content-Length", "3") in raw.headers


def test_old_style_get_description_override_still_works() -> None:
    # Werkzeug calls get_description(environ) without scope; subclasses written for
    # that signature must keep working, through get_body and the fast path.
    class Legacy(ex.NotFound):
        def get_description(self, environ: Any = None) -> str:  # type: ignore[override]
            return "<p>legacy</p>"

    werkzeug_legacy = type("Legacy", (wz.NotFound,), {"get_description": Legacy.get_description})
    assert_same_page(Legacy(), werkzeug_legacy())
    page = Legacy().get_page()
    assert page is not None and page.body == werkzeug_legacy().get_body().encode()


def test_http_status_code_attribute_uses_int() -> None:
    class Missing(ex.HTTPException):
        code = HTTPStatus.NOT_FOUND  # type: ignore[assignment]

    page = Missing().get_page()
    assert page is not None
    assert page.code == 404 and type(page.code) is int
    assert page.status == "404 NOT FOUND"


# -- misc behaviour -------------------------------------------------------------------------


@pytest.mark.parametrize("name", DESCRIPTION_FIRST)
def test_pickle_round_trip(name: str) -> None:
    error = getattr(ex, name)("pickled")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.description == "pickled"
    assert copy.get_body() == error.get_body()


def test_pickle_special_classes() -> None:
    for error in (
        ex.MethodNotAllowed(["GET"]),
        ex.BadRequestKeyError("k"),
        ex.RequestedRangeNotSatisfiable(10),
        ex.TooManyRequests(retry_after=5),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert copy.get_headers() == error.get_headers()
        assert copy.args == error.args


def test_exception_args_match_werkzeug() -> None:
    assert ex.NotFound("x").args == wz.NotFound("x").args == ()
    assert ex.BadRequestKeyError().args == wz.BadRequestKeyError().args


def test_importing_erlen_does_not_import_werkzeug_or_flask() -> None:
    code = (
        "import sys, erlen, erlen.exceptions as e;"
        "assert 'werkzeug' not in sys.modules and 'flask' not in sys.modules;"
        "page = e.NotFound().get_page(); assert page.status == '404 NOT FOUND'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
