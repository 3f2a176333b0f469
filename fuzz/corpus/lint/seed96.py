"""truncate: ok_new_table

Revision ID: cdb3d7431ad9
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "cdb3d7431ad9"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("staging", sa.Column("id", sa.Integer()))
    op.execute("TRUNCATE staging")


def downgrade():
    op.execute("SELECT 1")
