"""The sample files of the clerk's guide (docs/samples/) import cleanly, and are what
docs/samples/make_samples.py makes."""

from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy import func, select

from portal.config import ROOT
from portal.extensions import db
from portal.models import Cadre, Role, SignIn, Township, User
from portal.services.office import attendance_import, duty_import, roster_import
from portal.services.office.tabular_files import read_rows
from tests import factories
from tests.conftest import at

SAMPLES = ROOT / "docs" / "samples"


def _script():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def empty_township(app):
    with app.app_context():
        town = factories.township(name="大庄镇")
        clerk = factories.user(Role.CLERK, townships=[town])
        db.session.commit()
        return town.id, clerk.id


@pytest.mark.parametrize("name", sorted(_script().SAMPLES))
def test_the_committed_sample_is_what_the_script_makes(name):
    made = _script().SAMPLES[name]()
    committed = (SAMPLES / name).read_bytes()
    assert read_rows(made, name).rows == read_rows(committed, name).rows, (
        "run .venv/bin/python docs/samples/make_samples.py and commit docs/samples/")


def test_the_samples_import_cleanly(app, empty_township):
    at("2026-03-10T10:00")
    town_id, clerk_id = empty_township
    with app.test_request_context():
        township, clerk = db.session.get(Township, town_id), db.session.get(User, clerk_id)
        data = (SAMPLES / "roster-sample.xlsx").read_bytes()
        preview = roster_import.preview_roster(township=township, data=data,
                                               filename="roster-sample.xlsx")
        assert preview.valid and not preview.errors and preview.count("add") == 8
        assert [s.reason for s in preview.skipped][-1].startswith("表尾或备注")
        roster_import.import_roster(user=clerk, township=township, rows=preview.rows)
        assert db.session.scalar(select(func.count(Cadre.id)).where(
            Cadre.machine_number.is_not(None))) == 8

        mapping = attendance_import.Mapping(name=None, number=0, time=1, direction=3)
        done = attendance_import.import_machine_file(
            township=township, data=(SAMPLES / "attlog-sample.dat").read_bytes(),
            filename="attlog-sample.dat", mapping=mapping, actor=clerk,
            today=township_today(), commit=True)
        assert (done.added, done.duplicates, done.errors) == (80, 0, [])

        export = (SAMPLES / "attendance-export-sample.xls").read_bytes()
        sheet = attendance_import.read_sheet(export, "attendance-export-sample.xls")
        guessed = attendance_import.Mapping(**{k: v for k, v in sheet.guesses.items()})
        again = attendance_import.import_machine_file(
            township=township, data=export, filename="attendance-export-sample.xls",
            mapping=guessed, actor=clerk, today=township_today(), commit=False)
        # The export holds the same punches as the machine's own download.
        assert (again.added, again.duplicates, again.errors) == (0, 80, [])
        assert db.session.scalar(select(func.count(SignIn.id))) == 80

        roster = (SAMPLES / "duty-roster-sample.xlsx").read_bytes()
        plan = duty_import.preview_duty(township=township, data=roster,
                                        filename="duty-roster-sample.xlsx")
        # March 2026 has 9 weekend days (day and night) and 22 working days (night).
        assert not plan.errors and plan.count("add") == 9 * 2 + 22
        assert duty_import.import_duty(user=clerk, township=township, slots=plan.slots) == 40


def township_today():
    from portal import clock

    return clock.today()


def test_staff_download_the_samples_from_the_import_pages(app, office, clerk_client):
    html = clerk_client.get(f"/admin/t/{office.code}/cadres/import").get_data(as_text=True)
    assert 'href="/admin/samples/roster-sample.xlsx"' in html
    for name in _script().SAMPLES:
        response = clerk_client.get(f"/admin/samples/{name}")
        assert response.status_code == 200, name
        assert response.data == (SAMPLES / name).read_bytes()
        assert "attachment" in response.headers["Content-Disposition"]
        response.close()
    assert clerk_client.get("/admin/samples/make_samples.py").status_code == 404
    assert clerk_client.get("/admin/samples/..%2Fclerk-guide.zh.md").status_code == 404
    assert app.test_client().get("/admin/samples/roster-sample.xlsx").status_code in (302, 401, 403)
