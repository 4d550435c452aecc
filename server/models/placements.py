"""Placements: one pupil, one arrangement, with its commissioning agreement (§7.11), the
approvals the policy requires (§6, §9.5, §10.4), who visits it, and daily attendance (§4.5)."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, JSONDocument, UTCDateTime, check_in, new_uuid
from server.models.tracking import Tracked
from server.vocabulary import ATTENDANCE_CODES, NOTICE_GIVERS, PLACEMENT_KINDS, PLACEMENT_STATUSES, PROGRESS_METHODS

# A part-time timetable and flexi-schooling are the school's own arrangements; every other kind
# is alternative provision somewhere, so it names its provider.
KINDS_WITHOUT_PROVIDER = ("part_time_timetable", "flexi_schooling")


class Placement(Tracked, Base):
    __tablename__ = "placement"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", PLACEMENT_KINDS), name="kind_known"),
        sa.CheckConstraint(check_in("status", PLACEMENT_STATUSES), name="status_known"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint("cost_pence IS NULL OR cost_pence >= 0", name="cost_not_negative"),
        sa.CheckConstraint("qa_visit_every_weeks IS NULL OR qa_visit_every_weeks > 0", name="qa_frequency_positive"),
        sa.CheckConstraint("status != 'ended' OR end_date IS NOT NULL", name="ended_has_end_date"),
        sa.CheckConstraint(check_in("kind", KINDS_WITHOUT_PROVIDER) + " OR provider_id IS NOT NULL",
                           name="provider_required_for_ap"),
        sa.CheckConstraint("flexi_notice_by IS NULL OR " + check_in("flexi_notice_by", NOTICE_GIVERS),
                           name="flexi_notice_by_known"),
        sa.CheckConstraint("(flexi_notice_on IS NULL) = (flexi_notice_by IS NULL)", name="flexi_notice_says_who"),
        sa.Index("ix_placement_school_change", "school_id", "change_seq"),  # the phone's change cursor
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupil.id"), nullable=False, index=True)
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="planned")

    # The commissioning agreement (§7.11).
    start_date: Mapped[object] = mapped_column(sa.Date, nullable=False)
    planned_end_date: Mapped[object | None] = mapped_column(sa.Date)
    sessions: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)  # e.g. ["mon_am", "mon_pm"]
    aims: Mapped[str | None] = mapped_column(sa.Text)
    planned_outcomes: Mapped[str | None] = mapped_column(sa.Text)
    curriculum: Mapped[str | None] = mapped_column(sa.Text)
    qualifications: Mapped[str | None] = mapped_column(sa.Text)
    induction: Mapped[str | None] = mapped_column(sa.Text)
    pastoral_arrangements: Mapped[str | None] = mapped_column(sa.Text)
    attendance_arrangements: Mapped[str | None] = mapped_column(sa.Text)
    safeguarding_arrangements: Mapped[str | None] = mapped_column(sa.Text)
    free_school_meals: Mapped[str | None] = mapped_column(sa.Text)
    exam_arrangements: Mapped[str | None] = mapped_column(sa.Text)
    communication: Mapped[str | None] = mapped_column(sa.Text)
    cost_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    cost_basis: Mapped[str | None] = mapped_column(sa.String(200))  # "per day", "per term", ...
    review_arrangements: Mapped[str | None] = mapped_column(sa.Text)  # how often and with whom
    qa_visit_every_weeks: Mapped[int | None] = mapped_column()
    la_informed_on: Mapped[object | None] = mapped_column(sa.Date)

    # Approvals the policy requires before a placement becomes active.
    governors_approved_on: Mapped[object | None] = mapped_column(sa.Date)       # off-site direction, §6
    parents_told_in_writing_on: Mapped[object | None] = mapped_column(sa.Date)  # off-site direction, §6
    direction_review_on: Mapped[object | None] = mapped_column(sa.Date)         # off-site direction is time-limited
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))  # part-time: head or AP leader, §9.5
    approved_on: Mapped[object | None] = mapped_column(sa.Date)
    parent_agreed_on: Mapped[object | None] = mapped_column(sa.Date)            # part-time, §9.5
    head_decision_in_writing_on: Mapped[object | None] = mapped_column(sa.Date)  # flexi-schooling, §10.4
    # Statutory partners consulted before the start (services/partners.py): who, and when.
    local_authority_consulted_name: Mapped[str | None] = mapped_column(sa.String(200))   # EHCP, §7.5
    local_authority_consulted_on: Mapped[object | None] = mapped_column(sa.Date)
    virtual_school_consulted_name: Mapped[str | None] = mapped_column(sa.String(200))    # looked after, §7.6
    virtual_school_consulted_on: Mapped[object | None] = mapped_column(sa.Date)
    social_worker_consulted_name: Mapped[str | None] = mapped_column(sa.String(200))     # §7.6, §8.8
    social_worker_consulted_on: Mapped[object | None] = mapped_column(sa.Date)
    # Before the start (services/before_start.py): the pupil's needs analysis and individual risk
    # assessment (§4.3), what the provider was told about the pupil (§7.10), the parents' views on
    # the choice of provider (§7.4). Who (a name, as written), when, and what.
    needs_analysis_by: Mapped[str | None] = mapped_column(sa.String(200))
    needs_analysis_on: Mapped[object | None] = mapped_column(sa.Date)
    needs_analysis: Mapped[str | None] = mapped_column(sa.Text)
    pupil_risk_assessed_by: Mapped[str | None] = mapped_column(sa.String(200))
    pupil_risk_assessed_on: Mapped[object | None] = mapped_column(sa.Date)
    pupil_risks: Mapped[str | None] = mapped_column(sa.Text)
    pupil_risk_mitigations: Mapped[str | None] = mapped_column(sa.Text)
    pupil_risk_reviewed_on: Mapped[object | None] = mapped_column(sa.Date)   # reviewed at every formal review
    information_shared: Mapped[str | None] = mapped_column(sa.Text)
    information_shared_on: Mapped[object | None] = mapped_column(sa.Date)
    information_shared_by: Mapped[str | None] = mapped_column(sa.String(200))
    information_shared_with: Mapped[str | None] = mapped_column(sa.String(200))
    parents_consulted_name: Mapped[str | None] = mapped_column(sa.String(200))
    parents_consulted_on: Mapped[object | None] = mapped_column(sa.Date)
    parents_view: Mapped[str | None] = mapped_column(sa.Text)
    # Part-time timetable, §9.4: why, and the approver's own word that it is not a behaviour sanction.
    part_time_reason: Mapped[str | None] = mapped_column(sa.Text)
    not_a_sanction_affirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    not_a_sanction_affirmed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # Flexi-schooling (services/flexi.py): the parents' written request and who has the child on
    # home days (§10.5); a notice of withdrawal and the end it sets (§10.6).
    flexi_request_received_on: Mapped[object | None] = mapped_column(sa.Date)
    flexi_home_educator: Mapped[str | None] = mapped_column(sa.String(500))
    flexi_home_welfare: Mapped[str | None] = mapped_column(sa.String(500))
    flexi_notice_by: Mapped[str | None] = mapped_column(sa.String(20))
    flexi_notice_on: Mapped[object | None] = mapped_column(sa.Date)
    flexi_notice_earlier_end_agreed: Mapped[str | None] = mapped_column(sa.Text)
    flexi_notice_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    flexi_notice_recorded_at: Mapped[object | None] = mapped_column(UTCDateTime)

    # How it ended (§8.7).
    end_date: Mapped[object | None] = mapped_column(sa.Date)
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    destination: Mapped[str | None] = mapped_column(sa.String(200))
    pupil_assessment: Mapped[str | None] = mapped_column(sa.Text)

    pupil: Mapped["Pupil"] = relationship(back_populates="placements")  # noqa: F821
    provider: Mapped["Provider | None"] = relationship()  # noqa: F821
    staff: Mapped[list["PlacementStaff"]] = relationship(back_populates="placement", cascade="all, delete-orphan")


    school: Mapped["School"] = relationship()  # noqa: F821
    not_a_sanction_affirmed_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[not_a_sanction_affirmed_by_id])
    flexi_notice_recorded_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[flexi_notice_recorded_by_id])

    @property
    def school_uuid(self):
        return self.school.uuid

class ParentProgressReport(Base):
    """Progress information sent to a placed pupil's parents or carers (§4.3): when, how and by
    whom, recorded from the office. One row per placement, day and way of sending, so recording
    the same report twice keeps one."""

    __tablename__ = "parent_progress_report"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "sent_on", "method", name="uq_parent_progress_once"),
        sa.CheckConstraint(check_in("method", PROGRESS_METHODS), name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"), nullable=False, index=True)
    sent_on: Mapped[object] = mapped_column(sa.Date, nullable=False)
    method: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    sent_by_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    recorded_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False)

    recorded_by: Mapped["User"] = relationship()  # noqa: F821


class PlacementStaff(Tracked, Base):
    """Visiting staff assigned to a placement: what their phone downloads."""

    __tablename__ = "placement_staff"
    __table_args__ = (sa.UniqueConstraint("placement_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)

    placement: Mapped[Placement] = relationship(back_populates="staff")
    user: Mapped["User"] = relationship()  # noqa: F821


class AttendanceRecord(Tracked, Base):
    """One session's attendance at a placement, confirmed with the provider."""

    __tablename__ = "attendance_record"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "on_date", "session"),
        sa.CheckConstraint("session IN ('am', 'pm')", name="session_am_or_pm"),
        sa.CheckConstraint(check_in("code", ATTENDANCE_CODES), name="code_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"), nullable=False, index=True)
    on_date: Mapped[object] = mapped_column(sa.Date, nullable=False)
    session: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    confirmed_with_provider: Mapped[bool] = mapped_column(nullable=False, default=False)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    recorded_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False)
