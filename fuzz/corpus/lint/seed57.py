"""drop-table: ok_revision_wide

Revision ID: 19749e7fa7f5
Revises:
"""
# mgate: allow-revision drop-table -- both tables were emptied and archived in r40
from alembic import op
import sqlalchemy as sa

revision = "19749e7fa7f5"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("accounts")
    op.drop_table("audit")


def downgrade():
    op.execute("SELECT 1")
