"""Evidence photos: only real images, re-encoded without EXIF/GPS, stored by random name."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.extensions import db
from portal.models import Category, Evidence, Township
from portal.services.casework import evidence, reports
from portal.services.shared.errors import NotFoundError
from tests.report.photos import jpeg_with_gps, noise_jpeg, png_bomb, png_bytes


def _report(app, place):
    township = db.session.get(Township, place.township_id)
    report, _receipt = reports.create_report(township=township, category=Category.OTHER,
                                             description="镇政府上午没有人办公")
    return report


def test_a_jpeg_with_gps_exif_comes_back_without_any_metadata(app, place):
    original = jpeg_with_gps()
    assert b"ReporterPhone9000" in original
    with app.test_request_context():
        stored = evidence.store_photo(_report(app, place), original)
        data = evidence.read_bytes(stored)
    assert b"ReporterPhone9000" not in data and b"SpyCamMaker" not in data
    assert b"Exif" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert image.getexif().get_ifd(0x8825) == {}
    assert "icc_profile" not in image.info and "exif" not in image.info
    assert (stored.width, stored.height, stored.content_type) == (64, 48, "image/jpeg")
    assert stored.size == len(data)


def test_a_transparent_png_stays_a_png_without_text_chunks(app, place):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Reporter Wang")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (1, 2, 3, 100)).save(out, "PNG", pnginfo=info)
    with app.test_request_context():
        stored = evidence.store_photo(_report(app, place), out.getvalue())
        data = evidence.read_bytes(stored)
    assert stored.content_type == "image/png"
    assert b"Reporter Wang" not in data
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


@pytest.mark.parametrize("data", [
    b"this is a text file renamed to photo.jpg\n" * 20,
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    b"",
], ids=["text", "pdf", "gif", "empty"])
def test_what_is_not_an_accepted_image_is_refused(app, data):
    with app.test_request_context(), pytest.raises(evidence.PhotoError):
        evidence.clean_image(data)


def test_a_truncated_jpeg_is_refused(app):
    data = noise_jpeg(20_000)
    with app.test_request_context(), pytest.raises(evidence.PhotoError):
        evidence.clean_image(data[: len(data) // 2])


def test_a_decompression_bomb_is_refused_before_decoding(app):
    with app.test_request_context(), pytest.raises(evidence.PhotoError):
        evidence.clean_image(png_bomb())


def test_an_image_just_over_pillows_own_warning_size_is_refused(app):
    # 10000 x 9000 = 90 MP: over our 64 MP limit and Pillow's warning threshold.
    with app.test_request_context(), pytest.raises(evidence.PhotoError):
        evidence.clean_image(png_bomb(10_000, 9_000))


def test_an_oversize_photo_is_refused(make_app, place):
    app = make_app(MAX_PHOTO_BYTES=30_000)
    with app.test_request_context(), pytest.raises(evidence.PhotoTooLargeError):
        evidence.clean_image(noise_jpeg(40_000))


def test_a_webp_is_accepted_and_stored_as_jpeg(app):
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 0, 255)).save(out, "WEBP")
    with app.test_request_context():
        clean = evidence.clean_image(out.getvalue())
    assert clean.content_type == "image/jpeg"


def test_the_exif_orientation_is_applied_before_it_is_dropped(app):
    image = Image.new("RGB", (60, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    with app.test_request_context():
        clean = evidence.clean_image(out.getvalue())
    assert (clean.width, clean.height) == (20, 60)


def test_the_files_store_keeps_bytes_under_a_random_name_outside_static(make_app, tmp_path):
    app = make_app(EVIDENCE_STORAGE="files", EVIDENCE_DIR=str(tmp_path / "ev"))
    from tests import factories

    with app.test_request_context():
        t = factories.township()
        db.session.commit()
        report, _r = reports.create_report(township=t, category=Category.OTHER,
                                           description="没有人值班，电话也打不通", photos=[png_bytes()])
        stored = report.evidence[0]
        assert stored.data is None
        assert stored.storage_name.endswith(".jpg") and len(stored.storage_name) == 36
        path = tmp_path / "ev" / stored.storage_name
        assert path.exists() and oct(path.stat().st_mode)[-3:] == "600"
        assert evidence.read_bytes(stored) == path.read_bytes()
        evidence.discard(stored)
        db.session.commit()
        assert not path.exists()
        with pytest.raises(NotFoundError):
            evidence.read_bytes(stored)


def test_the_database_store_is_the_default(app, place):
    with app.test_request_context():
        stored = evidence.store_photo(_report(app, place), png_bytes())
        assert stored.storage_name is None and stored.data
        assert db.session.get(Evidence, stored.id).sha256 == __import__("hashlib").sha256(
            stored.data).hexdigest()
