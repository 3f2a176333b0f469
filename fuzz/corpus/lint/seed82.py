"""rename-table: ok_new_table

Revision ID: 3ccd24f59a6e
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "3ccd24f59a6e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("tmp_users", sa.Column("id", sa.Integer()))
    op.rename_table("tmp_users", "users_v2")


def downgrade():
    op.execute("SELECT 1")
