"""lock-table: ok_none

Revision ID: 96838fc842d4
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "96838fc842d4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT count(*) FROM accounts")


def downgrade():
    op.execute("SELECT 1")
