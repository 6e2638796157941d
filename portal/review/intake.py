"""`/review/intake`: an inspector enters a report received by phone, letter or visit.

The report goes through the same submission service as the online form; the receipt code is
shown once, on a printable slip grouped for reading aloud, and is never stored. A form carries
a one-time token: reloading the slip (the browser sends the form again) files nothing twice.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from portal.access import allow
from portal.links import absolute
from portal.models import Role, labels
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.rules.receipts import GROUP, normalize_receipt
from portal.services.casework import intake, reports
from portal.services.casework.evidence import PhotoError
from portal.services.shared import scope
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.uploads import PhotoLimits, WithinUploadLimit

bp = Blueprint("intake", __name__, url_prefix="/intake")

_TOKENS = "intake_tokens"
_MAX_TOKENS = 20
_TOO_LONG = _l("最多 %(max)d 个字。")
# Digits as they are read out on the phone (幺 for 1, so that it is not heard as 七).
DIGIT_WORDS = {
    "0": _l("零"), "1": _l("幺"), "2": _l("二"), "3": _l("三"), "4": _l("四"),
    "5": _l("五"), "6": _l("六"), "7": _l("七"), "8": _l("八"), "9": _l("九"),
}


class IntakeForm(FlaskForm):
    """The report form's names (township, cadre, category, …) and the way it came in."""

    token = HiddenField("")
    source = SelectField(_l("收到方式"), validators=[InputRequired(message=_l("请选择收到方式。"))])
    township = SelectField(_l("乡镇"), validators=[InputRequired(message=_l("请先选择乡镇。"))])
    cadre = SelectField(_l("被反映的干部"), validators=[Optional()], validate_choice=False)
    cadre_text = StringField(_l("名单里没有？填写姓名或职务"),
                             validators=[Optional(), Length(max=reports.MAX_CADRE_TEXT, message=_TOO_LONG)])
    category = SelectField(_l("问题类型"), validators=[InputRequired(message=_l("请选择问题类型。"))],
                           choices=[SelectChoice(c.value, words) for c, words in labels.CATEGORY.items()])
    observed_at = DateTimeLocalField(_l("发现时间"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                     validators=[InputRequired(message=_l("请填写发现的日期和时间。"))])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=reports.MAX_PLACE, message=_TOO_LONG)])
    description = TextAreaField(_l("反映的情况"), validators=[
        InputRequired(message=_l("请写下反映的情况。")),
        Length(min=reports.MIN_DESCRIPTION, max=reports.MAX_DESCRIPTION,
               message=_l("情况说明应为 %(min)d 到 %(max)d 个字。")),
    ])
    photos = MultipleFileField(_l("照片或信件扫描件（可选）"),
                               validators=[WithinUploadLimit(), PhotoLimits()])
    named = BooleanField(_l("反映人选择实名举报（留下姓名和联系方式）"))
    name = StringField(_l("姓名"),
                       validators=[Optional(), Length(max=reports.MAX_NAME, message=_TOO_LONG)])
    contact = StringField(_l("联系方式"),
                          validators=[Optional(), Length(max=reports.MAX_CONTACT, message=_TOO_LONG)])
    confirm_identity = BooleanField(_l("我已检查，仍要提交"))

    @property
    def observed_value(self):
        """The moment in Asia/Shanghai time (the form's field is local time)."""
        return self.observed_at.data.replace(tzinfo=TZ) if self.observed_at.data else None

    def validate_name(self, field) -> None:
        if self.named.data and not (field.data or "").strip():
            raise FieldError(_l("实名举报请填写姓名。"))

    def validate_contact(self, field) -> None:
        if self.named.data and not (field.data or "").strip():
            raise FieldError(_l("实名举报请填写联系方式。"))


def _me():
    return current_user._get_current_object()


def _new_token() -> str:
    token = secrets.token_urlsafe(16)
    session[_TOKENS] = [*session.get(_TOKENS, [])[-(_MAX_TOKENS - 1):], token]
    return token


def _take_token(token: str) -> bool:
    """True once for each token this session was given (a resent form files nothing)."""
    tokens = session.get(_TOKENS, [])
    if not token or token not in tokens:
        return False
    session[_TOKENS] = [t for t in tokens if t != token]
    return True


def _form(formdata=None) -> IntakeForm:
    user = _me()
    form = IntakeForm() if formdata is None else IntakeForm(formdata=formdata)
    form.source.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(s.value, labels.SOURCE[s]) for s in intake.INTAKE_SOURCES]
    townships = scope.townships_in_scope(user, limit=scope.MAX_TOWNSHIP_CHOICES)
    form.township.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(t.code, t.name) for t in townships]
    form.cadre.choices = [SelectChoice("", _("不指定"))] + [
        SelectChoice(public_id, text, optgroup=township)
        for public_id, text, township in intake.cadre_choices(user=user)]
    return form


def _page(form: IntakeForm, *, status: int = 200, warnings=(), error: str | None = None):
    form.token.data = _new_token()
    return render_template("review/intake_form.html", form=form, warnings=warnings, error=error,
                           photos_dropped=request.method == "POST" and bool(_uploads())), status


def _uploads() -> list:
    return [f for f in request.files.getlist("photos") if f and f.filename]


@bp.route("", methods=["GET", "POST"], endpoint="form")
@allow(Role.INSPECTOR)
def form_view():
    form = _form()
    if request.method == "GET":
        if request.args.get("source") in {s.value for s in intake.INTAKE_SOURCES}:
            form.source.data = request.args["source"]
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    found = reports.identifying_details(form.description.data, form.name.data, form.contact.data)
    if found and not form.confirm_identity.data:
        return _page(form, warnings=found)
    if not _take_token(form.token.data):
        return _page(_form(formdata={}), status=409, error=_(
            "这份登记已经提交过了（例如刷新了回执页面），没有重复登记。请在举报受理队列中查看。"))
    return _file(form)


def _file(form: IntakeForm):
    try:
        filed = intake.file_intake(
            user=_me(), township_code=form.township.data, source=form.source.data,
            category=form.category.data, description=form.description.data,
            cadre_public_id=form.cadre.data or "", cadre_text=form.cadre_text.data or "",
            observed_at=form.observed_value, place=form.place.data or "",
            named=form.named.data, reporter_name=form.name.data or "",
            reporter_contact=form.contact.data or "", photos=_uploads())
    except NotFoundError:
        abort(404)
    except PhotoError as error:
        form.photos.errors = [str(error)]
        return _page(form, status=400)
    except ValidationError as error:
        return _page(form, status=400, error=str(error))
    return _slip(filed)


def _slip(filed: intake.Filed):
    digits = normalize_receipt(filed.receipt) or ""
    groups = [digits[i:i + GROUP] for i in range(0, len(digits), GROUP)]
    spoken = [" ".join(str(DIGIT_WORDS[d]) for d in group) for group in groups]
    return render_template(
        "review/intake_slip.html", filed=filed, groups=groups, spoken=spoken,
        received=utcnow().astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
        accept_due=filed.report.accept_due.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
        track_url=absolute("report.track"),
    )


@bp.get("/counts", endpoint="counts")
@allow(Role.INSPECTOR)
def counts_view():
    today = utcnow().astimezone(TZ).date()
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 1 else today.year
    return render_template("review/intake_counts.html", counts=intake.source_counts(user=_me(), year=year),
                           this_year=today.year)
