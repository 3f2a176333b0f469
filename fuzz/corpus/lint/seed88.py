"""sql-parse-error: bad

Revision ID: 1215e64e8517
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1215e64e8517"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "SELECT 1;\n"
        "SELEC 2"  # expect: sql-parse-error
    )


def downgrade():
    op.execute("SELECT 1")
