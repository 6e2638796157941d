"""Uploads that are over a limit are refused on the form, with everything typed kept.

A form posted with files (multipart/form-data) is read up to UPLOAD_READ_LIMIT, several
times MAX_CONTENT_LENGTH, so that its text fields always arrive even when its photos are
too large; the files' bytes are kept only up to MAX_CONTENT_LENGTH in all (on disk past
500 KB, as werkzeug does), the rest is read and dropped. When the files came to more than
MAX_CONTENT_LENGTH none of them is kept: `over_limit()` then gives their total size, and
the form's `WithinUploadLimit` validator puts the refusal on the file field.

Only a body over UPLOAD_READ_LIMIT is refused before it is read (413, with nginx's
client_max_body_size the same number).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass

from flask import Request, current_app, has_request_context, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.validators import StopValidation

MB = 1024 * 1024
_IN_MEMORY = 500 * 1024


@dataclass
class _Budget:
    limit: int
    kept: int = 0
    seen: int = 0


class _CappedFile(io.RawIOBase):
    """A file upload's container that stores bytes only while the request's budget lasts."""

    def __init__(self, budget: _Budget) -> None:
        super().__init__()
        self._budget = budget
        self._file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data) -> int:
        size = len(data)
        self._budget.seen += size
        room = self._budget.limit - self._budget.kept
        if room > 0:
            kept = bytes(data[:room])
            self._file.write(kept)
            self._budget.kept += len(kept)
        return size

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._file.readline(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


class PortalRequest(Request):
    """The app's request: forms with files are read whole, their files kept within budget."""

    _upload_budget: _Budget | None = None

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        limit = super().max_content_length
        if self.mimetype == "multipart/form-data" and current_app:
            return max(limit or 0, current_app.config["UPLOAD_READ_LIMIT"])
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):
        if self._upload_budget is None:
            self._upload_budget = _Budget(limit=current_app.config["MAX_CONTENT_LENGTH"])
        return _CappedFile(self._upload_budget)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        budget = self._upload_budget
        if budget is not None and budget.seen > budget.limit:
            for storage in self.files.values():
                storage.close()
            self.files = ImmutableMultiDict()


def over_limit() -> int | None:
    """The total size of this request's files when it was over MAX_CONTENT_LENGTH, else None."""
    if not has_request_context():
        return None
    request.files  # noqa: B018 - parses the form, which fills the budget
    budget = request._upload_budget
    if budget is not None and budget.seen > budget.limit:
        return budget.seen
    return None


def megabytes(size: int) -> str:
    """A size as people read it on a phone: "12.3"."""
    return f"{size / MB:.1f}".rstrip("0").rstrip(".")


def file_size(storage) -> int:
    """The size of an uploaded file, leaving it readable from the start."""
    stream = storage.stream
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def too_large_message() -> str:
    """The refusal of files that came to more than MAX_CONTENT_LENGTH in all."""
    total = over_limit() or 0
    return _("选择的文件合计 %(size)s MB，超过了一次最多 %(limit)s MB 的限制，没有保存。"
             "请少选几张或缩小后重新选择；您填写的其他内容都保留着。",
             size=megabytes(total), limit=megabytes(current_app.config["MAX_CONTENT_LENGTH"]))


class WithinUploadLimit:
    """A file field's first validator: the files of the request were not over the limit."""

    field_flags = {}

    def __call__(self, form, field) -> None:
        if over_limit() is not None:
            field.errors[:] = []
            raise StopValidation(too_large_message())


class PhotoLimits:
    """Photos: at most MAX_PHOTOS, each at most MAX_PHOTO_BYTES, named in the message."""

    field_flags = {}

    def __call__(self, form, field) -> None:
        photos = [f for f in (field.data or []) if getattr(f, "filename", None)]
        config = current_app.config
        if len(photos) > config["MAX_PHOTOS"]:
            raise StopValidation(_("选择了 %(count)s 张照片，最多上传 %(n)s 张照片。请少选几张。",
                                   count=len(photos), n=config["MAX_PHOTOS"]))
        for photo in photos:
            size = file_size(photo)
            if size > config["MAX_PHOTO_BYTES"]:
                raise StopValidation(_("“%(name)s”有 %(size)s MB，每张照片不能超过 %(mb)s MB。"
                                       "请缩小这张照片或换一张。", name=photo.filename[:80],
                                       size=megabytes(size),
                                       mb=megabytes(config["MAX_PHOTO_BYTES"])))
