"""The server change cursor.

Every row a phone may hold carries `change_seq`, a number taken in the transaction that changed
it. A phone's cursor is the highest such number in its snapshot, so the one guarantee that
matters is: once a phone holds cursor N, no change numbered N or below can still appear.

- PostgreSQL: the numbers come from the sequence `change_seq`, which never locks, so writers of
  different schools never queue on each other. A sequence hands numbers out in the order
  transactions take them, not the order they commit, so the reader settles the cursor
  (`settle_cursor` in services/bootstrap.py): it waits for the transactions that were in
  flight when it read the cursor. To make that wait cover every writer holding a number, a writer
  takes its transaction id before its number (`next_change_seq()` in SQL does both, in that
  order).
- SQLite: writes are serialised (a writing request begins with BEGIN IMMEDIATE), so the numbers
  come from the one row of `change_counter`, in commit order.
"""
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.models.base import Base, UTCDateTime, utcnow

CHANGE_SEQUENCE = sa.Sequence("change_seq", metadata=Base.metadata)
# The transaction's id first, then the number: a reader that sees the number committed, or sees a
# higher one, also sees this transaction among those in flight until it ends.
NEXT_CHANGE_SEQ_FUNCTION = (
    "CREATE OR REPLACE FUNCTION next_change_seq() RETURNS bigint LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM pg_current_xact_id(); RETURN nextval('change_seq'); END $$")


class ChangeCounter(Base):
    """SQLite's source of change numbers (PostgreSQL uses the sequence `change_seq`)."""
    __tablename__ = "change_counter"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


sa.event.listen(ChangeCounter.__table__, "after_create",
                sa.DDL(NEXT_CHANGE_SEQ_FUNCTION).execute_if(dialect="postgresql"))


class Tracked:
    """Mixin: creation and change times, and the change cursor value of the last change."""

    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0, index=True)


def next_change_seq(session):
    """A new change number for this transaction (`session`: a Session, the scoped session, or a
    Connection)."""
    bind = session.get_bind() if hasattr(session, "get_bind") else session
    if bind.dialect.name == "postgresql":
        return session.execute(sa.select(next_change_seq_sql())).scalar()
    table = ChangeCounter.__table__
    value = session.execute(
        sa.update(table).values(value=table.c.value + 1).returning(table.c.value)
    ).scalar()
    if value is None:
        session.execute(sa.insert(table).values(id=1, value=1))
        value = 1
    return value


def change_number_for_insert(session):
    """The value to give `change_seq` in a Core INSERT: on PostgreSQL the SQL that takes a number
    inside the INSERT itself (no round trip of its own; read it back with RETURNING), on SQLite
    a number from the counter row. `session`: a Session, the scoped session, or a Connection."""
    bind = session.get_bind() if hasattr(session, "get_bind") else session
    if bind.dialect.name == "postgresql":
        return next_change_seq_sql()
    return next_change_seq(session)


def next_change_seq_sql():
    """The SQL expression of a new change number on PostgreSQL, to use inside an INSERT."""
    return sa.func.next_change_seq(type_=sa.BigInteger)


def reserve_change_seqs(connection, count):
    """The first of `count` consecutive change numbers, for bulk writers that run alone."""
    if connection.dialect.name == "postgresql":
        return connection.execute(sa.text(
            "SELECT setval('change_seq', next_change_seq() + :count - 1) - :count + 1"), {"count": count}).scalar()
    table = ChangeCounter.__table__
    first = (connection.execute(sa.select(table.c.value).where(table.c.id == 1)).scalar() or 0) + 1
    if connection.execute(sa.update(table).where(table.c.id == 1).values(value=first + count - 1)).rowcount == 0:
        connection.execute(sa.insert(table).values(id=1, value=first + count - 1))
    return first


def move_change_seq_past_rows(connection):
    """After rows were restored with their change numbers, make the next number higher than all
    of them (PostgreSQL; SQLite's counter row is restored with the rows)."""
    if connection.dialect.name != "postgresql":
        return
    tracked = [table.name for table in Base.metadata.sorted_tables if "change_seq" in table.c]
    highest = " UNION ALL ".join(f'SELECT max(change_seq) AS seq FROM "{name}"' for name in tracked)
    connection.execute(sa.text(
        f"SELECT setval('change_seq', greatest((SELECT last_value FROM change_seq), "
        f"(SELECT coalesce(max(seq), 0) FROM ({highest}) AS rows), 1))"))


@event.listens_for(Session, "before_flush")
def _stamp_changes(session, flush_context, instances):
    changed = [obj for obj in list(session.new) + list(session.dirty)
               if isinstance(obj, Tracked) and (obj in session.new or session.is_modified(obj))]
    if not changed:
        return
    seq = next_change_seq(session)
    for obj in changed:
        obj.change_seq = seq
