"""batch-table-recreate: bad_alter

Revision ID: 47462d65b660
Revises:
"""
# lint-test: --dialect sqlite
from alembic import op
import sqlalchemy as sa

revision = "47462d65b660"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:  # expect: batch-table-recreate
        batch_op.alter_column("name", nullable=False)


def downgrade():
    op.execute("SELECT 1")
