"""Uploads that are over a limit are refused on the form, with everything typed kept.

A form posted with files (multipart/form-data) is read up to UPLOAD_READ_LIMIT, several
times MAX_CONTENT_LENGTH, so that its text fields always arrive even when its photos are
too large; the files' bytes are kept only up to MAX_CONTENT_LENGTH in all (on disk past
500 KB, as werkzeug does), the rest is read and dropped. When the files came to more than
MAX_CONTENT_LENGTH none of them is kept: `over_limit()` then gives their total size, and
the form's `WithinUploadLimit` validator puts the refusal on the file field.

A body that stops early (the connection cut mid-upload, a truncated or broken multipart
body) or goes past UPLOAD_READ_LIMIT is not refused with a bare error page: the parts that
arrived whole before the cut are kept (the form's text fields come first, its files last),
the files are dropped, `cut_short()` says why, and `WithinUploadLimit` puts the refusal on
the file field, so the form comes back with what was typed. Reading stops at
UPLOAD_READ_LIMIT (nginx's client_max_body_size is the same number).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass

from flask import Request, current_app, has_request_context, request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from wtforms.validators import StopValidation

MB = 1024 * 1024
_IN_MEMORY = 500 * 1024
_CHUNK = 64 * 1024
# Why a form's body was not read whole (`cut_short()`).
TOO_LARGE = "too_large"
CUT_OFF = "cut_off"


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


class _ReadCap:
    """A request body read up to a limit: past it reads return nothing and `over` is set."""

    def __init__(self, stream, limit: int) -> None:
        self._stream = stream
        self._left = limit
        self.over = False

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            # One byte more tells a body of exactly the limit from a longer one.
            self.over = self.over or bool(self._stream.read(1))
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data


class _WholePartsParser(MultiPartParser):
    """werkzeug's multipart parser, keeping the parts that arrived whole when the body breaks.

    `cut` is None for a body read to its end, else TOO_LARGE or CUT_OFF; a cut body keeps
    its text fields and none of its files (the last of them arrived in part at best).
    """

    cut: str | None = None
    _part: Field | File | None = None  # the part being received
    _container = None  # its file, when it is one
    _chunks: list[bytes]
    _size = 0

    def parse(self, stream, boundary: bytes, content_length: int | None):
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        try:
            self._parse_into(stream, boundary, content_length, fields, files)
        except RequestEntityTooLarge:
            self.cut = TOO_LARGE
        except (ClientDisconnected, ValueError):
            self.cut = CUT_OFF
        if self.cut is None and getattr(stream, "over", False):
            self.cut = TOO_LARGE
        if self.cut is not None:
            for _name, storage in files:
                storage.close()
            if self._container is not None:
                self._container.close()
            files = []
        return self.cls(fields), self.cls(files)

    def _parse_into(self, stream, boundary, content_length, fields, files) -> None:
        decoder = MultipartDecoder(boundary, max_form_memory_size=self.max_form_memory_size,
                                   max_parts=self.max_form_parts)
        while True:
            data = stream.read(_CHUNK)
            if getattr(stream, "over", False):
                raise RequestEntityTooLarge()
            decoder.receive_data(data or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData):
                if isinstance(event, Epilogue):
                    return
                self._receive(event, content_length, fields, files)
                event = decoder.next_event()
            if not data:
                raise ValueError("the body ended before its last part")

    def _receive(self, event, content_length, fields, files) -> None:
        if isinstance(event, Field):
            self._part, self._chunks, self._size = event, [], 0
        elif isinstance(event, File):
            self._part = event
            self._container = self.start_file_streaming(event, content_length)
        elif not isinstance(event, Data):
            return  # the preamble
        elif isinstance(self._part, Field):
            self._size += len(event.data)
            if self.max_form_memory_size is not None and self._size > self.max_form_memory_size:
                raise RequestEntityTooLarge()
            self._chunks.append(event.data)
            if not event.more_data:
                fields.append((self._part.name, b"".join(self._chunks).decode(
                    self.get_part_charset(self._part.headers), "replace")))
        else:
            self._container.write(event.data)
            if not event.more_data:
                self._container.seek(0)
                files.append((self._part.name, FileStorage(
                    self._container, self._part.filename, self._part.name,
                    headers=self._part.headers)))
                self._container = None


class _FormParser(FormDataParser):
    cut: str | None = None

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = _WholePartsParser(stream_factory=self.stream_factory,
                                   max_form_memory_size=self.max_form_memory_size,
                                   max_form_parts=self.max_form_parts, cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        self.cut = parser.cut
        return stream, form, files


class PortalRequest(Request):
    """The app's request: forms with files are read whole, their files kept within budget."""

    _upload_budget: _Budget | None = None
    upload_cut: str | None = None
    form_data_parser_class = _FormParser

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        # A form with files is never refused unread: _load_form_data reads it up to
        # UPLOAD_READ_LIMIT and keeps what arrived before the limit.
        if self.mimetype == "multipart/form-data" and current_app:
            return None
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):
        if self._upload_budget is None:
            self._upload_budget = _Budget(limit=current_app.config["MAX_CONTENT_LENGTH"])
        return _CappedFile(self._upload_budget)

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        if self.mimetype != "multipart/form-data" or not self.want_form_data_parsed:
            super()._load_form_data()
            return
        limit = current_app.config["UPLOAD_READ_LIMIT"]
        stream = _ReadCap(self._get_stream_for_parsing(), limit)
        parser = self.make_form_data_parser()
        data = parser.parse(stream, self.mimetype, self.content_length, self.mimetype_params)
        self.upload_cut = parser.cut
        d = self.__dict__
        d["stream"], d["form"], d["files"] = data
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


def cut_short() -> str | None:
    """Why this request's form was not read whole (TOO_LARGE, CUT_OFF), or None."""
    if not has_request_context():
        return None
    request.files  # noqa: B018 - parses the form
    return getattr(request, "upload_cut", None)


def refused_status() -> int:
    """The status of a form sent back for its files: 413 when too large, else 400."""
    return 413 if over_limit() is not None or cut_short() == TOO_LARGE else 400


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


def cut_short_message() -> str:
    """The refusal of a form whose body went past the read limit or stopped early."""
    if cut_short() == TOO_LARGE:
        return _("这次提交的内容超过了 %(mb)s MB，选择的文件没有收到。请少选几个或缩小后重新选择；"
                 "已经收到的文字都保留着，请检查后再提交。",
                 mb=megabytes(current_app.config["UPLOAD_READ_LIMIT"]))
    return _("上传中断了（可能是网络不稳），选择的文件没有完整收到。请重新选择后再提交；"
             "已经收到的文字都保留着，请检查后再提交。")


class WithinUploadLimit:
    """A file field's first validator: the request's body arrived whole and within the limits."""

    field_flags = {}

    def __call__(self, form, field) -> None:
        if cut_short() is not None:
            field.errors[:] = []
            raise StopValidation(cut_short_message())
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
