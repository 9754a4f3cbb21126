"""Uploads: file fields and validators, MAX_CONTENT_LENGTH, hostile file names."""

from __future__ import annotations

import io
import os
import uuid
from io import BytesIO
from typing import Any

import pytest
from wtforms import StringField
from wtforms.validators import InputRequired

from erlen import Erlen
from erlen.datastructures import FileStorage, MultiDict
from erlen.forms import (
    FileAllowed,
    FileField,
    FileRequired,
    FileSize,
    Form,
    MultipleFileField,
    file_allowed,
    file_required,
    file_size,
)
from erlen.utils import secure_filename

from .frameworks import Stack, both, stack


@pytest.fixture
def app() -> Erlen:
    app = Erlen(__name__)
    app.config.update(SECRET_KEY="file-secret", WTF_CSRF_ENABLED=False)
    return app


def _errors(app: Erlen, form_class: type, data: dict[str, Any]) -> dict[str, Any]:
    with app.test_request_context(method="POST", data=data):
        form = form_class()
        form.validate()
        return form.errors  # type: ignore[no-any-return]


def test_synonyms() -> None:
    assert (file_required, file_allowed, file_size) == (FileRequired, FileAllowed, FileSize)


def test_file_required_renders_required_attribute(app: Erlen) -> None:
    class Avatar(Form):
        avatar = FileField("Avatar", validators=[FileRequired()])
        docs = MultipleFileField("Docs")

    with app.test_request_context():
        form = Avatar()
        assert form.avatar.flags.required
        assert str(form.avatar()) == '<input id="avatar" name="avatar" required type="file">'
        assert str(form.docs()) == '<input id="docs" multiple name="docs" type="file">'


class AvatarForm(Form):
    name = StringField()
    avatar = FileField(validators=[FileRequired(), FileAllowed(["jpg", "png"])])


@pytest.mark.parametrize(
    ("filename", "error"),
    [
        ("me.png", None),
        ("ME.PNG", None),
        ("archive.tar.png", None),
        ("me.gif", "File does not have an approved extension: jpg, png"),
        ("me.png.php", "File does not have an approved extension: jpg, png"),
        ("png", "File does not have an approved extension: jpg, png"),
        (".png", None),
        ("", "This field is required."),
    ],
)
def test_allowed_and_disallowed_types(app: Erlen, filename: str, error: str | None) -> None:
    errors = _errors(app, AvatarForm, {"avatar": (BytesIO(b"img"), filename)})
    assert errors == ({} if error is None else {"avatar": [error]})


def test_text_posted_under_a_file_field_is_not_a_file(app: Erlen) -> None:
    with app.test_request_context(method="POST", data={"avatar": "evil.png", "name": "x"}):
        form = AvatarForm()
        assert not form.validate()
        assert form.avatar.data is None
        assert form.avatar.raw_data == ()
        assert form.errors == {"avatar": ["This field is required."]}


def test_input_required_sees_no_raw_data_without_a_file(app: Erlen) -> None:
    class Strict(Form):
        upload = FileField(validators=[InputRequired()])

    assert _errors(app, Strict, {"upload": (BytesIO(b""), "")}) == {
        "upload": ["This field is required."]
    }
    assert _errors(app, Strict, {"upload": (BytesIO(b"x"), "x.txt")}) == {}


def test_first_chosen_file_wins(app: Erlen) -> None:
    data = {"avatar": [(BytesIO(b""), ""), (BytesIO(b"1"), "one.png"), (BytesIO(b"2"), "two.png")]}
    with app.test_request_context(method="POST", data=data):
        assert AvatarForm().avatar.data.filename == "one.png"


def test_file_allowed_options(app: Erlen) -> None:
    class Options(Form):
        upper = FileField(validators=[FileAllowed(["JPG", ".Png"])])
        single = FileField(validators=[FileAllowed("pdf", message="PDF please.")])

    assert (
        _errors(
            app,
            Options,
            {"upper": (BytesIO(b"x"), "a.jpg"), "single": (BytesIO(b"x"), "a.PDF")},
        )
        == {}
    )
    assert _errors(
        app, Options, {"upper": (BytesIO(b"x"), "a.gif"), "single": (BytesIO(b"x"), "a.p")}
    ) == {
        "upper": ["File does not have an approved extension: JPG, .Png"],
        "single": ["PDF please."],
    }


def test_file_allowed_with_an_upload_set(app: Erlen) -> None:
    seen: list[tuple[Any, str]] = []

    class ImagesOnly:
        def file_allowed(self, storage: Any, basename: str) -> bool:
            seen.append((storage, basename))
            return basename.endswith(".png")

    class WithSet(Form):
        image = FileField(validators=[FileAllowed(ImagesOnly())])

    assert _errors(app, WithSet, {"image": (BytesIO(b"x"), "A.PNG")}) == {}
    assert isinstance(seen[0][0], FileStorage)  # the storage itself, as Flask-Uploads expects
    assert seen[0][1] == "a.png"
    assert _errors(app, WithSet, {"image": (BytesIO(b"x"), "a.exe")}) == {
        "image": ["File does not have an approved extension."]
    }


