"""rename-table: bad_op

Revision ID: 228771bad394
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "228771bad394"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("users", "accounts")  # expect: rename-table


def downgrade():
    op.execute("SELECT 1")
