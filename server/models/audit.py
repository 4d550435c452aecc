"""The append-only audit log: who read and who changed what, and when.

Rows are only ever inserted. The migration adds a database trigger on both SQLite and
PostgreSQL that refuses UPDATE and DELETE, so not even a bug in the app can rewrite history.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, JSONDocument, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_school_at", "school_id", "at"),
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"))
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)  # e.g. "concern.read", "visit.created"
    object_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    object_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    details: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))


# Refuse UPDATE and DELETE on the audit log in the database itself. The migration creates the
# same triggers; these make `create_all()` (tests) build them too.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]
for _statement in SQLITE_TRIGGERS:
    sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_TRIGGERS:
    sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
