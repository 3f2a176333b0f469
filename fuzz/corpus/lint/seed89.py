"""sql-parse-error: ok_sqlite_syntax

Revision ID: 860a96e64dea
Revises:
"""
# lint-test: --dialect sqlite
from alembic import op
import sqlalchemy as sa

revision = "860a96e64dea"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT OR REPLACE INTO settings VALUES (1, 'x')")


def downgrade():
    op.execute("SELECT 1")
