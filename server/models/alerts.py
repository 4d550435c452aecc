"""The alert outbox: one row per message owed to one person, written in the same transaction as
the event that causes it (a concern raised, a visit sent back), so the event never commits
without its alert. The worker (server/alerts/worker.py) claims rows, sends them and marks them.

A row holds what the message says, fixed when the event happens, so a retry sends the same
words under the same Message-ID. The words never name a pupil nor quote a record.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, check_in, new_uuid, utcnow

ALERT_KINDS = ("concern_raised", "concern_escalated", "visit_sent_back", "action_assigned", "morning_digest")
# pending: waiting for a worker (or its next attempt); sending: claimed by a worker until
# claimed_until (a worker that dies leaves it to be claimed again); sent; failed: retries spent.
ALERT_STATUSES = ("pending", "sending", "sent", "failed")


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        # One alert per event per person: a visit synced twice raises its concern's alert once.
        sa.UniqueConstraint("kind", "subject_id", "recipient_id", name="uq_alert_once_per_person"),
        sa.CheckConstraint(check_in("kind", ALERT_KINDS), name="kind_known"),
        sa.CheckConstraint(check_in("status", ALERT_STATUSES), name="status_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_alert_due", "status", "next_attempt_at"),
        sa.Index("ix_alert_school_status", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    # The event's own id: a concern's or visit's UUID, or "digest:<school>:<date>".
    subject_id: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    next_attempt_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_until: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))

    recipient: Mapped["User"] = relationship()  # noqa: F821

    def message_id(self, domain):
        """Stable for the row: a resend after a crash is recognisably the same message."""
        return f"<alert-{self.uuid}@{domain}>"


class AlertChoice(Base):
    """One person's choice to receive, or not, one kind of alert, over the default their role
    gives (server/services/alerts.py). Concern alerts to the DSL cannot be turned off,
    whatever this table holds."""

    __tablename__ = "alert_choice"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", name="uq_alert_choice_user_kind"),
        sa.CheckConstraint(check_in("kind", ALERT_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    wanted: Mapped[bool] = mapped_column(nullable=False)
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
