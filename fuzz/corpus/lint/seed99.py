"""update-without-where: bad

Revision ID: b0df968716d1
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "b0df968716d1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE users SET active = true")  # expect: update-without-where


def downgrade():
    op.execute("SELECT 1")
