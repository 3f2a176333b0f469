"""sql-parse-error: ok_valid

Revision ID: af98c3f86bb0
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "af98c3f86bb0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    op.execute("SELECT 1")
