"""vacuum-full-or-cluster: bad_cluster

Revision ID: 529bbd488aa7
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "529bbd488aa7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CLUSTER events USING ix_events_at")  # expect: vacuum-full-or-cluster


def downgrade():
    op.execute("SELECT 1")
