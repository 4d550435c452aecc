"""Staff accounts, their roles in each school, and their signed-in sessions."""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, check_in, new_uuid, utcnow
from server.models.tracking import Tracked
from server.vocabulary import ROLES


class User(Tracked, Base):
    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    active: Mapped[bool] = mapped_column(nullable=False, default=True)
    deactivated_at: Mapped[object | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(nullable=False, default=0)
    locked_until: Mapped[object | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # Encrypts this person's unsent visits on a phone after they sign out, so the next person
    # to use the phone cannot read them; only their next sign-in fetches it again.
    offline_key: Mapped[str] = mapped_column(sa.String(64), nullable=False, default=lambda: secrets.token_hex(32))
    # Two-step sign-in: the TOTP secret (base32), when it was confirmed, and the last 30-second
    # step a code was accepted for, so a code cannot be used twice.
    # Sealed at rest (services/sealed_secrets.py): read and write it through services/second_factor.py.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enrolled_at: Mapped[object | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id")

    # Flask-Login: `get_id()` returns the token of the session being signed in, not the user's
    # id, so ending that session row ends the cookie (Flask-Login's "alternative tokens").
    session_token = None

    @property
    def is_active(self):
        return self.active

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return self.session_token

    def roles_in(self, school_id):
        return {m.role for m in self.memberships if m.school_id == school_id}

    @property
    def school_ids(self):
        return sorted({m.school_id for m in self.memberships})


class Membership(Tracked, Base):
    """One role in one school. A person may hold several roles and several schools."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "school_id", "role"),
        sa.CheckConstraint(check_in("role", ROLES), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(sa.String(30), nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    school: Mapped["School"] = relationship()  # noqa: F821


class UserSession(Base):
    """A signed-in session. The cookie holds the token; the row holds only its SHA-256."""

    __tablename__ = "user_session"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[object | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    # Refreshed at most once a minute (security.load_user_from_session_token).
    last_used_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-use code for signing in without the authenticator app. The first characters find
    the row; the rest is kept only as an argon2id hash, like a password."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    lookup: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    code_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    used_at: Mapped[object | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A passkey (WebAuthn credential) a person added as their second factor: only its public
    key is held. `sign_count` is the authenticator's counter, which must rise with each use when
    the authenticator keeps one (a cloned key would repeat it)."""

    __tablename__ = "passkey"
    __table_args__ = (sa.CheckConstraint("sign_count >= 0", name="sign_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    credential_id: Mapped[str] = mapped_column(sa.String(1400), nullable=False, unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)  # COSE
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    transports: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[object | None] = mapped_column(UTCDateTime)


class PasskeyChallenge(Base):
    """A random challenge handed to a browser for one passkey ceremony: single use, short
    lived, and bound to what asked for it (a pending sign-in's token, or the signed-in session
    adding a passkey) by the SHA-256 of that token."""

    __tablename__ = "passkey_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # "sign_in" | "register"
    challenge: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)  # base64url
    bound_to: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    expires_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[object | None] = mapped_column(UTCDateTime)


class StaffInvitation(Base):
    """A school's offer of roles to someone whose account another school runs. Nothing of the
    account changes, and the school sees nothing of it, until its owner signs in and accepts."""

    __tablename__ = "staff_invitation"
    __table_args__ = (sa.CheckConstraint("accepted_at IS NULL OR withdrawn_at IS NULL", name="accepted_or_withdrawn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[object] = mapped_column(sa.Uuid, nullable=False, unique=True, default=new_uuid)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    # What the inviting school typed: the only name and address it sees until the person accepts.
    full_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    roles: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    accepted_at: Mapped[object | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    school: Mapped["School"] = relationship()  # noqa: F821

    LIFETIME = timedelta(days=7)

    @property
    def expires_at(self):
        return self.created_at + self.LIFETIME
