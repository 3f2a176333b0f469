"""add-column-volatile-default: ok_constant

Revision ID: 996501d24664
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "996501d24664"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), server_default="free"))


def downgrade():
    op.execute("SELECT 1")
