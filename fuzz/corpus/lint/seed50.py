"""drop-schema: bad

Revision ID: 432a887ddd66
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "432a887ddd66"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP SCHEMA reporting CASCADE")  # expect: drop-schema


def downgrade():
    op.execute("SELECT 1")
