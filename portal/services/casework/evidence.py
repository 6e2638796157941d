"""Evidence photos: decoded, re-encoded without metadata, stored under a random name.

Only real images are accepted (JPEG, PNG, WebP, and HEIC/HEIF as iPhones and Huawei phones
take them, read by pillow-heif), judged by decoding them, never by file name or declared
type. Each is re-encoded to JPEG (PNG when it has transparency), which drops EXIF, GPS, XMP,
ICC and text chunks; the orientation EXIF (or HEIF) carried is applied to the pixels first.

Storage (config `EVIDENCE_STORAGE`): "database" (the default) keeps the bytes in
`Evidence.data`, so the database is the one store to back up and replicate; "files" keeps
them in `EVIDENCE_DIR` (outside `static/`) under a random name, with only the name in the
database. Either way photos are served to staff only, through `read_bytes`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from portal.extensions import db
from portal.models import Evidence, Message, Report
from portal.models.base import utcnow
from portal.services.shared.errors import NotFoundError, ValidationError

# HEIC/HEIF (iPhones, Huawei phones): a dependency, so every install reads what the form
# promises. The opener applies the HEIF rotation to the pixels and the EXIF goes with the rest.
register_heif_opener()
Image.init()
# JPEG includes the multi-picture JPEGs (MPO) many phones write.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Above this many pixels an image is treated as a decompression bomb (a 50 MP phone
# photo is about 50 million); checked from the header, before any pixel is decoded.
MAX_PIXELS = 64_000_000
# Stored photos are scaled down to this longest side: enough to read a face or a plate.
MAX_SIDE = 4096
JPEG_QUALITY = 85
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")


class PhotoError(ValidationError):
    """The upload is not an image we accept; `str()` says why, for the user."""


class PhotoTooLargeError(PhotoError):
    """The upload is over MAX_PHOTO_BYTES."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def _read(photo) -> bytes:
    """Bytes of a photo given as bytes or a file-like object (e.g. a werkzeug FileStorage)."""
    if isinstance(photo, bytes | bytearray | memoryview):
        return bytes(photo)
    limit = current_app.config["MAX_PHOTO_BYTES"]
    stream = getattr(photo, "stream", photo)
    return stream.read(limit + 1)


def _decode(data: bytes) -> Image.Image:
    """Open and fully decode the image; any failure or bomb becomes a PhotoError."""
    with warnings.catch_warnings():
        # Pillow warns (rather than raises) for large images below twice its own limit.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise PhotoError(_("照片尺寸过大，无法处理。"))
            image.load()
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoError(_("照片尺寸过大，无法处理。")) from error
        except Exception as error:  # noqa: BLE001 - Pillow raises many types on bad input
            raise PhotoError(_("这不是可以识别的照片（只接受 JPEG、PNG、WebP 或 HEIC 格式）。")) from error
    return image


def clean_image(data: bytes) -> CleanImage:
    """Decode an upload and re-encode it without any metadata."""
    if not data:
        raise PhotoError(_("照片文件是空的。"))
    if len(data) > current_app.config["MAX_PHOTO_BYTES"]:
        raise PhotoTooLargeError(_("每张照片不能超过 %(mb)s MB。",
                                   mb=current_app.config["MAX_PHOTO_BYTES"] // (1024 * 1024)))
    image = _decode(data)
    # A broken orientation tag: keep the pixels as they are.
    with contextlib.suppress(Exception):
        image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    # A fresh image: nothing of the upload's info (EXIF, ICC, XMP, text) comes along.
    if has_alpha:
        pixels = image.convert("RGBA")
        fmt, content_type = "PNG", "image/png"
    else:
        pixels = image.convert("RGB")
        fmt, content_type = "JPEG", "image/jpeg"
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return CleanImage(out.getvalue(), content_type, clean.width, clean.height)


def read_photo(photo) -> CleanImage:
    """Read and clean one upload (bytes or file object)."""
    return clean_image(_read(photo))


def _evidence_dir() -> Path:
    path = Path(current_app.config["EVIDENCE_DIR"])
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _write_file(name: str, data: bytes) -> None:
    folder = _evidence_dir()
    tmp = folder / f".{name}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / name)


def add_clean(report: Report, image: CleanImage, message: Message | None = None) -> Evidence:
    """Add an already cleaned image to the report (the caller commits)."""
    evidence = Evidence(
        report=report, message_id=message.id if message is not None else None,
        content_type=image.content_type, width=image.width, height=image.height,
        size=len(image.data), sha256=hashlib.sha256(image.data).hexdigest(), created_at=utcnow(),
    )
    if current_app.config.get("EVIDENCE_STORAGE", "database") == "files":
        ext = "png" if image.content_type == "image/png" else "jpg"
        evidence.storage_name = f"{secrets.token_hex(16)}.{ext}"
        _write_file(evidence.storage_name, image.data)
    else:
        evidence.data = image.data
    db.session.add(evidence)
    return evidence


def store_photo(report: Report, data, message: Message | None = None, *,
                commit: bool = True) -> Evidence:
    """Check, clean and store one photo of a report (or of one of its messages)."""
    if message is not None and message.id is None:
        db.session.flush()
    evidence = add_clean(report, read_photo(data), message)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return evidence


def read_bytes(evidence: Evidence) -> bytes:
    """The stored bytes of a photo; NotFoundError once purged or missing."""
    if evidence.purged_at is not None:
        raise NotFoundError("evidence purged")
    if evidence.data is not None:
        return evidence.data
    name = evidence.storage_name or ""
    if not _STORAGE_NAME.fullmatch(name):
        raise NotFoundError("evidence missing")
    try:
        return (Path(current_app.config["EVIDENCE_DIR"]) / name).read_bytes()
    except FileNotFoundError as error:
        raise NotFoundError("evidence missing") from error


def discard(evidence: Evidence) -> None:
    """Delete a photo's bytes (retention) and mark it purged; the caller commits."""
    if evidence.storage_name and _STORAGE_NAME.fullmatch(evidence.storage_name):
        (Path(current_app.config["EVIDENCE_DIR"]) / evidence.storage_name).unlink(missing_ok=True)
    evidence.data = None
    evidence.purged_at = utcnow()
