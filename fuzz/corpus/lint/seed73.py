"""opaque-migration-code: ok_literal

Revision ID: 7c5bd09ad35d
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "7c5bd09ad35d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    sql = """
        ANALYZE users
    """
    op.execute(sql)
    roles = sa.table("roles", sa.column("name"))
    op.bulk_insert(roles, [{"name": "admin"}, {"name": "staff"}])


def downgrade():
    op.execute("SELECT 1")
