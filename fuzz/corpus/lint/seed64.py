"""missing-downgrade: bad_absent

Revision ID: a31d5244999e
Revises:
"""
# lint-test-expect: missing-downgrade@16
from alembic import op
import sqlalchemy as sa

revision = "a31d5244999e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))
