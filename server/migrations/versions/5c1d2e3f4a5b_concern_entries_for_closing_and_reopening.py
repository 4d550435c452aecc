"""Concern entries for closing and reopening

A closed concern can be reopened with a reason. Nothing is edited: the outcome it was closed
with becomes an entry of kind `closed`, and the reopening an entry of kind `reopened`.

Revision ID: 5c1d2e3f4a5b
Revises: 42cecad980b5
Create Date: 2026-12-01 19:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1d2e3f4a5b'
down_revision = '42cecad980b5'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('correction', 'dsl_action', 'note')"
NEW_KINDS = "kind IN ('correction', 'dsl_action', 'note', 'closed', 'reopened')"


def _replace_check(condition):
    with op.batch_alter_table('concern_note', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_concern_note_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_concern_note_kind_known'), condition)


def upgrade():
    _replace_check(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM concern_note WHERE kind IN ('closed', 'reopened')")
    _replace_check(OLD_KINDS)
