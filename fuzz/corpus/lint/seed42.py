"""delete-without-where: bad_bind

Revision ID: 7bb76ab33a9e
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "7bb76ab33a9e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM sessions"))  # expect: delete-without-where


def downgrade():
    op.execute("SELECT 1")
