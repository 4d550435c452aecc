"""Risk assessment findings that gate the start

A check rated high, with the safeguarding policy missing or no written confirmation of staff
checks, records its findings; they are lifted only by mitigations the headteacher approves
(who, when, what). A phone or online check of a provider with premises records why it does not
count (§7.8).

Revision ID: 06197e4f8ce5
Revises: 180a538eb74e
Create Date: 2026-12-01 19:34:27.073082

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '06197e4f8ce5'
down_revision = '180a538eb74e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gate_findings', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('mitigations', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('mitigations_approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mitigations_approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('not_valid_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_risk_assessment_mitigations_approved_by_id_user_account'), 'user_account', ['mitigations_approved_by_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_risk_assessment_mitigations_approved_in_full'),
            'mitigations_approved_at IS NULL OR (mitigations IS NOT NULL AND gate_findings IS NOT NULL'
            ' AND mitigations_approved_by_id IS NOT NULL)')


def downgrade():
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_risk_assessment_mitigations_approved_in_full'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_risk_assessment_mitigations_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('not_valid_reason')
        batch_op.drop_column('mitigations_approved_at')
        batch_op.drop_column('mitigations_approved_by_id')
        batch_op.drop_column('mitigations')
        batch_op.drop_column('gate_findings')
