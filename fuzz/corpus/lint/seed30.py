"""batch-table-recreate: ok_postgresql

Revision ID: 1402bc1c194d
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1402bc1c194d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("name", nullable=True)


def downgrade():
    op.execute("SELECT 1")
