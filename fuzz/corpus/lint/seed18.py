"""add-primary-key: bad_op

Revision ID: fb439e5e7837
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "fb439e5e7837"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_primary_key("pk_events", "events", ["id"])  # expect: add-primary-key


def downgrade():
    op.execute("SELECT 1")
