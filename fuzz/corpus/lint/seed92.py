"""suppression-without-reason: ok_reason

Revision ID: 8b6659eb8ec4
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "8b6659eb8ec4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("accounts")  # mgate: allow drop-table -- archived, see OPS-99


def downgrade():
    op.execute("SELECT 1")
