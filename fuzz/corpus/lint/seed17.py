"""add-not-null-column-without-default: ok_server_default

Revision ID: 9dc0c8b902e1
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "9dc0c8b902e1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), nullable=False, server_default="free"))


def downgrade():
    op.execute("SELECT 1")
