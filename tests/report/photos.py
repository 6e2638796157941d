"""Photos for upload tests: real images with metadata, bombs, noise."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import ExifTags, Image


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG with camera make, model and GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCamMaker"
    exif[ExifTags.Base.Model] = "ReporterPhone9000"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (116.0, 23.0, 51.0),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size=(32, 32), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 10, 128) if mode == "RGBA" else (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


def noise_jpeg(nbytes: int) -> bytes:
    """A real JPEG of at least `nbytes` bytes (random pixels do not compress)."""
    side = 64
    while True:
        image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=95)
        if out.tell() >= nbytes:
            return out.getvalue()
        side *= 2


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def heic_with_gps(size=(64, 48), orientation: int = 1, mode: str = "RGB") -> bytes:
    """A HEIC as an iPhone takes it: camera make and model and a GPS position in its EXIF."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.new(mode, size, (200, 30, 30, 120) if mode == "RGBA" else (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCamMaker"
    exif[ExifTags.Base.Model] = "ReporterPhone9000"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (116.0, 23.0, 51.0),
    }
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif.tobytes(), quality=80)
    return out.getvalue()


def flat_png(width: int, height: int) -> bytes:
    """A real, fully decodable RGB PNG of one colour, built row by row (never whole in memory):
    a 7999 x 7999 one is about 190 KB and decodes to 192 MB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * 3)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def flat_jpeg(width: int, height: int) -> bytes:
    """A phone-sized JPEG (e.g. 8160 x 6120, 50 MP) of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 150)).save(out, "JPEG", quality=90)
    return out.getvalue()
