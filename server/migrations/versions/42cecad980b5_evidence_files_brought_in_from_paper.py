"""Evidence files brought in from paper

A school's scanned paper evidence: a table of stored files (PDF, JPEG, PNG, kept in the photo
store), a file on each provider evidence row, and on a risk assessment recorded from an
existing paper check, the file and who carried the check out.

Revision ID: 42cecad980b5
Revises: 21404e27be5e
Create Date: 2026-12-01 18:57:52.715595

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '42cecad980b5'
down_revision = '21404e27be5e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_file',
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
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f('ck_evidence_file_content_type_allowed')),
    sa.CheckConstraint('byte_size > 0', name=op.f('ck_evidence_file_size_positive')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_evidence_file_sha256_is_hex64')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_evidence_file_provider_id_provider')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_evidence_file_school_id_school')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evidence_file_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_evidence_file_storage_key')),
    sa.UniqueConstraint('uuid', name=op.f('uq_evidence_file_uuid'))
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_school_id'), ['school_id'], unique=False)

    with op.batch_alter_table('provider_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_provider_evidence_file_id'), ['file_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_provider_evidence_file_id_evidence_file'), 'evidence_file', ['file_id'], ['id'])

    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('evidence_file_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_risk_assessment_evidence_file_id'), ['evidence_file_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_risk_assessment_evidence_file_id_evidence_file'), 'evidence_file', ['evidence_file_id'], ['id'])



def downgrade():
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_risk_assessment_evidence_file_id_evidence_file'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_risk_assessment_evidence_file_id'))
        batch_op.drop_column('evidence_file_id')
        batch_op.drop_column('assessed_by')

    with op.batch_alter_table('provider_evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_provider_evidence_file_id_evidence_file'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_provider_evidence_file_id'))
        batch_op.drop_column('file_id')

    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_school_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_provider_id'))

    op.drop_table('evidence_file')
