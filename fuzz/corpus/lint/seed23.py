"""alter-column-type: bad_op

Revision ID: 6ee6f3497251
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "6ee6f3497251"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "age", type_=sa.BigInteger(), existing_type=sa.Integer())  # expect: alter-column-type


def downgrade():
    op.execute("SELECT 1")
