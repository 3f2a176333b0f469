"""set-not-null: bad_op

Revision ID: 6825cae48687
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6825cae48687"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "email", nullable=False, existing_type=sa.String(255))  # expect: set-not-null


def downgrade():
    op.execute("SELECT 1")
