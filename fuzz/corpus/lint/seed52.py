"""drop-sequence: bad

Revision ID: 4408d7d4084b
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "4408d7d4084b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP SEQUENCE invoice_no_seq")  # expect: drop-sequence


def downgrade():
    op.execute("SELECT 1")
