# Ünïcödé comment: naïve café ✓
"""users backfill orders

Revision ID: 2e017d4614f6
Revises: 4d97b65e141d
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2e017d4614f6'
down_revision = u'4d97b65e141d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
