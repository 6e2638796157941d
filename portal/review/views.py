"""Review queue and report pages for inspectors (thin: the services decide)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.access import allow
from portal.models import Report, Role, User, labels
from portal.models.base import utcnow
from portal.review import exposure as exposure_views
from portal.review import forms
from portal.review import intake as intake_views
from portal.services.casework import (
    alerts,
    case_numbers,
    cases,
    exports,
    feedback,
    queue,
    review,
    review_pages,
    transfers,
)
from portal.services.office import cars_read as car_log
from portal.services.shared import sealing, spreadsheets
from portal.services.shared.errors import NotFoundError, ServiceError

bp = Blueprint("review", __name__, url_prefix="/review")
bp.register_blueprint(intake_views.bp)
bp.register_blueprint(exposure_views.bp)

FILTER_KEYS = ("status", "township", "category", "overdue", "mine", "escalated", "sort")


def _user() -> User:
    return current_user._get_current_object()


def _filters(source) -> queue.QueueFilters:
    user = _user()
    escalated = source.get("escalated")
    if escalated is None and "status" not in source and queue.is_above_county(user):
        escalated = "1"  # city and province inspectors start with what was escalated to them
    return queue.QueueFilters(
        status=source.get("status", ""), township=source.get("township", ""),
        category=source.get("category", ""), overdue=source.get("overdue") == "1",
        mine=source.get("mine") == "1", escalated=escalated == "1", sort=source.get("sort", "newest"),
    ).normalized()


def _filter_args(filters: queue.QueueFilters) -> dict:
    args = {"status": filters.status, "township": filters.township, "category": filters.category,
            "sort": filters.sort if filters.sort != "newest" else ""}
    args.update({k: "1" for k in ("overdue", "mine", "escalated") if getattr(filters, k)})
    return {k: v for k, v in args.items() if v}


@bp.get("", endpoint="queue")
@allow(Role.INSPECTOR)
def queue_view():
    user = _user()
    filters = _filters(request.args)
    now = utcnow()
    page = review_pages.queue_view(user=user, filters=filters, cursor=request.args.get("after"),
                                   size=current_app.config["REVIEW_PAGE_SIZE"], now=now)
    return render_template(
        "review/queue.html", page=page, filters=filters, args=_filter_args(filters),
        export_form=forms.ExportForm(), labels=_labels(), report_href=_report_href(),
        status_base={k: v for k, v in _filter_args(filters).items() if k != "status"},
        alerts=alerts.status_for(user),
    )




@bp.get("/transfers", endpoint="transfers")
@allow(Role.INSPECTOR)
def transfers_view():
    """The office's read-only trace of the cases it transferred."""
    return render_template("review/transfers.html", rows=transfers.sent_by(user=_user()))


@bp.get("/reviews", endpoint="reviews")
@allow(Role.INSPECTOR)
def reviews_view():
    """The review requests (复查) the office decides, by deadline."""
    return render_template("review/reviews.html", rows=feedback.open_reviews(user=_user()))


@bp.get("/find", endpoint="find")
@allow(Role.INSPECTOR)
def find_view():
    """A case by its number (演示县〔2026〕第0012号, 2026-12): straight to it when one matches."""
    typed = request.args.get("number", "")[:80]
    found = case_numbers.find(user=_user(), text=typed)
    if len(found) == 1:
        return redirect(url_for("review.report_view", public_id=found[0].public_id))
    return render_template("review/find.html", typed=typed, found=found,
                           numbers=case_numbers.numbers_of(found)), 404 if typed and not found else 200


def _labels() -> dict:
    # Translated once a request, not once a row (a page of the queue shows each on 50 rows).
    return {name: {key: str(text) for key, text in table.items()} for name, table in (
        ("status", labels.REPORT_STATUS), ("category", labels.CATEGORY),
        ("finding", labels.FINDING), ("action", labels.ACTION))}


def _report_href():
    """The link to a report by its public id: one url_for for a page instead of one a row.

    Public ids are URL-safe (new_public_id), so the id is put in as it is.
    """
    prefix = url_for("review.report_view", public_id="-")[:-1]
    return lambda public_id: prefix + public_id


@bp.post("/export")
@allow(Role.INSPECTOR)
def export():
    form = forms.ExportForm()
    if not form.validate_on_submit():
        abort(400)
    filters = _filters(request.form)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if request.form.get("format") == "xlsx":
        data = exports.export_xlsx(user=_user(), filters=filters)
        mime, name = spreadsheets.XLSX_MIMETYPE, f"reports-{stamp}.xlsx"
    else:
        data = exports.export_csv(user=_user(), filters=filters)
        mime, name = spreadsheets.CSV_MIMETYPE, f"reports-{stamp}.csv"
    return send_file(BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)


