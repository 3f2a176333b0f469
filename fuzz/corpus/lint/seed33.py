"""concurrently-in-transaction: ok_autocommit

Revision ID: 8dfdaa52b567
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "8dfdaa52b567"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_a ON users (a)")


def downgrade():
    op.execute("SELECT 1")
