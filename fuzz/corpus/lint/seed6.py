"""add-column-volatile-default: bad_uuid

Revision ID: c67319e98f0a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "c67319e98f0a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))  # expect: add-column-volatile-default


def downgrade():
    op.execute("SELECT 1")
