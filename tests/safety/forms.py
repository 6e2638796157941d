"""Discover the forms of the portal: crawl every GET page as every role and read its forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.safety.world import ROLES, routes


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, hidden, select, checkbox, radio, file, date, number, ...
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    role: str
    page: str
    action: str
    endpoint: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""),
                          "multipart": "multipart" in a.get("enctype", ""), "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            fields = self._form["fields"]
            if tag == "input":
                kind = a.get("type", "text").lower()
                if kind in ("submit", "button", "image", "reset"):
                    return
                existing = fields.get(a["name"])
                if kind in ("radio", "checkbox") and existing:
                    existing.options.append(a.get("value", "y"))
                    return
                fields[a["name"]] = Field(a["name"], kind, a.get("value", ""),
                                          [a.get("value", "y")] if kind in ("radio", "checkbox") else [])
            elif tag == "textarea":
                fields[a["name"]] = Field(a["name"], "textarea")
            elif tag == "select":
                self._select = fields[a["name"]] = Field(a["name"], "select")
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _pages(app, world) -> list[str]:
    pages = [world.url(rule) for rule in routes(app, "GET")
             if rule.endpoint != "static" and not rule.rule.endswith((".ics", ".json"))]
    # Pages whose form shows only with a query (the report form of a chosen township).
    return pages + [f"/report?township={world.inside.township_code}"]


def discover(app, world, client_for) -> list[Form]:
    """One form per (role, endpoint) that the role can see on some page."""
    adapter = app.url_map.bind("localhost")
    found: dict[tuple[str, str], Form] = {}
    pages = _pages(app, world)
    for role in ROLES:
        client = client_for(role)
        for page in pages:
            try:
                response = client.get(page)
            except Exception:  # noqa: BLE001, S112 - a crashing page is the matrix test's finding
                continue
            if response.mimetype != "text/html" or response.status_code != 200:
                response.close()
                continue
            parser = _FormParser()
            parser.feed(response.get_data(as_text=True))
            response.close()
            for raw in parser.forms:
                if raw["method"] != "post":
                    continue
                action = urlsplit(raw["action"] or page).path
                try:
                    endpoint, _ = adapter.match(action, method="POST")
                except Exception:  # noqa: BLE001, S112 - an action outside the app
                    continue
                found.setdefault((role, endpoint), Form(
                    role, page, action, endpoint, raw["multipart"], raw["fields"]))
    return list(found.values())
