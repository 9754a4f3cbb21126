"""FileStorage and FileMultiDict, checked against Werkzeug as the oracle."""

from __future__ import annotations

import inspect
import io
import tempfile
from pathlib import Path

import pytest
import werkzeug.datastructures as wz

from erlen.http.files import FileMultiDict, FileStorage
from erlen.http.headers import Headers


def test_signature():
    assert list(inspect.signature(FileStorage).parameters) == [
        "stream",
        "filename",
        "name",
        "content_type",
        "content_length",
        "headers",
    ]
    assert list(inspect.signature(FileStorage.save).parameters) == ["self", "dst", "buffer_size"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"filename": "report.pdf", "name": "upload", "content_type": "application/pdf"},
        {"filename": "a.txt", "content_type": 'Text/HTML; Charset=UTF-8; x="a b"'},
        {"filename": "", "content_length": 12},
        {"filename": b"bytes-name.txt"},
        {"filename": Path("dir/p.txt")},
        {"content_type": "multipart/form-data; boundary=----x"},
        {"content_type": ";broken"},
    ],
)
def test_attributes_match_werkzeug(kwargs):
    ours = FileStorage(io.BytesIO(b"data"), **kwargs)
    theirs = wz.FileStorage(io.BytesIO(b"data"), **kwargs)
    for name in (
        "filename",
        "name",
        "content_type",
        "content_length",
        "mimetype",
        "mimetype_params",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert bool(ours) == bool(theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.headers) == list(theirs.headers)


@pytest.mark.parametrize("length", ["12", " 7 ", "-1", "+5", "abc", "1_0", "٣"])
def test_content_length_matches_werkzeug(length):
    ours = FileStorage(headers=Headers([("Content-Length", length)]))
    theirs = wz.FileStorage(headers=wz.Headers([("Content-Length", length)]))
    assert ours.content_length == theirs.content_length


def test_filename_comes_from_the_stream_unless_it_is_special():
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        assert FileStorage(handle).filename == wz.FileStorage(handle).filename == handle.name
    stdin_like = io.BytesIO()
    stdin_like.name = "<stdin>"
    assert FileStorage(stdin_like).filename is None
    bytes_named = io.BytesIO()
    bytes_named.name = b"raw.bin"
    assert FileStorage(bytes_named).filename == "raw.bin"


def test_default_stream_and_headers():
    storage = FileStorage()
    assert storage.read() == b""
    assert isinstance(storage.headers, Headers)
    assert storage.content_type is None
    assert storage.mimetype == "" and storage.mimetype_params == {}
    assert not storage


def test_mimetype_follows_header_changes():
    storage = FileStorage(content_type="text/plain; charset=latin-1")
    assert storage.mimetype_params == {"charset": "latin-1"}
    storage.headers["Content-Type"] = "image/PNG"
    # Werkzeug keeps the first parse forever; erlen re-reads a changed header.
    assert storage.mimetype == "image/png"
    assert storage.mimetype_params == {}


def test_save_to_path_pathlike_and_file_object(tmp_path):
    payload = bytes(range(256)) * 1000
    FileStorage(io.BytesIO(payload)).save(str(tmp_path / "a.bin"))
    FileStorage(io.BytesIO(payload)).save(tmp_path / "b.bin", buffer_size=7)
    target = io.BytesIO()
    FileStorage(io.BytesIO(payload)).save(target)
    assert not target.closed  # the caller closes a file object it passed in
    assert (tmp_path / "a.bin").read_bytes() == payload
    assert (tmp_path / "b.bin").read_bytes() == payload
    assert target.getvalue() == payload


def test_save_copies_in_bounded_chunks(tmp_path):
    class CountingStream(io.BytesIO):
        biggest = 0

        def read(self, size=-1):
            assert size != -1, "save must not read everything at once"
            CountingStream.biggest = max(CountingStream.biggest, size)
            return super().read(size)

    FileStorage(CountingStream(b"x" * 100_000)).save(tmp_path / "c.bin", buffer_size=4096)
    assert CountingStream.biggest == 4096
    assert (tmp_path / "c.bin").stat().st_size == 100_000


def test_stream_proxying_iteration_and_close():
    storage = FileStorage(io.BytesIO(b"line1\nline2\n"), filename="f.txt")
    assert list(storage) == [b"line1\n", b"line2\n"]
    storage.seek(0)
    assert storage.read(5) == b"line1"
    assert storage.tell() == 5
    with pytest.raises(AttributeError):
        storage.no_such_attribute  # noqa: B018
    storage.close()
    assert storage.closed

    class Exploding(io.BytesIO):
        def close(self):
            raise OSError("boom")

    FileStorage(Exploding()).close()  # errors from the stream are swallowed


def test_spooled_backing_file_fallback():
    class Spooled:
        def __init__(self):
            self._file = io.BytesIO(b"abc")

    storage = FileStorage(Spooled())
    assert storage.read() == b"abc"


def test_file_multidict_add_file(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG")
    files = FileMultiDict()
    files.add_file("pic", str(path))
    files.add_file("pic", path, filename="renamed.jpg")
    files.add_file("doc", io.BytesIO(b"x"), filename="notes.unknownext")
    files.add_file("raw", io.BytesIO(b"y"))
    existing = FileStorage(io.BytesIO(b"z"), filename="z.txt")
    files.add_file("kept", existing)
    try:
        pics = files.getlist("pic")
        assert [p.filename for p in pics] == [str(path), "renamed.jpg"]
        assert [p.content_type for p in pics] == ["image/png", "image/jpeg"]
        assert pics[0].read() == b"\x89PNG"
        assert pics[0].name == "pic"
        assert files["doc"].content_type == "application/octet-stream"
        assert files["raw"].filename is None and files["raw"].content_type is None
        assert files["kept"] is existing
    finally:
        for storage in files.getlist("pic"):
            storage.close()

    theirs = wz.FileMultiDict()
    theirs.add_file("doc", io.BytesIO(b"x"), filename="notes.unknownext")
    assert theirs["doc"].content_type == files["doc"].content_type
