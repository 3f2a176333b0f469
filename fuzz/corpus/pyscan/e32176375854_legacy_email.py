"""orders constraint backfill

Revision ID: e32176375854
Revises: f1c0a3445053, 4588
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e32176375854'
down_revision = ('f1c0a3445053', '4588')
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
