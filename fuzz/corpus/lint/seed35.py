"""create-index-not-concurrently: bad_sql

Revision ID: f3cfffd207d6
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "f3cfffd207d6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX ix_users_email ON users (email)")  # expect: create-index-not-concurrently


def downgrade():
    op.execute("SELECT 1")
