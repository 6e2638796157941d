"""Command-line interface: `flask --app wsgi <group> <command>`. Each prints what it did."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.extensions import db
from portal.jobs import runs_once
from portal.models import Role, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.accounts.users import create_user
from portal.services.casework import alerts
from portal.services.casework.escalation import escalate
from portal.services.casework.retention import purge
from portal.services.office import notices, weekly
from portal.services.shared import audit, audit_checkpoints, backup, sealing
from portal.services.shared.errors import ServiceError
from portal.services.shared.regions import add_region, list_regions

demo_cli = AppGroup("demo", help="Demo and synthetic data.")
users_cli = AppGroup("users", help="Staff accounts.")
regions_cli = AppGroup("regions", help="The region tree: provinces, cities, counties.")
audit_cli = AppGroup("audit", help="The tamper-evident audit log.")
reports_cli = AppGroup("reports", help="Report deadlines and retention (safe on every node's timer).")
notices_cli = AppGroup("notices", help="Monthly public notices (张榜公示).")
alerts_cli = AppGroup("alerts", help="E-mail alerts to inspectors (safe on every node's timer).")
weeks_cli = AppGroup("weeks", help="The weekly 5-4-3 assessment (周考核; safe on every node's timer).")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no township.")
def demo_seed(if_empty: bool) -> None:
    """Load the fictional demo county (演示县); does nothing that is already there."""
    # The demo data's code (and pypinyin, PIL drawing) is loaded by the demo commands only,
    # not by every web worker that imports the CLI with the app.
    from portal import demo

    if if_empty and db.session.scalar(select(Township.id).limit(1)) is not None:
        click.echo("database not empty: demo data not loaded")
        return
    for line in demo.seed():
        click.echo(line)


@demo_cli.command("scale")
@click.option("--townships", default=40_000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--cadres-per-township", default=30, show_default=True, type=click.IntRange(7, 60))
@click.option("--reports", default=1_000_000, show_default=True, type=click.IntRange(0, 10_000_000))
def demo_scale(townships: int, cadres_per_township: int, reports: int) -> None:
    """Build a national-size synthetic data set (for benchmarks), with a progress display."""
    from portal.demo.scale import ScalePlan, generate

    def progress(name: str, done: int, total: int) -> None:
        share = f" / {total:,} ({100 * done // total}%)" if total else ""
        click.echo(f"\r  {name}: {done:,}{share}   ", nl=False)
        if not total or done >= total:
            click.echo("")

    try:
        result = generate(ScalePlan(townships, cadres_per_township, reports), progress)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    for name, count in result.counts.items():
        click.echo(f"{name:<18} {count:>12,}")
    click.echo(f"done in {result.seconds:.1f} s")


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo staff logins (username, password, TOTP secret)."""
    from portal.demo.base import DEMO_USERS

    click.echo("Demo staff logins (演示账号):")
    for username, role, _scope, password, secret, _display in DEMO_USERS:
        totp = f"  TOTP secret: {secret}" if secret else ""
        click.echo(f"  {role.value:<13} username: {username:<14} password: {password}{totp}")


@users_cli.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--scope", default=None,
    help="A region code (6 digits) or township codes (9 digits, comma-separated).",
)
@click.option("--username", required=True)
@click.option("--password", default=None, help="Generated when omitted.")
@click.option("--totp-secret", default=None, help="Base32; generated for roles that need TOTP.")
@click.option("--display-name", default="")
def users_create(role, scope, username, password, totp_secret, display_name) -> None:
    """Create a staff account and print its password and TOTP secret."""
    try:
        created = create_user(
            username=username, role=role, scope=scope, password=password,
            totp_secret=totp_secret, display_name=display_name,
        )
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {created.user.role.value} {created.user.username}")
    click.echo(f"password: {created.password}")
    if created.totp_secret:
        click.echo(f"TOTP secret: {created.totp_secret}")


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts with their role and scope."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        scope = user.scope_region.code if user.scope_region else ",".join(
            t.code for t in user.scope_townships
        )
        click.echo(f"{user.username:<20} {user.role.value:<13} {scope or '(all)'}")


@audit_cli.command("verify")
@click.option("--checkpoint", "printed", multiple=True,
              help="A checkpoint as a monthly notice prints it (repeatable).")
