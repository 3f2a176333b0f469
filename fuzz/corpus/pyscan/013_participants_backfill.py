# -*- coding: utf-8 -*-
"""audit participants orders

Revision ID: 52c2766c5cca
Revises: d2f8fea1ce09
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '52c2766c5cca'
down_revision = ('d2f8fea1ce09')
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
