"""reindex-not-concurrently: bad

Revision ID: 7a30c28d093b
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "7a30c28d093b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REINDEX INDEX ix_events_at")  # expect: reindex-not-concurrently


def downgrade():
    op.execute("SELECT 1")
