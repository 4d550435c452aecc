"""Two-step sign-in: TOTP secrets, recovery codes, second-factor resets, session last use

Revision ID: 7d3e9a1f2b6c
Revises: 06197e4f8ce5
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3e9a1f2b6c'
down_revision = '06197e4f8ce5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('lookup', sa.String(length=8), nullable=False),
        sa.Column('code_hash', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'], unique=False)
    op.create_table(
        'second_factor_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('asked_by_id', sa.Integer(), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('confirmed_by_id IS NULL OR confirmed_by_id <> asked_by_id',
                           name=op.f('ck_second_factor_reset_two_people')),
        sa.ForeignKeyConstraint(['asked_by_id'], ['user_account.id'],
                                name=op.f('fk_second_factor_reset_asked_by_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'],
                                name=op.f('fk_second_factor_reset_confirmed_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_second_factor_reset_school_id_school'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_second_factor_reset_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factor_reset')),
        sa.UniqueConstraint('uuid', name=op.f('uq_second_factor_reset_uuid')),
    )
    op.create_index(op.f('ix_second_factor_reset_school_id'), 'second_factor_reset', ['school_id'], unique=False)
    op.create_index(op.f('ix_second_factor_reset_user_id'), 'second_factor_reset', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_second_factor_reset_user_id'), table_name='second_factor_reset')
    op.drop_index(op.f('ix_second_factor_reset_school_id'), table_name='second_factor_reset')
    op.drop_table('second_factor_reset')
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enrolled_at')
        batch_op.drop_column('totp_secret')
