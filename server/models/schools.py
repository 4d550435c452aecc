"""Trusts, schools, their term dates and INSET days, and the key contacts phones must show."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, check_in, new_uuid
from server.models.tracking import Tracked
from server.vocabulary import CONTACT_ROLES, TERMS


class Trust(Tracked, Base):
    __tablename__ = "trust"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)

    schools: Mapped[list["School"]] = relationship(back_populates="trust", order_by="School.name")


class School(Tracked, Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    trust_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trust.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    urn: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    local_authority: Mapped[str | None] = mapped_column(sa.String(200))
    la_notifications_email: Mapped[str | None] = mapped_column(sa.String(254))

    trust: Mapped[Trust | None] = relationship(back_populates="schools")
    term_periods: Mapped[list["TermPeriod"]] = relationship(
        back_populates="school", order_by="TermPeriod.starts_on", cascade="all, delete-orphan")
    key_contacts: Mapped[list["KeyContact"]] = relationship(
        back_populates="school", order_by="KeyContact.role", cascade="all, delete-orphan")
    inset_days: Mapped[list["InsetDay"]] = relationship(
        back_populates="school", order_by="InsetDay.on_date", cascade="all, delete-orphan")


class TermPeriod(Tracked, Base):
    """One half term: the teaching days between two holidays. Two halves make a term."""

    __tablename__ = "term_period"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "academic_year", "term", "half"),
        sa.Index("ix_term_period_school_change", "school_id", "change_seq"),  # the phone's change cursor
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("half IN (1, 2)", name="half_is_1_or_2"),
        sa.CheckConstraint(check_in("term", TERMS), name="term_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False, index=True)
    academic_year: Mapped[int] = mapped_column(nullable=False)  # 2026 means 2026/27
    term: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    half: Mapped[int] = mapped_column(nullable=False)
    starts_on: Mapped[object] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[object] = mapped_column(sa.Date, nullable=False)

    school: Mapped[School] = relationship(back_populates="term_periods")

    @property
    def label(self):
        return f"{self.term.title()} {self.half} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"


class InsetDay(Tracked, Base):
    """A training day the school closes to pupils: inside a half term, but not a school day."""

    __tablename__ = "inset_day"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "on_date"),
        sa.Index("ix_inset_day_school_change", "school_id", "change_seq"),  # the phone's change cursor
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False, index=True)
    on_date: Mapped[object] = mapped_column(sa.Date, nullable=False)

    school: Mapped[School] = relationship(back_populates="inset_days")


class KeyContact(Tracked, Base):
    """Who a phone must be able to call, offline too: the DSL first."""

    __tablename__ = "key_contact"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "role"),
        sa.Index("ix_key_contact_school_change", "school_id", "change_seq"),  # the phone's change cursor
        sa.CheckConstraint(check_in("role", CONTACT_ROLES), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    phone: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))

    school: Mapped[School] = relationship(back_populates="key_contacts")
