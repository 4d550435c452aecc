"""Baseline: the schema at the first release

Every table, index and constraint of the data model as the first release ships it, and what
the models do not show: the triggers that keep the audit log append-only (on SQLite and on
PostgreSQL), and on PostgreSQL the sequence `change_seq` and the function `next_change_seq()`
that hand out change numbers (server/models/tracking.py). SQLite takes its change numbers from
the one row of `change_counter`, which the first write inserts.

The history starts here: every later change to the schema is a new revision on top of this
one, never an edit of it. It keeps the id of the last revision of the history before it, so a
database built by that history is already at head.

Revision ID: b5c8d2e7f310
Revises:
Create Date: 2026-12-02 05:03:29.417200

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b5c8d2e7f310'
down_revision = None
branch_labels = None
depends_on = None

# Names of constraints and indexes are written out in full inside op.f(), so the models' naming
# convention leaves them as they are (it would otherwise put a check's name through it again).
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
ALERT_KINDS = ('concern_raised', 'concern_escalated', 'visit_sent_back', 'action_assigned', 'morning_digest')
# The register codes of the School Attendance (Pupil Registration) (England) Regulations 2024.
ATTENDANCE_CODES = ('/', '\\', 'L', 'K', 'V', 'P', 'W', 'B', 'D', 'C1', 'M', 'J1', 'S', 'X', 'C2', 'C', 'T', 'R', 'I',
                    'E', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'G', 'N', 'O', 'U')

# Every table, each after the tables it refers to.
TABLES = (
    'change_counter',
    'trust',
    'user_account',
    'alert_choice',
    'passkey',
    'passkey_challenge',
    'recovery_code',
    'school',
    'user_session',
    'alert',
    'audit_event',
    'inset_day',
    'key_contact',
    'membership',
    'provider',
    'pupil',
    'staff_invitation',
    'term_period',
    'evidence_file',
    'placement',
    'provider_report',
    'attendance_record',
    'parent_progress_report',
    'placement_staff',
    'provider_evidence',
    'visit',
    'follow_up_action',
    'photo',
    'risk_assessment',
    'safeguarding_concern',
    'visit_version',
    'concern_note',
    'photo_upload_part',
)

AUDIT_LOG_TRIGGERS = {
    'sqlite': [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    ],
    'postgresql': [
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}
# PostgreSQL's change numbers (SQLite's come from the row of change_counter): the transaction's
# id first, then the number.
POSTGRES_CHANGE_NUMBERS = [
    "CREATE SEQUENCE change_seq",
    "CREATE FUNCTION next_change_seq() RETURNS bigint LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM pg_current_xact_id(); RETURN nextval('change_seq'); END $$",
]


def tracked():
    """The columns of every row a phone may hold: when it was made and last changed, and the
    change number of that change."""
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('change_seq', sa.BigInteger(), nullable=False),
    ]


def one_of(column, *values):
    """The CHECK that a column holds one of a fixed set of codes."""
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


def indexes(table, *columns):
    """An index on each of `columns` alone, named ix_<table>_<column>."""
    for column in columns:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column])


def _dialect():
    return op.get_bind().dialect.name


def upgrade():
    op.create_table(
        'change_counter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_change_counter_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_counter')),
    )
    if _dialect() == 'postgresql':
        for statement in POSTGRES_CHANGE_NUMBERS:
            op.execute(statement)

    op.create_table(
        'trust',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        *tracked(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trust')),
        sa.UniqueConstraint('name', name=op.f('uq_trust_name')),
    )
    indexes('trust', 'change_seq')

    op.create_table(
        'user_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('full_name', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('deactivated_at', sa.DateTime(), nullable=True),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.Column('offline_key', sa.String(length=64), nullable=False),
        sa.Column('totp_secret', sa.String(length=255), nullable=True),
        sa.Column('totp_enrolled_at', sa.DateTime(), nullable=True),
        sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
        *tracked(),
        sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_user_account_failed_logins_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
        sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
        sa.UniqueConstraint('uuid', name=op.f('uq_user_account_uuid')),
    )
    indexes('user_account', 'change_seq')

    op.create_table(
        'alert_choice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('wanted', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(one_of('kind', *ALERT_KINDS), name=op.f('ck_alert_choice_kind_known')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_alert_choice_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_choice')),
        sa.UniqueConstraint('user_id', 'kind', name='uq_alert_choice_user_kind'),
    )

    op.create_table(
        'passkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=1400), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.BigInteger(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('transports', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('sign_count >= 0', name=op.f('ck_passkey_sign_count_not_negative')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_passkey_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_passkey_credential_id')),
    )
    indexes('passkey', 'user_id')

    op.create_table(
        'passkey_challenge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('challenge', sa.String(length=100), nullable=False),
        sa.Column('bound_to', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_passkey_challenge_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey_challenge')),
        sa.UniqueConstraint('challenge', name=op.f('uq_passkey_challenge_challenge')),
    )
    indexes('passkey_challenge', 'user_id')

    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('lookup', sa.String(length=8), nullable=False),
        sa.Column('code_hash', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    indexes('recovery_code', 'user_id')

    op.create_table(
        'school',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('trust_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('urn', sa.String(length=20), nullable=True),
        sa.Column('local_authority', sa.String(length=200), nullable=True),
        sa.Column('la_notifications_email', sa.String(length=254), nullable=True),
        *tracked(),
        sa.ForeignKeyConstraint(['trust_id'], ['trust.id'], name=op.f('fk_school_trust_id_trust')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school')),
        sa.UniqueConstraint('urn', name=op.f('uq_school_urn')),
        sa.UniqueConstraint('uuid', name=op.f('uq_school_uuid')),
    )
    indexes('school', 'change_seq', 'trust_id')

    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('user_agent', sa.String(length=300), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('expires_at > created_at', name=op.f('ck_user_session_expires_after_creation')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_user_session_token_sha256')),
    )
    indexes('user_session', 'user_id')

    op.create_table(
        'alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.String(length=80), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.CheckConstraint(one_of('kind', *ALERT_KINDS), name=op.f('ck_alert_kind_known')),
        sa.CheckConstraint(one_of('status', 'pending', 'sending', 'sent', 'failed'),
            name=op.f('ck_alert_status_known')),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_alert_attempts_not_negative')),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
            name=op.f('fk_alert_recipient_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
            name=op.f('fk_alert_school_id_school'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
        sa.UniqueConstraint('kind', 'subject_id', 'recipient_id', name='uq_alert_once_per_person'),
        sa.UniqueConstraint('uuid', name=op.f('uq_alert_uuid')),
    )
    indexes('alert', 'recipient_id')
    op.create_index('ix_alert_due', 'alert', ['status', 'next_attempt_at'])
    op.create_index('ix_alert_school_status', 'alert', ['school_id', 'status'])

    op.create_table(
        'audit_event',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('school_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.String(length=64), nullable=False),
        sa.Column('details', JSON_DOCUMENT, nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_audit_event_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    )
    indexes('audit_event', 'actor_id')
    op.create_index('ix_audit_event_object', 'audit_event', ['object_type', 'object_id'])
    op.create_index('ix_audit_event_school_at', 'audit_event', ['school_id', 'at'])
    for statement in AUDIT_LOG_TRIGGERS.get(_dialect(), []):
        op.execute(statement)

    op.create_table(
        'inset_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        *tracked(),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
            name=op.f('fk_inset_day_school_id_school'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inset_day')),
        sa.UniqueConstraint('school_id', 'on_date', name=op.f('uq_inset_day_school_id_on_date')),
    )
    indexes('inset_day', 'change_seq', 'school_id')
    op.create_index('ix_inset_day_school_change', 'inset_day', ['school_id', 'change_seq'])

    op.create_table(
        'key_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        *tracked(),
        sa.CheckConstraint(one_of('role', 'dsl', 'deputy_dsl', 'attendance_officer', 'virtual_school_head'),
            name=op.f('ck_key_contact_role_known')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
            name=op.f('fk_key_contact_school_id_school'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_contact')),
        sa.UniqueConstraint('school_id', 'role', name=op.f('uq_key_contact_school_id_role')),
    )
    indexes('key_contact', 'change_seq', 'school_id')
    op.create_index('ix_key_contact_school_change', 'key_contact', ['school_id', 'change_seq'])

    op.create_table(
        'membership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=30), nullable=False),
        *tracked(),
        sa.CheckConstraint(one_of('role', 'ap_leader', 'dsl', 'attendance_officer', 'visiting_staff', 'headteacher',
                                  'governor', 'trust_lead', 'admin'), name=op.f('ck_membership_role_known')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
            name=op.f('fk_membership_school_id_school'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
        sa.UniqueConstraint('user_id', 'school_id', 'role', name=op.f('uq_membership_user_id_school_id_role')),
    )
    indexes('membership', 'change_seq', 'school_id', 'user_id')

    op.create_table(
        'provider',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('registration_status', sa.String(length=40), nullable=False),
        sa.Column('urn', sa.String(length=20), nullable=True),
        sa.Column('on_la_approved_list', sa.Boolean(), nullable=False),
        sa.Column('full_time_pupils', sa.Integer(), nullable=False),
        sa.Column('website', sa.String(length=300), nullable=True),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('contact_name', sa.String(length=200), nullable=True),
        sa.Column('contact_phone', sa.String(length=40), nullable=True),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        *tracked(),
        sa.CheckConstraint(one_of('registration_status', 'registered_independent_school', 'registered_other',
                                  'unregistered', 'online_only', 'on_site_unit'),
            name=op.f('ck_provider_registration_status_known')),
        sa.CheckConstraint('full_time_pupils >= 0', name=op.f('ck_provider_full_time_pupils_not_negative')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_provider_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider')),
        sa.UniqueConstraint('school_id', 'name', name=op.f('uq_provider_school_id_name')),
        sa.UniqueConstraint('uuid', name=op.f('uq_provider_uuid')),
    )
    indexes('provider', 'change_seq', 'school_id')
    op.create_index('ix_provider_school_change', 'provider', ['school_id', 'change_seq'])

    op.create_table(
        'pupil',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('mis_id', sa.String(length=50), nullable=True),
        sa.Column('first_name', sa.String(length=100), nullable=False),
        sa.Column('last_name', sa.String(length=100), nullable=False),
        sa.Column('date_of_birth', sa.Date(), nullable=False),
        sa.Column('year_group', sa.Integer(), nullable=False),
        sa.Column('ehcp', sa.Boolean(), nullable=False),
        sa.Column('looked_after', sa.Boolean(), nullable=False),
        sa.Column('has_social_worker', sa.Boolean(), nullable=False),
        sa.Column('send_support', sa.Boolean(), nullable=False),
        sa.Column('fsm_eligible', sa.Boolean(), nullable=False),
        sa.Column('social_worker_name', sa.String(length=200), nullable=True),
        sa.Column('social_worker_phone', sa.String(length=40), nullable=True),
        sa.Column('parent_contact_name', sa.String(length=200), nullable=True),
        sa.Column('parent_contact_phone', sa.String(length=40), nullable=True),
        *tracked(),
        sa.CheckConstraint('year_group BETWEEN -1 AND 14', name=op.f('ck_pupil_year_group_in_range')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_pupil_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pupil')),
        sa.UniqueConstraint('school_id', 'mis_id', name=op.f('uq_pupil_school_id_mis_id')),
        sa.UniqueConstraint('uuid', name=op.f('uq_pupil_uuid')),
    )
    indexes('pupil', 'change_seq', 'school_id')
    op.create_index('ix_pupil_school_change', 'pupil', ['school_id', 'change_seq'])

    op.create_table(
        'staff_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('full_name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('accepted_at IS NULL OR withdrawn_at IS NULL',
            name=op.f('ck_staff_invitation_accepted_or_withdrawn')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'],
            name=op.f('fk_staff_invitation_invited_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
            name=op.f('fk_staff_invitation_school_id_school'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_staff_invitation_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitation')),
        sa.UniqueConstraint('uuid', name=op.f('uq_staff_invitation_uuid')),
    )
    indexes('staff_invitation', 'school_id', 'user_id')

    op.create_table(
        'term_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('academic_year', sa.Integer(), nullable=False),
        sa.Column('term', sa.String(length=10), nullable=False),
        sa.Column('half', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        *tracked(),
        sa.CheckConstraint(one_of('term', 'autumn', 'spring', 'summer'), name=op.f('ck_term_period_term_known')),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_term_period_ends_after_start')),
        sa.CheckConstraint('half IN (1, 2)', name=op.f('ck_term_period_half_is_1_or_2')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
            name=op.f('fk_term_period_school_id_school'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_term_period')),
        sa.UniqueConstraint('school_id', 'academic_year', 'term', 'half',
            name=op.f('uq_term_period_school_id_academic_year_term_half')),
    )
    indexes('term_period', 'change_seq', 'school_id')
    op.create_index('ix_term_period_school_change', 'term_period', ['school_id', 'change_seq'])

    op.create_table(
        'evidence_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('byte_size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=True),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(one_of('content_type', 'application/pdf', 'image/jpeg', 'image/png'),
            name=op.f('ck_evidence_file_content_type_allowed')),
        sa.CheckConstraint('byte_size > 0', name=op.f('ck_evidence_file_size_positive')),
        sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_evidence_file_sha256_is_hex64')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_evidence_file_provider_id_provider')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_evidence_file_school_id_school')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
            name=op.f('fk_evidence_file_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_evidence_file_storage_key')),
        sa.UniqueConstraint('uuid', name=op.f('uq_evidence_file_uuid')),
    )
    indexes('evidence_file', 'provider_id', 'school_id')

    op.create_table(
        'placement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('pupil_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('planned_end_date', sa.Date(), nullable=True),
        sa.Column('sessions', JSON_DOCUMENT, nullable=False),
        sa.Column('aims', sa.Text(), nullable=True),
        sa.Column('planned_outcomes', sa.Text(), nullable=True),
        sa.Column('curriculum', sa.Text(), nullable=True),
        sa.Column('qualifications', sa.Text(), nullable=True),
        sa.Column('induction', sa.Text(), nullable=True),
        sa.Column('pastoral_arrangements', sa.Text(), nullable=True),
        sa.Column('attendance_arrangements', sa.Text(), nullable=True),
        sa.Column('safeguarding_arrangements', sa.Text(), nullable=True),
        sa.Column('free_school_meals', sa.Text(), nullable=True),
        sa.Column('exam_arrangements', sa.Text(), nullable=True),
        sa.Column('communication', sa.Text(), nullable=True),
        sa.Column('cost_pence', sa.BigInteger(), nullable=True),
        sa.Column('cost_basis', sa.String(length=200), nullable=True),
        sa.Column('review_arrangements', sa.Text(), nullable=True),
        sa.Column('qa_visit_every_weeks', sa.Integer(), nullable=True),
        sa.Column('la_informed_on', sa.Date(), nullable=True),
        sa.Column('governors_approved_on', sa.Date(), nullable=True),
        sa.Column('parents_told_in_writing_on', sa.Date(), nullable=True),
        sa.Column('direction_review_on', sa.Date(), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_on', sa.Date(), nullable=True),
        sa.Column('parent_agreed_on', sa.Date(), nullable=True),
        sa.Column('head_decision_in_writing_on', sa.Date(), nullable=True),
        sa.Column('local_authority_consulted_name', sa.String(length=200), nullable=True),
        sa.Column('local_authority_consulted_on', sa.Date(), nullable=True),
        sa.Column('virtual_school_consulted_name', sa.String(length=200), nullable=True),
        sa.Column('virtual_school_consulted_on', sa.Date(), nullable=True),
        sa.Column('social_worker_consulted_name', sa.String(length=200), nullable=True),
        sa.Column('social_worker_consulted_on', sa.Date(), nullable=True),
        sa.Column('needs_analysis_by', sa.String(length=200), nullable=True),
        sa.Column('needs_analysis_on', sa.Date(), nullable=True),
        sa.Column('needs_analysis', sa.Text(), nullable=True),
        sa.Column('pupil_risk_assessed_by', sa.String(length=200), nullable=True),
        sa.Column('pupil_risk_assessed_on', sa.Date(), nullable=True),
        sa.Column('pupil_risks', sa.Text(), nullable=True),
        sa.Column('pupil_risk_mitigations', sa.Text(), nullable=True),
        sa.Column('pupil_risk_reviewed_on', sa.Date(), nullable=True),
        sa.Column('information_shared', sa.Text(), nullable=True),
        sa.Column('information_shared_on', sa.Date(), nullable=True),
        sa.Column('information_shared_by', sa.String(length=200), nullable=True),
        sa.Column('information_shared_with', sa.String(length=200), nullable=True),
        sa.Column('parents_consulted_name', sa.String(length=200), nullable=True),
        sa.Column('parents_consulted_on', sa.Date(), nullable=True),
        sa.Column('parents_view', sa.Text(), nullable=True),
        sa.Column('part_time_reason', sa.Text(), nullable=True),
        sa.Column('not_a_sanction_affirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('not_a_sanction_affirmed_at', sa.DateTime(), nullable=True),
        sa.Column('flexi_request_received_on', sa.Date(), nullable=True),
        sa.Column('flexi_home_educator', sa.String(length=500), nullable=True),
        sa.Column('flexi_home_welfare', sa.String(length=500), nullable=True),
        sa.Column('flexi_notice_by', sa.String(length=20), nullable=True),
        sa.Column('flexi_notice_on', sa.Date(), nullable=True),
        sa.Column('flexi_notice_earlier_end_agreed', sa.Text(), nullable=True),
        sa.Column('flexi_notice_recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('flexi_notice_recorded_at', sa.DateTime(), nullable=True),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('destination', sa.String(length=200), nullable=True),
        sa.Column('pupil_assessment', sa.Text(), nullable=True),
        *tracked(),
        sa.CheckConstraint("flexi_notice_by IS NULL OR flexi_notice_by IN ('parents', 'school')",
            name=op.f('ck_placement_flexi_notice_by_known')),
        sa.CheckConstraint(one_of('kind', 'off_site_ap', 'on_site_ap', 'off_site_direction', 'part_time_timetable',
                                  'flexi_schooling'), name=op.f('ck_placement_kind_known')),
        sa.CheckConstraint("kind IN ('part_time_timetable', 'flexi_schooling') OR provider_id IS NOT NULL",
            name=op.f('ck_placement_provider_required_for_ap')),
        sa.CheckConstraint("status != 'ended' OR end_date IS NOT NULL", name=op.f('ck_placement_ended_has_end_date')),
        sa.CheckConstraint(one_of('status', 'planned', 'active', 'ended', 'cancelled'),
            name=op.f('ck_placement_status_known')),
        sa.CheckConstraint('(flexi_notice_on IS NULL) = (flexi_notice_by IS NULL)',
            name=op.f('ck_placement_flexi_notice_says_who')),
        sa.CheckConstraint('cost_pence IS NULL OR cost_pence >= 0', name=op.f('ck_placement_cost_not_negative')),
        sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_placement_ends_after_start')),
        sa.CheckConstraint('qa_visit_every_weeks IS NULL OR qa_visit_every_weeks > 0',
            name=op.f('ck_placement_qa_frequency_positive')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'],
            name=op.f('fk_placement_approved_by_id_user_account')),
        sa.ForeignKeyConstraint(['flexi_notice_recorded_by_id'], ['user_account.id'],
            name=op.f('fk_placement_flexi_notice_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['not_a_sanction_affirmed_by_id'], ['user_account.id'],
            name=op.f('fk_placement_not_a_sanction_affirmed_by_id_user_account')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_placement_provider_id_provider')),
        sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_placement_pupil_id_pupil')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_placement_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_placement')),
        sa.UniqueConstraint('uuid', name=op.f('uq_placement_uuid')),
    )
    indexes('placement', 'change_seq', 'provider_id', 'pupil_id', 'school_id')
    op.create_index('ix_placement_school_change', 'placement', ['school_id', 'change_seq'])

    op.create_table(
        'provider_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('report_date', sa.Date(), nullable=False),
        sa.Column('judgement', sa.String(length=100), nullable=True),
        sa.Column('url', sa.String(length=500), nullable=True),
        *tracked(),
        sa.CheckConstraint(one_of('source', 'ofsted', 'local_authority', 'other'),
            name=op.f('ck_provider_report_source_known')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
            name=op.f('fk_provider_report_provider_id_provider'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_report')),
    )
    indexes('provider_report', 'change_seq', 'provider_id')

    op.create_table(
        'attendance_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('session', sa.String(length=2), nullable=False),
        sa.Column('code', sa.String(length=2), nullable=False),
        sa.Column('confirmed_with_provider', sa.Boolean(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        *tracked(),
        sa.CheckConstraint(one_of('code', *ATTENDANCE_CODES), name=op.f('ck_attendance_record_code_known')),
        sa.CheckConstraint(one_of('session', 'am', 'pm'), name=op.f('ck_attendance_record_session_am_or_pm')),
        sa.ForeignKeyConstraint(['placement_id'], ['placement.id'],
            name=op.f('fk_attendance_record_placement_id_placement')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
            name=op.f('fk_attendance_record_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_record')),
        sa.UniqueConstraint('placement_id', 'on_date', 'session',
            name=op.f('uq_attendance_record_placement_id_on_date_session')),
    )
    indexes('attendance_record', 'change_seq', 'placement_id')

    op.create_table(
        'parent_progress_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('sent_by_name', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(one_of('method', 'letter', 'email', 'written_report', 'meeting', 'phone_call', 'parent_app'),
            name=op.f('ck_parent_progress_report_method_known')),
        sa.ForeignKeyConstraint(['placement_id'], ['placement.id'],
            name=op.f('fk_parent_progress_report_placement_id_placement')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
            name=op.f('fk_parent_progress_report_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_parent_progress_report_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_progress_report')),
        sa.UniqueConstraint('placement_id', 'sent_on', 'method', name='uq_parent_progress_once'),
        sa.UniqueConstraint('uuid', name=op.f('uq_parent_progress_report_uuid')),
    )
    indexes('parent_progress_report', 'placement_id', 'school_id')

    op.create_table(
        'placement_staff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        *tracked(),
        sa.ForeignKeyConstraint(['placement_id'], ['placement.id'],
            name=op.f('fk_placement_staff_placement_id_placement'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
            name=op.f('fk_placement_staff_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_staff')),
        sa.UniqueConstraint('placement_id', 'user_id', name=op.f('uq_placement_staff_placement_id_user_id')),
    )
    indexes('placement_staff', 'change_seq', 'placement_id', 'user_id')

    op.create_table(
        'provider_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('description', sa.String(length=300), nullable=True),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('file_id', sa.Integer(), nullable=True),
        *tracked(),
        sa.CheckConstraint(one_of('kind', 'insurance', 'staff_checks_confirmation', 'safeguarding_policy',
                                  'health_and_safety_policy', 'compliance_certificate', 'other'),
            name=op.f('ck_provider_evidence_kind_known')),
        sa.ForeignKeyConstraint(['file_id'], ['evidence_file.id'],
            name=op.f('fk_provider_evidence_file_id_evidence_file')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
            name=op.f('fk_provider_evidence_provider_id_provider'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_evidence')),
    )
    indexes('provider_evidence', 'change_seq', 'expires_on', 'file_id', 'provider_id')

    op.create_table(
        'visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('visit_date', sa.Date(), nullable=False),
        sa.Column('current_version', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('complete', sa.Boolean(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('review_status', sa.String(length=20), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('review_comment', sa.Text(), nullable=True),
        *tracked(),
        sa.CheckConstraint("(kind = 'provider_check' AND provider_id IS NOT NULL) OR placement_id IS NOT NULL",
            name=op.f('ck_visit_about_a_placement_or_provider')),
        sa.CheckConstraint(one_of('kind', 'provider_check', 'qa_visit', 'welfare_check', 'review_meeting',
                                  'part_time_review', 'flexi_review'), name=op.f('ck_visit_kind_known')),
        sa.CheckConstraint(one_of('review_status', 'awaiting_review', 'signed_off', 'sent_back'),
            name=op.f('ck_visit_review_status_known')),
        sa.CheckConstraint('current_version >= 1', name=op.f('ck_visit_version_positive')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_visit_author_id_user_account')),
        sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_visit_placement_id_placement')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_visit_provider_id_provider')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'],
            name=op.f('fk_visit_reviewed_by_id_user_account')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_visit_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
        sa.UniqueConstraint('uuid', name=op.f('uq_visit_uuid')),
    )
    indexes('visit', 'author_id', 'change_seq', 'provider_id', 'school_id')
    op.create_index('ix_visit_author_change', 'visit', ['author_id', 'change_seq'])
    op.create_index('ix_visit_author_received', 'visit', ['author_id', 'received_at'])
    op.create_index('ix_visit_placement_date', 'visit', ['placement_id', 'visit_date'])
    op.create_index('ix_visit_school_review', 'visit', ['school_id', 'review_status'])

    op.create_table(
        'follow_up_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner_name', sa.String(length=200), nullable=False),
        sa.Column('owner_user_id', sa.Integer(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.Column('done_note', sa.Text(), nullable=True),
        *tracked(),
        sa.CheckConstraint('(done_at IS NULL) = (done_by_id IS NULL)', name=op.f('ck_follow_up_action_done_has_who')),
        sa.CheckConstraint('placement_id IS NOT NULL OR provider_id IS NOT NULL',
            name=op.f('ck_follow_up_action_about_a_placement_or_provider')),
        sa.ForeignKeyConstraint(['done_by_id'], ['user_account.id'],
            name=op.f('fk_follow_up_action_done_by_id_user_account')),
        sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'],
            name=op.f('fk_follow_up_action_owner_user_id_user_account')),
        sa.ForeignKeyConstraint(['placement_id'], ['placement.id'],
            name=op.f('fk_follow_up_action_placement_id_placement')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
            name=op.f('fk_follow_up_action_provider_id_provider')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_follow_up_action_school_id_school')),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_follow_up_action_visit_id_visit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_action')),
        sa.UniqueConstraint('uuid', name=op.f('uq_follow_up_action_uuid')),
    )
    indexes('follow_up_action', 'change_seq', 'placement_id', 'provider_id', 'visit_id')
    op.create_index('ix_follow_up_action_school_open', 'follow_up_action', ['school_id', 'done_at', 'due_on'])

    op.create_table(
        'photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('item_key', sa.String(length=80), nullable=True),
        sa.Column('caption', sa.String(length=500), nullable=True),
        sa.Column('declared_sha256', sa.String(length=64), nullable=False),
        sa.Column('declared_size', sa.Integer(), nullable=False),
        sa.Column('media_type', sa.String(length=20), nullable=False),
        sa.Column('stored_at', sa.DateTime(), nullable=True),
        sa.Column('storage_key', sa.String(length=200), nullable=True),
        sa.Column('thumbnail_key', sa.String(length=200), nullable=True),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('stored_bytes', sa.Integer(), nullable=True),
        *tracked(),
        sa.CheckConstraint(one_of('media_type', 'image/jpeg', 'image/png', 'image/webp'),
            name=op.f('ck_photo_media_type_allowed')),
        sa.CheckConstraint('declared_size > 0', name=op.f('ck_photo_size_positive')),
        sa.CheckConstraint('length(declared_sha256) = 64', name=op.f('ck_photo_sha256_is_hex64')),
        sa.CheckConstraint('stored_at IS NULL OR storage_key IS NOT NULL', name=op.f('ck_photo_stored_has_key')),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_photo_visit_id_visit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
        sa.UniqueConstraint('uuid', name=op.f('uq_photo_uuid')),
    )
    indexes('photo', 'change_seq', 'visit_id')

    op.create_table(
        'risk_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('rating', sa.String(length=10), nullable=False),
        sa.Column('weaknesses', sa.Text(), nullable=True),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
        sa.Column('signed_off_at', sa.DateTime(), nullable=True),
        sa.Column('review_requested_at', sa.DateTime(), nullable=True),
        sa.Column('review_reason', sa.Text(), nullable=True),
        sa.Column('assessed_by', sa.String(length=200), nullable=True),
        sa.Column('evidence_file_id', sa.Integer(), nullable=True),
        sa.Column('gate_findings', sa.Text(), nullable=True),
        sa.Column('mitigations', sa.Text(), nullable=True),
        sa.Column('mitigations_approved_by_id', sa.Integer(), nullable=True),
        sa.Column('mitigations_approved_at', sa.DateTime(), nullable=True),
        sa.Column('not_valid_reason', sa.Text(), nullable=True),
        *tracked(),
        sa.CheckConstraint(one_of('rating', 'low', 'medium', 'high'), name=op.f('ck_risk_assessment_rating_known')),
        sa.CheckConstraint('mitigations_approved_at IS NULL OR (mitigations IS NOT NULL AND gate_findings IS NOT NULL'
                           ' AND mitigations_approved_by_id IS NOT NULL)',
            name=op.f('ck_risk_assessment_mitigations_approved_in_full')),
        sa.CheckConstraint('valid_until > assessed_on', name=op.f('ck_risk_assessment_valid_after_assessment')),
        sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_file.id'],
            name=op.f('fk_risk_assessment_evidence_file_id_evidence_file')),
        sa.ForeignKeyConstraint(['mitigations_approved_by_id'], ['user_account.id'],
            name=op.f('fk_risk_assessment_mitigations_approved_by_id_user_account')),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_risk_assessment_provider_id_provider')),
        sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'],
            name=op.f('fk_risk_assessment_signed_off_by_id_user_account')),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_risk_assessment_visit_id_visit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessment')),
        sa.UniqueConstraint('uuid', name=op.f('uq_risk_assessment_uuid')),
    )
    indexes('risk_assessment', 'change_seq', 'evidence_file_id', 'provider_id', 'visit_id')

    op.create_table(
        'safeguarding_concern',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=True),
        sa.Column('pupil_id', sa.Integer(), nullable=True),
        sa.Column('raised_by_id', sa.Integer(), nullable=False),
        sa.Column('raised_at_device', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('immediate_action', sa.Text(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        *tracked(),
        sa.CheckConstraint('(closed_at IS NULL) = (closed_by_id IS NULL)',
            name=op.f('ck_safeguarding_concern_closed_has_who')),
        sa.CheckConstraint('closed_at IS NULL OR outcome IS NOT NULL',
            name=op.f('ck_safeguarding_concern_closed_has_outcome')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'],
            name=op.f('fk_safeguarding_concern_closed_by_id_user_account')),
        sa.ForeignKeyConstraint(['placement_id'], ['placement.id'],
            name=op.f('fk_safeguarding_concern_placement_id_placement')),
        sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_safeguarding_concern_pupil_id_pupil')),
        sa.ForeignKeyConstraint(['raised_by_id'], ['user_account.id'],
            name=op.f('fk_safeguarding_concern_raised_by_id_user_account')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_safeguarding_concern_school_id_school')),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_safeguarding_concern_visit_id_visit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_concern')),
        sa.UniqueConstraint('uuid', name=op.f('uq_safeguarding_concern_uuid')),
    )
    indexes('safeguarding_concern', 'change_seq', 'placement_id', 'pupil_id', 'visit_id')
    op.create_index('ix_safeguarding_concern_school_open', 'safeguarding_concern',
                    ['school_id', 'closed_at', 'received_at'])

    op.create_table(
        'visit_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.Column('form_id', sa.String(length=60), nullable=False),
        sa.Column('form_version', sa.Integer(), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('visit_date', sa.Date(), nullable=False),
        sa.Column('answers', JSON_DOCUMENT, nullable=False),
        sa.Column('photo_manifest', JSON_DOCUMENT, nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('device_started_at', sa.DateTime(), nullable=False),
        sa.Column('device_completed_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.CheckConstraint(one_of('mode', 'in_person', 'home_visit', 'phone', 'online'),
            name=op.f('ck_visit_version_mode_known')),
        sa.CheckConstraint('(version = 1) = (replaces_id IS NULL)',
            name=op.f('ck_visit_version_revisions_name_what_they_replace')),
        sa.CheckConstraint('version >= 1', name=op.f('ck_visit_version_version_positive')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
            name=op.f('fk_visit_version_author_id_user_account')),
        sa.ForeignKeyConstraint(['replaces_id'], ['visit_version.id'],
            name=op.f('fk_visit_version_replaces_id_visit_version')),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_version_visit_id_visit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_version')),
        sa.UniqueConstraint('replaces_id', name=op.f('uq_visit_version_replaces_id')),
        sa.UniqueConstraint('visit_id', 'version', name=op.f('uq_visit_version_visit_id_version')),
    )
    indexes('visit_version', 'visit_id')

    op.create_table(
        'concern_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('concern_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(one_of('kind', 'correction', 'dsl_action', 'note', 'closed', 'reopened'),
            name=op.f('ck_concern_note_kind_known')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
            name=op.f('fk_concern_note_author_id_user_account')),
        sa.ForeignKeyConstraint(['concern_id'], ['safeguarding_concern.id'],
            name=op.f('fk_concern_note_concern_id_safeguarding_concern')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_note')),
        sa.UniqueConstraint('uuid', name=op.f('uq_concern_note_uuid')),
    )
    indexes('concern_note', 'concern_id')

    op.create_table(
        'photo_upload_part',
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('length', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('length > 0', name=op.f('ck_photo_upload_part_length_positive')),
        sa.CheckConstraint('start >= 0', name=op.f('ck_photo_upload_part_start_not_negative')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
            name=op.f('fk_photo_upload_part_author_id_user_account')),
        sa.ForeignKeyConstraint(['photo_id'], ['photo.id'],
            name=op.f('fk_photo_upload_part_photo_id_photo'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('photo_id', 'start', name=op.f('pk_photo_upload_part')),
    )
    indexes('photo_upload_part', 'author_id', 'received_at')


def downgrade():
    # A table's indexes, and the audit log's triggers, go with it.
    if _dialect() == 'postgresql':
        op.execute("DROP FUNCTION next_change_seq()")
        op.execute("DROP SEQUENCE change_seq")
    for table in reversed(TABLES):
        op.drop_table(table)
    if _dialect() == 'postgresql':
        op.execute("DROP FUNCTION audit_event_append_only()")
