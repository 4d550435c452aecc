"""Visits captured on phones, their append-only versions, photos, follow-up actions and
safeguarding concerns. A visit's public id is the UUID the phone made when the draft began."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, JSONDocument, UTCDateTime, check_in, new_uuid, utcnow
from server.models.tracking import Tracked
from server.vocabulary import REVIEW_STATUSES, VISIT_KINDS, VISIT_MODES


class Visit(Tracked, Base):
    __tablename__ = "visit"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", VISIT_KINDS), name="kind_known"),
        sa.CheckConstraint(check_in("review_status", REVIEW_STATUSES), name="review_status_known"),
        sa.CheckConstraint("current_version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "(kind = 'provider_check' AND provider_id IS NOT NULL) OR placement_id IS NOT NULL",
            name="about_a_placement_or_provider"),
        sa.Index("ix_visit_school_review", "school_id", "review_status"),
        sa.Index("ix_visit_placement_date", "placement_id", "visit_date"),
        # The phone's change cursor and its list of its author's recent visits.
        sa.Index("ix_visit_author_change", "author_id", "change_seq"),
        sa.Index("ix_visit_author_received", "author_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement.id"))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False, index=True)
    visit_date: Mapped[object] = mapped_column(sa.Date, nullable=False)
    current_version: Mapped[int] = mapped_column(nullable=False, default=1)
    received_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Complete once every photo in the current version's manifest is stored with its hash.
    complete: Mapped[bool] = mapped_column(nullable=False, default=False)
    completed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    review_status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="awaiting_review")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(sa.Text)

    versions: Mapped[list["VisitVersion"]] = relationship(
        back_populates="visit", order_by="VisitVersion.version", cascade="all, delete-orphan")
    photos: Mapped[list["Photo"]] = relationship(back_populates="visit", order_by="Photo.id")
    author: Mapped["User"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821
    placement: Mapped["Placement | None"] = relationship()  # noqa: F821
    provider: Mapped["Provider | None"] = relationship()  # noqa: F821


class VisitVersion(Base):
    """What was recorded, exactly as sent. Never updated: a correction is a new version that
    names the one it replaces."""

    __tablename__ = "visit_version"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(check_in("mode", VISIT_MODES), name="mode_known"),
        sa.CheckConstraint("(version = 1) = (replaces_id IS NULL)", name="revisions_name_what_they_replace"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(nullable=False)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visit_version.id"), unique=True)
    form_id: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    form_version: Mapped[int] = mapped_column(nullable=False)
    mode: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    visit_date: Mapped[object] = mapped_column(sa.Date, nullable=False)
    answers: Mapped[dict] = mapped_column(JSONDocument, nullable=False)
    photo_manifest: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    device_started_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False)
    device_completed_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False)
    received_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # SHA-256 of the canonical JSON of what was sent: an identical resend has the same hash.
    content_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)

    visit: Mapped[Visit] = relationship(back_populates="versions")
    author: Mapped["User"] = relationship()  # noqa: F821


class Photo(Tracked, Base):
    """A photo declared in a visit's manifest. `stored_at` is set once its bytes arrived with
    the declared SHA-256 and were re-encoded."""

    __tablename__ = "photo"
    __table_args__ = (
        sa.CheckConstraint("media_type IN ('image/jpeg', 'image/png', 'image/webp')", name="media_type_allowed"),
        sa.CheckConstraint("declared_size > 0", name="size_positive"),
        sa.CheckConstraint("length(declared_sha256) = 64", name="sha256_is_hex64"),
        sa.CheckConstraint("stored_at IS NULL OR storage_key IS NOT NULL", name="stored_has_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id"), nullable=False, index=True)
    item_key: Mapped[str | None] = mapped_column(sa.String(80))  # the form item it evidences
    caption: Mapped[str | None] = mapped_column(sa.String(500))
    declared_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    declared_size: Mapped[int] = mapped_column(nullable=False)
    media_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    stored_at: Mapped[object | None] = mapped_column(UTCDateTime)
    storage_key: Mapped[str | None] = mapped_column(sa.String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(sa.String(200))
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    stored_bytes: Mapped[int | None] = mapped_column()

    visit: Mapped[Visit] = relationship(back_populates="photos")


class PhotoUploadPart(Base):
    """Bytes of a photo upload that has not yet arrived whole, kept as they came (docs/sync-protocol.md
    §2): the parts of one photo are contiguous from byte 0, so what the server confirms is their
    total length. They live in the database, not on one server's disk, so a phone resumes on any
    server behind the load balancer, and a part is kept exactly when its transaction commits (a
    server killed mid-write keeps what it confirmed and nothing else). Deleted when the photo is
    stored or refused, when its author starts more uploads than the staging allowance holds, and
    when abandoned (`remove_abandoned_parts`)."""

    __tablename__ = "photo_upload_part"
    __table_args__ = (
        sa.CheckConstraint("start >= 0", name="start_not_negative"),
        sa.CheckConstraint("length > 0", name="length_positive"),
    )

    photo_id: Mapped[int] = mapped_column(sa.ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    length: Mapped[int] = mapped_column(nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False, index=True)
    received_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)


class FollowUpAction(Tracked, Base):
    """What must happen next, who owns it and by when (§8.6)."""

    __tablename__ = "follow_up_action"
    __table_args__ = (
        sa.CheckConstraint("placement_id IS NOT NULL OR provider_id IS NOT NULL", name="about_a_placement_or_provider"),
        sa.CheckConstraint("(done_at IS NULL) = (done_by_id IS NULL)", name="done_has_who"),
        sa.Index("ix_follow_up_action_school_open", "school_id", "done_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False)
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visit.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    owner_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    due_on: Mapped[object] = mapped_column(sa.Date, nullable=False)
    done_at: Mapped[object | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    done_note: Mapped[str | None] = mapped_column(sa.Text)

    placement: Mapped["Placement | None"] = relationship()  # noqa: F821
    visit: Mapped[Visit | None] = relationship()


class SafeguardingConcern(Tracked, Base):
    """A concern raised on a visit. Its text is never edited: corrections are new notes.
    It stays in the DSL's queue until the DSL records what was done."""

    __tablename__ = "safeguarding_concern"
    __table_args__ = (
        sa.CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closed_has_who"),
        sa.CheckConstraint("closed_at IS NULL OR outcome IS NOT NULL", name="closed_has_outcome"),
        sa.Index("ix_safeguarding_concern_school_open", "school_id", "closed_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), nullable=False)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id"), nullable=False, index=True)
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement.id"), index=True)
    pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pupil.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    raised_at_device: Mapped[object] = mapped_column(UTCDateTime, nullable=False)
    received_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    immediate_action: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(sa.Text)

    visit: Mapped[Visit] = relationship()
    placement: Mapped["Placement | None"] = relationship()  # noqa: F821
    pupil: Mapped["Pupil | None"] = relationship()  # noqa: F821
    raised_by: Mapped["User"] = relationship(foreign_keys=[raised_by_id])  # noqa: F821
    # In the order things happened: reopening adds the earlier closing as an entry with its own time.
    notes: Mapped[list["ConcernNote"]] = relationship(back_populates="concern",
                                                      order_by="(ConcernNote.created_at, ConcernNote.id)")


class ConcernNote(Base):
    """An append-only entry on a concern: a correction, the DSL's action, a note, or a change of
    state (closed with an outcome, reopened with a reason)."""

    __tablename__ = "concern_note"
    __table_args__ = (sa.CheckConstraint("kind IN ('correction', 'dsl_action', 'note', 'closed', 'reopened')",
                                         name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    concern_id: Mapped[int] = mapped_column(sa.ForeignKey("safeguarding_concern.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    concern: Mapped[SafeguardingConcern] = relationship(back_populates="notes")
    author: Mapped["User"] = relationship()  # noqa: F821
