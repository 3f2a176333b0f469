"""set-not-null: ok_new_table

Revision ID: 1ffed0c35245
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1ffed0c35245"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("email", sa.String(255)))
    op.alter_column("t", "email", nullable=False)


def downgrade():
    op.execute("SELECT 1")
