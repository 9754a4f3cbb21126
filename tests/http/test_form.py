"""erlen.http.form against Werkzeug 3.1's form parser (werkzeug.formparser)."""

from __future__ import annotations

import io
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data as wz_parse_form_data

from erlen.http.files import FileStorage
from erlen.http.form import (
    FormDataError,
    FormLimitExceeded,
    default_stream_factory,
    parse_form_data,
)
from erlen.http.multidict import ImmutableMultiDict, MultiDict
from erlen.http.streams import ClientDisconnected, LimitedStream, get_input_stream
from tests.http.test_urls import assert_linear

BOUNDARY = "----erlenBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"

Part = tuple[list[tuple[str, str]], bytes]


def field(name: str, value: str | bytes, *extra: tuple[str, str]) -> Part:
    data = value.encode() if isinstance(value, str) else value
    headers = [("Content-Disposition", f'form-data; name="{name}"'), *extra]
    return headers, data


def upload(name: str, filename: str, data: bytes, content_type: str | None = None) -> Part:
    headers = [("Content-Disposition", f'form-data; name="{name}"; filename="{filename}"')]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return headers, data


def build(parts: list[Part], boundary: str = BOUNDARY, *, epilogue: bytes = b"") -> bytes:
    out = bytearray()
    for headers, data in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        for name, value in headers:
            out += f"{name}: {value}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n" + epilogue
    return bytes(out)


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes per read, like a slow socket."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._step
        return self._data.read(min(size, self._step))


def ours(body: bytes, content_type: str = MULTIPART, **kwargs):
    stream = kwargs.pop("stream", None) or io.BytesIO(body)
    return parse_form_data(stream, content_type, len(body), **kwargs)


def theirs(body: bytes, content_type: str = MULTIPART, **kwargs):
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    return wz_parse_form_data(environ, silent=False, **kwargs)


def summary(form, files) -> tuple[object, object]:
    """Comparable view of a parse result: form lists, and per file its name,
    filename, content type, headers and content."""
    file_view = [
        (
            key,
            [
                (
                    storage.filename,
                    storage.content_type,
                    list(storage.headers.items()),
                    storage.stream.read(),
                )
                for storage in storages
            ],
        )
        for key, storages in files.lists()
    ]
    return list(form.lists()), file_view


def assert_same_as_werkzeug(body: bytes, content_type: str = MULTIPART, **kwargs) -> None:
    _, form, files = ours(body, content_type, **kwargs)
    _, wz_form, wz_files = theirs(body, content_type, **kwargs)
    assert summary(form, files) == summary(wz_form, wz_files)


MULTIPART_BODIES = {
    "fields": build([field("a", "1"), field("b", "two words"), field("a", "3")]),
    "unicode": build([field("näme", "välue €"), field("emoji", "🍪")]),
    "empty value": build([field("empty", "")]),
    "files": build(
        [
            upload("doc", "report.txt", b"line one\r\nline two\r\n", "text/plain"),
            upload("img", "pic.png", bytes(range(256)) * 4, "image/png"),
            upload("doc", "second.txt", b"again"),
        ]
    ),
    "empty file input": build([upload("file", "", b"", "application/octet-stream")]),
    "boundary-like content": build(
        [upload("f", "x.bin", f"\r\n--{BOUNDARY[:-1]}\r\n-{BOUNDARY}\r\n--\r\n".encode())]
    ),
    "crlf in value": build([field("text", "a\r\nb\rc\nd\r\n")]),
    "charset latin-1": build(
        [
            field(
                "latin",
                "café".encode("latin-1"),
                ("Content-Type", "text/plain; charset=iso-8859-1"),
            )
        ]
    ),
    "unknown charset is utf-8": build(
        [field("x", "é".encode(), ("Content-Type", "text/plain; charset=koi8-r"))]
    ),
    "invalid utf-8 value": build([field("bad", b"\xff\xfe ok")]),
    "quoted names": build(
        [
            ([("Content-Disposition", 'form-data; name="a%22b"; filename="q\\"x.txt"')], b"1"),
            ([("Content-Disposition", "form-data; name=token")], b"2"),
        ]
    ),
    "rfc2231 filename": build(
        [([("Content-Disposition", "form-data; name=f; filename*=UTF-8''%C3%A9t%C3%A9.txt")], b"x")]
    ),
    "raw utf-8 filename": build([upload("f", "naïve €.txt", b"data")]),
    "windows path filename": build([upload("f", "C:\\\\Users\\\\me\\\\file.txt", b"data")]),
    "no name": build([([("Content-Disposition", "form-data")], b"nameless")]),
    "extra headers": build(
        [
            (
                upload("f", "a.txt", b"data", "text/plain")[0]
                + [("X-Custom", "  spaced value  "), ("Content-Length", "4")],
                b"data",
            )
        ]
    ),
    "epilogue": build([field("a", "1")], epilogue=b"trailing junk\r\n"),
    "no fields": build([]),
    "header case": build([([("content-disposition", 'form-data; name="lower"')], b"v")]),
}


