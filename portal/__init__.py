"""Zaigang (在岗): the application factory."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import (
    access,
    assets,
    cli,
    cli_imports,
    database,
    errors,
    http_cache,
    i18n,
    pagecache,
    security,
)
from portal.admin.views import bp as admin_bp
from portal.api.views import bp as api_bp
from portal.auth.views import bp as auth_bp
from portal.config import ROOT, Config, config_for_environment
from portal.extensions import babel, csrf, db, limiter, login, migrate
from portal.logs import configure as configure_logging
from portal.notices.views import bp as notices_bp
from portal.public.supervisors import bp as supervisors_bp
from portal.public.views import bp as public_bp
from portal.report.views import bp as report_bp
from portal.review.views import bp as review_bp
from portal.services.accounts import users
from portal.stats.views import bp as stats_bp
from portal.uploads import PortalRequest
from portal.visits.ballot import bp as ballot_bp
from portal.visits.views import bp as visit_bp


def create_app(config: Config | Mapping | None = None) -> Flask:
    """Build the application: load config, init extensions, register blueprints, errors, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=False,
    )
    app.request_class = PortalRequest
    _load_config(app, config)
    configure_logging(app)
    security.check_production_config(app)
    pagecache.register(app)
    if app.config["PROXY_FIX_X_FOR"]:
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    _register_blueprints(app)
    errors.register(app)
    access.register(app)
    security.register(app)
    i18n.register(app)
    assets.register(app)
    cli.register(app)
    cli_imports.register(app)
    http_cache.register(app)
    return app


def _load_config(app: Flask, config: Config | Mapping | None) -> None:
    base = config_for_environment()
    overrides: Mapping = {}
    if isinstance(config, Config):
        base = config
    elif config is not None:
        overrides = config
    app.config.from_object(base)
    app.config.from_prefixed_env("PORTAL")
    app.config.update(overrides)
    app.instance_path = app.config["INSTANCE_PATH"]


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    database.register_engine_events(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    # The limiter object is shared by every app in a process: set every switch explicitly.
    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    login.init_app(app)
    login.user_loader(users.load_user)
    # Sessions are guarded by our own idle and absolute timeouts and the session epoch.
    login.session_protection = None
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )


def _register_blueprints(app: Flask) -> None:
    for bp in (public_bp, report_bp, auth_bp, review_bp, admin_bp, api_bp, stats_bp, visit_bp, notices_bp):
        app.register_blueprint(bp)
    # 民主评议 ballots and the county's register of supervisors.
    app.register_blueprint(ballot_bp)
    app.register_blueprint(supervisors_bp)