def audit_verify(printed: tuple[str, ...]) -> None:
    """Check the audit chain against its checkpoints; exits non-zero at the first mismatch."""
    try:
        extra = [audit_checkpoints.parse_printed(text) for text in printed]
        result = audit_checkpoints.check(extra)
    except (ValueError, audit_checkpoints.CheckpointError) as error:
        raise click.ClickException(f"checkpoints unusable: {error}") from error
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} entries, "
                   f"{result.checkpoints} checkpoint(s) matched")
        if not result.checkpoints:
            click.echo("warning: no checkpoint yet (run `flask audit checkpoint`): entries "
                       "deleted from the end could not be seen")
        return
    where = f"at entry {result.first_broken_id}" if result.first_broken_id else "at its end"
    raise click.ClickException(
        f"audit chain broken {where}: {result.problem} "
        f"({result.checked} entries before it are intact)"
    )


@audit_cli.command("checkpoint")
@runs_once("audit checkpoint")
def audit_checkpoint() -> None:
    """Append a signed checkpoint (count, head hash, time) to AUDIT_CHECKPOINT_FILE."""
    checkpoint = audit_checkpoints.take()
    click.echo(f"checkpoint {checkpoint.at}: {checkpoint.count} entries, head "
               f"{checkpoint.head[:16]}... written to {audit_checkpoints.path()}")


@notices_cli.command("publish")
@runs_once("notices publish")
@click.option("--month", required=True, help="YYYY-MM; the month must be over.")
@click.option("--township", "codes", multiple=True, help="A township code (repeatable); default all.")
def notices_publish(month: str, codes: tuple[str, ...]) -> None:
    """Publish a month's notices; an unchanged month is not published again."""
    # A request context gives the messages their (default) language outside a request.
    with current_app.test_request_context():
        try:
            done = notices.publish_many(month=month, township_codes=list(codes) or None,
                                        actor=None, today=local_date(utcnow()))
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
    for township, result in done:
        state = f"published version {result.notice.version}" if result.created else (
            f"unchanged, version {result.notice.version} stands")
        click.echo(f"{township.code} {township.name} {month}: {state}")


@weeks_cli.command("close")
@runs_once("weeks close")
@click.option("--week", "week", default="",
              help="Any day of the week (YYYY-MM-DD); default the last closed week.")
@click.option("--township", "codes", multiple=True, help="A township code (repeatable); default all.")
def weeks_close(week: str, codes: tuple[str, ...]) -> None:
    """Record each leader's 5-4-3 result of a closed week; a week recorded stays as it is."""
    try:
        day = date.fromisoformat(week) if week else None
    except ValueError as error:
        raise click.ClickException(f"--week must be a date YYYY-MM-DD, not {week!r}") from error
    try:
        done = weekly.close_week(today=local_date(utcnow()), week_start=day,
                                 township_codes=list(codes) or None)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    for item in done:
        click.echo(f"{item.township.code} {item.township.name} week of {item.week_start}: "
                   f"{item.recorded} recorded, {item.already} already recorded")


@reports_cli.command("escalate")
@runs_once("reports escalate")
def reports_escalate() -> None:
    """Escalate overdue reports to the inspectors of the next level up (idempotent)."""
    done = escalate()
    for item in done:
        click.echo(f"escalated {item.public_id} to level {item.level} ({item.region_name})")
    click.echo(f"{len(done)} report(s) escalated")


@reports_cli.command("purge")
@runs_once("reports purge")
def reports_purge() -> None:
    """Delete photos and reporter contacts of reports closed longer than RETENTION_DAYS ago."""
    result = purge()
    click.echo(f"purged {result.reports} report(s), {result.photos} photo(s)")


@alerts_cli.command("send")
@runs_once("alerts send")
def alerts_send() -> None:
    """Send the e-mail alerts that are due (each once, however many nodes run this)."""
    # A request context gives the e-mails their (default) language outside a request.
    with current_app.test_request_context():
        result = alerts.send_due()
    if not result.enabled:
        click.echo("alerts are off: MAIL_URL is not set")
        return
    click.echo(f"{result.sent} alert(s) sent in {result.messages} e-mail(s), {result.failed} left "
               f"for a later run, {result.given_up} given up, {result.dropped} dropped")
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.failed and not result.sent:
        raise click.ClickException("no alert could be sent")


