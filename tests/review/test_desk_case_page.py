"""The inspector's desk over HTTP: one notes box and one notes thread, buttons that say what
they change, and a staff member named with the role once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Report, ReportStatus, Sender, Township, User
from portal.services.casework.messages import add_message
from tests.conftest import login_as
from tests.review.conftest import make_report

S = ReportStatus


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def _as(app, world, name, display_name=None):
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, getattr(world, name).id)
        if display_name is not None:
            user.display_name = display_name
            db.session.commit()
            user = db.session.get(User, user.id)
        db.session.expunge(user)
    login_as(client, user)
    return client


def _report(app, world, **fields) -> str:
    with app.app_context():
        r = make_report(db.session.get(Township, world.township.id), **fields)
        db.session.commit()
        return r.public_id


def _section(page: str, heading: str) -> str:
    start = page.index(f">{heading}</h2>")
    end = page.find("</section>", start)
    return page[start:end]


def _effects(page: str) -> dict[str, str]:
    """Each submit button of the steps and the notes: its text and the line it points to."""
    found = {}
    button = r'<button type="submit"[^>]*aria-describedby="([\w-]+)"[^>]*>([^<]+)</button>'
    for effect_id, label in re.findall(button, page):
        line = re.search(rf'<p class="effect" id="{effect_id}">([^<]+)</p>', page)
        assert line, effect_id
        found[label] = line.group(1)
    return found


def test_one_notes_box_and_every_note_in_one_thread(app, world):
    pid = _report(app, world)
    client = _as(app, world, "inspector")
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert page.count("内部备注（仅工作人员可见）") == 1  # accepting asks for none of its own
    # The note, the reason not to accept (the reporter reads it), the question to the reporter and
    # the reason for a transfer: one box for internal notes among them.
    boxes = sorted(re.findall(r'<textarea[^>]*\bid="([^"]+)"', page))
    assert boxes == ["body", "reason", "text", "transfer-reason"]
    client.post(f"/review/{pid}/accept", data={})
    client.post(f"/review/{pid}/note", data={"text": "先电话联系乡镇党政办"})
    client.post(f"/review/{pid}/claim", data={})
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert page.count("内部备注（仅工作人员可见）") == 1  # concluding asks for none either
    assert 'name="staff_note"' not in page
    client.post(f"/review/{pid}/note", data={"text": "门卫说书记去县里开会"})
    # A note sent along with a step (an older form) joins the same thread.
    client.post(f"/review/{pid}/conclude", data={
        "finding": "substantiated", "action": "criticism", "outcome_public": "经核查属实，已批评教育。",
        "staff_note": "会议通知是事后补的"})
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    notes = _section(page, "内部备注")
    order = [notes.index(t) for t in ("先电话联系乡镇党政办", "门卫说书记去县里开会", "会议通知是事后补的")]
    assert order == sorted(order)
    assert "写于“办结”时" in notes
    # The history points to the thread instead of repeating each note.
    history = _section(page, "办理记录")
    assert "门卫说书记去县里开会" not in history and "备注见“内部备注”" in history


def test_a_refused_note_keeps_what_was_typed(app, world):
    pid = _report(app, world)
    client = _as(app, world, "inspector")
    response = client.post(f"/review/{pid}/note", data={"text": "x" * 2001})
    assert response.status_code == 400
    assert "x" * 2001 in response.get_data(as_text=True)


@pytest.mark.parametrize(("status", "assignee", "expected"), [
    (S.SUBMITTED, None, {
        "受理": "状态由“待受理”改为“已受理”，开始计算办结期限",
        "决定不予受理": "状态由“待受理”改为“不予受理”，案件结束",
        "并入该举报": "状态由“待受理”改为“并案”",
        "保存备注": "状态不变（待受理）；备注只有工作人员能看到",
        "发送": "状态不变（待受理）；举报人凭回执码可以看到并回答"}),
    (S.ACCEPTED, None, {
        "由我承办": "状态由“已受理”改为“核查中”，承办人改为您",
        "指定承办人": "状态由“已受理”改为“核查中”，承办人改为所选的人",
        "并入该举报": "状态由“已受理”改为“并案”"}),
    (S.VERIFYING, "inspector", {
        "移交": "状态不变（核查中），承办人改为所选的人，您不再承办",
        "办结": "状态由“核查中”改为“已办结”"}),
])
def test_every_button_says_what_it_changes(app, world, status, assignee, expected):
    fields = {"status": status}
    if assignee:
        fields["assignee_id"] = getattr(world, assignee).id
    pid = _report(app, world, **fields)
    page = _as(app, world, "inspector").get(f"/review/{pid}").get_data(as_text=True)
    effects = _effects(page)
    for label, words in expected.items():
        assert words in effects[label], label


def test_rectify_says_it_ends_the_case(app, world):
    pid = _report(app, world, status=S.CONCLUDED, finding="substantiated", action="criticism")
    effects = _effects(_as(app, world, "inspector").get(f"/review/{pid}").get_data(as_text=True))
    assert "状态由“已办结”改为“已整改”，案件结束" in effects["乡镇已整改"]


def test_the_staff_label_names_the_role_once(app, world):
    pid = _report(app, world)
    client = _as(app, world, "inspector", display_name="纪检监察干部（演示）")
    client.post(f"/review/{pid}/message", data={"body": "请问您几点到的乡政府？"})
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert "纪检监察干部（纪检监察干部" not in page
    assert '<span class="who">纪检监察干部（演示）</span>' in page
    assert "纪检监察干部（演示） · 纪检监察干部" not in page
    thread = _section(page, "与举报人的消息")
    assert "纪检监察干部（演示）" in thread
    # A plain name is shown with its role, once.
    other = _as(app, world, "inspector2", display_name="张敏")
    page = other.get(f"/review/{pid}").get_data(as_text=True)
    assert '<span class="who">张敏 · 纪检监察干部</span>' in page
    assert "纪检监察干部（纪检监察干部" not in page


def test_a_reporters_message_is_named_as_the_reporters(app, world):
    pid = _report(app, world)
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.public_id == pid))
        add_message(report=report, sender=Sender.REPORTER, body="我是上午十点去的。")
    page = _as(app, world, "inspector").get(f"/review/{pid}").get_data(as_text=True)
    thread = _section(page, "与举报人的消息")
    assert "举报人" in thread and "我是上午十点去的" in thread
