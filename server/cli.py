"""Command-line tasks: `flask --app server seed-demo`, `create-user`, `synthesize`, `backup`,
`restore`."""
import time

import click
import sqlalchemy as sa

from server.extensions import db
from server.models import School, User
from server.vocabulary import ROLES


def init_app(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(synthesize_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has schools.")
def seed_demo_command(if_empty):
    """Build a fictional trust: two schools, term dates, providers, pupils, placements, staff."""
    from server.demo import seed_demo
    if if_empty and db.session.execute(sa.select(School.id).limit(1)).first():
        click.echo("Database already has schools; demo data not added.")
        return
    seed_demo(with_history=True)
    db.session.commit()
    click.echo("Demo data added. Accounts are listed in the README; password: " + _demo_password())


def _demo_password():
    from server.demo import DEMO_PASSWORD
    return DEMO_PASSWORD


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
    from server.services.synthetic import PASSWORD, Size, synthesize
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
