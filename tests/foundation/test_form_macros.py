"""The shared form parts (templates/_form.html): a field with its hint, limits and error, and
an error summary whose links lead to the fields."""

from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

PAGE = """{% from "_form.html" import field, error_summary %}
{{ error_summary(form, messages=extra) }}
{{ field(form.place, hint="最多 20 个字") }}
{{ field(form.text) }}
{{ field(form.agree) }}
{% call(attrs) field(form.kind) %}
<select id="kind" name="kind"{{ attrs }}><option>甲</option></select>
{% endcall %}
"""


class Sample(FlaskForm):
    place = StringField("地点", validators=[Length(max=20, message="最多 %(max)d 个字。")])
    text = TextAreaField("情况", validators=[InputRequired(message="请写下情况。"), Length(max=2000)])
    agree = BooleanField("我同意")
    kind = StringField("类型", validators=[InputRequired(message="请选择类型。")])


def _render(app, data: dict, extra=()) -> str:
    with app.test_request_context("/", method="POST", data=data):
        form = Sample(meta={"csrf": False})
        form.validate()
        return render_template_string(PAGE, form=form, extra=list(extra))


def test_a_field_carries_its_limits_and_its_hint(app):
    html = _render(app, {"place": "镇政府", "text": "看到的情况", "kind": "甲"})
    assert 'class="error-summary"' not in html
    place = re.search(r"<input[^>]*id=\"place\"[^>]*>", html).group(0)
    assert 'maxlength="20"' in place and 'aria-describedby="place-hint"' in place
    assert 'aria-invalid' not in place
    assert '<p class="hint" id="place-hint">最多 20 个字</p>' in html
    text = re.search(r"<textarea[^>]*>", html).group(0)
    assert "required" in text and 'maxlength="2000"' in text
    assert '<label for="agree">我同意</label>' in html


def test_each_error_sits_at_its_field_and_the_summary_links_to_it(app):
    html = _render(app, {"place": "镇" * 21, "text": ""}, extra=["提交太频繁，请 5 分钟后再试。"])
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and "autofocus" in summary
    assert "提交太频繁，请 5 分钟后再试。" in summary
    assert '<a href="#place">地点：最多 20 个字。</a>' in summary
    assert '<a href="#text">情况：请写下情况。</a>' in summary
    assert '<a href="#kind">类型：请选择类型。</a>' in summary
    place = re.search(r"<input[^>]*id=\"place\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in place and 'aria-describedby="place-hint place-error"' in place
    assert '<p class="error-text" id="place-error">最多 20 个字。</p>' in html
    # A control written by hand gets the same attributes from the macro.
    select = re.search(r"<select[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in select and 'aria-describedby="kind-error"' in select
    assert html.index('id="kind-error"') < html.index("<select")
