"""erlen.testing.EnvironBuilder and erlen.http.multipart against Werkzeug 3.1 / Flask 3.1."""

from __future__ import annotations

import io
import json
import re
import sys

import flask
import flask.testing
import pytest
import werkzeug.test as wzt
from werkzeug.datastructures import FileStorage as WzFileStorage
from werkzeug.datastructures import MultiDict as WzMultiDict
from werkzeug.formparser import parse_form_data as wz_parse_form_data

from erlen.http.auth import Authorization
from erlen.http.files import FileStorage
from erlen.http.form import parse_form_data
from erlen.http.headers import Headers
from erlen.http.multidict import MultiDict
from erlen.http.multipart import encode_multipart, iter_form_items, stream_encode_multipart
from erlen.testing import AppEnvironBuilder, EnvironBuilder, create_environ
from erlen.wrappers import Request
from tests.http.test_urls import assert_linear

_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?')


def snapshot(environ: dict) -> dict:
    """The comparable part of an environ: text values, and the body with the random
    multipart boundary replaced by a fixed marker."""
    out = {}
    for key, value in environ.items():
        if key.startswith(("erlen.", "werkzeug.")) or key in ("wsgi.input", "wsgi.errors"):
            continue
        out[key] = value
    body = environ["wsgi.input"].read()
    content_type = environ.get("CONTENT_TYPE", "").encode()
    match = _BOUNDARY.search(content_type)
    if match:
        assert environ["CONTENT_LENGTH"] == str(len(body))
        body = body.replace(match.group(1), b"BOUNDARY")
        out["CONTENT_TYPE"] = content_type.replace(match.group(1), b"BOUNDARY").decode()
        out["CONTENT_LENGTH"] = str(len(body))
    out["body"] = body
    return out


def both(*args, **kwargs):
    """Build the same environ with erlen and with Werkzeug; files are recreated for each."""
    mine = create_environ(*args, **_fresh(kwargs, erlen=True))
    theirs = wzt.create_environ(*args, **_fresh(kwargs, erlen=False))
    return snapshot(mine), snapshot(theirs)


class Upload:
    """A file for ``data=``: materialized as a fresh FileStorage or tuple per framework."""

    def __init__(self, content: bytes, filename: str | None, content_type: str | None = None):
        self.content, self.filename, self.content_type = content, filename, content_type


class Stream(bytes):
    """A body for ``data=``/``input_stream=``: a fresh BytesIO per framework."""


class MD(list):
    """Pairs for a multi-dict argument: an erlen or a Werkzeug MultiDict per framework."""


def _materialize(value, erlen: bool):
    if isinstance(value, MD):
        return (MultiDict if erlen else WzMultiDict)(value)
    if isinstance(value, Stream):
        return io.BytesIO(bytes(value))
    return value


def _fresh(kwargs: dict, erlen: bool) -> dict:
    kwargs = {key: _materialize(value, erlen) for key, value in kwargs.items()}
    data = kwargs.get("data")
    if not isinstance(data, dict):
        return kwargs
    storage = FileStorage if erlen else WzFileStorage

    def make(value):
        if isinstance(value, Upload):
            return storage(io.BytesIO(value.content), value.filename, None, value.content_type)
        if isinstance(value, tuple) and isinstance(value[0], bytes):
            return (io.BytesIO(value[0]), *value[1:])
        if isinstance(value, list):
            return [make(item) for item in value]
        return value

    return {**kwargs, "data": {key: make(value) for key, value in data.items()}}


