"""年度考核: annual assessments per cadre and year, and the incentive marks' condition that
every year of the service was assessed at least 称职."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AnnualAssessment, AuditEntry, Cadre, Role
from tests.admin.conftest import post_form
from tests.conftest import at

TODAY = "2026-12-07T10:00"


def _veteran(app, office) -> str:
    """干事0 has served in townships since 2000: 26 years, the ordinary cadre's mark."""
    with app.app_context():
        cadre = db.session.get(Cadre, office.staff_ids[0])
        cadre.township_service_since = date(2000, 3, 1)
        db.session.commit()
        return cadre.public_id


def _assess(client, public_id, year, grade="competent"):
    return post_form(client, f"/admin/archive/{public_id}", f"/admin/archive/{public_id}/assessment",
                     data={"year": str(year), "grade": grade}, follow_redirects=True)


def test_the_marks_say_which_years_keep_a_cadre_from_the_incentive(app, office, clerk_client,
                                                                     staff_client):
    at(TODAY)
    pid = _veteran(app, office)
    page = clerk_client.get(f"/admin/archive/{pid}").text
    assert "尚不符合条件" in page and "未登记年度考核：2000–2025" in page
    for year in range(2000, 2026):
        page = _assess(clerk_client, pid, year, "basic" if year == 2010 else "competent").text
    assert "已登记 2025 年度考核：称职" in page
    assert "考核低于称职：2010" in page and "未登记年度考核" not in page
    # A correction of 2010 meets the condition; the audit log keeps both.
    page = _assess(clerk_client, pid, 2010, "excellent").text
    assert "历年年度考核均为称职以上：符合条件" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AnnualAssessment)) == 26
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "cadre.assessment")) == 27
    county = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    marks = county.get("/admin/archive/marks").text
    assert "干事0" in marks and "符合条件" in marks


def test_a_year_not_over_or_out_of_range_is_refused_and_the_page_is_scoped(app, office, clerk_client,
                                                                            staff_client):
    at(TODAY)
    pid = _veteran(app, office)
    for year in (2026, 1970):
        page = _assess(clerk_client, pid, year).text
        assert "年度须在 1980 年至 2025 年之间" in page
    assert "请填写年度和考核结果" in _assess(clerk_client, pid, "二〇二四").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AnnualAssessment)) == 0
    outsider = staff_client(Role.CLERK, in_scope=False)
    assert outsider.get(f"/admin/archive/{pid}").status_code == 404
    inspector = staff_client(Role.INSPECTOR, county_scope=True)
    page = inspector.get(f"/admin/archive/{pid}")
    assert page.status_code == 200 and "/assessment" not in page.text  # inspectors read only


def test_the_demo_county_shows_assessments_that_meet_the_condition_and_one_that_does_not(app, demo):
    from portal import clock
    from portal.models import User, WeekRecord
    from portal.services.office import archive

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.SYSADMIN))
        flagged = archive.marks(user=admin, today=clock.today()).flagged
        dazhuang = [s for _c, t, s in flagged if t.code == "990101001"]
        assert any(s.meets for s in dazhuang) and any(s.assessments.below for s in dazhuang)
        assert db.session.scalar(select(func.count()).select_from(WeekRecord)) > 0
