"""Links and display helpers of the public pages (URLs, local times, status words, phones)."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError, MapAdapter

from portal.config import parse_public_url
from portal.models import Township, labels
from portal.rules.calendar import TZ
from portal.services.office import presence
from portal.services.shared import townships

STATUS_LABELS = {**labels.BOARD_STATUS, None: labels.NOT_UPDATED}
DAY_KIND_LABELS = labels.DAY_KIND
WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
_NOT_DIAL = re.compile(r"[^0-9+]")


def _public_adapter() -> MapAdapter:
    """The URL map bound to PUBLIC_URL (cached per app: the address is fixed at start-up)."""
    adapter = current_app.extensions.get("zaigang.public_adapter")
    if adapter is None:
        parts = parse_public_url(current_app.config["PUBLIC_URL"])
        adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                           url_scheme=parts.scheme)
        current_app.extensions["zaigang.public_adapter"] = adapter
    return adapter


def absolute(endpoint: str, **values) -> str:
    """An absolute URL on the configured public address, PUBLIC_URL (for QR codes, feeds and
    print-outs). The request's Host header never reaches it: a forged Host would otherwise be
    printed on posters and, through the page caches, served to every later visitor."""
    return _public_adapter().build(endpoint, values, force_external=True)


def webcal(endpoint: str, **values) -> str:
    """A calendar feed's subscribe link (webcal://host/...): a phone's calendar app opens it and
    offers to subscribe, and then polls the feed itself."""
    return "webcal://" + absolute(endpoint, **values).split("://", 1)[1]


def report_url(code: str, external: bool = False) -> str:
    """The report form with the township chosen: /report?township=<code>."""
    try:
        if external:
            return absolute("report.form", township=code)
        return url_for("report.form", township=code)
    except BuildError:
        # The report form is another area's route; until it exists, its contract path.
        path = "/report?" + urlencode({"township": code})
        if external:
            return absolute("public.index").rstrip("/") + path
        return path


def _endpoint_for(rule: str) -> str | None:
    for candidate in current_app.url_map.iter_rules():
        if candidate.rule == rule and "GET" in (candidate.methods or ()):
            return candidate.endpoint
    return None


def notices_url(code: str) -> str | None:
    """The township's monthly notices, when that page exists in this deployment."""
    endpoint = _endpoint_for("/t/<code>/notices")
    return url_for(endpoint, code=code) if endpoint else None


def township_urls(township: Township) -> dict[str, str | None]:
    code = township.code
    return {
        "board": url_for("public.board", code=code),
        "roster": url_for("public.roster", code=code),
        "ics": url_for("public.roster_ics", code=code),
        "poster": url_for("public.poster", code=code),
        "report": report_url(code),
        "notices": notices_url(code),
        # The county's published cases (its code is the township code's first six digits).
        "cases": url_for("public.cases.page", code=code[:6]),
        "cars": url_for("public.cars", code=code),
    }


def local_time(value: datetime | None, today: date | None = None) -> str:
    """"08:30" for today, "11月28日 08:30" for another day (local time)."""
    if value is None:
        return ""
    local = value.astimezone(TZ)
    if today is not None and local.date() != today:
        return f"{short_date(local.date())} {local:%H:%M}"
    return f"{local:%H:%M}"


def short_date(value: date) -> str:
    """"11月28日" (the English catalog makes it "11/28")."""
    return _("%(month)s月%(day)s日", month=value.month, day=value.day)


def tel(value: str) -> str:
    """A tel: URI for a phone number as written ("0999-8800000" → "tel:09998800000")."""
    return "tel:" + _NOT_DIAL.sub("", value or "")


def township_or_404(code: str) -> Township:
    """The active township of a public URL's code; any other code answers 404."""
    township = townships.get_by_code(code)
    if township is None:
        abort(404)
    return township


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(local_time, "local_time")
    bp.add_app_template_filter(short_date, "short_date")
    bp.add_app_template_filter(tel, "tel")
    bp.add_app_template_filter(labels.label, "label")
    bp.add_app_template_global(STATUS_LABELS, "status_labels")
    bp.add_app_template_global(labels.ABSENCE_KIND, "absence_labels")
    bp.add_app_template_global(presence.STATE_LABELS, "state_labels")
    bp.add_app_template_global(presence.STATE_ORDER, "state_order")
    bp.add_app_template_global(DAY_KIND_LABELS, "day_kind_labels")
    bp.add_app_template_global(WEEKDAYS, "weekday_labels")
    bp.add_app_template_global(webcal, "webcal_url")
    bp.add_app_template_global(absolute, "absolute_url")