CASES = [
    ("plain", ("/",), {}),
    ("path_query", ("/search?q=flask&page=2",), {}),
    ("iri_path", ("/ünï cödé/☃",), {}),
    ("escaped_path", ("/a%20b/%2F/%C3%BC",), {}),
    ("path_with_fragment", ("/p?x=1#frag",), {}),
    ("query_dict", ("/q",), {"query_string": {"a": "1", "b": ["x", "y"], "n": None}}),
    ("query_str", ("/q",), {"query_string": "raw=%20x&y"}),
    ("query_unicode", ("/q",), {"query_string": "k=ü v"}),
    ("query_pairs", ("/q",), {"query_string": [("k", "1"), ("k", "2")]}),
    ("query_multidict", ("/q",), {"query_string": MD([("a", "1"), ("a", "2")])}),
    ("form_multidict", ("/",), {"data": MD([("a", "1"), ("a", "2"), ("b", "3")])}),
    ("base_url", ("/x",), {"base_url": "https://example.com:8443/app/"}),
    ("base_url_iri", ("/x",), {"base_url": "http://☃.net/wurzel/"}),
    ("base_url_default_https", ("/",), {"base_url": "https://example.com"}),
    ("method", ("/",), {"method": "DELETE"}),
    ("headers_dict", ("/",), {"headers": {"X-Thing": "1", "Accept": "text/html"}}),
    ("headers_repeat", ("/",), {"headers": [("X-A", "1"), ("X-A", "2"), ("x-a", "3")]}),
    ("headers_host", ("/",), {"headers": {"Host": "other.example"}}),
    ("data_str", ("/",), {"method": "POST", "data": "a=1&b=2"}),
    ("data_bytes", ("/",), {"method": "POST", "data": b"\x00\xff raw"}),
    ("data_file", ("/",), {"method": "POST", "data": Stream(b"from a file")}),
    ("data_text_type", ("/",), {"method": "POST", "data": "hi", "content_type": "text/plain"}),
    ("data_empty", ("/",), {"method": "POST", "data": ""}),
    ("form", ("/",), {"method": "POST", "data": {"a": "1", "b": ["x", "y"], "c": 3}}),
    ("form_unicode", ("/",), {"method": "POST", "data": {"ä": "ö ü&=+"}}),
    (
        "multipart_file",
        ("/",),
        {"method": "POST", "data": {"f": Upload(b"content", "f.txt"), "g": "field"}},
    ),
    (
        "multipart_types",
        ("/",),
        {
            "method": "POST",
            "data": {
                "img": Upload(b"\x89PNG", "a.png"),
                "bin": Upload(b"\x00\x01", "blob"),
                "typed": Upload(b"{}", "x.bin", "application/json"),
                "many": [Upload(b"1", "one.txt"), Upload(b"2", "two.txt")],
            },
        },
    ),
    ("multipart_tuple", ("/",), {"method": "POST", "data": {"t": (b"tuple", "t.csv")}}),
    (
        "multipart_tuple_type",
        ("/",),
        {"method": "POST", "data": {"t": (b"tuple", "t.bin", "image/gif")}},
    ),
    (
        "multipart_forced",
        ("/",),
        {"method": "POST", "data": {"a": "1"}, "content_type": "multipart/form-data"},
    ),
    ("form_unknown_type", ("/",), {"data": {"a": "1"}, "content_type": "application/json"}),
    ("json_dict", ("/",), {"method": "POST", "json": {"b": [1, 2], "a": "ü"}}),
    ("json_list", ("/",), {"method": "POST", "json": [1, "a", None]}),
    ("json_scalar", ("/",), {"method": "POST", "json": "text"}),
    ("json_own_type", ("/",), {"json": {}, "content_type": "application/vnd.api+json"}),
    ("mimetype_text", ("/",), {"data": "x", "mimetype": "text/plain"}),
    ("mimetype_json", ("/",), {"data": "{}", "mimetype": "application/json"}),
    ("content_length_given", ("/",), {"data": b"12345", "content_length": 3}),
    ("content_length_header_dropped", ("/",), {"headers": {"Content-Length": "9"}}),
    ("content_type_header", ("/",), {"headers": {"Content-Type": "text/csv"}, "data": "a,b"}),
    ("auth_tuple", ("/",), {"auth": ("user", "pässword")}),
    ("environ_base", ("/",), {"environ_base": {"REMOTE_ADDR": "1.2.3.4", "PATH_INFO": "/x"}}),
    ("environ_overrides", ("/",), {"environ_overrides": {"PATH_INFO": "/over", "X": "y"}}),
    ("wsgi_flags", ("/",), {"multithread": True, "multiprocess": True, "run_once": True}),
    ("input_stream", ("/",), {"method": "PUT", "input_stream": Stream(b"stream body")}),
]


