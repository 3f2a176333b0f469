"""drop-table: ok_created_here

Revision ID: 3d99d927e8fc
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "3d99d927e8fc"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("scratch", sa.Column("id", sa.Integer(), primary_key=True))
    op.drop_table("scratch")


def downgrade():
    op.execute("SELECT 1")
