"""Public pages: finder, whereabouts board, duty roster and its feed, car log, poster, health check.

Every page here works without JavaScript, carries an ETag and Cache-Control (see
portal.http_cache) and runs a bounded number of SQL statements.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from markupsafe import Markup

from portal import http_cache, links, pagecache
from portal.models.base import utcnow
from portal.public import cases
from portal.rules.calendar import TZ, end_of_local_day, local_date
from portal.services.office import board as board_service
from portal.services.office import cars_read as car_log
from portal.services.office import roster as roster_service
from portal.services.office import roster_ics as roster_feed
from portal.services.office import roster_week
from portal.services.shared import townships, transaction
from portal.services.shared.calendar import official_calendar

bp = Blueprint("public", __name__)
links.register(bp)
bp.register_blueprint(cases.bp)


@bp.get("/")
def index():
    query = request.args.get("q", "")[:100]
    results = townships.search(query) if query.strip() else None
    browse = None
    if results is None:
        # ?county= is what the boards' breadcrumbs link to; ?region= steps down from the top.
        code = (request.args.get("region") or request.args.get("county") or "")[:6]
        try:
            browse = townships.browse(code)
        except townships.UnknownRegion:
            abort(404)
    return render_template("public/index.html", query=query, results=results, browse=browse)


@bp.get("/t/<code>")
def board(code: str):
    data = board_service.load(code)
    if data is None:
        abort(404)
    max_age = http_cache.max_age_until(data.valid_until)
    pagecache.offer(data.township, data.valid_until, max_age)
    return http_cache.cached(
        board_service.etag_parts(data),
        lambda: render_template("public/board.html", board=data, t=data.township,
                                urls=links.township_urls(data.township)),
        max_age=max_age,
    )


@bp.get("/t/<code>/roster")
def roster(code: str):
    """The month (`?month=`), a week (`?week=`), or by default this week and this month."""
    township = links.township_or_404(code)
    today = local_date(utcnow())
    raw_month, raw_week = request.args.get("month", ""), request.args.get("week", "")
    if raw_week.strip() and not raw_month.strip():
        return _week_page(township, today, raw_week)
    month = roster_service.parse_month(raw_month) if raw_month.strip() else None
    if raw_month.strip() and month is None:
        page = render_template("public/roster.html", t=township, roster=None,
                               bad_month=raw_month[:20], this_month=f"{today:%Y-%m}",
                               urls=links.township_urls(township))
        return page, 400
    if month is not None:
        data, views = roster_service.month_roster(township, *month), None
    else:
        # This week for a phone, this month for a wide screen: the stylesheet shows one.
        month = (today.year, today.month)
        views = roster_week.week_roster(township, roster_week.monday_of(today), with_month=month)
        data = views.month
    return _roster_page(township, today, month, data, views)


def _roster_page(township, today, month, data, views):
    # A year whose 调休 is not yet published: say so rather than let weekends pass for final.
    adjustments_pending = not official_calendar().adjustments_published(month[0])
    prev_month, next_month = (
        "{:04d}-{:02d}".format(*roster_service.shift_month(*month, d)) for d in (-1, 1))
    # "Today" is marked on the roster: the page changes at midnight, or with the data.
    pagecache.offer(township, end_of_local_day(today), http_cache.DEFAULT_MAX_AGE)
    return http_cache.cached(
        ("roster", township.code, township.data_version, month, today, views is not None,
         roster_service.overrides_key(d.day for d in data.days)),
        lambda: render_template(
            "public/roster.html", t=township, roster=data, month=month, today=today,
            prev_month=prev_month, next_month=next_month, adjustments_pending=adjustments_pending,
            this_month=f"{today:%Y-%m}", urls=links.township_urls(township),
            views=views, **_week_links(views.monday if views else roster_week.monday_of(
                today if (today.year, today.month) == month else date(*month, 1)), today),
        ),
    )


def _week_links(monday, today) -> dict:
    return {"this_week": roster_week.week_key(roster_week.monday_of(today)),
            "week": roster_week.week_key(monday),
            "prev_week": roster_week.week_key(monday - roster_week.WEEK),
            "next_week": roster_week.week_key(monday + roster_week.WEEK),
            "week_month": "{:04d}-{:02d}".format(*roster_week.month_of_week(monday, today))}


def _week_page(township, today, raw_week: str):
    monday = roster_week.parse_week(raw_week)
    if monday is None:
        page = render_template("public/roster.html", t=township, roster=None,
                               bad_week=raw_week[:20], this_week=roster_week.week_key(
                                   roster_week.monday_of(today)),
                               this_month=f"{today:%Y-%m}", urls=links.township_urls(township))
        return page, 400
    views = roster_week.week_roster(township, monday)
    adjustments_pending = not official_calendar().adjustments_published(monday.year)
    pagecache.offer(township, end_of_local_day(today), http_cache.DEFAULT_MAX_AGE)
    return http_cache.cached(
        ("roster-week", township.code, township.data_version, monday, today,
         roster_service.overrides_key(d.day for d in views.week.days)),
        lambda: render_template(
            "public/roster.html", t=township, roster=None, views=views, today=today,
            adjustments_pending=adjustments_pending, this_month=f"{today:%Y-%m}",
            urls=links.township_urls(township), **_week_links(monday, today),
        ),
    )


@bp.get("/t/<code>/cars")
def cars(code: str):
    """公车使用: the month's trips of the township's official cars, the county-town ones flagged."""
    township = links.township_or_404(code)
    now = utcnow()
    today = local_date(now)
    raw = request.args.get("month")
    month = roster_service.parse_month(raw) if raw else (today.year, today.month)
    this_month = f"{today:%Y-%m}"
    if month is None:
        return render_template("public/cars.html", t=township, data=None, bad_month=raw[:20],
                               this_month=this_month, urls=links.township_urls(township)), 400
    prev_month, next_month = (
        "{:04d}-{:02d}".format(*roster_service.shift_month(*month, d)) for d in (-1, 1))
    if month >= (today.year, today.month):
        next_month = None  # a log, unlike a roster, has nothing for a month not yet begun
    # A trip not yet back is flagged once office hours end: the page changes by the hour too.
    return http_cache.cached(
        ("cars", code, township.data_version, month, now.astimezone(TZ).strftime("%Y%m%d%H")),
        lambda: render_template(
            "public/cars.html", t=township, data=car_log.month_cars(township, *month),
            prev_month=prev_month, next_month=next_month, this_month=this_month,
            urls=links.township_urls(township)),
    )


@bp.get("/t/<code>/roster.ics")
def roster_ics(code: str):
    township = links.township_or_404(code)
    today = local_date(utcnow())

    def render():
        body = roster_feed.ics_feed(township, today, links.absolute(
            "public.roster", code=township.code))
        response = current_app.response_class(body, mimetype="text/calendar")
        response.headers["Content-Disposition"] = f'inline; filename="{township.code}-roster.ics"'
        return response

    # Calendar apps poll: an hour is fresh enough, and the ETag makes a re-poll cheap.
    return http_cache.cached(("ics", code, township.data_version, today), render, max_age=3600)


@bp.get("/t/<code>/cadres/<public_id>/duty.ics")
def cadre_duty_ics(code: str, public_id: str):
    """One cadre's own shifts as a calendar to subscribe to, with a reminder before each."""
    township = links.township_or_404(code)
    cadre = roster_feed.on_duty_cadre(township, public_id[:32])
    if cadre is None:
        abort(404)
    today = local_date(utcnow())

    def render():
        body = roster_feed.cadre_feed(township, cadre, today, links.absolute(
            "public.roster", code=township.code))
        response = current_app.response_class(body, mimetype="text/calendar")
        response.headers["Content-Disposition"] = f'inline; filename="{township.code}-duty.ics"'
        return response

    return http_cache.cached(("cadre-ics", code, cadre.public_id, township.data_version, today),
                             render, max_age=3600)


