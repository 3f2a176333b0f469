"""add-not-null-column-without-default: bad_client_default

Revision ID: 1baf4ef7da5e
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1baf4ef7da5e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), nullable=False, default="free"))  # expect: add-not-null-column-without-default


def downgrade():
    op.execute("SELECT 1")
