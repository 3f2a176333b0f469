"""truncate: bad

Revision ID: 6e65d9cfef72
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6e65d9cfef72"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE sessions, tokens")  # expect: truncate


def downgrade():
    op.execute("SELECT 1")
