"""opaque-migration-code: bad_helper

Revision ID: 31ee38ea4a3e
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "31ee38ea4a3e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    backfill_accounts(op.get_bind())  # expect: opaque-migration-code


def downgrade():
    op.execute("SELECT 1")