def _qr(url: str, title: str) -> Markup:
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=title)
    # segno's output is markup it built from the URL: nothing from the request reaches it raw.
    return Markup(svg)  # noqa: S704


@bp.get("/t/<code>/poster")
def poster(code: str):
    township = links.township_or_404(code)
    board_url = links.absolute("public.board", code=township.code)
    report_url = links.report_url(township.code, external=True)

    def render():
        return render_template(
            "public/poster.html", t=township, board_url=board_url, report_url=report_url,
            qr_board=_qr(board_url, township.name), qr_report=_qr(report_url, township.name),
            urls=links.township_urls(township),
        )

    return http_cache.cached(("poster", code, township.data_version, board_url), render,
                             max_age=3600)


@bp.get("/t/<code>/photo/<public_id>")
def cadre_photo(code: str, public_id: str):
    found = board_service.photo(code, public_id[:32])
    if found is None:
        abort(404)
    data, mimetype, version = found
    return http_cache.cached(("photo", code, public_id, version),
                             lambda: current_app.response_class(data, mimetype=mimetype),
                             max_age=86400)


# Staff pages, and the villagers' one-time confirmation links, are no business of a crawler.
ROBOTS_DISALLOW = ("/login", "/logout", "/account", "/review", "/admin", "/v/")


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Allow: /"] + [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    response = current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root (pages also name favicon.svg)."""
    response = current_app.send_static_file("favicon.ico")
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response


@bp.get("/healthz")
def healthz():
    reachable = transaction.database_reachable()
    response = jsonify(ok=reachable, database=reachable)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if reachable else 503

