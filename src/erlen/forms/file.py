"""File upload fields and their validators.

:class:`FileField` and :class:`MultipleFileField` hold erlen
:class:`~erlen.datastructures.FileStorage` objects taken from ``request.files``; an
empty file input (a part without a file name) counts as no file, and a plain text
value posted under the field's name is ignored, so ``field.data`` is only ever an
upload the browser actually sent.  :class:`FileRequired`, :class:`FileAllowed` and
:class:`FileSize` check presence, extension and size.

Validation does not make a file name safe to use as a path: pass
``storage.filename`` through :func:`erlen.utils.secure_filename` (or better, store
under a generated name) before saving.  ``MAX_CONTENT_LENGTH`` bounds the whole
request before any of it is read, which :class:`FileSize` cannot do.
"""

from __future__ import annotations

import typing as t
from collections import abc
from io import SEEK_END, BytesIO

from wtforms import FileField as _WTFormsFileField
from wtforms import MultipleFileField as _WTFormsMultipleFileField
from wtforms.validators import DataRequired, StopValidation, ValidationError

from ..http.files import FileStorage

__all__ = [
    "FileAllowed",
    "FileField",
    "FileRequired",
    "FileSize",
    "MultipleFileField",
    "file_allowed",
    "file_required",
    "file_size",
]


def _uploads(values: t.Iterable[t.Any]) -> list[FileStorage]:
    """The values that are files the client chose (a storage with a file name)."""
    return [value for value in values if isinstance(value, FileStorage) and value]


def _chosen_files(field: t.Any) -> list[FileStorage] | None:
    """The field's uploads, or ``None`` unless every value is one (nothing to check)."""
    data = field.data
    values = data if isinstance(data, list) else [data]
    if values and all(isinstance(value, FileStorage) and value for value in values):
        return values
    return None


class FileField(_WTFormsFileField):
    """An ``<input type="file">`` whose data is the uploaded :class:`FileStorage`.

    ``data`` stays ``None`` (or the default) when no file was chosen; ``raw_data`` is
    then empty, which is what :class:`FileRequired` and ``InputRequired`` look at.
    """

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        uploads = _uploads(valuelist)
        if uploads:
            self.data = uploads[0]
        else:
            self.raw_data = ()


class MultipleFileField(_WTFormsMultipleFileField):
    """An ``<input type="file" multiple>`` whose data is a list of :class:`FileStorage`.

    On a submission without a file the list is empty (Flask-WTF leaves ``None``
    there), so ``for upload in form.documents.data`` needs no guard.
    """

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        self.data = _uploads(valuelist)
        if not self.data:
            self.raw_data = ()


class FileRequired(DataRequired):
    """Stop validation unless the field holds at least one uploaded file.

    Like ``DataRequired`` it sets the field's ``required`` flag, so the input renders
    with the ``required`` attribute.
    """

    def __call__(self, form: t.Any, field: t.Any) -> None:
        if _chosen_files(field) is None:
            raise StopValidation(self.message or field.gettext("This field is required."))


class FileAllowed:
    """Stop validation if an uploaded file's name lacks an allowed extension.

    *upload_set* is a list of extensions (``["jpg", "png"]``; matched
    case-insensitively, a leading dot optional, ``"tar.gz"`` allowed) or an object
    with Flask-Uploads' ``file_allowed(storage, basename)`` method.  A field with no
    upload passes: combine with :class:`FileRequired` to demand one.
    """

    def __init__(self, upload_set: t.Any, message: str | None = None) -> None:
        if isinstance(upload_set, str):
            upload_set = [upload_set]
        self.upload_set = upload_set
        self.message = message
        if isinstance(upload_set, abc.Iterable):
            self._suffixes: tuple[str, ...] | None = tuple(
                "." + extension.lower().lstrip(".") for extension in upload_set
            )
        else:
            self._suffixes = None

    def __call__(self, form: t.Any, field: t.Any) -> None:
        uploads = _chosen_files(field)
        if uploads is None:
            return
        for upload in uploads:
            filename = upload.filename.lower()  # type: ignore[union-attr]
            if self._suffixes is not None:
                if filename.endswith(self._suffixes):
                    continue
                raise StopValidation(
                    self.message
                    or field.gettext(
                        "File does not have an approved extension: {extensions}"
                    ).format(extensions=", ".join(self.upload_set))
                )
            if not self.upload_set.file_allowed(upload, filename):
                raise StopValidation(
                    self.message or field.gettext("File does not have an approved extension.")
                )


def _stream_size(storage: FileStorage) -> int:
    """The size in bytes of an uploaded file, leaving its read position unchanged."""
    stream = storage.stream
    if isinstance(stream, BytesIO):
        return stream.getbuffer().nbytes
    try:
        position = stream.tell()
        size = stream.seek(0, SEEK_END)
        stream.seek(position)
    except (AttributeError, OSError, ValueError) as e:
        raise TypeError(
            f"File stream {type(stream).__name__} is not seekable; FileSize needs seekable streams."
        ) from e
    return size


class FileSize:
    """Fail validation if an uploaded file is outside ``min_size..max_size`` bytes.

    The file is already received when this runs; set ``MAX_CONTENT_LENGTH`` to refuse
    oversize requests before their body is read.
    """

    def __init__(self, max_size: int, min_size: int = 0, message: str | None = None) -> None:
        self.min_size = min_size
        self.max_size = max_size
        self.message = message

    def __call__(self, form: t.Any, field: t.Any) -> None:
        uploads = _chosen_files(field)
        if uploads is None:
            return
        for upload in uploads:
            size = _stream_size(upload)
            if size < self.min_size or size > self.max_size:
                raise ValidationError(
                    self.message
                    or field.gettext(
                        "File must be between {min_size} and {max_size} bytes."
                    ).format(min_size=self.min_size, max_size=self.max_size)
                )


#: Lower-case synonyms, as Flask-WTF provides them.
file_required = FileRequired
file_allowed = FileAllowed
file_size = FileSize
