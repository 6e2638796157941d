"""Photos cannot exhaust a worker: the decoding cost of a report is bounded from the headers.

The review's attack: five 7999 x 7999 PNGs (about 1 MB in all) took 5.4 s and raised a
worker from 105 MB to 606 MB. Memory is measured by `make bench` (bench/photos.py), not here.
"""

from __future__ import annotations

import functools
import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Evidence, Report
from portal.services.casework import evidence
from tests.report.photos import flat_jpeg, flat_png, png_bomb
from tests.report.test_form import RECEIPT, post_report

TYPED = "镇长连续三天上午不在办公室，我拍了几张照片为证，门口的值班表也是空的。"


@functools.cache
def attack_png() -> bytes:
    return flat_png(7999, 7999)


@functools.cache
def phone_jpeg_50mp() -> bytes:
    return flat_jpeg(8160, 6120)


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Report)),
                db.session.scalar(select(func.count()).select_from(Evidence)))


def test_five_7999_pixel_pngs_are_refused_before_decoding_with_everything_typed_kept(app, client, place):
    files = [(io.BytesIO(attack_png()), f"p{n}.png") for n in range(5)]
    assert sum(len(attack_png()) for _ in files) < 1_500_000
    response = post_report(client, place, files=files, description=TYPED, place="镇政府门口")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and not RECEIPT.search(html)
    assert TYPED in html and "镇政府门口" in html
    # The message stands at the photo field.
    field = html.split('name="photos"')[0].rsplit('<div class="', 1)[1]
    assert "field-error" in field.split('"')[0].split()
    assert "这张照片像素太多" in field
    assert _counts(app) == (0, 0)


def test_photos_that_together_cost_too_much_are_refused_before_the_first_is_decoded(app, client, place):
    # Five 48 MP pictures (each allowed alone: a 48 MP iPhone photo goes through): 240 MP.
    files = [(io.BytesIO(png_bomb(8000, 6000)), f"p{n}.png") for n in range(5)]
    response = post_report(client, place, files=files, description=TYPED)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and TYPED in html
    assert "这些照片合计像素太多" in html
    assert _counts(app) == (0, 0)


def test_a_50_mp_phone_jpeg_goes_through_decoded_at_half_size(app, client, place):
    response = post_report(client, place, files=[(io.BytesIO(phone_jpeg_50mp()), "IMG_0001.jpg")])
    assert RECEIPT.search(response.get_data(as_text=True))
    with app.app_context():
        stored = db.session.scalars(select(Evidence)).one()
        assert (stored.width, stored.height) == (4080, 3060)


def test_five_12_mp_phone_photos_go_through(app, client, place):
    photo = flat_jpeg(4000, 3000)
    response = post_report(client, place, files=[(io.BytesIO(photo), f"{n}.jpg") for n in range(5)])
    assert RECEIPT.search(response.get_data(as_text=True))
    with app.app_context():
        sizes = {(e.width, e.height) for e in db.session.scalars(select(Evidence))}
    assert sizes == {(4000, 3000)}


@pytest.mark.parametrize(("data", "scale", "allowed"), [
    (lambda: flat_jpeg(4000, 3000), 1, True),            # 12 MP: decoded whole
    (lambda: phone_jpeg_50mp(), 2, True),                 # 50 MP JPEG: 12.5 MP decoded
    (lambda: png_bomb(8064, 6048), 1, True),              # 48 MP, not reducible (like HEIC)
    (lambda: png_bomb(7999, 7999), 1, False),             # 64 MP PNG: over the photo's budget
    (lambda: png_bomb(20_000, 20_000), 1, False),         # 400 MP header
])
def test_the_cost_of_a_photo_is_read_from_its_header(app, data, scale, allowed):
    with app.test_request_context():
        if not allowed:
            with pytest.raises(evidence.PhotoError):
                evidence.probe(data())
            return
        found = evidence.probe(data())
    assert found.scale == scale
    assert found.decoded_pixels <= app.config["PHOTO_DECODE_PIXELS"]
