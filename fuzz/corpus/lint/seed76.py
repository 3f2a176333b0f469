"""reindex-not-concurrently: ok_pg11

Revision ID: 1bd82058250d
Revises:
"""
# lint-test: --pg-version 11
from alembic import op
import sqlalchemy as sa

revision = "1bd82058250d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REINDEX INDEX ix_events_at")


def downgrade():
    op.execute("SELECT 1")