backup_cli = AppGroup("backup", help="Checksummed backups of the database and evidence.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_create(path: str) -> None:
    """Write a backup archive (database, evidence files, checksum manifest) to PATH."""
    try:
        result = backup.create(path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{name} {n}" for name, n in result.counts.items())
    click.echo(f"backup written to {result.path}: {result.dialect} database "
               f"({result.database_bytes} bytes), {result.evidence_files} evidence file(s); {counts}")


@backup_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def backup_verify(path: str) -> None:
    """Check an archive against its checksum manifest without restoring it."""
    try:
        manifest = backup.verify_archive(path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"archive intact: {len(manifest['members'])} member(s), {manifest['dialect']}, "
               f"made {manifest['created_at']}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def backup_restore(path: str, force: bool) -> None:
    """Restore an archive into this instance (refused if corrupted, or if the database has data)."""
    try:
        manifest = backup.restore(path, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{name} {n}" for name, n in manifest["counts"].items())
    click.echo(f"restored {path} (schema {manifest['revision'] or '?'}): {counts}; "
               f"{manifest['evidence_restored']} evidence file(s)")


@regions_cli.command("add")
@click.option("--code", required=True, help="6-digit GB/T 2260 code.")
@click.option("--name", required=True)
@click.option("--level", required=True, type=click.Choice(["province", "city", "county"]))
@click.option("--parent", "parent_code", default=None, help="The parent's code (city, county).")
def regions_add(code: str, name: str, level: str, parent_code: str | None) -> None:
    """Add a province, city or county (then townships are added at /admin/townships)."""
    try:
        region = add_region(code=code, name=name, level=level, parent_code=parent_code)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"added {region.level.value} {region.code} {region.name}")


@regions_cli.command("list")
def regions_list() -> None:
    """List the regions with their level and parent."""
    for region in list_regions():
        parent = region.parent.code if region.parent else ""
        click.echo(f"{region.code}  {region.level.value:<8} {region.name}  {parent}")


sealing_cli = AppGroup("sealing", help="The county offices' keys that seal reports.")
_RECOVERY_NOTE = ("Print this recovery key now, on paper, and keep it in the office's safe; it is "
                  "shown once and never stored:")


@sealing_cli.command("init")
@click.option("--county", "county_code", required=True, help="The county's 6-digit code.")
def sealing_init(county_code: str) -> None:
    """Make a county office's key pair and its printed recovery key; seal waiting identities."""
    try:
        key, recovery, sealed = sealing.init_office(county_code)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    held, eligible = sealing.holders(key), len(sealing.eligible_users(key.county_id))
    click.echo(f"office key made for county {county_code}; {sealed} waiting identit(ies) sealed; "
               f"{held} of {eligible} inspector(s) of the county and above hold it (the others "
               "receive it once they have logged in and a holder logs in)")
    click.echo(_RECOVERY_NOTE)
    click.echo(f"    {recovery}")


@sealing_cli.command("grant")
@click.option("--county", "county_code", required=True)
@click.option("--recovery-key", prompt=True, hide_input=True)
def sealing_grant(county_code: str, recovery_key: str) -> None:
    """With the recovery key: grant the office key to every inspector still without it."""
    try:
        key = sealing.current_office_key(sealing.county_by_code(county_code).id)
        if key is None:
            raise click.ClickException(f"county {county_code} has no office key")
        made = sealing.grant_with_recovery(key, recovery_key)
    except sealing.SealError as error:
        raise click.ClickException("that is not this office's recovery key") from error
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    audit.record("office_key.granted", actor=None, object_type="region", object_id=county_code,
                 detail={"grants": made})
    db.session.commit()
    click.echo(f"granted to {made} inspector(s)")


@sealing_cli.command("rotate")
@click.option("--county", "county_code", required=True)
@click.option("--recovery-key", prompt=True, hide_input=True, help="The current key's recovery key.")
def sealing_rotate(county_code: str, recovery_key: str) -> None:
    """A new office key (an inspector left): re-seal every report to it, delete the old key."""
    try:
        _key, recovery, moved = sealing.rotate(county_code, recovery_key)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"new office key for county {county_code}; {moved} report(s) re-sealed to it; "
               "the old key and its recovery key no longer open anything stored")
    click.echo(_RECOVERY_NOTE)
    click.echo(f"    {recovery}")


def register(app: Flask) -> None:
    for group in (demo_cli, users_cli, regions_cli, audit_cli, notices_cli, reports_cli, sealing_cli,
                  alerts_cli, weeks_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup_cli)