@pytest.mark.parametrize(("args", "kwargs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_environ_matches_werkzeug(args, kwargs):
    mine, theirs = both(*args, **kwargs)
    assert mine == theirs


def test_auth_object():
    mine = create_environ(auth=Authorization("bearer", token="tok"))
    assert mine["HTTP_AUTHORIZATION"] == "Bearer tok"


def test_input_stream_length_counts_from_current_position():
    stream = io.BytesIO(b"skipped|body")
    stream.seek(8)
    environ = create_environ(input_stream=stream, method="POST")
    assert environ["CONTENT_LENGTH"] == "4"
    assert environ["wsgi.input"].read() == b"body"


def test_invalid_utf8_escape_reaches_path_info_as_raw_byte():
    # Werkzeug turns %FF into U+FFFD; a real server (and erlen) passes the byte on.
    environ = create_environ("/a%FFb/%C3%BC")
    assert environ["PATH_INFO"] == "/a\xffb/\xc3\xbc"
    assert wzt.create_environ("/a%FFb")["PATH_INFO"] == "/a\xef\xbf\xbdb"


def test_errors_stream_defaults_to_stderr():
    assert create_environ()["wsgi.errors"] is sys.stderr
    stream = io.StringIO()
    assert create_environ(errors_stream=stream)["wsgi.errors"] is stream


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"path": "/?a=1", "query_string": "b=2"}, ValueError),
        ({"json": {}, "data": "x"}, TypeError),
        ({"data": "x", "input_stream": io.BytesIO()}, TypeError),
        ({"base_url": "http://h/?q=1"}, ValueError),
        ({"base_url": "http://h/#f"}, ValueError),
    ],
)
def test_argument_errors_match_werkzeug(kwargs, error):
    with pytest.raises(error):
        EnvironBuilder(**kwargs)
    with pytest.raises(error):
        wzt.EnvironBuilder(**kwargs)


def test_properties_match_werkzeug():
    kwargs = {"path": "/p", "base_url": "https://example.com:8443/root/", "method": "POST"}
    mine, theirs = EnvironBuilder(**kwargs), wzt.EnvironBuilder(**kwargs)
    for name in ("base_url", "server_name", "server_port", "script_root", "host", "url_scheme"):
        assert getattr(mine, name) == getattr(theirs, name), name
    assert mine.content_type is theirs.content_type is None
    mine.form["a"] = "1"
    theirs.form["a"] = "1"
    assert mine.content_type == theirs.content_type == "application/x-www-form-urlencoded"
    mine.files.add_file("f", io.BytesIO(b"x"), "f.txt")
    theirs.files.add_file("f", io.BytesIO(b"x"), "f.txt")
    assert mine.content_type == theirs.content_type == "multipart/form-data"
    assert mine.mimetype == theirs.mimetype == "multipart/form-data"


def test_base_url_setter_and_host():
    builder = EnvironBuilder()
    assert builder.base_url == "http://localhost/"
    builder.base_url = "https://example.org:1234/app//"
    assert (builder.url_scheme, builder.host, builder.script_root) == (
        "https",
        "example.org:1234",
        "/app",
    )
    assert builder.server_port == 1234
    builder.host = "example.org"
    assert builder.server_port == 443
    builder.base_url = None
    assert builder.base_url == "http://localhost/"


def test_mimetype_and_params():
    builder = EnvironBuilder(mimetype="text/html")
    assert builder.content_type == "text/html; charset=utf-8"
    params = builder.mimetype_params
    assert params == {"charset": "utf-8"}
    params["charset"] = "latin-1"
    assert builder.headers["Content-Type"] == "text/html; charset=latin-1"
    builder.content_type = None
    assert "Content-Type" not in builder.headers
    builder.mimetype = "application/octet-stream"
    assert builder.content_type == "application/octet-stream"


def test_content_length_property():
    builder = EnvironBuilder()
    assert builder.content_length is None
    builder.content_length = 12
    assert builder.headers["Content-Length"] == "12"
    builder.headers["Content-Length"] = "nonsense"
    assert builder.content_length is None
    builder.content_length = None
    assert "Content-Length" not in builder.headers


