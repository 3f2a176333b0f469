"""add-column-volatile-default: bad_constant_on_pg10

Revision ID: 4cde66356f7b
Revises:
"""
# lint-test: --pg-version 10
from alembic import op
import sqlalchemy as sa

revision = "4cde66356f7b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), server_default="free"))  # expect: add-column-volatile-default


def downgrade():
    op.execute("SELECT 1")
