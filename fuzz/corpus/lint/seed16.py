"""add-not-null-column-without-default: ok_nullable

Revision ID: 963d017dac0a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "963d017dac0a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), nullable=True))


def downgrade():
    op.execute("SELECT 1")
