"""add-unique-constraint: ok_using_index

Revision ID: e3e8c4b1a05d
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "e3e8c4b1a05d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE USING INDEX ix_email")


def downgrade():
    op.execute("SELECT 1")