def test_query_string_and_args_exclude_each_other():
    builder = EnvironBuilder(query_string={"a": "1"})
    assert builder.query_string == "a=1"
    builder.args.add("b", "x y")
    assert builder.query_string == "a=1&b=x+y"
    builder.query_string = "raw"
    with pytest.raises(AttributeError):
        builder.args  # noqa: B018
    builder.args = MultiDict({"c": "3"})
    assert builder.query_string == "c=3"


def test_input_stream_and_form_exclude_each_other():
    builder = EnvironBuilder(data={"a": "1"})
    assert builder.form["a"] == "1"
    builder.input_stream = io.BytesIO(b"x")
    with pytest.raises(AttributeError):
        builder.form  # noqa: B018
    with pytest.raises(AttributeError):
        builder.files  # noqa: B018
    builder.form = MultiDict({"b": "2"})
    assert builder.input_stream is None
    assert builder.get_environ()["wsgi.input"].read() == b"b=2"


def test_data_dict_of_file_forms():
    upload = FileStorage(io.BytesIO(b"s"), "s.txt", "ignored", "text/x-s")
    builder = EnvironBuilder(
        data={
            "plain": io.BytesIO(b"raw"),
            "tuple": (io.BytesIO(b"t"), "t.txt"),
            "dict": {"file": io.BytesIO(b"d"), "filename": "d.json"},
            "storage": upload,
        }
    )
    files = builder.files
    assert files["tuple"].filename == "t.txt"
    assert files["tuple"].content_type == "text/plain"
    assert files["dict"].content_type == "application/json"
    assert files["storage"] is upload
    environ = builder.get_environ()
    request = Request(environ)
    assert request.files["tuple"].read() == b"t"
    assert request.files["storage"].read() == b"s"
    assert request.files["storage"].content_type == "text/x-s"
    # A file object without a name is sent as a plain field holding its content.
    assert request.form["plain"] == "raw"


def test_close_closes_every_file():
    first, second = io.BytesIO(b"1"), io.BytesIO(b"2")
    builder = EnvironBuilder(data={"f": [(first, "a.txt"), (second, "b.txt")]})
    builder.close()
    assert first.closed and second.closed
    assert builder.closed
    builder.close()  # idempotent


def test_get_request_uses_erlen_request_by_default():
    builder = EnvironBuilder("/p?x=1", method="POST", data={"a": "b"})
    request = builder.get_request()
    assert isinstance(request, Request)
    assert (request.path, request.args["x"], request.form["a"]) == ("/p", "1", "b")

    class Custom(Request):
        pass

    assert isinstance(EnvironBuilder().get_request(Custom), Custom)
    assert Request.from_values("/v", query_string={"q": "1"}).args["q"] == "1"


def test_from_environ_round_trip_matches_werkzeug():
    kwargs = {
        "path": "/ü/x y",
        "base_url": "https://example.com:8443/app/",
        "query_string": "a=1&b=%20",
        "method": "PATCH",
        "headers": {"X-A": "1", "Content-Type": "text/plain"},
        "data": "body",
    }
    mine = EnvironBuilder.from_environ(create_environ(**kwargs))
    theirs = wzt.EnvironBuilder.from_environ(wzt.create_environ(**kwargs))
    assert snapshot(mine.get_environ()) == snapshot(theirs.get_environ())
    override = EnvironBuilder.from_environ(create_environ(**kwargs), method="GET", path="/o")
    assert (override.method, override.path) == ("GET", "/o")


def test_from_environ_keeps_raw_path_bytes_and_literal_percent():
    environ = create_environ("/a%2541%FF")
    assert environ["PATH_INFO"] == "/a%41\xff"
    rebuilt = EnvironBuilder.from_environ(environ).get_environ()
    assert rebuilt["PATH_INFO"] == "/a%41\xff"


def test_from_environ_without_host_header_uses_the_server_address():
    environ = create_environ(base_url="https://example.com:8443/")
    del environ["HTTP_HOST"]
    assert EnvironBuilder.from_environ(environ).host == "example.com:8443"
    environ = create_environ(base_url="https://example.com/")
    del environ["HTTP_HOST"]
    assert EnvironBuilder.from_environ(environ).host == "example.com"


