"""create-index-not-concurrently: ok_strict_suppressed

Revision ID: a6c617313436
Revises:
"""
# lint-test: --strict
from alembic import op
import sqlalchemy as sa

revision = "a6c617313436"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_email", "users", ["email"])  # mgate: allow create-index-not-concurrently -- users has 40 rows


def downgrade():
    op.execute("SELECT 1")
