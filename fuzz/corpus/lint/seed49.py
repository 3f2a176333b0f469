"""drop-index-not-concurrently: ok_concurrently

Revision ID: fd6b6966d470
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "fd6b6966d470"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)


def downgrade():
    op.execute("SELECT 1")
