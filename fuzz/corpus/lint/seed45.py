"""drop-column: bad_op

Revision ID: e103b7bdb20c
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "e103b7bdb20c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("users", "legacy")  # expect: drop-column


def downgrade():
    op.execute("SELECT 1")
