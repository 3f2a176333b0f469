"""transaction-control: bad_commit

Revision ID: b05614773a8d
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "b05614773a8d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))
    op.execute("COMMIT")  # expect: transaction-control


def downgrade():
    op.execute("SELECT 1")