def test_custom_json_dumps():
    class Sorted(EnvironBuilder):
        json_dumps = staticmethod(lambda obj: json.dumps(obj, sort_keys=True))

    environ = Sorted(json={"b": 1, "a": 2}).get_environ()
    assert environ["wsgi.input"].read() == b'{"a": 2, "b": 1}'
    assert environ["CONTENT_TYPE"] == "application/json"


def test_long_inputs_stay_linear():
    assert_linear(lambda n: create_environ("/" + "a/" * n, query_string={"k": "v" * n}))
    assert_linear(lambda n: create_environ(headers=[("X-Many", "v")] * n))
    assert_linear(lambda n: create_environ(data={f"k{i}": "v" for i in range(n)}))


# -- the app-aware builder (Flask's flask.testing.EnvironBuilder) -----------------------


class FakeApp:
    """Just what the builder reads from an application."""

    def __init__(self, **config):
        self.config = {"APPLICATION_ROOT": "/", "PREFERRED_URL_SCHEME": "http", **config}


class FakeJSON:
    @staticmethod
    def dumps(obj, **kwargs):
        return "custom:" + json.dumps(obj, **kwargs)


APP_CASES = [
    ({}, ("/x",), {}),
    ({"SERVER_NAME": "example.com:8080"}, ("/x?y=1",), {}),
    ({"SERVER_NAME": "example.com"}, ("/x",), {"subdomain": "api"}),
    ({"APPLICATION_ROOT": "/root"}, ("/x",), {}),
    ({"APPLICATION_ROOT": "/root/"}, ("/x",), {}),
    ({"PREFERRED_URL_SCHEME": "https"}, ("/x",), {}),
    ({}, ("/x",), {"url_scheme": "https"}),
    ({}, ("https://full.example/p?q=1",), {}),
    ({"SERVER_NAME": "example.com"}, ("/x",), {"base_url": "http://given.example/b"}),
    ({}, ("/x", None, None, None, "a=1", "POST"), {}),
    ({}, ("/x",), {"json": {"a": 1}, "method": "POST"}),
]


@pytest.mark.parametrize(("config", "args", "kwargs"), APP_CASES)
def test_app_builder_matches_flask(config, args, kwargs):
    flask_app = flask.Flask(__name__)
    flask_app.config.update(config)
    fake = FakeApp(**config)
    mine = EnvironBuilder(fake, *args, **kwargs)
    assert isinstance(mine, AppEnvironBuilder)
    theirs = flask.testing.EnvironBuilder(flask_app, *args, **kwargs)
    assert snapshot(mine.get_environ()) == snapshot(theirs.get_environ())


def test_app_builder_refuses_base_url_with_subdomain_or_scheme():
    for extra in ({"subdomain": "a"}, {"url_scheme": "https"}):
        with pytest.raises(AssertionError):
            EnvironBuilder(FakeApp(), "/", base_url="http://x/", **extra)
        with pytest.raises(AssertionError):
            flask.testing.EnvironBuilder(flask.Flask(__name__), "/", "http://x/", **extra)


def test_app_builder_uses_app_json_provider():
    app = FakeApp()
    app.json = FakeJSON()
    environ = EnvironBuilder(app, json=[1]).get_environ()
    assert environ["wsgi.input"].read() == b"custom:[1]"
    plain = AppEnvironBuilder(FakeApp(), json=[1]).get_environ()
    assert plain["wsgi.input"].read() == b"[1]"


def test_app_builder_by_keyword_and_from_environ():
    app = FakeApp(SERVER_NAME="kw.example")
    builder = EnvironBuilder(app=app, path="/k")
    assert isinstance(builder, AppEnvironBuilder)
    assert builder.host == "kw.example"
    rebuilt = EnvironBuilder.from_environ(builder.get_environ(), app=app)
    assert isinstance(rebuilt, AppEnvironBuilder) and rebuilt.app is app
    assert rebuilt.host == "kw.example"


# -- multipart encoding -------------------------------------------------------------------


MULTIPART_VALUES = [
    {},
    {"a": "1"},
    {"a": "1", "b": ["x", "y"], "n": 5},
    {"ü": "ö€"},
    {"f": Upload(b"data", "f.txt")},
    {"f": Upload(b"data", "noext")},
    {"f": Upload(b"\x00" * 40000, "big.bin", "application/x-big")},
    {"f": [Upload(b"1", "a.html"), Upload(b"2", "b.css")], "x": "y"},
]


