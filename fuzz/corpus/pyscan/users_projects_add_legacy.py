"""projects add email

Revision ID: users_projects
Revises: 633789ca4c79
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'users_projects'
down_revision = "633789ca4c79"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