@pytest.mark.parametrize("name", list(MULTIPART_BODIES))
def test_multipart_matches_werkzeug(name):
    assert_same_as_werkzeug(MULTIPART_BODIES[name])


@pytest.mark.parametrize("name", list(MULTIPART_BODIES))
@pytest.mark.parametrize("step", [1, 7, 100])
def test_multipart_in_small_reads_matches_werkzeug(name, step):
    body = MULTIPART_BODIES[name]
    _, form, files = parse_form_data(Trickle(body, step), MULTIPART, len(body))
    _, wz_form, wz_files = theirs(body)
    assert summary(form, files) == summary(wz_form, wz_files)


field_name = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")).filter(lambda c: c not in '"\\%'),
    min_size=1,
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("field"), field_name, st.text(max_size=30)),
            st.tuples(st.just("file"), field_name, st.binary(max_size=300)),
        ),
        max_size=6,
    ),
    st.sampled_from([1, 3, 64, 65536]),
)
def test_multipart_matches_werkzeug_on_generated_forms(items, step):
    parts = []
    for kind, name, value in items:
        if kind == "field":
            parts.append(field(name, value))
        else:
            parts.append(upload(name, f"{name}.bin", value, "application/octet-stream"))
    body = build(parts)
    _, form, files = parse_form_data(Trickle(body, step), MULTIPART, len(body))
    _, wz_form, wz_files = theirs(body)
    assert summary(form, files) == summary(wz_form, wz_files)


def test_multipart_result_types():
    body = MULTIPART_BODIES["files"]
    stream = io.BytesIO(body)
    returned, form, files = parse_form_data(stream, MULTIPART, len(body))
    assert returned is stream
    assert type(form) is MultiDict and type(files) is MultiDict
    storage = files["doc"]
    assert isinstance(storage, FileStorage)
    assert storage.filename == "report.txt"
    assert storage.name == "doc"
    assert storage.content_type == "text/plain"
    assert storage.read() == b"line one\r\nline two\r\n"
    assert [f.filename for f in files.getlist("doc")] == ["report.txt", "second.txt"]
    _, form, _ = parse_form_data(io.BytesIO(body), MULTIPART, len(body), cls=ImmutableMultiDict)
    assert type(form) is ImmutableMultiDict


def test_multipart_values():
    body = build([field("a", "1"), field("a", "2"), upload("f", "", b"")])
    _, form, files = ours(body)
    assert form.getlist("a") == ["1", "2"]
    assert files["f"].filename == ""
    assert files["f"].read() == b""


def test_multipart_mimetype_is_case_insensitive():
    body = build([field("a", "1")])
    content_type = f"Multipart/Form-Data; boundary={BOUNDARY}"
    assert ours(body, content_type)[1]["a"] == "1"


def test_large_file_spills_to_disk_and_is_intact():
    data = bytes(range(256)) * 4096  # 1 MiB
    body = build([upload("big", "big.bin", data), field("after", "ok")])
    _, form, files = ours(body)
    stream = files["big"].stream
    assert isinstance(stream, tempfile.SpooledTemporaryFile)
    assert stream._rolled  # moved to a real temporary file past 500 KB
    assert stream.read() == data
    assert form["after"] == "ok"


def test_small_file_stays_in_memory():
    _, _, files = ours(build([upload("small", "s.txt", b"x" * 1000)]))
    assert not files["small"].stream._rolled


