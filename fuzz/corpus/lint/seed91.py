"""suppression-without-reason: bad

Revision ID: cc2e75c4c9c4
Revises:
"""
# lint-test-expect: suppression-without-reason@17
from alembic import op
import sqlalchemy as sa

revision = "cc2e75c4c9c4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # mgate: allow drop-table
    op.drop_table("accounts")  # expect: drop-table


def downgrade():
    op.execute("SELECT 1")
