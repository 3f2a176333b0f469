"""concurrently-in-transaction: bad_sql

Revision ID: aae3f1ce025a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "aae3f1ce025a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX CONCURRENTLY ix_a ON users (a)")  # expect: concurrently-in-transaction


def downgrade():
    op.execute("SELECT 1")