def test_default_stream_factory():
    stream = default_stream_factory(total_content_length=10, content_type=None, filename="x")
    assert isinstance(stream, tempfile.SpooledTemporaryFile)
    stream.write(b"abc")
    stream.seek(0)
    assert stream.read() == b"abc"


def test_custom_stream_factory_gets_werkzeug_arguments():
    calls = []

    def factory(total_content_length, content_type, filename, content_length=None):
        calls.append((total_content_length, content_type, filename, content_length))
        return io.BytesIO()

    body = build(
        [
            (
                upload("f", "a.txt", b"data", "text/plain")[0] + [("Content-Length", "4")],
                b"data",
            ),
            upload("g", "b.bin", b"x"),
        ]
    )
    _, _, files = ours(body, stream_factory=factory)
    assert calls == [(len(body), "text/plain", "a.txt", 4), (len(body), None, "b.bin", 0)]
    assert files["f"].read() == b"data"


URLENCODED_BODIES = [
    b"",
    b"a=1&b=2&a=3",
    b"name=J%C3%BCrgen+M%C3%BCller&empty=&flag",
    b"bad=%ZZ&partial=%C3&ok=%41",
    b"plus=a+b%2Bc&&&=x",
]


@pytest.mark.parametrize("body", URLENCODED_BODIES)
def test_urlencoded_matches_werkzeug(body):
    assert_same_as_werkzeug(body, URLENCODED)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(list("&=+%ab€") + ["%C3%A9", "%FF", "%2"]), max_size=30))
def test_urlencoded_matches_werkzeug_on_fuzz(pieces):
    assert_same_as_werkzeug("".join(pieces).encode(), URLENCODED)


def test_urlencoded_invalid_utf8_is_kept_quoted():
    # Werkzeug fails to decode the body and (silently) returns an empty form.
    _, form, files = ours(b"a=\xff&b=ok", URLENCODED)
    assert form.getlist("a") == ["%FF"]
    assert form["b"] == "ok"
    assert not files


def test_urlencoded_is_not_limited_by_max_form_memory_size():
    # As in Werkzeug 3.1.9: urlencoded bodies are bounded by max_content_length only.
    body = b"big=" + b"x" * 1000
    _, form, _ = ours(body, URLENCODED, max_form_memory_size=100)
    assert len(form["big"]) == 1000
    _, wz_form, _ = theirs(body, URLENCODED, max_form_memory_size=100)
    assert wz_form["big"] == form["big"]


def test_urlencoded_over_max_content_length():
    body = b"a=" + b"x" * 100
    with pytest.raises(FormLimitExceeded):
        ours(body, URLENCODED, max_content_length=50)
    with pytest.raises(FormLimitExceeded):
        parse_form_data(io.BytesIO(body), URLENCODED, None, max_content_length=50)


@pytest.mark.parametrize(
    "content_type",
    [None, "", "application/json", "text/plain", "application/x-url-encoded", "multipart/mixed"],
)
def test_other_content_types_leave_stream_unread(content_type):
    stream = io.BytesIO(b'{"a": 1}')
    returned, form, files = parse_form_data(stream, content_type, 8)
    assert returned is stream
    assert stream.tell() == 0
    assert not form and not files
    assert type(form) is MultiDict


