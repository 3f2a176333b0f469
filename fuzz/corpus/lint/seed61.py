"""lossy-downgrade: bad_column

Revision ID: 29125400131a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "29125400131a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))


def downgrade():
    op.drop_column("users", "x")  # expect: lossy-downgrade
