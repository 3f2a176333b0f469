"""backfill audit drop

Revision ID: 89b0f8540164
Revises: abf6cc706170
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "89b0f8540164"
down_revision = 'abf6cc706170'
branch_labels = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
