"""Pupils and the flags that change who must be involved (§7.5, §7.6, §7.11)."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, new_uuid
from server.models.tracking import Tracked


class Pupil(Tracked, Base):
    __tablename__ = "pupil"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "mis_id"),
        sa.Index("ix_pupil_school_change", "school_id", "change_seq"),  # the phone's change cursor
        sa.CheckConstraint("year_group BETWEEN -1 AND 14", name="year_group_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)
    mis_id: Mapped[str | None] = mapped_column(sa.String(50))  # the school's MIS reference, for imports
    first_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    date_of_birth: Mapped[object] = mapped_column(sa.Date, nullable=False)
    year_group: Mapped[int] = mapped_column(nullable=False)
    ehcp: Mapped[bool] = mapped_column(nullable=False, default=False)
    looked_after: Mapped[bool] = mapped_column(nullable=False, default=False)
    has_social_worker: Mapped[bool] = mapped_column(nullable=False, default=False)
    send_support: Mapped[bool] = mapped_column(nullable=False, default=False)
    fsm_eligible: Mapped[bool] = mapped_column(nullable=False, default=False)
    social_worker_name: Mapped[str | None] = mapped_column(sa.String(200))
    social_worker_phone: Mapped[str | None] = mapped_column(sa.String(40))
    parent_contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    parent_contact_phone: Mapped[str | None] = mapped_column(sa.String(40))

    placements: Mapped[list["Placement"]] = relationship(back_populates="pupil")  # noqa: F821

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    school: Mapped["School"] = relationship()  # noqa: F821

    @property
    def school_uuid(self):
        return self.school.uuid
