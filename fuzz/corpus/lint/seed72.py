"""opaque-migration-code: bad_loop

Revision ID: 37355424bda7
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "37355424bda7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    for name in ["a", "b"]:  # expect: opaque-migration-code
        op.add_column(name, sa.Column("x", sa.Integer()))


def downgrade():
    op.execute("SELECT 1")
