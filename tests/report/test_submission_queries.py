"""A report submission runs a bounded set of SQL statements, whatever the data around it.

One look-up of the township with its county, city and province, the county's case number
(one upsert of its counter), the report's three rows (report, history event, audit entry)
and the audit chain's tail; a chosen or typed cadre adds
one bounded look-up (the roster is not loaded), and the calendar is read again only after the
township has changed. Neither a longer roster nor more reports and audit entries add a
statement, and nothing is read back after the commit.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Cadre, Township
from portal.services.casework import reports
from portal.services.shared import audit
from portal.services.shared.errors import ValidationError
from tests import factories
from tests.report.test_form import RECEIPT, csrf, valid_data

# The township's route, the case number's counter, report, report_event, audit chain tail,
# audit_entry; PostgreSQL adds the chain's advisory lock.
BOUND = 6
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\s+(?:INTO\s+)?(\w+)", re.I)


@contextmanager
def statements_of(app):
    """Collect the SQL statements run while the block runs."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _submit(client, place, **overrides) -> list[str]:
    """The statements of one POST /report (the form's GET for its CSRF token excluded)."""
    data = valid_data(place, **overrides)
    data["csrf_token"] = csrf(client, f"/report?township={place.code}")
    with statements_of(client.application) as seen:
        response = client.post("/report", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and RECEIPT.search(html), html[:500]
    return seen


def _lock_statements(seen: list[str]) -> int:
    # The audit chain's lock: taken (with the tail read) by audit_tail() on PostgreSQL.
    return sum("pg_advisory_xact_lock" in s or "audit_tail()" in s for s in seen)


def _grow(app, place, cadres: int, filed: int) -> None:
    """A longer roster for the township, and more reports and audit entries in the database."""
    with app.test_request_context():
        township = db.session.get(Township, place.township_id)
        for n in range(cadres):
            factories.cadre(township, name=f"新干部{n:03d}")
        for n in range(filed):
            reports.create_report(township=township, category="other",
                                  description=f"第 {n} 件：办公室白天没人。")
        audit.record("test.padding", actor=None, detail={"n": filed})
        db.session.commit()


@pytest.mark.parametrize(("cadre_fields", "cadre_lookups"), [
    ({"cadre": "", "cadre_text": ""}, 0),
    ({"cadre": "", "cadre_text": "开黑色轿车的副镇长"}, 1),
    ({"cadre": "李秀英", "cadre_text": ""}, 1),
    ({}, 1),  # the roster's first cadre, chosen by public id
], ids=["no cadre", "free text", "typed roster name", "chosen from roster"])
def test_a_submission_runs_the_same_few_statements_at_any_size(client, app, place, cadre_fields,
                                                               cadre_lookups):
    _submit(client, place, **cadre_fields)  # the first one reads the calendar
    small = _submit(client, place, **cadre_fields)
    _grow(app, place, cadres=60, filed=40)
    large = _submit(client, place, **cadre_fields)

    assert len(large) == len(small), "\n".join(large)
    assert len(small) - _lock_statements(small) <= BOUND + cadre_lookups, "\n".join(small)


def test_a_submission_writes_its_three_rows_and_its_number_and_reads_nothing_back(client, place):
    _submit(client, place, cadre="")
    seen = _submit(client, place, cadre="")
    writes = [m.groups() for m in map(_WRITE.match, seen) if m]
    assert sorted((verb.upper(), table) for verb, table in writes) == [
        ("INSERT", "audit_entry"), ("INSERT", "case_counter"), ("INSERT", "report"),
        ("INSERT", "report_event")]
    # Everything the receipt page shows is known when the report is written.
    assert not [s for s in seen if s.startswith("SELECT report.")], "\n".join(seen)
    # The roster is not loaded when no cadre is named.
    assert not [s for s in seen if s.startswith("SELECT cadre.")], "\n".join(seen)


@pytest.mark.parametrize(("chosen", "typed", "expected"), [
    ("", "", (None, "")),
    ("first", "", ("王建国", "")),
    ("first", "别的名字", ("王建国", "")),  # a choice from the roster wins over typed text
    ("", "李秀英", ("李秀英", "")),  # a typed name that one active cadre has
    ("李秀英", "", ("李秀英", "")),  # typed into the select's field without script
    ("", "钱离职", (None, "钱离职")),  # the cadre who left is not linked
    ("", "同名", (None, "同名")),  # two cadres share the name: kept as text
    ("", "开黑色轿车的副镇长", (None, "开黑色轿车的副镇长")),
])
def test_the_cadre_of_a_report_is_resolved_by_one_bounded_look_up(app, place, chosen, typed,
                                                                  expected):
    with app.test_request_context():
        township = db.session.get(Township, place.township_id)
        for _ in range(2):
            factories.cadre(township, name="同名")
        db.session.commit()
        chosen = place.cadre_public_ids[0] if chosen == "first" else chosen
        cadre, text = reports.resolve_cadre(township, chosen, typed)
        assert (cadre.name if cadre else None, text) == expected


@pytest.mark.parametrize("whose", ["left", "other township", "made up"])
def test_a_chosen_cadre_outside_the_active_roster_is_refused(app, place, whose):
    with app.test_request_context():
        township = db.session.get(Township, place.township_id)
        if whose == "left":
            public_id = db.session.scalar(
                select(Cadre.public_id).where(Cadre.name == "钱离职"))
        elif whose == "other township":
            public_id = factories.cadre(factories.township(), name="王建国").public_id
        else:
            public_id = "A" * 16
        with pytest.raises(ValidationError):
            reports.resolve_cadre(township, public_id, "")