class SizedForm(Form):
    upload = FileField(validators=[FileSize(max_size=10, min_size=2)])
    many = MultipleFileField(validators=[FileSize(max_size=4, message="Too big.")])


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"upload": (BytesIO(b"12"), "a")}, {}),
        ({"upload": (BytesIO(b"1234567890"), "a")}, {}),
        ({"upload": (BytesIO(b"1"), "a")}, {"upload": ["File must be between 2 and 10 bytes."]}),
        (
            {"upload": (BytesIO(b"x" * 11), "a")},
            {"upload": ["File must be between 2 and 10 bytes."]},
        ),
        ({"many": [(BytesIO(b"1234"), "a"), (BytesIO(b"12345"), "b")]}, {"many": ["Too big."]}),
        ({}, {}),
    ],
)
def test_file_size(app: Erlen, data: dict[str, Any], errors: dict[str, Any]) -> None:
    assert _errors(app, SizedForm, data) == errors


def test_file_size_measures_spooled_files_and_keeps_position(app: Erlen) -> None:
    big = b"x" * 600_000  # past the in-memory threshold: spooled to disk
    with app.test_request_context(method="POST", data={"upload": (BytesIO(big), "big.bin")}):
        form = SizedForm()
        form.upload.data.stream.read(5)
        assert not form.validate()
        assert form.upload.data.stream.tell() == 5
        form.upload.data.stream.seek(0)
        assert form.upload.data.read() == big


