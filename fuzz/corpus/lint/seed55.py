"""drop-table: bad_sql

Revision ID: 2d6ece7fc641
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "2d6ece7fc641"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP TABLE IF EXISTS accounts CASCADE")  # expect: drop-table


def downgrade():
    op.execute("SELECT 1")
