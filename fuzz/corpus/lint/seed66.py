"""missing-downgrade: bad_raise

Revision ID: 7388956cb937
Revises:
"""
# lint-test-expect: missing-downgrade@20
from alembic import op
import sqlalchemy as sa

revision = "7388956cb937"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))


def downgrade():
    raise NotImplementedError("no way back")
