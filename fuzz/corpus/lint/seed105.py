"""vacuum-full-or-cluster: ok_analyze

Revision ID: 7079916ca6d0
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "7079916ca6d0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ANALYZE events")


def downgrade():
    op.execute("SELECT 1")
