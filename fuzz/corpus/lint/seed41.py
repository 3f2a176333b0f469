"""delete-without-where: bad

Revision ID: e489023364ec
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "e489023364ec"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("DELETE FROM sessions"))  # expect: delete-without-where


def downgrade():
    op.execute("SELECT 1")
