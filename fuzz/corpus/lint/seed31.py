"""concurrently-in-transaction: bad_op

Revision ID: 27c85cc2b5a3
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "27c85cc2b5a3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)  # expect: concurrently-in-transaction


def downgrade():
    op.execute("SELECT 1")
