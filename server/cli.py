"""Command-line tasks: `flask --app server seed-demo`, `create-school`, `create-user`, `due`,
`synthesize`, `backup`, `restore`, `reset-mfa`, `rotate-mfa-key`. Each is thin: a service does the work, the command commits once."""
import json
import time

import click
import sqlalchemy as sa
from flask import current_app
from marshmallow import ValidationError

from server.errors import ApiError, details_of, message_of
from server.extensions import db
from server.models import School, User
from server.services.refusal import Refused
from server.vocabulary import ROLES


def init_app(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_school_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(due_command)
    app.cli.add_command(synthesize_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(reset_mfa_command)
    app.cli.add_command(rotate_mfa_key_command)
    from server.worker import alerts_worker_command
    app.cli.add_command(alerts_worker_command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has schools.")
def seed_demo_command(if_empty):
    """Build a fictional trust: two schools, term dates, providers, pupils, placements, staff."""
    from server.demo import seed_demo
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("APP_ENV is production: demo data is never added to a real deployment. "
                                   "Use create-school and create-user (README, \"Set up a real school\").")
    if if_empty and db.session.execute(sa.select(School.id).limit(1)).first():
        click.echo("Database already has schools; demo data not added.")
        return
    seed_demo(with_history=True)
    db.session.commit()
    click.echo("Demo data added. Accounts are listed in the README; password: " + _demo_password())
    click.echo("Two-step sign-in (every role but visiting staff, attendance officer and governor): add "
               "this secret to an authenticator app, or run pyotp.TOTP(secret).now(). Development only: "
               + _demo_totp_secret())


def _demo_password():
    from server.demo import DEMO_PASSWORD
    return DEMO_PASSWORD


def _demo_totp_secret():
    from server.services.second_factor import DEMO_TOTP_SECRET
    return DEMO_TOTP_SECRET


@click.command("create-school")
@click.option("--urn", required=True, help="The school's 6-digit URN (Get Information about Schools).")
@click.option("--name", required=True)
@click.option("--local-authority", required=True)
@click.option("--trust", help="The multi-academy trust the school belongs to (it must exist, or add --new-trust).")
@click.option("--new-trust", is_flag=True, help="Make the trust named by --trust, for its first school.")
@click.option("--la-email", "la_notifications_email", help="Where notifications to the local authority go.")
def create_school_command(**options):
    """Create a school (and its trust). Running it again with the same details changes nothing."""
    from server.schemas.admin_school import NewSchoolSchema
    from server.services.schools import create_school
    try:
        school, created, trust_created = create_school(NewSchoolSchema().load(options))
    except (ValidationError, Refused) as error:
        db.session.rollback()
        raise click.ClickException(_error_text(error)) from None
    db.session.commit()
    if not created:
        click.echo(f"{school.name} (URN {school.urn}) already exists, unchanged.")
        return
    trust = f", in {'new trust' if trust_created else 'trust'} {school.trust.name}" if school.trust else ""
    click.echo(f"Created {school.name} (URN {school.urn}, {school.local_authority}){trust}. "
               f"Next: flask --app server create-user --school-urn {school.urn} --role ap_leader ...")


def _error_text(error):
    """An error as one readable line, with its catalog code for scripts and tests."""
    if isinstance(error, ValidationError):
        error = ApiError("validation_failed", details=error.normalized_messages())
    details = "; ".join(f"{field}: {' '.join(problem) if isinstance(problem, list) else problem}"
                        for field, problem in details_of(error).items())
    return f"{message_of(error)} [{error.code}] {details}".strip()


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--school-urn", required=True, help="The URN of the school the roles are in.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.password_option(help="At least 12 characters; prompted for when not given.")
def create_user_command(email, full_name, school_urn, roles, password):
    """Create a staff account with one or more roles in one school."""
    from server.services.accounts import create_user, normalise_email
    school = db.session.execute(sa.select(School).where(School.urn == school_urn)).scalar_one_or_none()
    if school is None:
        raise click.ClickException(f"No school has URN {school_urn}.")
    if db.session.execute(sa.select(User.id).where(User.email == normalise_email(email))).first():
        raise click.ClickException(f"An account for {email} already exists.")
    try:
        user = create_user(email, full_name, password, [(school, role) for role in roles])
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    from server.services import audit
    db.session.flush()
    audit.record("user.created", user, school_id=school.id, roles=list(roles), via="cli")
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(roles)}) at {school.name}.")


@click.command("due")
@click.option("--school", "urn", required=True, help="The school's URN.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to look from (default: today in England).")
@click.option("--json", "as_json", is_flag=True, help="A JSON list in the shape docs/rollup.md documents.")
def due_command(urn, as_of, as_json):
    """Everything the to-do and the placement records show as due or overdue on a day, however
    far ahead: what falls due over a holiday, say."""
    from server.dates import school_today
    from server.services.due_report import due_rows
    school = db.session.execute(sa.select(School).where(School.urn == urn)).scalar_one_or_none()
    if school is None:
        raise click.ClickException(f"No school has URN {urn}.")
    day = as_of.date() if as_of else school_today()
    rows = due_rows(school.id, day)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    overdue = sum(1 for row in rows if row["overdue"])
    click.echo(f"{school.name} (URN {school.urn}) on {day.isoformat()}: {len(rows)} due, {overdue} overdue.")
    if rows:
        click.echo(f"{'due':10}  {'':7}  {'§':10}  {'kind':17}  what")
    for row in rows:
        click.echo(f"{row['due_date']:10}  {'OVERDUE' if row['overdue'] else '':7}  {row['policy_section']:10}  "
                   f"{row['kind']:17}  {row['subject']}: {row['label']}")


@click.command("synthesize")
@click.option("--schools", type=click.IntRange(1), required=True)
@click.option("--placements-per-school", type=click.FloatRange(0), required=True,
              help="May be fractional: 14.3 gives schools 14 or 15 so the total comes out exact.")
@click.option("--visits-per-placement", type=click.IntRange(0), required=True)
@click.option("--photos", is_flag=True, help="Store a small photo for the form items that ask for one.")
@click.option("--seed", type=int, default=2026, show_default=True, help="The same seed makes the same data.")
def synthesize_command(schools, placements_per_school, visits_per_placement, photos, seed):
    """Add synthetic schools, staff, pupils, placements and visits, for load tests and benchmarks.
    Every account's password is printed at the end; never run this on a live database."""
    from server.services.photo_store import get_photo_store
    from server.dev.synthetic import PASSWORD, Size, synthesize
    started = time.monotonic()
    counts = synthesize(Size(schools, placements_per_school, visits_per_placement, photos),
                        seed=seed, photo_store=get_photo_store() if photos else None, progress=click.echo)
    db.session.commit()
    for table, rows in counts.items():
        click.echo(f"{table:24} {rows:>10}")
    click.echo(f"Done in {time.monotonic() - started:.1f} s. Synthetic accounts' password: {PASSWORD}")


@click.command("backup")
@click.argument("target", type=click.Path())
def backup_command(target):
    """Back up the database and every photo to TARGET: a new folder, or a .tar / .tar.gz file.
    Photo files missing from the store are named and the exit status is 1, though the backup of
    everything else is written: whatever runs it (cron) must hear that it is not whole."""
    from server.services.backup import BackupError, create_backup
    from server.services.photo_store import get_photo_store
    try:
        manifest = create_backup(target, get_photo_store())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    _record_backup_event("backup.created", target, manifest)
    db.session.commit()
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    click.echo(f"Backed up {rows} rows in {len(manifest['tables'])} tables and {len(manifest['photos'])} "
               f"photo files to {target}.")
    missing = manifest["missing_photos"]
    if missing:
        click.echo(f"Warning: {_photo_files(len(missing))} missing from the photo store, so not in this backup "
                   "(the records that name them are):", err=True)
        for key in missing:
            click.echo(f"  {key}", err=True)
        click.get_current_context().exit(1)


@click.command("restore")
@click.argument("source", type=click.Path(exists=True))
def restore_command(source):
    """Restore a backup (folder or archive) into this empty, migrated database and photo store."""
    from server.services.backup import BackupError, restore_backup
    from server.services.photo_store import get_photo_store
    try:
        manifest = restore_backup(source, get_photo_store())
    except BackupError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    _record_backup_event("backup.restored", source, manifest)
    db.session.commit()
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    click.echo(f"Restored {rows} rows and {len(manifest['photos'])} photo files from {source}.")
    missing = manifest.get("missing_photos", [])   # absent from backups made before it was recorded
    if missing:
        click.echo(f"Note: {_photo_files(len(missing))} {'was' if len(missing) == 1 else 'were'} missing when "
                   "this backup was made, so not restored:", err=True)
        for key in missing:
            click.echo(f"  {key}", err=True)


@click.command("reset-mfa")
@click.argument("email")
@click.option("--reason", required=True, help="Who asked, and how you checked it was really them (kept in the audit log).")
def reset_mfa_command(email, reason):
    """Clear EMAIL's second factor (authenticator app, passkeys, recovery codes) and end every
    session they have, when no second senior person in their school can (a trust lead, a sole
    headteacher). Logged as done by the operator. They add a new factor at their next sign-in."""
    import getpass
    from server.services.refusal import Refused
    from server.services.sign_in_settings import operator_reset
    user = db.session.execute(sa.select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No account has the email {email}. Nothing was changed.")
    try:
        removed = operator_reset(user, reason, operator=getpass.getuser())
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    db.session.commit()
    parts = (["an authenticator app"] if removed["authenticator_app"] else []) + (
        [f"{removed['passkeys']} passkey{'' if removed['passkeys'] == 1 else 's'}"] if removed["passkeys"] else [])
    click.echo(f"Two-step sign-in reset for {user.full_name} <{user.email}>: removed "
               f"{' and '.join(parts) or 'no second factor (there was none)'} and "
               f"{removed['recovery_codes']} unused recovery code{'' if removed['recovery_codes'] == 1 else 's'}; "
               "every session they had has ended. Logged in the audit log as done by the operator. "
               "They add a new second factor when they next sign in.")


@click.command("rotate-mfa-key")
def rotate_mfa_key_command():
    """Seal every stored authenticator-app secret with MFA_ENCRYPTION_KEY, after moving the old
    key to MFA_ENCRYPTION_OLD_KEYS (docs/security.md, "Keys"). Then the old key can go."""
    from server.services.sealed_secrets import SealError, reseal
    rows = db.session.execute(sa.select(User).where(User.totp_secret.is_not(None))).scalars().all()
    try:
        for user in rows:
            user.totp_secret = reseal(user.totp_secret)
    except SealError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Sealed {len(rows)} authenticator-app secret{'' if len(rows) == 1 else 's'} with the current "
               "MFA_ENCRYPTION_KEY. MFA_ENCRYPTION_OLD_KEYS may now be emptied.")


def _photo_files(count):
    return f"{count} photo file{'' if count == 1 else 's'}"


def _record_backup_event(action, path, manifest):
    """A backup reads, and a restore writes, every safeguarding record: both go in the audit log.
    There is no model row to name, so the event names the backup by when it was made."""
    from server.models import AuditEvent
    db.session.add(AuditEvent(action=action, object_type="backup", object_id=manifest["created_at"][:64],
                              details={"path": str(path), "database": manifest["database"],
                                       "rows": {name: entry["rows"] for name, entry in manifest["tables"].items()},
                                       "photos": len(manifest["photos"]),
                                       "missing_photos": manifest.get("missing_photos", [])}))
