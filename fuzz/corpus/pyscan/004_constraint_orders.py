"""roles drop email

Revision ID: abf6cc706170
Revises: 633789ca4c79
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'abf6cc706170'
down_revision = "633789ca4c79"
branch_labels = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
