"""rename-column: bad_sql

Revision ID: 43424a47ba6c
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "43424a47ba6c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users RENAME COLUMN name TO full_name")  # expect: rename-column


def downgrade():
    op.execute("SELECT 1")
