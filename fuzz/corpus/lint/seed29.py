"""batch-table-recreate: ok_add_column

Revision ID: cb477751e8dd
Revises:
"""
# lint-test: --dialect sqlite
from alembic import op
import sqlalchemy as sa

revision = "cb477751e8dd"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("x", sa.Integer()))


def downgrade():
    op.execute("SELECT 1")
