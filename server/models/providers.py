"""Alternative-provision settings, their published reports, the evidence that expires, the
risk assessment a pre-placement check produces (§7.2, §7.8, §7.9), and the scanned files a
school brings in from paper to back them."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, check_in, new_uuid, utcnow
from server.models.tracking import Tracked
from server.vocabulary import EVIDENCE_KINDS, REGISTRATION_STATUSES, RISK_RATINGS

# The only kinds of file kept as evidence (server/services/evidence_files.py checks the bytes).
EVIDENCE_FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")


class Provider(Tracked, Base):
    __tablename__ = "provider"
    __table_args__ = (
        sa.CheckConstraint(check_in("registration_status", REGISTRATION_STATUSES), name="registration_status_known"),
        sa.CheckConstraint("full_time_pupils >= 0", name="full_time_pupils_not_negative"),
        sa.UniqueConstraint("school_id", "name"),
        sa.Index("ix_provider_school_change", "school_id", "change_seq"),  # the phone's change cursor
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    registration_status: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    urn: Mapped[str | None] = mapped_column(sa.String(20))
    on_la_approved_list: Mapped[bool] = mapped_column(nullable=False, default=False)
    # §7.2: registration is required when a provider teaches 5+ pupils full time (from any school).
    full_time_pupils: Mapped[int] = mapped_column(nullable=False, default=0)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.Text)
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    reports: Mapped[list["ProviderReport"]] = relationship(
        back_populates="provider", order_by="ProviderReport.report_date.desc()", cascade="all, delete-orphan")
    evidence: Mapped[list["ProviderEvidence"]] = relationship(
        back_populates="provider", order_by="ProviderEvidence.expires_on", cascade="all, delete-orphan")
    risk_assessments: Mapped[list["RiskAssessment"]] = relationship(
        back_populates="provider", order_by="RiskAssessment.assessed_on.desc()")


    school: Mapped["School"] = relationship()  # noqa: F821

    @property
    def school_uuid(self):
        return self.school.uuid

class ProviderReport(Tracked, Base):
    """A published inspection report: Ofsted or the local authority."""

    __tablename__ = "provider_report"
    __table_args__ = (sa.CheckConstraint("source IN ('ofsted', 'local_authority', 'other')", name="source_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    report_date: Mapped[object] = mapped_column(sa.Date, nullable=False)
    judgement: Mapped[str | None] = mapped_column(sa.String(100))
    url: Mapped[str | None] = mapped_column(sa.String(500))

    provider: Mapped[Provider] = relationship(back_populates="reports")


class ProviderEvidence(Tracked, Base):
    """A document the provider supplied that stops being valid: insurance, staff-check letters, policies."""

    __tablename__ = "provider_evidence"
    __table_args__ = (sa.CheckConstraint(check_in("kind", EVIDENCE_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.String(300))
    received_on: Mapped[object | None] = mapped_column(sa.Date)
    expires_on: Mapped[object | None] = mapped_column(sa.Date, index=True)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_file.id"), index=True)

    provider: Mapped[Provider] = relationship(back_populates="evidence")
    file: Mapped["EvidenceFile | None"] = relationship()

    @property
    def file_uuid(self):
        return self.file.uuid if self.file is not None else None


class RiskAssessment(Tracked, Base):
    """The result of a pre-placement check; valid for 12 months or until a material change (§7.9)."""

    __tablename__ = "risk_assessment"
    __table_args__ = (
        sa.CheckConstraint(check_in("rating", RISK_RATINGS), name="rating_known"),
        sa.CheckConstraint("valid_until > assessed_on", name="valid_after_assessment"),
        # An approval says who, when and what; it only lifts findings that gate the start.
        sa.CheckConstraint("mitigations_approved_at IS NULL OR (mitigations IS NOT NULL AND gate_findings IS NOT NULL"
                           " AND mitigations_approved_by_id IS NOT NULL)", name="mitigations_approved_in_full"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"), nullable=False, index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visit.id"), index=True)
    rating: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    weaknesses: Mapped[str | None] = mapped_column(sa.Text)
    assessed_on: Mapped[object] = mapped_column(sa.Date, nullable=False)
    valid_until: Mapped[object] = mapped_column(sa.Date, nullable=False)
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    signed_off_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # A material change (new site, staff, ownership, an incident) asks for a fresh review.
    review_requested_at: Mapped[object | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set for a check done before the school used this product (recorded from its paper):
    # who carried it out, and the scan of it. A phone check's assessor is its visit's author.
    assessed_by: Mapped[str | None] = mapped_column(sa.String(200))
    evidence_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_file.id"), index=True)
    # §7.8 (server/services/start_gates.py): findings that gate the start ("rated high risk;
    # safeguarding policy missing"), lifted only by mitigations the headteacher approves...
    gate_findings: Mapped[str | None] = mapped_column(sa.Text)
    mitigations: Mapped[str | None] = mapped_column(sa.Text)
    mitigations_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    mitigations_approved_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # ...and why the check cannot count at all (a phone check of a provider with premises).
    not_valid_reason: Mapped[str | None] = mapped_column(sa.Text)

    provider: Mapped[Provider] = relationship(back_populates="risk_assessments")
    signed_off_by: Mapped["User | None"] = relationship(foreign_keys=[signed_off_by_id])  # noqa: F821
    mitigations_approved_by: Mapped["User | None"] = relationship(foreign_keys=[mitigations_approved_by_id])  # noqa: F821
    evidence_file: Mapped["EvidenceFile | None"] = relationship()


class EvidenceFile(Base):
    """A scanned document or photo of paper evidence, held in the photo store under `storage_key`.
    Never changed or removed once stored: a newer document is a new file."""

    __tablename__ = "evidence_file"
    __table_args__ = (
        sa.CheckConstraint(check_in("content_type", EVIDENCE_FILE_TYPES), name="content_type_allowed"),
        sa.CheckConstraint("byte_size > 0", name="size_positive"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_is_hex64"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"), nullable=False, index=True)
    content_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    byte_size: Mapped[int] = mapped_column(nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    original_name: Mapped[str | None] = mapped_column(sa.String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    provider: Mapped[Provider] = relationship()
