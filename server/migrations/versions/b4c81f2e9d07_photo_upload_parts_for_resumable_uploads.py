"""Photo upload parts: the bytes of a photo upload not yet whole

A phone on a poor signal sends a photo in parts and continues after a drop from the byte the
server confirmed (docs/sync-protocol.md §2). The parts of each photo are kept here until the
last one arrives and the photo goes through the usual checks.

Revision ID: b4c81f2e9d07
Revises: a920fa875668
Create Date: 2026-12-02 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4c81f2e9d07'
down_revision = 'a920fa875668'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo_upload_part',
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('start >= 0', name=op.f('ck_photo_upload_part_start_not_negative')),
    sa.CheckConstraint('length > 0', name=op.f('ck_photo_upload_part_length_positive')),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_photo_upload_part_photo_id_photo'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_photo_upload_part_author_id_user_account')),
    sa.PrimaryKeyConstraint('photo_id', 'start', name=op.f('pk_photo_upload_part'))
    )
    with op.batch_alter_table('photo_upload_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_upload_part_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_upload_part_received_at'), ['received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('photo_upload_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_upload_part_received_at'))
        batch_op.drop_index(batch_op.f('ix_photo_upload_part_author_id'))
    op.drop_table('photo_upload_part')
