"""missing-downgrade: ok_empty_upgrade

Revision ID: 588065ee58d6
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "588065ee58d6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
