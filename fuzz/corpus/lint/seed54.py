"""drop-table: bad_op

Revision ID: 350c241f3e4c
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "350c241f3e4c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("accounts")  # expect: drop-table


def downgrade():
    op.execute("SELECT 1")
