"""Staff invitations to accounts another school runs

Adding someone whose account another school runs no longer joins them at once: the school gets
an invitation, which changes nothing of the account until its owner signs in and accepts.

Revision ID: 21404e27be5e
Revises: ac57daccff49
Create Date: 2026-12-01 18:45:42.721617

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '21404e27be5e'
down_revision = 'ac57daccff49'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_invitation',
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
    sa.CheckConstraint('accepted_at IS NULL OR withdrawn_at IS NULL', name=op.f('ck_staff_invitation_accepted_or_withdrawn')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_staff_invitation_invited_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_staff_invitation_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_invitation_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitation')),
    sa.UniqueConstraint('uuid', name=op.f('uq_staff_invitation_uuid'))
    )
    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_invitation_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_invitation_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_invitation_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_invitation_school_id'))

    op.drop_table('staff_invitation')
