"""Reading a row again under a row lock before deciding on it, so two people deciding the same
thing at once (marking an action done, closing a concern, reviewing a visit) queue, and the
second sees the first's decision instead of making it again. On PostgreSQL this is SELECT ...
FOR UPDATE; SQLite's write requests hold the database's write lock from the start already
(server/database.py)."""
import sqlalchemy as sa

from server.extensions import db


def locked(row):
    """`row` read again under a row lock, with what the database holds now."""
    model = type(row)
    return db.session.execute(
        sa.select(model).where(model.id == row.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
