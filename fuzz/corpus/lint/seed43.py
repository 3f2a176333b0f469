"""delete-without-where: ok_where

Revision ID: 1280bd288d79
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1280bd288d79"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM sessions WHERE expires_at < now()")


def downgrade():
    op.execute("SELECT 1")
