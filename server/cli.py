"""Command-line tasks: `flask --app server seed-demo`, `create-user`."""
import click
import sqlalchemy as sa

from server.extensions import db
from server.models import School, User
from server.vocabulary import ROLES


def init_app(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has schools.")
def seed_demo_command(if_empty):
    """Build a fictional trust: two schools, term dates, providers, pupils, placements, staff."""
    from server.demo import seed_demo
    if if_empty and db.session.execute(sa.select(School.id).limit(1)).first():
        click.echo("Database already has schools; demo data not added.")
        return
    seed_demo()
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
