"""drop-column: bad_sql_multiline

Revision ID: 7bf9551c6758
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "7bf9551c6758"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        ALTER TABLE users  -- expect: drop-column
            ADD COLUMN note text,
            DROP COLUMN legacy;
        DROP TABLE old_users  -- expect: drop-table
        """  # noqa
    )


def downgrade():
    op.execute("SELECT 1")
