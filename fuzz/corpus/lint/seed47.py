"""drop-column: ok_suppressed_above

Revision ID: 332e95959f74
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "332e95959f74"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # mgate: allow drop-column -- the column was never populated (see ADR-7)
    op.drop_column("users", "legacy")


def downgrade():
    op.execute("SELECT 1")
