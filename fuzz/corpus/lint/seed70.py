"""opaque-migration-code: bad_fstring

Revision ID: 5c07017db4c0
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "5c07017db4c0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    table = "users"
    op.execute(f"ANALYZE {table}")  # expect: opaque-migration-code


def downgrade():
    op.execute("SELECT 1")
