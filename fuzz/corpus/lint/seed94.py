"""transaction-control: ok_plain

Revision ID: 3c92f8068c5a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "3c92f8068c5a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    op.execute("SELECT 1")
