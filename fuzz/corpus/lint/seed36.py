"""create-index-not-concurrently: ok_concurrently

Revision ID: 54529feb8081
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "54529feb8081"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)


def downgrade():
    op.execute("SELECT 1")
