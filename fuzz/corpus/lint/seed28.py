"""batch-table-recreate: bad_always

Revision ID: ffb7e76a279d
Revises:
"""
# lint-test: --dialect sqlite
from alembic import op
import sqlalchemy as sa

revision = "ffb7e76a279d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", recreate="always") as batch_op:  # expect: batch-table-recreate
        batch_op.add_column(sa.Column("x", sa.Integer()))


def downgrade():
    op.execute("SELECT 1")
