"""Alert outbox and each person's alert choices

The alert outbox (one row per message owed to one person, written with the event that causes
it) and each person's choice of the kinds of alert they receive.

Revision ID: 425fb364d7ac
Revises: e3b8f1a6c2d9
Create Date: 2026-12-01 21:51:24.593322

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '425fb364d7ac'
down_revision = 'e3b8f1a6c2d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('wanted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('concern_raised', 'concern_escalated', 'visit_sent_back', 'action_assigned', 'morning_digest')", name=op.f('ck_alert_choice_kind_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_alert_choice_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_choice')),
    sa.UniqueConstraint('user_id', 'kind', name='uq_alert_choice_user_kind')
    )
    op.create_table('alert',
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
    sa.CheckConstraint("kind IN ('concern_raised', 'concern_escalated', 'visit_sent_back', 'action_assigned', 'morning_digest')", name=op.f('ck_alert_kind_known')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_alert_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_alert_attempts_not_negative')),
    sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'], name=op.f('fk_alert_recipient_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_alert_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('kind', 'subject_id', 'recipient_id', name='uq_alert_once_per_person'),
    sa.UniqueConstraint('uuid', name=op.f('uq_alert_uuid'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_alert_school_status', ['school_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_school_status')
        batch_op.drop_index(batch_op.f('ix_alert_recipient_id'))
        batch_op.drop_index('ix_alert_due')

    op.drop_table('alert')
    op.drop_table('alert_choice')
