"""unused-suppression: ok_used

Revision ID: 99392a8d902f
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "99392a8d902f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("users", "x")  # mgate: allow drop-column -- x was never written


def downgrade():
    op.execute("SELECT 1")
