"""vacuum-full-or-cluster: bad_vacuum

Revision ID: 6dbac828a193
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6dbac828a193"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("VACUUM FULL events")  # expect: vacuum-full-or-cluster


def downgrade():
    op.execute("SELECT 1")
