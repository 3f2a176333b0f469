"""add-column-volatile-default: bad_sql_serial

Revision ID: f768bb7d7074
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "f768bb7d7074"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD COLUMN seq bigserial")  # expect: add-column-volatile-default


def downgrade():
    op.execute("SELECT 1")
