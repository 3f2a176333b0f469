"""add-not-null-column-without-default: bad_op

Revision ID: ebb18d658598
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "ebb18d658598"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), nullable=False))  # expect: add-not-null-column-without-default


def downgrade():
    op.execute("SELECT 1")
