"""Indexes for the change cursor and recent visits at national scale

The bootstrap's change cursor asks MAX(change_seq) per school of five tables and per author of
visits; with every school in one database, (school_id, change_seq) and (author_id, change_seq)
answer it from the index alone instead of scanning a school's or an author's rows. The phone's
list of its author's recent visits reads (author_id, received_at).

On PostgreSQL the indexes are built CONCURRENTLY, outside a transaction, so applying this to a
live database with millions of visits does not block phones syncing meanwhile.

Revision ID: ac57daccff49
Revises: b69137753064
Create Date: 2026-11-30 03:53:26.979407

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ac57daccff49'
down_revision = 'b69137753064'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_key_contact_school_change", "key_contact", ["school_id", "change_seq"]),
    ("ix_placement_school_change", "placement", ["school_id", "change_seq"]),
    ("ix_provider_school_change", "provider", ["school_id", "change_seq"]),
    ("ix_pupil_school_change", "pupil", ["school_id", "change_seq"]),
    ("ix_term_period_school_change", "term_period", ["school_id", "change_seq"]),
    ("ix_visit_author_change", "visit", ["author_id", "change_seq"]),
    ("ix_visit_author_received", "visit", ["author_id", "received_at"]),
]


def _concurrently():
    return {"postgresql_concurrently": True} if op.get_bind().dialect.name == "postgresql" else {}


def upgrade():
    with op.get_context().autocommit_block():
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns, unique=False, **_concurrently())


def downgrade():
    with op.get_context().autocommit_block():
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table, **_concurrently())
