"""update-without-where: ok_core_where

Revision ID: 9f4559707575
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "9f4559707575"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    users = sa.table("users", sa.column("id"), sa.column("active"))
    op.execute(users.update().where(users.c.id < 1000).values(active=True))


def downgrade():
    op.execute("SELECT 1")
