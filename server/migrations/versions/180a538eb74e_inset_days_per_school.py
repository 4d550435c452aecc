"""INSET days per school

Each school enters its training days in School settings; they are inside a half term but are
not school days, so welfare checks, attendance and review windows skip them.

Revision ID: 180a538eb74e
Revises: 5c1d2e3f4a5b
Create Date: 2026-12-01 19:04:43.602431

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '180a538eb74e'
down_revision = '5c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inset_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_inset_day_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inset_day')),
    sa.UniqueConstraint('school_id', 'on_date', name=op.f('uq_inset_day_school_id_on_date'))
    )
    with op.batch_alter_table('inset_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inset_day_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index('ix_inset_day_school_change', ['school_id', 'change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_inset_day_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('inset_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inset_day_school_id'))
        batch_op.drop_index('ix_inset_day_school_change')
        batch_op.drop_index(batch_op.f('ix_inset_day_change_seq'))

    op.drop_table('inset_day')
