"""alter-column-type: ok_sqlite

Revision ID: ad159e89e3cf
Revises:
"""
# lint-test: --dialect sqlite
from alembic import op
import sqlalchemy as sa

revision = "ad159e89e3cf"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "age", type_=sa.BigInteger())


def downgrade():
    op.execute("SELECT 1")
