"""create-index-not-concurrently: ok_new_table

Revision ID: 455c57bb6b52
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "455c57bb6b52"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("email", sa.String(255)))
    op.create_index("ix_t_email", "t", ["email"])


def downgrade():
    op.execute("SELECT 1")