@pytest.mark.parametrize("values", MULTIPART_VALUES)
def test_encode_multipart_matches_werkzeug(values):
    mine = encode_multipart(_fresh({"data": values}, erlen=True)["data"], boundary="B0UND")
    theirs = wzt.encode_multipart(_fresh({"data": values}, erlen=False)["data"], boundary="B0UND")
    assert mine == theirs


def test_multidict_values_and_item_iteration():
    data = MultiDict([("a", "1"), ("a", "2")])
    assert list(iter_form_items(data)) == [("a", "1"), ("a", "2")]
    assert list(iter_form_items({"t": ("x", "y")})) == [("t", ("x", "y"))]
    assert encode_multipart(data, "B")[1].count(b'name="a"') == 2


def _parse_both(body: bytes, boundary: str):
    content_type = f'multipart/form-data; boundary="{boundary}"'
    _, form, files = parse_form_data(io.BytesIO(body), content_type, len(body))
    environ = {
        "wsgi.input": io.BytesIO(body),
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "REQUEST_METHOD": "POST",
    }
    _, wz_form, wz_files = wz_parse_form_data(environ)
    return form, files, wz_form, wz_files


def test_empty_values_are_well_formed():
    # Werkzeug runs the headers of an empty part into the next boundary; erlen keeps the
    # blank line RFC 7578 requires, and both parsers read the same values from it.
    boundary, body = encode_multipart(
        {"empty": "", "f": FileStorage(io.BytesIO(b""), "e.txt"), "z": "1"}, "B"
    )
    assert b'name="empty"\r\n\r\n\r\n--B' in body
    form, files, wz_form, wz_files = _parse_both(body, boundary)
    assert form.to_dict() == wz_form.to_dict() == {"empty": "", "z": "1"}
    assert files["f"].read() == wz_files["f"].read() == b""
    assert files["f"].filename == wz_files["f"].filename == "e.txt"


def test_hostile_names_cannot_forge_parts():
    boundary, body = encode_multipart(
        {'a"\r\nX-Evil: 1': FileStorage(io.BytesIO(b"x"), 'f"\r\n.txt')}, "B"
    )
    assert b"\r\nX-Evil" not in body
    assert b'name="a%22%0D%0AX-Evil: 1"; filename="f%22%0D%0A.txt"' in body
    form, files, wz_form, wz_files = _parse_both(body, boundary)
    assert len(files) == len(wz_files) == 1


def test_large_bodies_spill_to_a_temporary_file():
    payload = b"x" * 2000
    stream, length, boundary = stream_encode_multipart(
        {"f": FileStorage(io.BytesIO(payload), "f.bin")}, threshold=1000
    )
    assert not isinstance(stream, io.BytesIO)
    assert length == len(stream.read()) > 2000
    stream.close()
    small, _, _ = stream_encode_multipart({"a": "1"}, threshold=1000)
    assert isinstance(small, io.BytesIO)
    in_memory, _, _ = stream_encode_multipart({"f": payload.decode()}, use_tempfile=False)
    assert isinstance(in_memory, io.BytesIO)


def test_default_boundary_is_random_and_not_in_body():
    first, body = encode_multipart({"a": "1"})
    second, _ = encode_multipart({"a": "1"})
    assert first != second
    assert body.startswith(b"\r\n--" + first.encode() + b"\r\n")
    assert body.endswith(b"\r\n--" + first.encode() + b"--\r\n")


def test_file_headers_are_kept_and_content_type_replaced_in_place():
    headers = Headers([("content-type", "old/type"), ("X-Part", "1")])
    storage = FileStorage(io.BytesIO(b"d"), "f.txt", "f", headers=headers)
    _, body = encode_multipart({"f": storage}, "B")
    assert b"Content-Type: old/type\r\nX-Part: 1\r\n\r\nd" in body
    assert headers.get("Content-Type") == "old/type"  # the storage is not modified


def test_multipart_encoding_is_linear():
    assert_linear(lambda n: encode_multipart({f"k{i}": "v" for i in range(n)}, "B"))
