"""The register codes of the School Attendance (Pupil Registration) (England) Regulations 2024

attendance_record.code takes the 2024 codes (K, V, P, W, C1, J1, S, X, C2, T, R, Q, Y1-Y7, L
beside the earlier ones). Every code stored before stays valid: the earlier list is part of the
new one, so no row changes on the way up.

Revision ID: 3f6b2d8e4a71
Revises: 8f4c2b7a9d13
Create Date: 2026-12-02 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6b2d8e4a71'
down_revision = '8f4c2b7a9d13'
branch_labels = None
depends_on = None

BEFORE = ('/', '\\', 'B', 'D', 'I', 'M', 'C', 'E', 'G', 'O', 'U', 'N')
CODES_2024 = ('/', '\\', 'L', 'K', 'V', 'P', 'W', 'B', 'D', 'C1', 'M', 'J1', 'S', 'X', 'C2', 'C', 'T', 'R', 'I',
              'E', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'G', 'N', 'O', 'U')
# Going back, a 2024 code becomes the nearest earlier one (its statistics group kept):
# attending elsewhere is B, leave and other authorised reasons C, late is present.
BACK = {'K': 'B', 'V': 'B', 'P': 'B', 'W': 'B', 'C1': 'C', 'J1': 'C', 'S': 'C', 'X': 'C', 'C2': 'C', 'T': 'C',
        'R': 'C', 'Q': 'C', 'Y1': 'C', 'Y2': 'C', 'Y3': 'C', 'Y4': 'C', 'Y5': 'C', 'Y6': 'C', 'Y7': 'C'}


def _check(codes):
    return "code IN ({})".format(", ".join(f"'{code}'" for code in codes))


def _replace_check(codes):
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attendance_record_code_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_attendance_record_code_known'), _check(codes))


def upgrade():
    _replace_check(CODES_2024)


def downgrade():
    table = sa.table('attendance_record', sa.column('code', sa.String), sa.column('session', sa.String))
    for new, old in BACK.items():
        op.execute(table.update().where(table.c.code == new).values(code=old))
    op.execute(table.update().where(sa.and_(table.c.code == 'L', table.c.session == 'am')).values(code='/'))
    op.execute(table.update().where(sa.and_(table.c.code == 'L', table.c.session == 'pm')).values(code='\\'))
    _replace_check(BEFORE)