def _report(public_id: str) -> Report:
    try:
        return cases.get_report(user=_user(), public_id=public_id)
    except NotFoundError:
        abort(404)


# The form of each thing the case page may offer: (context name, form class, prefix).
PAGE_FORMS = {
    "accept": ("accept_form", forms.ActionForm, ""),
    "not_accept": ("not_accept_form", forms.NotAcceptForm, ""),
    "merge": ("merge_form", forms.MergeForm, ""),
    "claim": ("claim_form", forms.ActionForm, "claim"),
    "assign": ("assign_form", forms.AssignForm, ""),
    "conclude": ("conclude_form", forms.ConcludeForm, ""),
    "rectify": ("rectify_form", forms.RectifyForm, ""),
    "note": ("note_form", forms.NoteForm, ""),
    "message": ("message_form", forms.MessageForm, ""),
    "reveal": ("reveal_form", forms.ActionForm, "reveal"),
    "transfer": ("transfer_form", forms.TransferForm, "transfer"),
}
# Offered by flags of the page other than `may` (the flag's name on the page).
PAGE_EXTRA_FORMS = {
    "may_decide_review": ("review_decision_form", forms.ReviewDecisionForm, "decision"),
}


def _page_forms(page: review_pages.CasePage, overrides: dict) -> dict:
    """Forms for what the user may do on the page (and nothing else); a refused one as sent."""
    built = {name: form_class(formdata=None, prefix=prefix)
             for flag, (name, form_class, prefix) in PAGE_FORMS.items() if getattr(page.may, flag)}
    built.update({name: form_class(formdata=None, prefix=prefix)
                  for flag, (name, form_class, prefix) in PAGE_EXTRA_FORMS.items()
                  if getattr(page, flag)})
    built.update(overrides)
    if "assign_form" in built:
        built["assign_form"].assignee.choices = [SelectChoice(*choice) for choice in page.assignees]
    return built


def _keyring() -> sealing.Keyring:
    return sealing.keyring(_user(), session.get(sealing.SESSION_KEY))


def _detail(public_id: str, *, reveal: bool = False, status: int = 200, **form_overrides):
    try:
        page = review_pages.case_page(user=_user(), public_id=public_id, reveal=reveal,
                                      keyring=_keyring() if reveal else None)
    except NotFoundError:
        abort(404)
    except review.SealedError as exc:
        flash(str(exc), "error")
        return redirect(url_for("review.report_view", public_id=public_id))
    context = {**vars(page), **_page_forms(page, form_overrides)}
    # The case page and the township's car log: two domains, composed here (casework and
    # the office never import each other).
    report = page.report
    context["trips"] = (car_log.trips_around(report.township_id, report.observed_at, report.cadre_id)
                        if report.observed_at else None)
    return render_template(
        "review/report.html",
        event_label=lambda kind: str(labels.REPORT_EVENT.get(kind, kind)), **context,
    ), status


@bp.get("/<public_id>")
@allow(Role.INSPECTOR)
def report_view(public_id: str):
    return _detail(public_id)


@bp.get("/<public_id>/photos/<evidence_id>")
@allow(Role.INSPECTOR)
def photo(public_id: str, evidence_id: str):
    try:
        content_type, data = review_pages.photo(user=_user(), public_id=public_id,
                                                evidence_id=evidence_id)
    except NotFoundError:
        abort(404)
    response = send_file(BytesIO(data), mimetype=content_type, max_age=0)
    response.headers["Content-Disposition"] = "inline"
    return response


def _step(public_id: str, form_class, attr: str, run: Callable[[User, Report, object], object],
          done: str, prefix: str = ""):
    """Validate a step's form, run the service, flash the result; re-render on a form error."""
    report = _report(public_id)
    form = form_class(prefix=prefix) if prefix else form_class()
    if attr == "assign_form":
        form.assignee.choices = [SelectChoice(u.public_id, u.username) for u in cases.inspectors_for(report)]
    if not form.validate_on_submit():
        flash(_("请检查填写的内容。"), "error")
        return _detail(public_id, status=400, **{attr: form})
    try:
        run(_user(), report, form)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("review.report_view", public_id=public_id), 303)
    flash(done, "success")
    return redirect(url_for("review.report_view", public_id=public_id), 303)


@bp.post("/<public_id>/accept")
@allow(Role.INSPECTOR)
def accept(public_id: str):
    return _step(public_id, forms.ActionForm, "accept_form",
                 lambda u, r, f: review.accept(user=u, report=r, note=f.note.data or ""), _("已受理。"))


