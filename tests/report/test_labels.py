"""One home for labels: the report form, the staff pages and templates name a value alike."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from portal.models import Action, Category, LeaveKind, Status, labels


def test_every_member_of_a_labelled_enum_has_its_label():
    for kind, table in labels.TABLES.items():
        assert set(table) == set(kind), kind.__name__


def test_the_report_form_names_the_commuting_category_as_the_inspectors_pages_do(client, place):
    html = client.get(f"/report?township={place.code}").get_data(as_text=True)
    assert "下班回城住宿/走读" in html
    assert "下班回城住宿（走读）" not in html
    assert str(labels.CATEGORY[Category.COMMUTING]) == "下班回城住宿/走读"


def test_the_english_pages_translate_each_label_the_same_way(client, place):
    html = client.get(f"/report?township={place.code}&lang=en").get_data(as_text=True)
    assert "Goes home to town overnight (commuting)" in html
    assert "on working days (commuting)" not in html


def test_templates_label_members_and_plain_values_through_one_filter(app):
    with app.test_request_context("/"):
        page = render_template_string(
            "{{ c|label }}|{{ a|label }}|{{ 'other'|label('LeaveKind') }}|{{ s|label }}|{{ none|label }}",
            c=Category.COMMUTING, a=Action.NONE, s=Status.TRIP, none=None,
        )
        assert page == "下班回城住宿/走读|无需处理|其他假|出差|"
        with force_locale("en"):
            assert render_template_string("{{ k|label }}", k=LeaveKind.OTHER) == "Other leave"


def test_a_label_stored_as_data_is_in_the_source_language_whatever_the_page(app):
    with app.app_context(), force_locale("en"):
        assert str(labels.BOARD_STATUS[Status.TRIP]) == "On a trip"
        assert labels.in_source_language(labels.BOARD_STATUS[Status.TRIP]) == "出差"
