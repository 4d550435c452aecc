"""Statutory partners consulted before a placement starts

Who at the local authority (EHCP, §7.5), the Virtual School (looked after, §7.6) and the
pupil's social worker (§7.6, §8.8) was consulted, and when.

Revision ID: e3b8f1a6c2d9
Revises: d7e2a9c4b1f0
Create Date: 2026-12-01 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b8f1a6c2d9'
down_revision = 'd7e2a9c4b1f0'
branch_labels = None
depends_on = None

PARTNERS = ('local_authority', 'virtual_school', 'social_worker')


def upgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        for key in PARTNERS:
            batch_op.add_column(sa.Column(f'{key}_consulted_name', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column(f'{key}_consulted_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        for key in reversed(PARTNERS):
            batch_op.drop_column(f'{key}_consulted_on')
            batch_op.drop_column(f'{key}_consulted_name')
