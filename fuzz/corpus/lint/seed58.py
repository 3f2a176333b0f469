"""drop-table: ok_suppressed

Revision ID: 6176a6746909
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6176a6746909"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("accounts")  # mgate: allow drop-table -- archived to s3 in ticket OPS-12


def downgrade():
    op.execute("SELECT 1")
