"""missing-downgrade: bad_pass

Revision ID: e2061948dbb4
Revises:
"""
# lint-test-expect: missing-downgrade@20
from alembic import op
import sqlalchemy as sa

revision = "e2061948dbb4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))


def downgrade():
    pass
