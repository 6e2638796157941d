"""Report form and tracking (anonymous; shares nothing with review/admin but models and services).

Nothing here reads or keeps the client's address or user agent; the rate limiter alone
sees the address, as a key of counters that expire in its own storage.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from portal.errors import handle_http_error
from portal.models import Category, Report, labels
from portal.report import brake
from portal.report.forms import (
    SAVED_LABEL,
    FeedbackForm,
    ReplyForm,
    ReportForm,
    ReviewRequestForm,
    SavedForm,
    TrackForm,
)
from portal.rules.calendar import TZ
from portal.rules.receipts import format_receipt, normalize_receipt
from portal.services.casework import feedback, reports, tracking
from portal.services.casework.evidence import PhotoError
from portal.services.shared import townships
from portal.services.shared.errors import ServiceError, ValidationError
from portal.uploads import megabytes, refused_status

bp = Blueprint("report", __name__)

# The limits of these routes are brakes (portal/report/brake.py): over an allowance a form must
# have been open a little longer; nothing an attacker does can close the channel to others.
# Only filed reports count: a form with a typo, or the self-identification warning, must not use
# up a reporter's allowance. Every tracking look-up counts, right or wrong.


@bp.context_processor
def _helpers() -> dict:
    return {"report_time": _local_time, "photo_limits_text": _photo_limits_text}


def _photo_limits_text() -> str:
    config = current_app.config
    return _("最多 %(n)s 张，每张不超过 %(mb)s MB，合计不超过 %(total)s MB。",
             n=config["MAX_PHOTOS"], mb=megabytes(config["MAX_PHOTO_BYTES"]),
             total=megabytes(config["MAX_CONTENT_LENGTH"]))


@bp.errorhandler(413)
def too_large(error):
    """A form too large even to read: the form of its township again, with the limits."""
    code = request.args.get("township", "").strip()[:9]
    route = townships.route(code) if code and request.endpoint == "report.form" else None
    if route is None:
        return handle_http_error(error)
    # Nothing of the body was read: the page must not try to read it again.
    request.__dict__["form"] = ImmutableMultiDict()
    request.__dict__["files"] = ImmutableMultiDict()
    report_form = ReportForm(formdata=None)
    report_form.photos.errors = [_("这次提交的内容太大（超过 %(mb)s MB），没有收到。"
                                   "请少选几张照片或缩小后重新提交。",
                                   mb=megabytes(current_app.config["UPLOAD_READ_LIMIT"]))]
    return _render_form(report_form, route, status=413)


def _local_time(at) -> str:
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if at else ""


@bp.after_request
def _private(response):
    """Nothing of the reporter's pages is cached anywhere: a shared phone keeps no trace."""
    response.headers["Cache-Control"] = "no-store, max-age=0"
    response.headers["Pragma"] = "no-cache"
    return response


def _uploads(field_name: str = "photos") -> list:
    try:
        files = request.files.getlist(field_name)
    except RequestEntityTooLarge:  # a body too large to read: none of it was kept
        return []
    return [f for f in files if f and f.filename]


def _choose(error: str | None = None, status: int = 200):
    query = request.args.get("q", "")[:100]
    results = townships.search(query) if query.strip() else None
    return render_template("report/choose.html", query=query, results=results, error=error), status


def _render_form(form: ReportForm, township, *, status: int = 200, warnings=(), error=None,
                 ticket: str | None = None):
    township, roster = reports.form_roster(township)
    photos_dropped = request.method == "POST" and bool(_uploads())
    return render_template(
        "report/form.html", form=form, township=township, roster=roster,
        warnings=warnings, error=error, photos_dropped=photos_dropped,
        ticket=ticket or brake.ticket_for_form(),
        categories=[(c.value, words) for c, words in labels.CATEGORY.items()],
        max_photos=current_app.config["MAX_PHOTOS"],
    ), status


@bp.route("/report", methods=["GET", "POST"])
def form():
    code = request.values.get("township", "").strip()
    if request.method == "POST":
        # What filing needs of the township, in one light query; the whole row only to show
        # the form again.
        route = townships.route(code) if code else None
        if route is None:
            return _choose(_("请从下面选择一个乡镇。"), 400)
        return _post(ReportForm(), route)
    township = townships.get_by_code(code) if code else None
    if township is None:
        return _choose(_("请从下面选择一个乡镇。")) if code else _choose()
    report_form = ReportForm()
    report_form.township.data = township.code
    # A board may link to the form with its cadre chosen: /report?township=…&cadre=<public id>.
    report_form.cadre.data = request.args.get("cadre", "")[:64]
    return _render_form(report_form, township)


def _post(report_form: ReportForm, route: townships.Route):
    if report_form.website.data:
        return _render_form(report_form, route, status=400,
                            error=_("提交被拒绝：请清空标有“请不要填写此项”的栏目后再提交。"))
    if not report_form.validate_on_submit():
        return _render_form(report_form, route, status=refused_status())
    return _submit(report_form, route)


