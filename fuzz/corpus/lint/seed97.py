"""unused-suppression: bad

Revision ID: f5ba74b7a60f
Revises:
"""
# lint-test-expect: unused-suppression@17
from alembic import op
import sqlalchemy as sa

revision = "f5ba74b7a60f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # mgate: allow drop-column -- nothing here drops a column
    op.add_column("users", sa.Column("x", sa.Integer()))


def downgrade():
    op.execute("SELECT 1")
