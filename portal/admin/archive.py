"""干部档案: one staff page per cadre gathering 5-4-3 history, leave, visits and diaries,
published notices, reports concluded against them, and years of continuous township service
(the rules and the queries are in `services.office.archive`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired

from portal.access import allow
from portal.admin.office_pages import choices, for_township, local_today
from portal.models import AssessmentGrade, Role, Township, labels
from portal.rules.calendar import TZ
from portal.services.office import archive, weekly
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("archive", __name__, url_prefix="/archive")

READERS = (Role.CLERK, Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN)
# Who records annual assessments: the county (组织部) and the township office for it.
RECORDERS = (Role.CLERK, Role.COUNTY_ADMIN, Role.SYSADMIN)


class AssessmentForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[InputRequired()])
    grade = SelectField(_l("考核结果"),
                        choices=choices((g.value, text) for g, text in labels.ASSESSMENT_GRADE.items()))


MARK_LABELS = {
    "ordinary": _l("满 25 年，可按规定享受副主任科员待遇（须历年考核称职以上）"),
    "deputy": _l("满 10 年，可按规定享受主任科员待遇（须历年考核称职以上）"),
}


@bp.get("/")
@allow(*READERS)
@for_township
def index(township: Township):
    rows = archive.township_cadres(township_id=township.id, today=local_today())
    return render_template("admin/archive.html", township=township, cadres=[c for c, _s in rows],
                           services={c.id: s for c, s in rows}, mark_labels=MARK_LABELS)


@bp.get("/marks")
@allow(*READERS)
def marks():
    """Every active cadre in scope who reached a service mark, for the county."""
    found = archive.marks(user=current_user, today=local_today())
    return render_template("admin/archive_marks.html", flagged=found.flagged,
                           mark_labels=MARK_LABELS, township=None, truncated=found.truncated)


@bp.get("/<public_id>")
@allow(*READERS)
def cadre(public_id: str):
    weeks = request.args.get("weeks", type=int) or archive.HISTORY_WEEKS[0]
    try:
        page = archive.cadre_archive(user=current_user, public_id=public_id, weeks=weeks,
                                     today=local_today())
    except NotFoundError:
        abort(404)
    return render_template(
        "admin/archive_cadre.html", cadre=page.cadre, township=page.cadre.township,
        service=page.service, mark_labels=MARK_LABELS, history=page.history, weeks=weeks,
        week_options=archive.HISTORY_WEEKS, leaves=page.leaves, visits=page.visits,
        diaries=page.diaries, states=page.states, evening=page.evening, reports=page.reports,
        notices=page.notices, week_records=weekly.recorded_weeks(page.cadre.id), tz=TZ,
        assessments=archive.assessments(page.cadre.id), assessment_form=AssessmentForm(),
        may_assess=current_user.role in RECORDERS,
        leave_labels=labels.LEAVE_KIND,
        category_labels=labels.CATEGORY, finding_labels=labels.FINDING, action_labels=labels.ACTION,
    )


@bp.post("/<public_id>/assessment")
@allow(*RECORDERS)
def assessment(public_id: str):
    """Record or correct one year's annual assessment (年度考核) of a cadre."""
    form = AssessmentForm()
    if not form.validate_on_submit():
        flash(_("请填写年度和考核结果。"), "error")
        return redirect(url_for(".cadre", public_id=public_id), 303)
    try:
        row = archive.record_assessment(user=current_user, public_id=public_id, year=form.year.data,
                                        grade=AssessmentGrade(form.grade.data), today=local_today())
    except NotFoundError:
        abort(404)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已登记 %(year)s 年度考核：%(grade)s。", year=row.year,
                grade=labels.ASSESSMENT_GRADE[row.grade]), "success")
    return redirect(url_for(".cadre", public_id=public_id), 303)
