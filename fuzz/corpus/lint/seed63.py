"""lossy-downgrade: ok_alter

Revision ID: 6d4391e53e6d
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6d4391e53e6d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "x", comment="c")


def downgrade():
    op.alter_column("users", "x", comment=None)
