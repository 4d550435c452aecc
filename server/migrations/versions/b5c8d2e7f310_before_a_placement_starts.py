"""Before a placement starts: needs analysis, pupil risk assessment, information shared, parents consulted

The pupil's needs analysis and individual risk assessment (§4.3, with the date the assessment was
last reviewed), what was shared with the provider about the pupil (§7.10) and the parents' views
on the choice of provider (§7.4): who, when and what, on the placement.

Revision ID: b5c8d2e7f310
Revises: b4c81f2e9d07
Create Date: 2026-12-02 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c8d2e7f310'
down_revision = 'b4c81f2e9d07'
branch_labels = None
depends_on = None

COLUMNS = (
    ('needs_analysis_by', sa.String(length=200)),
    ('needs_analysis_on', sa.Date()),
    ('needs_analysis', sa.Text()),
    ('pupil_risk_assessed_by', sa.String(length=200)),
    ('pupil_risk_assessed_on', sa.Date()),
    ('pupil_risks', sa.Text()),
    ('pupil_risk_mitigations', sa.Text()),
    ('pupil_risk_reviewed_on', sa.Date()),
    ('information_shared', sa.Text()),
    ('information_shared_on', sa.Date()),
    ('information_shared_by', sa.String(length=200)),
    ('information_shared_with', sa.String(length=200)),
    ('parents_consulted_name', sa.String(length=200)),
    ('parents_consulted_on', sa.Date()),
    ('parents_view', sa.Text()),
)


def upgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
