'''participants constraint index

Revision ID: 4d97b65e141d
Revises: f00752575c2d
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = u'4d97b65e141d'
down_revision = ('f00752575c2d')
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
