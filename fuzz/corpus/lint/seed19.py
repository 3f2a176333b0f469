"""add-primary-key: ok_using_index

Revision ID: b5fdc52b5583
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "b5fdc52b5583"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY USING INDEX ix_events_id")


def downgrade():
    op.execute("SELECT 1")
