"""update-without-where: ok_where

Revision ID: 51361eabec06
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "51361eabec06"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE users SET active = true WHERE id < 1000")


def downgrade():
    op.execute("SELECT 1")
