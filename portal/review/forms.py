"""Forms of the review pages: one small form per life-cycle step."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.models import Action, Finding, ReviewOutcome, labels


class ActionForm(FlaskForm):
    """A step with nothing to fill in (accept, claim): the CSRF token only."""

    note = TextAreaField(_l("内部备注（仅工作人员可见）"), validators=[Optional(), Length(max=2000)])


class NotAcceptForm(FlaskForm):
    reason = TextAreaField(_l("不予受理的理由（举报人可见）"), validators=[DataRequired(), Length(max=2000)])


class MergeForm(FlaskForm):
    into = StringField(_l("并入的举报编号"), validators=[DataRequired(), Length(max=24)])
    note = TextAreaField(_l("内部备注（仅工作人员可见）"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    assignee = SelectField(_l("承办人"), validators=[DataRequired()], choices=[])


class ConcludeForm(FlaskForm):
    finding = SelectField(_l("核查结论"), choices=[SelectChoice(f.value, labels.FINDING[f]) for f in Finding],
                          validators=[DataRequired()])
    action = SelectField(_l("处理方式"), choices=[SelectChoice(a.value, labels.ACTION[a]) for a in Action],
                         validators=[DataRequired()])
    outcome_public = TextAreaField(_l("向举报人公开的办理结果"),
                                   validators=[DataRequired(), Length(max=2000)])
    staff_note = TextAreaField(_l("内部备注（仅工作人员可见）"), validators=[Optional(), Length(max=2000)])


class RectifyForm(FlaskForm):
    note = TextAreaField(_l("整改情况（举报人可见）"), validators=[Optional(), Length(max=2000)])


class NoteForm(FlaskForm):
    text = TextAreaField(_l("内部备注（仅工作人员可见）"), validators=[DataRequired(), Length(max=2000)])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("向举报人提问（举报人凭回执码可见）"),
                         validators=[DataRequired(), Length(max=2000)])


class TransferForm(FlaskForm):
    """转办: to a county's office, up to the city's or the province's, or to an outside authority."""

    kind = SelectField(_l("转办去向"), validators=[DataRequired()], choices=[
        SelectChoice("county", _l("转其他县（区）纪委监委")),
        SelectChoice("up", _l("报上级纪委监委办理")),
        SelectChoice("outside", _l("转交外部机关（本系统办结）")),
    ])
    county = StringField(_l("接收的县（区）：6位区划代码或名称"), validators=[Optional(), Length(max=64)])
    level = SelectField(_l("上级机关"), validators=[Optional()], choices=[
        SelectChoice("city", _l("市级纪委监委")), SelectChoice("province", _l("省级纪委监委"))])
    authority = StringField(_l("接收的外部机关名称"), validators=[Optional(), Length(max=100)])
    reason = TextAreaField(_l("转办理由（仅工作人员可见）"), validators=[DataRequired(), Length(max=2000)])


class ReviewDecisionForm(FlaskForm):
    """复查: the reviewing office upholds or changes the conclusion, in words for the reporter."""

    outcome = SelectField(_l("复查结论"), validators=[DataRequired()], choices=[
        SelectChoice(o.value, labels.REVIEW_OUTCOME[o]) for o in ReviewOutcome])
    outcome_public = TextAreaField(_l("向举报人公开的复查意见"),
                                   validators=[DataRequired(), Length(max=2000)])


class ExportForm(FlaskForm):
    """The queue's filters travel as hidden fields; the format is the button pressed."""