# Malformed bodies: Werkzeug (silent=False) raises ValueError for most of these and,
# with its default silent=True, returns an empty form. erlen raises FormDataError.
BROKEN = {
    "wrong boundary": (MULTIPART, build([field("a", "1")], boundary="other")),
    "truncated": (MULTIPART, build([field("a", "1")])[:-20]),
    "truncated in headers": (MULTIPART, f"--{BOUNDARY}\r\nContent-Disp".encode()),
    "no closing boundary": (MULTIPART, f"--{BOUNDARY}\r\n".encode() + b"x" * 100),
    "missing disposition": (MULTIPART, build([([("Content-Type", "text/plain")], b"x")])),
    "header without colon": (
        MULTIPART,
        f'--{BOUNDARY}\r\nContent-Disposition form-data; name="a"\r\n\r\nx\r\n--{BOUNDARY}--'.encode(),
    ),
    "non utf-8 header": (
        MULTIPART,
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="\xff"\r\n\r\nx\r\n'
        + f"--{BOUNDARY}--\r\n".encode(),
    ),
    "garbage": (MULTIPART, b"this is not multipart at all" * 10),
    "boundary too long": ("multipart/form-data; boundary=" + "b" * 300, b"--" + b"b" * 300),
    "missing boundary": ("multipart/form-data", build([field("a", "1")])),
    "empty boundary": ('multipart/form-data; boundary=""', build([field("a", "1")])),
    "non-ascii boundary": ("multipart/form-data; boundary=bö", b"--b\xc3\xb6--\r\n"),
    "too many headers": (
        MULTIPART,
        build([(field("a", "1")[0] + [(f"X-{i}", "v") for i in range(20)], b"1")]),
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_multipart_raises_form_data_error(name):
    content_type, body = BROKEN[name]
    with pytest.raises(FormDataError) as info:
        ours(body, content_type)
    assert not isinstance(info.value, FormLimitExceeded)
    assert str(info.value)


def test_broken_multipart_messages_say_what_is_wrong():
    with pytest.raises(FormDataError, match="boundary"):
        ours(build([field("a", "1")]), "multipart/form-data")
    with pytest.raises(FormDataError, match="ended before its closing boundary"):
        ours(build([field("a", "1")])[:-20])
    with pytest.raises(FormDataError, match="Content-Disposition"):
        ours(build([([("Content-Type", "text/plain")], b"x")]))


@pytest.mark.parametrize("name", ["wrong boundary", "truncated", "missing disposition"])
def test_werkzeug_also_rejects(name):
    content_type, body = BROKEN[name]
    with pytest.raises(ValueError):
        theirs(body, content_type)
    _, form, files = wz_parse_form_data(
        {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
    )
    assert not form and not files  # what Flask apps see: silently nothing


def test_empty_multipart_body_is_an_empty_form():
    _, form, files = ours(b"")
    assert not form and not files


def test_lf_only_line_endings_are_rejected():
    # Werkzeug accepts bare LF line breaks; python-multipart (and RFC 7578) need CRLF.
    body = build([field("a", "1")]).replace(b"\r\n", b"\n")
    _, wz_form, _ = theirs(body)
    assert wz_form["a"] == "1"
    with pytest.raises(FormDataError):
        ours(body)


@pytest.mark.parametrize(
    "body",
    [
        # A lone LF before the next boundary: Werkzeug splits the part there,
        # python-multipart would keep the rest as data of "a".
        build([field("a", "1"), field("b", "2")]).replace(b"1\r\n--", b"1\n--"),
        build([field("a", "1"), field("b", "2")]).replace(b"1\r\n--", b"1\r--"),
        # A delimiter followed by junk instead of CRLF.
        build([field("a", "1"), field("b", "2")]).replace(
            f'{BOUNDARY}\r\nContent-Disposition: form-data; name="b"'.encode(),
            f'{BOUNDARY}\r;\nContent-Disposition: form-data; name="b"'.encode(),
        ),
        # Part data that starts right away with the boundary.
        build([field("a", f"--{BOUNDARY}\r\nx")]),
        # A line starting with the boundary inside a part (RFC 2046 forbids it; both
        # Werkzeug and python-multipart would keep it as data, erlen refuses it).
        build([upload("f", "x.bin", f"line\r\n--{BOUNDARY}-x\r\n".encode())]),
    ],
)
def test_stray_boundary_lines_are_rejected(body):
    with pytest.raises(FormDataError, match="starts with the boundary but is not a delimiter"):
        ours(body)
    with pytest.raises(FormDataError):
        parse_form_data(Trickle(body, 5), MULTIPART, len(body))


def test_boundary_text_inside_a_line_is_data():
    value = f"x--{BOUNDARY} and -{BOUNDARY}"
    assert_same_as_werkzeug(build([field("a", value), upload("f", "f", value.encode())]))


def test_preamble_is_rejected():
    # RFC 2046 allows text before the first boundary and Werkzeug skips it; browsers
    # never send one, and python-multipart refuses it.
    body = b"This is a preamble.\r\n" + build([field("a", "1")])
    _, wz_form, _ = theirs(body)
    assert wz_form["a"] == "1"
    with pytest.raises(FormDataError):
        ours(body)


def test_leading_blank_lines_are_skipped():
    body = b"\r\n\r\n" + build([field("a", "1")])
    assert ours(body)[1]["a"] == theirs(body)[1]["a"] == "1"


def test_field_over_max_form_memory_size():
    body = build([field("big", "x" * 1000)])
    with pytest.raises(FormLimitExceeded, match="'big'"):
        ours(body, max_form_memory_size=500)
    with pytest.raises(RequestEntityTooLarge):
        theirs(body, max_form_memory_size=500)
    _, form, _ = ours(body, max_form_memory_size=None)
    assert len(form["big"]) == 1000


def test_field_over_limit_across_small_reads():
    body = build([field("big", "x" * 1000)])
    with pytest.raises(FormLimitExceeded):
        parse_form_data(Trickle(body, 10), MULTIPART, len(body), max_form_memory_size=500)


def test_files_are_not_limited_by_max_form_memory_size():
    body = build([upload("f", "f.bin", b"x" * 5000)])
    _, _, files = ours(body, max_form_memory_size=500)
    assert files["f"].read() == b"x" * 5000


def test_too_many_parts():
    body = build([field(f"f{i}", "v") for i in range(11)])
    with pytest.raises(FormLimitExceeded, match="10 parts"):
        ours(body, max_form_parts=10)
    with pytest.raises(RequestEntityTooLarge):
        theirs(body, max_form_parts=10)
    _, form, _ = ours(body, max_form_parts=11)
    assert len(form) == 11


def test_5000_parts():
    body = build([field(f"f{i}", f"v{i}") for i in range(5000)])
    with pytest.raises(FormLimitExceeded):
        ours(body)  # default max_form_parts is 1000, as Flask's
    _, form, _ = ours(body, max_form_parts=None)
    assert len(form) == 5000
    assert form["f4999"] == "v4999"
    _, wz_form, _ = theirs(body, max_form_parts=None)
    assert list(form.lists()) == list(wz_form.lists())


def test_content_length_over_max_is_refused_before_reading():
    body = build([field("a", "1")])
    stream = io.BytesIO(body)
    with pytest.raises(FormLimitExceeded, match="maximum"):
        parse_form_data(stream, MULTIPART, len(body), max_content_length=10)
    assert stream.tell() == 0


def test_streamed_body_over_max_content_length():
    body = build([upload("f", "f.bin", b"x" * 10_000)])
    with pytest.raises(FormLimitExceeded):
        parse_form_data(io.BytesIO(body), MULTIPART, None, max_content_length=1000)
    bounded = LimitedStream(io.BytesIO(body), 1000, is_max=True)
    with pytest.raises(FormLimitExceeded):
        parse_form_data(bounded, MULTIPART, None)


def test_announced_length_larger_than_body_raises_client_disconnected():
    body = build([field("a", "1")])
    environ = {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body) + 100)}
    stream = get_input_stream(environ)
    with pytest.raises(ClientDisconnected):
        parse_form_data(stream, MULTIPART, len(body) + 100)


def test_temporary_files_are_closed_on_error():
    created: list[io.BytesIO] = []

    def factory(total_content_length, content_type, filename, content_length=None):
        created.append(io.BytesIO())
        return created[-1]

    body = build([upload("f", "a.bin", b"one"), upload("g", "b.bin", b"two")])[:-30]
    with pytest.raises(FormDataError):
        ours(body, stream_factory=factory)
    assert len(created) == 2
    assert all(stream.closed for stream in created)


def test_multipart_parse_is_linear_in_parts():
    def run(n: int) -> None:
        body = build([field(f"f{i}", "v") for i in range(n)])
        ours(body, max_form_parts=None)

    assert_linear(run, n=200)


@pytest.mark.parametrize(
    "content",
    [
        lambda n: b"\r\n--" * n,
        lambda n: (b"\r\n--" + BOUNDARY.encode()[:-1] + b"x") * n,
        lambda n: b"\r" * n,
        lambda n: b"-" * n,
    ],
)
def test_multipart_parse_is_linear_on_hostile_file_content(content):
    assert_linear(lambda n: ours(build([upload("f", "f.bin", content(n))])), n=1000)


def test_multipart_parse_is_linear_on_hostile_headers():
    def run(n: int) -> None:
        body = f"--{BOUNDARY}\r\nContent-Disposition: ".encode() + b"x" * n
        with pytest.raises(FormDataError):
            ours(body)

    assert_linear(run, n=1000)
