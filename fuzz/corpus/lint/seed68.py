"""missing-downgrade: ok_real

Revision ID: 1ee4fa1f5466
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1ee4fa1f5466"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))


def downgrade():
    op.drop_column("users", "x")
