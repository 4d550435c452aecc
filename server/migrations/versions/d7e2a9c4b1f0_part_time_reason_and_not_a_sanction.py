"""Part-time timetable: the reason, and the approver's word that it is not a sanction

A part-time timetable records why it is needed, and its approver affirms, in their own name
and with the time, that it is not a behaviour sanction (§9.4).

Revision ID: d7e2a9c4b1f0
Revises: 06197e4f8ce5
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2a9c4b1f0'
down_revision = '06197e4f8ce5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part_time_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('not_a_sanction_affirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_a_sanction_affirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_placement_not_a_sanction_affirmed_by_id_user_account'),
                                    'user_account', ['not_a_sanction_affirmed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_placement_not_a_sanction_affirmed_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('not_a_sanction_affirmed_at')
        batch_op.drop_column('not_a_sanction_affirmed_by_id')
        batch_op.drop_column('part_time_reason')
