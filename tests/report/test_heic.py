"""HEIC/HEIF photos from iPhones and Huawei phones: read, re-encoded and stripped like the rest."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.models import Evidence
from portal.services.casework import evidence
from tests.report.photos import heic_with_gps
from tests.report.test_form import RECEIPT, io_file, post_report


def test_a_default_install_reads_heic():
    assert "HEIF" in evidence.ACCEPTED_FORMATS


def test_a_heic_with_gps_comes_back_as_a_jpeg_without_any_metadata(app):
    original = heic_with_gps()
    assert original[4:12] == b"ftypheic" and b"ReporterPhone9000" in original
    with app.test_request_context():
        clean = evidence.clean_image(original)
    assert clean.content_type == "image/jpeg" and (clean.width, clean.height) == (64, 48)
    assert b"ReporterPhone9000" not in clean.data and b"SpyCamMaker" not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
    assert image.getpixel((10, 10))[0] > 150  # the picture itself came through


def test_a_rotated_heic_is_stored_upright(app):
    with app.test_request_context():
        clean = evidence.clean_image(heic_with_gps(size=(60, 20), orientation=6))
    assert (clean.width, clean.height) == (20, 60)


def test_a_heif_with_transparency_is_stored_as_png(app):
    with app.test_request_context():
        clean = evidence.clean_image(heic_with_gps(mode="RGBA"))
    assert clean.content_type == "image/png" and b"SpyCamMaker" not in clean.data


def test_a_truncated_heic_is_refused_with_a_message(app):
    import pytest

    with app.test_request_context(), pytest.raises(evidence.PhotoError) as refused:
        evidence.clean_image(heic_with_gps()[:200])
    assert "HEIC" in str(refused.value)


def test_a_report_with_an_iphone_photo_is_filed(client, app, place):
    response = post_report(client, place, files=[(io_file(heic_with_gps()), "IMG_0001.HEIC")])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and RECEIPT.search(html), html
    with app.app_context():
        stored = db.session.scalars(select(Evidence)).one()
        assert stored.content_type == "image/jpeg"
        data = evidence.read_bytes(stored)
    assert b"ReporterPhone9000" not in data and b"Exif" not in data
