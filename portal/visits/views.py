"""`GET/POST /v/<token>`: a villager confirms that a cadre visited, on a phone, without JavaScript.

Nothing about the villager's device (address, user agent) is stored or logged here; the
rate limiter alone sees the address, in its own storage with an expiry. The token is a
secret: the pages are never cached and send no referrer.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from portal.extensions import limiter
from portal.services.office import visits
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("visit", __name__)


class ConfirmForm(FlaskForm):
    name = StringField(_l("您的姓名（可不填）"), validators=[Length(max=visits.MAX_NAME)])
    comment = TextAreaField(_l("想说的话（可不填）"), validators=[Length(max=visits.MAX_COMMENT)])


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


bp.after_request(_no_store)


def _problem(error: Exception):
    """The page for a link that cannot be used, with the right status."""
    if isinstance(error, visits.AlreadyConfirmedError):
        status, kind = 410, "used"
    elif isinstance(error, visits.TokenExpiredError):
        status, kind = 410, "expired"
    else:
        status, kind = 404, "unknown"
    return render_template("visits/problem.html", kind=kind, message=str(error)), status


@bp.route("/v/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute; 300 per day", methods=["GET"])
@limiter.limit("10 per minute; 60 per day", methods=["POST"])
def confirm(token: str):
    try:
        visit = visits.find_by_token(token)
    except (NotFoundError, ValidationError) as error:
        return _problem(error)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            visit = visits.confirm(token=token, name=form.name.data or "",
                                   comment=form.comment.data or "")
        except (NotFoundError, ValidationError) as error:
            return _problem(error)
        return render_template("visits/thanks.html", visit=visit)
    return render_template("visits/confirm.html", visit=visit, form=form)
