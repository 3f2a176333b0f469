"""opaque-migration-code: bad_computed_rows

Revision ID: 80be921c32df
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "80be921c32df"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    roles = sa.table("roles", sa.column("name"))
    op.bulk_insert(roles, [{"name": n} for n in ("admin", "staff")])  # expect: opaque-migration-code


def downgrade():
    op.execute("SELECT 1")
