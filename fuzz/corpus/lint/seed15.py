"""add-not-null-column-without-default: bad_sql

Revision ID: e2dac19b29d7
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "e2dac19b29d7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD COLUMN plan text NOT NULL")  # expect: add-not-null-column-without-default


def downgrade():
    op.execute("SELECT 1")
