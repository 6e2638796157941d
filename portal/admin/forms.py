"""Forms of the township office (part A): cadres, roster import, board, roster, leave, calendar.

Forms check shape; the services check the rules. The month grid and the board's per-cadre
buttons post many dynamic fields: they use `ActionForm` for the CSRF token and read the rest
from `request.form` in the view.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal import clock
from portal.models import ChiefRole, Status, labels
from portal.uploads import WithinUploadLimit

PHONE_RE = r"^[0-9+\-() ]{3,32}(转[0-9]{1,6})?$"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as wtforms choices (tuples are deprecated from wtforms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class NotAfterToday:
    """A date that cannot be later than today (Asia/Shanghai): refused, and offered as `max`.

    With `minutes=True` the field is a moment (datetime-local) offered up to now; the service
    refuses a later one with its own allowance for a phone's clock running ahead. The flag is
    read when the form is made, so the picker's limit is this request's today.
    """

    def __init__(self, message, *, minutes: bool = False) -> None:
        self.message = message
        self.minutes = minutes

    @property
    def field_flags(self) -> dict[str, str]:
        if self.minutes:
            return {"max": clock.local_now().strftime("%Y-%m-%dT%H:%M")}
        return {"max": clock.today().isoformat()}

    def __call__(self, form, field) -> None:
        if field.data is not None and not self.minutes and field.data > clock.today():
            raise ValidationError(self.message)


class ActionForm(FlaskForm):
    """A POST-only button (or a form whose fields are built in the template): the CSRF token."""


class CadreForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=32)])
    post = StringField(_l("职务"), validators=[DataRequired(), Length(max=64)])
    is_leader = BooleanField(_l("班子成员（正副科级，适用 5-4-3 和带班）"))
    chief_role = SelectField(_l("主要负责人"), choices=choices([
        ("", _l("否")), (ChiefRole.SECRETARY.value, _l("党委书记")), (ChiefRole.HEAD.value, _l("乡镇长")),
    ]), default="")
    office_phone = StringField(_l("办公电话（公开）"), validators=[
        Optional(), Length(max=32), Regexp(PHONE_RE, message=_l("电话号码格式不对"))])
    personal_phone = StringField(_l("个人手机（仅工作人员可见，从不公开）"), validators=[
        Optional(), Length(max=32), Regexp(PHONE_RE, message=_l("电话号码格式不对"))])
    sort_order = IntegerField(_l("排序（小的在前）"), default=100,
                              validators=[InputRequired(), NumberRange(0, 9999)])
    township_service_since = DateField(_l("在乡镇连续工作起始日期"), validators=[
        Optional(), NotAfterToday(_l("乡镇任职起始日期不能晚于今天。"))])
    joined_on = DateField(_l("到任日期（在本乡镇）"), validators=[
        Optional(), NotAfterToday(_l("到任日期不能晚于今天：请在到任当天或以后添加。"))])
    machine_number = StringField(_l("考勤机号（可不填）"), validators=[Optional(), Length(max=16)])


class RosterUploadForm(FlaskForm):
    file = FileField(_l("花名册文件（Excel .xlsx / .xls、WPS、.ods 或 CSV）"), validators=[
        WithinUploadLimit(), FileRequired(message=_l("请选择文件")),
        FileAllowed(["xlsx", "xlsm", "xls", "ods", "et", "csv", "txt"],
                    message=_l("只接受 Excel（.xlsx、.xls）、.ods 或 CSV 文件")),
    ])


class RosterConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


def status_choices(include_empty: bool = False) -> list[tuple[str, str]]:
    pairs = [(s.value, labels.BOARD_STATUS[s]) for s in Status]
    return choices(([("", _l("请选择"))] if include_empty else []) + pairs)


class StatusForm(FlaskForm):
    """One cadre's status with a span (the 'other' form of the board: any time, any status)."""

    status = SelectField(_l("去向"), choices=status_choices())
    village = StringField(_l("村名（下村时必填）"), validators=[Optional(), Length(max=64)])
    substitute = SelectField(_l("替班人（请假时）"), choices=[], validate_choice=False, default="")
    starts_on = DateField(_l("开始日期"), validators=[DataRequired()])
    starts_time = TimeField(_l("开始时间"), validators=[DataRequired()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    ends_time = TimeField(_l("结束时间"), validators=[Optional()])
    note = StringField(_l("备注（仅工作人员可见）"), validators=[Optional(), Length(max=200)])


class LeaveForm(FlaskForm):
    cadre = SelectField(_l("请假人"), choices=[], validate_choice=False)
    kind = SelectField(_l("假别"), choices=choices(
        (k.value, label) for k, label in labels.LEAVE_KIND.items()))
    start_date = DateField(_l("开始日期"), validators=[DataRequired()])
    end_date = DateField(_l("结束日期（含）"), validators=[DataRequired()])
    approver = StringField(_l("已签批的批准人（可不填）"), validators=[Optional(), Length(max=64)])
    substitute = SelectField(_l("替班人（有周末或节假日值班时必填）"), choices=[], validate_choice=False,
                             default="")
    reason = StringField(_l("事由（仅工作人员可见，从不公开）"), validators=[Optional(), Length(max=200)])


class CalendarOverrideForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired()])
    is_working = SelectField(_l("这一天"), choices=choices([
        ("rest", _l("休息日（节假日）")), ("work", _l("工作日（含调休上班）"))]))
    name = StringField(_l("名称（如：春节、调休上班）"), validators=[Optional(), Length(max=32)])


class HolidayNoticeForm(FlaskForm):
    notice = TextAreaField(_l("通知全文"), validators=[DataRequired(), Length(max=20_000)])


class SubstituteForm(FlaskForm):
    assignment = SelectField(_l("班次"), choices=[], validate_choice=False)
    cadre = SelectField(_l("替班人"), choices=[], validate_choice=False)
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class SwapForm(FlaskForm):
    first = SelectField(_l("班次一"), choices=[], validate_choice=False)
    second = SelectField(_l("班次二"), choices=[], validate_choice=False)
