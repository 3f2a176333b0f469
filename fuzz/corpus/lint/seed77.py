"""rename-column: bad_op

Revision ID: 7108fd6474f4
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "7108fd6474f4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "name", new_column_name="full_name")  # expect: rename-column


def downgrade():
    op.execute("SELECT 1")
