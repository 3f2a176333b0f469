"""update-without-where: bad_core

Revision ID: e9e9a48b0d23
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "e9e9a48b0d23"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    users = sa.table("users", sa.column("active"))
    op.execute(users.update().values(active=True))  # expect: update-without-where


def downgrade():
    op.execute("SELECT 1")
