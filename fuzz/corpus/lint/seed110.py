"""merge participants and projects

Revision ID: c3e8f1a6b4d2
Revises: 8b3f5e6d0c12, a9d4c2b7e5f8
Create Date: 2026-02-05 10:00:03.410225

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8f1a6b4d2'
down_revision = ('8b3f5e6d0c12', 'a9d4c2b7e5f8')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
