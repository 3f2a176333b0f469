"""rename-column: ok_comment_only

Revision ID: c906ad5a086d
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "c906ad5a086d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "name", comment="display name")


def downgrade():
    op.execute("SELECT 1")
