"""The server change cursor.

Every row a phone may hold carries `change_seq`, taken from one counter row in the same
transaction. On PostgreSQL the counter's row lock orders those transactions, so a phone that
pulled up to N never misses a change committed later with a number below N.
"""
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.models.base import Base, UTCDateTime, utcnow


class ChangeCounter(Base):
    __tablename__ = "change_counter"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


class Tracked:
    """Mixin: creation and change times, and the change cursor value of the last change."""

    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0, index=True)


def next_change_seq(session):
    table = ChangeCounter.__table__
    value = session.execute(
        sa.update(table).values(value=table.c.value + 1).returning(table.c.value)
    ).scalar()
    if value is None:
        session.execute(sa.insert(table).values(id=1, value=1))
        value = 1
    return value


@event.listens_for(Session, "before_flush")
def _stamp_changes(session, flush_context, instances):
    changed = [obj for obj in list(session.new) + list(session.dirty)
               if isinstance(obj, Tracked) and (obj in session.new or session.is_modified(obj))]
    if not changed:
        return
    seq = next_change_seq(session)
    for obj in changed:
        obj.change_seq = seq
