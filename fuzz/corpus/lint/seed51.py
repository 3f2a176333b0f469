"""drop-schema: ok_create

Revision ID: 95a91af6817a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "95a91af6817a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SCHEMA reporting")


def downgrade():
    op.execute("SELECT 1")
