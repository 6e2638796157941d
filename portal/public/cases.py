"""`/c/<county code>/cases` and its Atom feed: the county's published cases (通报曝光).

Both read only what the inspectors published (portal.services.casework.exposure: township,
cadre's name and post, what was found, what was done, dates), never anything about the
reporter. Their ETag moves with every publication and withdrawal, and caches must revalidate
each time (max-age 0), so a case published or withdrawn shows at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from portal import http_cache, links
from portal.services.casework import exposure

bp = Blueprint("cases", __name__)

ATOM = "http://www.w3.org/2005/Atom"
MAX_PAGE = 10_000
# A feed with nothing published yet still needs an <updated>: a fixed moment, not "now".
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def _county(code: str):
    county = exposure.county_of(code[:6]) if len(code) == 6 else None
    if county is None:
        abort(404)
    return county


def _page_number() -> int:
    raw = request.args.get("page", "1")[:6]
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) >= 1 else 1


@bp.get("/c/<code>/cases", endpoint="page")
def page(code: str):
    county = _county(code)
    number = _page_number()
    return http_cache.cached(
        ("cases", *exposure.fingerprint(county), number),
        lambda: render_template("public/cases.html", data=exposure.county_page(county, number)),
        max_age=0,
    )


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _entry(feed: ET.Element, case: exposure.PublicCase, page_url: str) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", f"{page_url}#case-{case.public_id}")
    _text(entry, "title", _("%(township)s%(post)s%(name)s：%(category)s", township=case.township,
                            post=case.cadre_post, name=case.cadre_name, category=case.category))
    _text(entry, "updated", _rfc3339(case.published_at))
    _text(entry, "published", _rfc3339(case.published_at))
    ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                             "href": f"{page_url}#case-{case.public_id}"})
    body = "\n".join((
        _("查实的问题：%(text)s", text=case.found), _("处理结果：%(text)s", text=case.done),
        _("办结日期：%(day)s", day=case.concluded_on.isoformat()),
    ))
    _text(entry, "content", body, type="text")


def atom_feed(data: exposure.CountyCases) -> bytes:
    """The county's published cases as an Atom 1.0 document (RFC 4287)."""
    ET.register_namespace("", ATOM)
    page_url = links.absolute("public.cases.page", code=data.county_code)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", page_url)
    _text(feed, "title", _("%(county)s通报曝光", county=data.county_name))
    _text(feed, "subtitle", _("纪检监察机关核查属实并决定公开的干部作风问题"))
    _text(feed, "updated", _rfc3339(data.updated or _NEVER))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", _("%(county)s纪检监察机关", county=data.county_name))
    ET.SubElement(feed, f"{{{ATOM}}}link", {
        "rel": "self", "type": "application/atom+xml",
        "href": links.absolute("public.cases.feed", code=data.county_code)})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": page_url})
    for case in data.cases:
        _entry(feed, case, page_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/c/<code>/cases.atom", endpoint="feed")
def feed(code: str):
    county = _county(code)

    def render():
        return current_app.response_class(atom_feed(exposure.feed_entries(county)),
                                          mimetype="application/atom+xml")

    return http_cache.cached(("cases-feed", *exposure.fingerprint(county)), render, max_age=0)
