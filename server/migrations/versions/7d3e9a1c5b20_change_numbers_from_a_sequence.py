"""Change numbers from a sequence on PostgreSQL

Every write took the next change number by updating the one row of change_counter, so every
school's writes queued on that row until commit. PostgreSQL now takes them from the sequence
change_seq through next_change_seq(), which takes the transaction's id first (see
server/models/tracking.py for why). The sequence starts after the counter's value, so numbers
only grow. SQLite keeps the counter row (its writes are serialised anyway).

Revision ID: 7d3e9a1c5b20
Revises: 7d3e9a1f2b6c
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d3e9a1c5b20'
down_revision = '7d3e9a1f2b6c'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE change_seq")
    op.execute("SELECT setval('change_seq', value) FROM change_counter WHERE id = 1 AND value > 0")
    op.execute("CREATE FUNCTION next_change_seq() RETURNS bigint LANGUAGE plpgsql AS $$ "
               "BEGIN PERFORM pg_current_xact_id(); RETURN nextval('change_seq'); END $$")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("INSERT INTO change_counter (id, value) SELECT 1, last_value FROM change_seq "
               "ON CONFLICT (id) DO UPDATE SET value = greatest(change_counter.value, excluded.value)")
    op.execute("DROP FUNCTION next_change_seq()")
    op.execute("DROP SEQUENCE change_seq")
