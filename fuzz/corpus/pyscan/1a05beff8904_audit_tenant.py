'''orders email drop

Revision ID: 1a05beff8904
Revises: 2c6cc192d2de
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a05beff8904'
down_revision = "2c6cc192d2de"
branch_labels = None
depends_on = None


def upgrade_helper(table):
    revision = 'not-module-level'
    return table


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
