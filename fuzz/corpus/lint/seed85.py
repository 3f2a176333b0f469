"""set-not-null: bad_sql

Revision ID: 071dfd1dfdd0
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "071dfd1dfdd0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ALTER COLUMN email SET NOT NULL")  # expect: set-not-null


def downgrade():
    op.execute("SELECT 1")