def test_file_size_refuses_unseekable_streams(app: Erlen) -> None:
    class Unseekable(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def tell(self) -> int:
            raise OSError("not seekable")

    with app.test_request_context():
        form = SizedForm(formdata=MultiDict({"upload": FileStorage(Unseekable(), "x.bin")}))
        with pytest.raises(TypeError, match="not seekable"):
            form.validate()


def test_multiple_files(app: Erlen) -> None:
    class Docs(Form):
        documents = MultipleFileField(validators=[FileRequired(), FileAllowed(["pdf"])])

    files = [(BytesIO(b"1"), "a.pdf"), (BytesIO(b""), ""), (BytesIO(b"2"), "b.PDF")]
    with app.test_request_context(method="POST", data={"documents": files}):
        form = Docs()
        assert form.validate()
        assert [f.filename for f in form.documents.data] == ["a.pdf", "b.PDF"]
    assert _errors(
        app, Docs, {"documents": [(BytesIO(b"1"), "a.pdf"), (BytesIO(b"2"), "b.sh")]}
    ) == {"documents": ["File does not have an approved extension: pdf"]}
    assert _errors(app, Docs, {"other": "x"}) == {"documents": ["This field is required."]}


@both
def test_multiple_file_field_without_files(stack_name: str) -> None:
    """Deviation: erlen gives an empty list where Flask-WTF leaves None."""
    fw = stack(stack_name)

    class Docs(fw.Form):
        documents = fw.MultipleFileField(validators=[fw.FileAllowed(["pdf"])])
        note = StringField()

    app = fw.App(__name__)
    app.config.update(SECRET_KEY="k", WTF_CSRF_ENABLED=False)
    with app.test_request_context(method="POST", data={"note": "n", "documents": (BytesIO(), "")}):
        form = Docs()
        assert form.validate()
        assert form.documents.data == (None if stack_name == "flask" else [])
        assert form.documents.raw_data == ()


# -- MAX_CONTENT_LENGTH: 413 before the body is read ---------------------------------------


class _ExplodingInput:
    """A request body that must never be read."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read

    def __iter__(self) -> Any:
        raise AssertionError("the body was read")


def _upload_app(fw: Stack, seen: list[str], protect: bool) -> Any:
    class Upload(fw.Form):
        avatar = fw.FileField(validators=[fw.FileRequired()])

    app = fw.App(__name__)
    app.config.update(SECRET_KEY="k", MAX_CONTENT_LENGTH=1024, WTF_CSRF_ENABLED=protect)
    if protect:
        fw.CSRFProtect(app)

    @app.route("/upload", methods=["POST"])
    def upload() -> Any:
        seen.append("view")
        form = Upload()
        seen.append("form")
        return "valid" if form.validate_on_submit() else "invalid"

    return app


@both
@pytest.mark.parametrize("protect", [False, True])
def test_oversize_upload_is_413(stack_name: str, protect: bool) -> None:
    fw = stack(stack_name)
    seen: list[str] = []
    app = _upload_app(fw, seen, protect)
    client = app.test_client()
    response = client.post("/upload", data={"avatar": (BytesIO(b"x" * 2048), "big.png")})
    assert response.status_code == 413
    # With CSRFProtect the check reads the form first: the view never runs.
    assert seen == ([] if protect else ["view"])
    small = client.post("/upload", data={"avatar": (BytesIO(b"x" * 100), "small.png")})
    assert small.status_code == (400 if protect else 200)


@both
@pytest.mark.parametrize("protect", [False, True])
def test_oversize_is_refused_before_reading_the_body(stack_name: str, protect: bool) -> None:
    fw = stack(stack_name)
    seen: list[str] = []
    app = _upload_app(fw, seen, protect)
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/upload",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "multipart/form-data; boundary=XyZ",
        "CONTENT_LENGTH": str(10**12),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": _ExplodingInput(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses[0].startswith("413")
    assert b"Request Entity Too Large" in body
    assert "form" not in seen


# -- hostile file names ------------------------------------------------------------------


def _raw_multipart(disposition: bytes, content: bytes = b"data") -> bytes:
    return (
        b'--XyZ\r\nContent-Disposition: form-data; name="avatar"; '
        + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
        + content
        + b"\r\n--XyZ--\r\n"
    )


HOSTILE_NAMES = [
    # (Content-Disposition filename parameter, name the client claims, secure_filename result)
    (b'filename="../../etc/passwd.png"', "../../etc/passwd.png", "etc_passwd.png"),
    (b'filename="/etc/shadow.png"', "/etc/shadow.png", "etc_shadow.png"),
    (b'filename="..\\\\..\\\\windows\\\\x.png"', "..\\..\\windows\\x.png", "windows_x.png"),
    (b"filename*=UTF-8''a%00b.png", "a\x00b.png", "ab.png"),
    (b'filename="CON.png"', "CON.png", "_CON.png"),
    (b'filename="nul.png"', "nul.png", "_nul.png"),
    (b'filename="LPT1.png"', "LPT1.png", "_LPT1.png"),
    (b'filename="r\xc3\xa9sum\xc3\xa9.png"', "résumé.png", "resume.png"),
    (b"filename*=UTF-8''%E6%96%87%E4%BB%B6.png", "文件.png", "png"),
    (b'filename="....png"', "....png", "png"),
]


@pytest.mark.parametrize(("disposition", "claimed", "safe"), HOSTILE_NAMES)
def test_hostile_filenames_are_sanitized_before_saving(
    app: Erlen, tmp_path: Any, disposition: bytes, claimed: str, safe: str
) -> None:
    app.config["UPLOAD_FOLDER"] = str(tmp_path)

    class Upload(Form):
        avatar = FileField(validators=[FileRequired(), FileAllowed(["png"])])

    @app.route("/upload", methods=["POST"])
    def upload() -> Any:
        form = Upload()
        if not form.validate_on_submit():
            return {"errors": form.errors}, 400
        storage = form.avatar.data
        original = secure_filename(storage.filename) or "upload"
        target = os.path.join(app.config["UPLOAD_FOLDER"], original)
        storage.save(target)
        return {"claimed": storage.filename, "saved": original}

    response = app.test_client().post(
        "/upload",
        data=_raw_multipart(disposition),
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"claimed": claimed, "saved": safe}
    # Exactly one file, inside the upload folder, with the safe name.
    assert os.listdir(tmp_path) == [safe]
    assert (tmp_path / safe).read_bytes() == b"data"


def test_raw_nul_in_part_header_is_a_bad_request(app: Erlen) -> None:
    """erlen's multipart parser refuses a NUL byte in a part header (Werkzeug keeps it)."""

    @app.route("/upload", methods=["POST"])
    def upload() -> Any:
        return repr(AvatarForm().avatar.data)

    response = app.test_client().post(
        "/upload",
        data=_raw_multipart(b'filename="a\x00b.png"'),
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert response.status_code == 400


def test_seed_save_file_pattern(app: Erlen, tmp_path: Any) -> None:
    """The tutorial's save_file: a random name keeping only the sanitized extension."""

    def save_file(storage: FileStorage) -> str:
        original = secure_filename(storage.filename or "") or "upload"
        ext = original.rsplit(".", 1)[-1].lower() if "." in original else "bin"
        unique_name = f"{uuid.uuid4().hex}.{ext}"
        storage.save(os.path.join(tmp_path, unique_name))
        return unique_name

    @app.route("/upload", methods=["POST"])
    def upload() -> Any:
        form = AvatarForm()
        if form.validate_on_submit():
            return save_file(form.avatar.data)
        return "invalid", 400

    name = (
        app.test_client()
        .post("/upload", data={"avatar": (BytesIO(b"PNG"), "../../../etc/x.PNG")})
        .get_data(as_text=True)
    )
    assert name.endswith(".png") and len(name) == 36
    assert (tmp_path / name).read_bytes() == b"PNG"
