"""reindex-not-concurrently: ok_concurrently

Revision ID: fc0f426743c3
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "fc0f426743c3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REINDEX INDEX CONCURRENTLY ix_events_at")


def downgrade():
    op.execute("SELECT 1")
