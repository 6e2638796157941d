"""Forms of the reporter's side. Field names are part of the public contract (PRODUCT.md)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from portal import clock
from portal.models import Category, Satisfaction, labels
from portal.rules.calendar import TZ
from portal.services.casework.reports import (
    MAX_AGE,
    MAX_CADRE_TEXT,
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_PLACE,
    MIN_DESCRIPTION,
)
from portal.uploads import PhotoLimits, WithinUploadLimit

_TOO_LONG = _l("最多 %(max)d 个字。")
SAVED_LABEL = _l("我已经抄下或保存了回执码")
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # the value of an <input type="datetime-local">
_OBSERVED_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_local_time(value: str) -> datetime | None:
    """An ISO 8601 local time (Asia/Shanghai unless an offset is given), or None."""
    value = (value or "").strip()
    if not value or len(value) > 40:
        return None
    for fmt in _OBSERVED_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=TZ)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


class ReportForm(FlaskForm):
    """The report. The cadre select is filled from the chosen township's roster in the view."""

    township = HiddenField(_l("乡镇"), validators=[
        InputRequired(message=_l("请先选择乡镇。")),
        Regexp(r"^\d{9}$", message=_l("乡镇代码应为 9 位数字。")),
    ])
    cadre = StringField(_l("被反映的干部"), validators=[Optional(), Length(max=64)])
    cadre_text = StringField(_l("名单里没有？填写姓名或职务"),
                             validators=[Optional(), Length(max=MAX_CADRE_TEXT, message=_TOO_LONG)])
    # Rendered as a <select> of labels.CATEGORY by the template.
    category = StringField(_l("问题类型"), validators=[InputRequired(message=_l("请选择问题类型。"))])
    observed_at = StringField(_l("发现时间"),
                              validators=[InputRequired(message=_l("请填写发现的日期和时间。"))])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=MAX_PLACE, message=_TOO_LONG)])
    description = TextAreaField(_l("看到的情况"), validators=[
        InputRequired(message=_l("请写下您看到的情况。")),
        Length(min=MIN_DESCRIPTION, max=MAX_DESCRIPTION,
               message=_l("情况说明应为 %(min)d 到 %(max)d 个字。")),
    ])
    photos = MultipleFileField(_l("照片（可选）"), validators=[WithinUploadLimit(), PhotoLimits()])
    named = BooleanField(_l("我愿意实名举报（留下姓名和联系方式）"))
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=MAX_NAME, message=_TOO_LONG)])
    contact = StringField(_l("联系方式（电话、微信等）"),
                          validators=[Optional(), Length(max=MAX_CONTACT, message=_TOO_LONG)])
    # The honeypot: hidden from people, filled in by simple bots.
    website = StringField(_l("请不要填写此项"))
    confirm_identity = BooleanField(_l("我已检查，仍要提交"))

    observed_value: datetime | None = None

    @staticmethod
    def observed_limits() -> dict[str, str]:
        """`min` and `max` of the 发现时间 picker: the service's bounds, now in Asia/Shanghai."""
        now = clock.local_now()
        return {"min": (now - MAX_AGE).strftime(LOCAL_MINUTE), "max": now.strftime(LOCAL_MINUTE)}

    def observed_text(self) -> str:
        """What the 发现时间 box shows: the time read, or what was typed."""
        if self.observed_value is not None:
            return self.observed_value.astimezone(TZ).strftime(LOCAL_MINUTE)
        return (self.observed_at.data or "")[:40]

    def validate_observed_at(self, field) -> None:
        self.observed_value = parse_local_time(field.data)
        if self.observed_value is None:
            raise ValidationError(_l("请按“年-月-日 时:分”填写时间，例如 2026-11-27 09:30。"))

    def validate_category(self, field) -> None:
        if field.data and field.data not in {c.value for c in Category}:
            raise ValidationError(_l("请选择问题类型。"))

    def validate_name(self, field) -> None:
        if self.named.data and not (field.data or "").strip():
            raise ValidationError(_l("实名举报请填写姓名。"))

    def validate_contact(self, field) -> None:
        if self.named.data and not (field.data or "").strip():
            raise ValidationError(_l("实名举报请填写联系方式。"))


class TrackForm(FlaskForm):
    receipt = StringField(_l("回执码"), validators=[
        InputRequired(message=_l("请输入回执码。")), Length(max=100),
    ])


class ReplyForm(FlaskForm):
    # Hidden fields get an empty label: without one WTForms makes a label from the field's
    # name and, to translate it, reads its own catalog from disk on every request.
    receipt = HiddenField("", validators=[InputRequired(), Length(max=100)])
    # Stale after the thread changes: a reloaded page cannot send the same reply twice.
    token = HiddenField("", validators=[InputRequired(), Length(max=64)])
    body = TextAreaField(_l("回复或补充"), validators=[
        InputRequired(message=_l("请写下要回复的内容。")),
        Length(max=2000, message=_l("回复最多 %(max)d 个字。")),
    ])
    photos = MultipleFileField(_l("补充照片（可选）"),
                               validators=[WithinUploadLimit(), PhotoLimits()])


class FeedbackForm(FlaskForm):
    """After the conclusion: is the reporter satisfied with how it was handled?"""

    receipt = HiddenField("", validators=[InputRequired(), Length(max=100)])
    # The status page's token (as the reply's): a braked wait gives back only that page.
    token = HiddenField("", validators=[Length(max=64)])
    satisfaction = RadioField(_l("您对办理结果是否满意？"), choices=[
        SelectChoice(s.value, labels.SATISFACTION[s]) for s in Satisfaction],
        validators=[InputRequired(message=_l("请选择满意、基本满意或不满意。"))])


class ReviewRequestForm(FlaskForm):
    """复查: the reporter asks the office one level up to review the conclusion."""

    receipt = HiddenField("", validators=[InputRequired(), Length(max=100)])
    token = HiddenField("", validators=[Length(max=64)])
    reason = TextAreaField(_l("申请复查的理由"), validators=[
        InputRequired(message=_l("请写明申请复查的理由。")),
        Length(max=2000, message=_l("理由最多 %(max)d 个字。")),
    ])


class SavedForm(FlaskForm):
    receipt = HiddenField("", validators=[InputRequired(), Length(max=100)])
    saved = BooleanField(SAVED_LABEL)
