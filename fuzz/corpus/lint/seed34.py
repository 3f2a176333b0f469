"""create-index-not-concurrently: bad_op

Revision ID: 59dfbe66cea4
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "59dfbe66cea4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_email", "users", ["email"])  # expect: create-index-not-concurrently


def downgrade():
    op.execute("SELECT 1")
