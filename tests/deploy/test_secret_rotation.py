"""What the operator's guide says about rotating the secret key (docs/operator-guide.*.md, §6),
checked: a reporter's receipt survives the documented procedure, and only that."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import Category
from portal.services.casework import reports
from tests import factories

OLD_KEY = "old-secret-" + "o" * 40
NEW_KEY = "new-secret-" + "n" * 40
RECEIPT_KEY = "receipt-secret-" + "r" * 40
NOT_FOUND = "没有找到与这个回执码对应的举报"


def _file(app: Flask) -> str:
    with app.app_context():
        township = factories.township(name="轮换镇")
        db.session.commit()
        _report, receipt = reports.create_report(
            township=township, category=Category.ABSENT_WORKDAY,
            description="上午十点到党政办办事，办公室锁着门，打电话也没人接。",
        )
        return receipt


def _tracked(app: Flask, receipt: str) -> bool:
    """What the reporter sees on /track after the restart with this configuration."""
    client = app.test_client()
    page = client.get("/track").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/track", data={"csrf_token": token, "receipt": receipt})
    assert response.status_code == 200
    return NOT_FOUND not in response.get_data(as_text=True)


@pytest.mark.parametrize("before,after,survives", [
    # RECEIPT_SECRET set from the start: SECRET_KEY rotates freely.
    ({"RECEIPT_SECRET": RECEIPT_KEY}, {"RECEIPT_SECRET": RECEIPT_KEY}, True),
    # No RECEIPT_SECRET: copy the old SECRET_KEY into RECEIPT_SECRET, then rotate.
    ({"RECEIPT_SECRET": ""}, {"RECEIPT_SECRET": OLD_KEY}, True),
    # No RECEIPT_SECRET, and the key simply replaced: every receipt is lost.
    ({"RECEIPT_SECRET": ""}, {"RECEIPT_SECRET": ""}, False),
    # RECEIPT_SECRET itself changed: every receipt is lost.
    ({"RECEIPT_SECRET": RECEIPT_KEY}, {"RECEIPT_SECRET": "another-" + "a" * 40}, False),
], ids=["receipt-secret-kept", "old-key-becomes-receipt-secret", "key-replaced", "receipt-secret-changed"])
def test_a_receipt_survives_a_secret_key_rotation_only_as_documented(make_app, before, after, survives):
    receipt = _file(make_app(SECRET_KEY=OLD_KEY, **before))
    assert _tracked(make_app(SECRET_KEY=OLD_KEY, **before), receipt)
    assert _tracked(make_app(SECRET_KEY=NEW_KEY, **after), receipt) is survives
