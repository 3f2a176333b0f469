"""add-unique-constraint: bad_sql

Revision ID: 12c12929d6b3
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "12c12929d6b3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE (email)")  # expect: add-unique-constraint


def downgrade():
    op.execute("SELECT 1")
