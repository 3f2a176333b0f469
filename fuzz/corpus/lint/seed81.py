"""rename-table: bad_sql

Revision ID: 8fbf08234ec7
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "8fbf08234ec7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users RENAME TO accounts")  # expect: rename-table


def downgrade():
    op.execute("SELECT 1")