def _submit(report_form: ReportForm, route: townships.Route):
    try:
        cadre, cadre_text = reports.resolve_cadre(route, report_form.cadre.data,
                                                  report_form.cadre_text.data)
    except ValidationError as error:
        report_form.cadre.errors = [str(error)]
        return _render_form(report_form, route, status=400)
    found = reports.identifying_details(report_form.description.data, report_form.name.data,
                                        report_form.contact.data)
    if found and not report_form.confirm_identity.data:
        return _render_form(report_form, route, warnings=found)
    verdict = brake.check(brake.REPORT)
    if verdict.wait:
        return _wait(_render_form(report_form, route, status=429, ticket=verdict.ticket, error=_(
            "为防止有人用大量举报堵塞渠道，现在提交前需要稍等片刻。您填写的内容都已保留，"
            "请在 %(seconds)d 秒后再按一次“提交举报”。", seconds=verdict.wait)), verdict.wait)
    try:
        report, receipt = reports.create_report(
            township=route, category=Category(report_form.category.data),
            description=report_form.description.data, cadre=cadre, cadre_text=cadre_text,
            observed_at=report_form.observed_value, place=report_form.place.data or "",
            named=report_form.named.data, reporter_name=report_form.name.data,
            reporter_contact=report_form.contact.data, photos=_uploads(),
        )
    except PhotoError as error:
        report_form.photos.errors = [str(error)]
        return _render_form(report_form, route, status=400)
    except ValidationError as error:
        if not error.field or error.field not in report_form:
            return _render_form(report_form, route, status=400, error=str(error))
        report_form[error.field].errors = [str(error)]
        return _render_form(report_form, route, status=400)
    brake.record(brake.REPORT)
    return _receipt_page(receipt, accept_due=report.accept_due)


def _wait(page: tuple, seconds: int):
    """A form sent back to wait: 429 with Retry-After, the page saying how long."""
    body, status = page
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(seconds)
    return response


def _receipt_page(receipt: str, error: str | None = None, accept_due=None):
    # No form object: the page needs only the CSRF token and the checkbox's words.
    return render_template("report/receipt.html", receipt=receipt, saved_label=SAVED_LABEL,
                           error=error, accept_due=accept_due)


@bp.post("/report/saved")
def saved():
    saved_form = SavedForm()
    digits = normalize_receipt(saved_form.receipt.data or "")
    if digits is None or not saved_form.validate_on_submit():
        return redirect(url_for("report.form"))
    if not saved_form.saved.data:
        return _receipt_page(format_receipt(digits),
                             _("请先抄下或保存回执码，再勾选“我已经抄下或保存了回执码”。"))
    return redirect(url_for("report.thanks"))


@bp.get("/report/thanks")
def thanks():
    return render_template("report/thanks.html")


def _status_page(report: Report, receipt: str, *, reply: ReplyForm | None = None,
                 notice: str | None = None, status: int = 200, ticket: str | None = None,
                 feedback_form: FeedbackForm | None = None,
                 review_form: ReviewRequestForm | None = None):
    reply = reply or ReplyForm(formdata=None)
    reply.receipt.data = format_receipt(normalize_receipt(receipt) or "")
    reply.token.data = reports.reply_token(report)
    feedback_form = feedback_form or FeedbackForm(formdata=None)
    review_form = review_form or ReviewRequestForm(formdata=None)
    feedback_form.receipt.data = review_form.receipt.data = reply.receipt.data
    feedback_form.token.data = review_form.token.data = reply.token.data
    return render_template(
        "report/status.html", view=tracking.public_view(report), report=report, reply=reply,
        notice=notice, max_photos=current_app.config["MAX_PHOTOS"], ticket=ticket or brake.issue(),
        feedback_form=feedback_form, review_form=review_form,
    ), status


def _not_found(form: TrackForm):
    # The same page for a malformed code and for a well-formed code nobody holds.
    return render_template("report/track.html", form=form, not_found=True,
                           ticket=brake.ticket_for_form())


def _track_wait(form: TrackForm, verdict: brake.Verdict):
    page = render_template("report/track.html", form=form, not_found=False, ticket=verdict.ticket,
                           keep_receipt=True, wait=verdict.wait)
    return _wait((page, 429), verdict.wait)


@bp.route("/track", methods=["GET", "POST"])
def track():
    track_form = TrackForm()
    if request.method == "POST":
        verdict = brake.check(brake.TRACK)
        if verdict.wait:
            return _track_wait(track_form, verdict)
        brake.record(brake.TRACK)
    if request.method == "GET" or not track_form.validate_on_submit():
        return render_template("report/track.html", form=track_form, not_found=False,
                               ticket=brake.ticket_for_form()), (
            400 if request.method == "POST" else 200)
    report = reports.find_by_receipt(track_form.receipt.data)
    if report is None:
        return _not_found(track_form)
    return _status_page(report, track_form.receipt.data)