@bp.post("/<public_id>/not-accept")
@allow(Role.INSPECTOR)
def not_accept(public_id: str):
    return _step(public_id, forms.NotAcceptForm, "not_accept_form",
                 lambda u, r, f: review.not_accept(user=u, report=r, reason=f.reason.data),
                 _("已决定不予受理，理由已告知举报人。"))


@bp.post("/<public_id>/merge")
@allow(Role.INSPECTOR)
def merge(public_id: str):
    return _step(public_id, forms.MergeForm, "merge_form",
                 lambda u, r, f: review.merge(user=u, report=r, into_public_id=f.into.data,
                                              note=f.note.data or ""), _("已并案。"))


@bp.post("/<public_id>/claim")
@allow(Role.INSPECTOR)
def claim(public_id: str):
    return _step(public_id, forms.ActionForm, "claim_form",
                 lambda u, r, f: review.claim(user=u, report=r), _("已由您承办。"), prefix="claim")


@bp.post("/<public_id>/assign")
@allow(Role.INSPECTOR)
def assign(public_id: str):
    return _step(public_id, forms.AssignForm, "assign_form",
                 lambda u, r, f: review.assign_to(user=u, report=r, assignee_public_id=f.assignee.data),
                 _("已指定承办人。"))


@bp.post("/<public_id>/conclude")
@allow(Role.INSPECTOR)
def conclude(public_id: str):
    return _step(public_id, forms.ConcludeForm, "conclude_form",
                 lambda u, r, f: review.conclude(user=u, report=r, finding=f.finding.data,
                                                 action=f.action.data, outcome_public=f.outcome_public.data,
                                                 staff_note=f.staff_note.data or ""), _("已办结。"))


@bp.post("/<public_id>/rectify")
@allow(Role.INSPECTOR)
def rectify(public_id: str):
    return _step(public_id, forms.RectifyForm, "rectify_form",
                 lambda u, r, f: review.rectify(user=u, report=r, note=f.note.data or ""),
                 _("已标记为整改完成。"))


@bp.post("/<public_id>/note")
@allow(Role.INSPECTOR)
def note(public_id: str):
    return _step(public_id, forms.NoteForm, "note_form",
                 lambda u, r, f: review.add_note(user=u, report=r, text=f.text.data), _("备注已保存。"))


@bp.post("/<public_id>/message")
@allow(Role.INSPECTOR)
def message(public_id: str):
    return _step(public_id, forms.MessageForm, "message_form",
                 lambda u, r, f: review.ask_reporter(user=u, report=r, body=f.body.data),
                 _("消息已发送，举报人凭回执码可以看到。"))


@bp.post("/<public_id>/reveal")
@allow(Role.INSPECTOR)
def reveal(public_id: str):
    _report(public_id)
    form = forms.ActionForm(prefix="reveal")
    if not form.validate_on_submit():
        abort(400)
    return _detail(public_id, reveal=True)


@bp.post("/<public_id>/transfer")
@allow(Role.INSPECTOR)
def transfer(public_id: str):
    """转办; a refused transfer shows the page again with everything typed."""
    report = _report(public_id)
    form = forms.TransferForm(prefix="transfer")
    if not form.validate_on_submit():
        flash(_("请检查填写的内容。"), "error")
        return _detail(public_id, status=400, transfer_form=form)
    try:
        transfers.transfer(user=_user(), report=report, kind=form.kind.data, reason=form.reason.data,
                           county=form.county.data or "", level=form.level.data or "",
                           authority=form.authority.data or "", keyring=_keyring())
    except ServiceError as error:
        flash(str(error), "error")
        return _detail(public_id, status=400, transfer_form=form)
    flash(_("已转办。本单位可在“转办记录”中查看。"), "success")
    try:
        cases.get_report(user=_user(), public_id=public_id)
    except NotFoundError:
        return redirect(url_for("review.transfers"), 303)
    return redirect(url_for("review.report_view", public_id=public_id), 303)


@bp.post("/<public_id>/review-decision")
@allow(Role.INSPECTOR)
def review_decision(public_id: str):
    """复查 decided by the office one level up; a refused decision keeps what was typed."""
    report = _report(public_id)
    form = forms.ReviewDecisionForm(prefix="decision")
    if not form.validate_on_submit():
        flash(_("请检查填写的内容。"), "error")
        return _detail(public_id, status=400, review_decision_form=form)
    try:
        feedback.decide_review(user=_user(), report=report, outcome=form.outcome.data,
                               outcome_public=form.outcome_public.data)
    except ServiceError as error:
        flash(str(error), "error")
        return _detail(public_id, status=400, review_decision_form=form)
    flash(_("复查决定已记录，举报人凭回执码可以看到。"), "success")
    return redirect(url_for("review.report_view", public_id=public_id), 303)
