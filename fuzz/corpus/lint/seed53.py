"""drop-sequence: ok_create

Revision ID: 6c916d516668
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6c916d516668"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE invoice_no_seq")


def downgrade():
    op.execute("SELECT 1")
