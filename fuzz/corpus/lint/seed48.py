"""drop-index-not-concurrently: bad_op

Revision ID: 5378cfe12103
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "5378cfe12103"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_users_email", table_name="users")  # expect: drop-index-not-concurrently


def downgrade():
    op.execute("SELECT 1")
