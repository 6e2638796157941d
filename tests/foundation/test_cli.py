"""The command line: demo seed and users create."""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cadre, Region, Role, Township, User
from portal.services.accounts.passwords import verify_password


def test_demo_seed_is_deterministic_and_idempotent(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "8 townships" in first.output
    with app.app_context():
        townships = db.session.scalars(select(Township).order_by(Township.code)).all()
        assert len(townships) == 8
        assert townships[0].name == "大庄镇" and townships[0].initials == "dzz"
        for township in townships:
            cadres = db.session.scalars(select(Cadre).where(Cadre.township_id == township.id)).all()
            leaders = [c for c in cadres if c.is_leader]
            assert 20 <= len(cadres) <= 30
            assert 5 <= len(leaders) <= 7
        names = [c.name for c in db.session.scalars(select(Cadre).order_by(Cadre.id))]
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Township.id))) == 8
        assert [c.name for c in db.session.scalars(select(Cadre).order_by(Cadre.id))] == names


def test_demo_seed_if_empty_skips_a_database_with_data(app, runner):
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        db.session.execute(Township.__table__.update().values(name="改名镇"))
        db.session.commit()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0
    assert "not empty" in result.output


def test_demo_logins_prints_totp_secrets(runner):
    result = runner.invoke(args=["demo", "logins"])
    assert "inspector" in result.output and "TOTP secret" in result.output


def test_users_create_prints_password_and_totp(app, runner):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(
        args=["users", "create", "--role", "inspector", "--scope", "990101", "--username", "li"]
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].split()[0]
    secret = result.output.split("TOTP secret: ")[1].split()[0]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "li"))
        assert user.role == Role.INSPECTOR
        assert user.scope_region.code == "990101"
        assert verify_password(user.password_hash, password)
        assert user.totp_secret == secret
        pyotp.TOTP(secret).now()


def test_users_create_with_township_scope_and_given_password(app, runner):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(args=[
        "users", "create", "--role", "clerk", "--scope", "990101001,990101002",
        "--username", "wang", "--password", "a-long-password",
    ])
    assert result.exit_code == 0, result.output
    assert "password: a-long-password" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wang"))
        assert sorted(t.code for t in user.scope_townships) == ["990101001", "990101002"]
        assert user.totp_secret is None


def test_users_create_refuses_an_unknown_scope_and_exits_non_zero(app, runner):
    result = runner.invoke(
        args=["users", "create", "--role", "inspector", "--scope", "123456", "--username", "x"]
    )
    assert result.exit_code != 0
    assert "no region" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_users_create_refuses_a_taken_username(app, runner):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(
        args=["users", "create", "--role", "sysadmin", "--username", "inspector"]
    )
    assert result.exit_code != 0
    assert "taken" in result.output


def test_region_tree_of_the_demo(app, runner):
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        county = db.session.scalar(select(Region).where(Region.code == "990101"))
        assert county.parent.code == "990100" and county.parent.parent.code == "990000"