def _reply_wait(reply_form: ReplyForm, verdict: brake.Verdict):
    """A reply sent too soon: its status page again (429), the reply kept in its box.

    Only a form taken from that report's own page (its receipt and its reply token together)
    gets the status page back; anything else gets the tracking page, the code kept, so the
    wait never tells a guessed code from a real one.
    """
    receipt = (reply_form.receipt.data or "")[:100]
    report = reports.find_by_receipt(receipt)
    token = (reply_form.token.data or "")[:64]
    if report is None or not hmac.compare_digest(token, reports.reply_token(report)):
        track_form = TrackForm(formdata=None)
        track_form.receipt.data = receipt
        return _track_wait(track_form, verdict)
    reply_form.body.errors = [_(
        "为防止有人猜测回执码，现在发送前需要稍等片刻。您写的回复都已保留，"
        "请在 %(seconds)d 秒后再按一次“发送”。", seconds=verdict.wait)]
    if _uploads():
        reply_form.photos.errors = [_("为了安全，刚才选择的照片没有保留，请重新选择。")]
    return _wait(_status_page(report, receipt, reply=reply_form, status=429, ticket=verdict.ticket),
                 verdict.wait)


@bp.post("/track/reply")
def reply():
    reply_form = ReplyForm()
    verdict = brake.check(brake.TRACK)
    if verdict.wait:
        return _reply_wait(reply_form, verdict)
    brake.record(brake.TRACK)
    report = reports.find_by_receipt(reply_form.receipt.data or "")
    if report is None:
        return _not_found(TrackForm(formdata=None))
    receipt = reply_form.receipt.data
    if not reply_form.validate_on_submit():
        return _status_page(report, receipt, reply=reply_form, status=refused_status())
    if not hmac.compare_digest(reply_form.token.data, reports.reply_token(report)):
        return _status_page(report, receipt, notice=_("这条回复已经发送过了。"))
    try:
        reports.reporter_reply(report=report, body=reply_form.body.data, photos=_uploads())
    except ValidationError as error:
        reply_form.body.errors = [str(error)] if not isinstance(error, PhotoError) else []
        reply_form.photos.errors = [str(error)] if isinstance(error, PhotoError) else []
        return _status_page(report, receipt, reply=reply_form, status=400)
    return _status_page(report, receipt, notice=_("您的回复已送达纪检监察干部。"))


def _after_conclusion(form, run, done: str, form_name: str):
    """A satisfaction or a review request from the status page: braked like every look-up."""
    verdict = brake.check(brake.TRACK)
    receipt = (form.receipt.data or "")[:100]
    if verdict.wait:
        return _after_conclusion_wait(form, form_name, receipt, verdict)
    brake.record(brake.TRACK)
    report = reports.find_by_receipt(receipt)
    if report is None:
        return _not_found(TrackForm(formdata=None))
    if not form.validate_on_submit():
        return _status_page(report, receipt, status=400, **{form_name: form})
    try:
        run(report, form)
    except ValidationError as error:
        form.form_errors.append(str(error))
        return _status_page(report, receipt, status=400, **{form_name: form})
    except ServiceError as error:
        return _status_page(report, receipt, notice=str(error))
    return _status_page(report, receipt, notice=done)


def _after_conclusion_wait(form, form_name: str, receipt: str, verdict: brake.Verdict):
    """Sent too soon: its status page again (429), what was typed kept; as for a reply, only a
    form from that report's own page gets it (anything else the tracking page, the code kept)."""
    report = reports.find_by_receipt(receipt)
    token = (form.token.data or "")[:64]
    if report is None or not hmac.compare_digest(token, reports.reply_token(report)):
        track_form = TrackForm(formdata=None)
        track_form.receipt.data = receipt
        return _track_wait(track_form, verdict)
    form.form_errors.append(_(
        "为防止有人猜测回执码，现在提交前需要稍等片刻。您填写的内容都已保留，"
        "请在 %(seconds)d 秒后再提交一次。", seconds=verdict.wait))
    return _wait(_status_page(report, receipt, status=429, ticket=verdict.ticket,
                              **{form_name: form}), verdict.wait)


@bp.post("/track/feedback")
def give_feedback():
    return _after_conclusion(
        FeedbackForm(), lambda report, form: feedback.give_feedback(
            report=report, satisfaction=form.satisfaction.data),
        _("谢谢您的评价。"), "feedback_form")


@bp.post("/track/review")
def request_review():
    return _after_conclusion(
        ReviewRequestForm(), lambda report, form: feedback.request_review(
            report=report, reason=form.reason.data),
        _("复查申请已送达上一级纪检监察机关，复查意见会在这里告诉您。"), "review_form")
