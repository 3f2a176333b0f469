"""lock-table: bad

Revision ID: a9ac431c59ce
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "a9ac431c59ce"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")  # expect: lock-table


def downgrade():
    op.execute("SELECT 1")
