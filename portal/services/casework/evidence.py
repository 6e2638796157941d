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
# The decoding cost of photos is bounded before any pixel is decoded, from the headers:
# - a JPEG is decoded at 1/2, 1/4 or 1/8 of its size (draft mode, DCT scaling) whenever that
#   still gives a longest side of DRAFT_MIN_SIDE, so a 50 MP phone JPEG costs 12.5 MP;
# - a photo may cost at most PHOTO_DECODE_PIXELS decoded pixels (config; 52 MP: a 50 MP HEIC
#   or 48 MP iPhone photo, which cannot be decoded reduced, still goes through), and a whole
#   report REPORT_DECODE_PIXELS (160 MP), checked for all its photos before the first is
#   decoded;
# - photos are decoded one at a time, scaled down before anything else is done with them.
# A worker's peak then rises by about 6.5 bytes per decoded pixel of the costliest photo, at
# most about 330 MB (measured by `make bench`: BENCHMARKS.md, "Photos").
# A header larger than this is refused outright.
MAX_HEADER_PIXELS = 256_000_000
# Pillow's own bomb check (a warning above, an error above twice this) follows ours.
Image.MAX_IMAGE_PIXELS = MAX_HEADER_PIXELS
# Stored photos are scaled down to this longest side: enough to read a face or a plate.
MAX_SIDE = 4096
DRAFT_MIN_SIDE = 3072
_DRAFTABLE = ("JPEG", "MPO")
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


@dataclass(frozen=True)
class Probe:
    """What decoding a photo will cost, read from its header alone."""

    width: int
    height: int
    scale: int  # 1, or the reduction a JPEG is decoded at

    @property
    def decoded_pixels(self) -> int:
        return -(-self.width // self.scale) * -(-self.height // self.scale)


def _not_an_image() -> PhotoError:
    return PhotoError(_("这不是可以识别的照片（只接受 JPEG、PNG、WebP 或 HEIC 格式）。"))


def _too_large() -> PhotoError:
    limit = current_app.config["PHOTO_DECODE_PIXELS"] // 1_000_000
    return PhotoError(_("这张照片像素太多（每张最多约 %(mp)d 百万像素），请在手机上缩小后再选。", mp=limit))


def _open(data: bytes) -> Image.Image:
    """Open an upload, reading its header only."""
    try:
        return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_large() from error
    except Exception as error:  # noqa: BLE001 - Pillow raises many types on bad input
        raise _not_an_image() from error


def _draft_scale(image: Image.Image) -> int:
    if image.format not in _DRAFTABLE:
        return 1
    longest = max(image.size)
    return next((s for s in (8, 4, 2) if longest / s >= DRAFT_MIN_SIDE), 1)


def probe(data: bytes) -> Probe:
    """The decoding cost of an upload, from its header; PhotoError for a non-image or a bomb."""
    if not data:
        raise PhotoError(_("照片文件是空的。"))
    if len(data) > current_app.config["MAX_PHOTO_BYTES"]:
        raise PhotoTooLargeError(_("每张照片不能超过 %(mb)s MB。",
                                   mb=current_app.config["MAX_PHOTO_BYTES"] // (1024 * 1024)))
    with warnings.catch_warnings():
        # Pillow warns (rather than raises) for large images below twice its own limit.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data)
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width * height > MAX_HEADER_PIXELS:
        raise _too_large()
    found = Probe(width, height, _draft_scale(image))
    if found.decoded_pixels > current_app.config["PHOTO_DECODE_PIXELS"]:
        raise _too_large()
    return found


def check_report_budget(probes: list[Probe]) -> None:
    """Refuse, before decoding any, photos whose decoding together would cost too much."""
    budget = current_app.config["REPORT_DECODE_PIXELS"]
    if sum(p.decoded_pixels for p in probes) > budget:
        raise PhotoError(_("这些照片合计像素太多（一件举报最多约 %(mp)d 百万像素）：请少选几张，"
                           "或在手机上缩小后再选。", mp=budget // 1_000_000))


def _decode(data: bytes, found: Probe) -> Image.Image:
    """Decode the image (reduced where the format allows); any failure becomes a PhotoError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # bounded by probe()
        image = _open(data)
        try:
            if found.scale > 1:
                image.draft(image.mode if image.mode in ("RGB", "L") else None,
                            (image.width // found.scale, image.height // found.scale))
            image.load()
        except Exception as error:  # noqa: BLE001 - Pillow raises many types on bad input
            raise _not_an_image() from error
    return image


def clean_image(data: bytes, found: Probe | None = None) -> CleanImage:
    """Decode an upload and re-encode it without any metadata."""
    found = found or probe(data)
    image = _decode(data, found)
    # Scaled down first, in place: no full-size copy is ever made of a large photo.
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # A broken orientation tag: keep the pixels as they are. In place: no copy of the pixels.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode, fmt, content_type = ("RGBA", "PNG", "image/png") if has_alpha else ("RGB", "JPEG", "image/jpeg")
    pixels = image if image.mode == mode else image.convert(mode)
    del image  # at most two copies of the (scaled) pixels are ever alive
    # A fresh image: nothing of the upload's info (EXIF, ICC, XMP, text) comes along.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    del pixels
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return CleanImage(out.getvalue(), content_type, clean.width, clean.height)


def read_photo(photo) -> CleanImage:
    """Read and clean one upload (bytes or file object)."""
    return clean_image(_read(photo))


def clean_photos(photos: list) -> list[CleanImage]:
    """Check every upload's cost from its header, then clean them one at a time."""
    uploads = [_read(photo) for photo in photos]
    probes = [probe(data) for data in uploads]
    check_report_budget(probes)
    cleaned = []
    for index, found in enumerate(probes):
        cleaned.append(clean_image(uploads[index], found))
        uploads[index] = b""  # the upload's bytes go as soon as its photo is done
    return cleaned


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
