"""drop-column: bad_batch

Revision ID: 4391026cd7c6
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "4391026cd7c6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("legacy")  # expect: drop-column


def downgrade():
    op.execute("SELECT 1")
