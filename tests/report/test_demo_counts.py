"""`make run` prints the demo's report count and receipt codes: they agree with the queue."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from tests.conftest import login_as
from tests.report.test_track import look_up


def _queue_counts(app, username: str) -> dict[str, int]:
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
    login_as(client, user)
    page = client.get("/review").get_data(as_text=True)
    counts = re.search(r'<nav class="counts".*?</nav>', page, re.S).group(0)
    return {label.strip(): int(n) for label, n in re.findall(r">([^<>]+) <b>(\d+)</b>", counts)}


def test_the_printed_demo_figures_are_what_the_queue_shows(app, runner):
    output = runner.invoke(args=["demo", "seed"]).output
    summary = re.search(r"demo reports: (\d+) in the inspectors' review queue \((.*)\), "
                        r"in (\d+) states", output)
    assert summary, output
    total, parts, states = int(summary.group(1)), summary.group(2), int(summary.group(3))
    counts = _queue_counts(app, "inspector")
    assert counts["全部"] == total
    assert sum(1 for label, n in counts.items() if label not in ("全部", "未办结") and n) == states
    listed = output.split("demo receipt codes")[1]
    receipts = re.findall(r"^  (\d{5} \d{5} \d{5} \d{5} \d{5})  ", listed, re.M)
    from_public = int(re.search(r"(\d+) from the public", parts).group(1))
    assert len(receipts) == from_public
    assert sum(int(n) for n in re.findall(r"(\d+) (?:from|filed)", parts)) == total
    client = app.test_client()
    for receipt in receipts:  # every printed code opens a report on /track
        assert "没有找到与这个回执码对应的举报" not in look_up(client, receipt).get_data(as_text=True)
    again = runner.invoke(args=["demo", "seed"]).output
    assert f"demo reports: {total} in the inspectors' review queue" in again
