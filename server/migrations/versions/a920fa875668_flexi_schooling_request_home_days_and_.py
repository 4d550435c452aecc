"""Flexi-schooling request, home days and withdrawal notice; progress to parents

Flexi-schooling records the parents' written request and who educates the child and who is
responsible for their welfare on home days (§10.5), and a notice of withdrawal: who gave it,
when, and any earlier end both sides agreed (§10.6). Progress information sent to parents each
half term is recorded per placement: when, how and by whom (§4.3).

Revision ID: a920fa875668
Revises: 3f6b2d8e4a71
Create Date: 2026-12-02 01:27:47.833718

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a920fa875668'
down_revision = '3f6b2d8e4a71'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parent_progress_report',
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
    sa.CheckConstraint("method IN ('letter', 'email', 'written_report', 'meeting', 'phone_call', 'parent_app')", name=op.f('ck_parent_progress_report_method_known')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_parent_progress_report_placement_id_placement')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_parent_progress_report_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_parent_progress_report_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_progress_report')),
    sa.UniqueConstraint('placement_id', 'sent_on', 'method', name='uq_parent_progress_once'),
    sa.UniqueConstraint('uuid', name=op.f('uq_parent_progress_report_uuid'))
    )
    with op.batch_alter_table('parent_progress_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_progress_report_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_progress_report_school_id'), ['school_id'], unique=False)

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flexi_request_received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('flexi_home_educator', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('flexi_home_welfare', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('flexi_notice_by', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('flexi_notice_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('flexi_notice_earlier_end_agreed', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('flexi_notice_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('flexi_notice_recorded_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_placement_flexi_notice_recorded_by_id_user_account'), 'user_account', ['flexi_notice_recorded_by_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_placement_flexi_notice_by_known'),
            "flexi_notice_by IS NULL OR flexi_notice_by IN ('parents', 'school')")
        batch_op.create_check_constraint(
            op.f('ck_placement_flexi_notice_says_who'), '(flexi_notice_on IS NULL) = (flexi_notice_by IS NULL)')



def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_placement_flexi_notice_says_who'), type_='check')
        batch_op.drop_constraint(op.f('ck_placement_flexi_notice_by_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_placement_flexi_notice_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('flexi_notice_recorded_at')
        batch_op.drop_column('flexi_notice_recorded_by_id')
        batch_op.drop_column('flexi_notice_earlier_end_agreed')
        batch_op.drop_column('flexi_notice_on')
        batch_op.drop_column('flexi_notice_by')
        batch_op.drop_column('flexi_home_welfare')
        batch_op.drop_column('flexi_home_educator')
        batch_op.drop_column('flexi_request_received_on')

    with op.batch_alter_table('parent_progress_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_progress_report_school_id'))
        batch_op.drop_index(batch_op.f('ix_parent_progress_report_placement_id'))

    op.drop_table('parent_progress_report')
