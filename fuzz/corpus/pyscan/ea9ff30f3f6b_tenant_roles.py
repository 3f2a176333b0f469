# -*- coding: utf-8 -*-
'''add index roles

Revision ID: f3b5686853ae
Revises: b5f33429c86f, R6273ba83Z, R9aae7f10Z
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b5686853ae'
down_revision = ['b5f33429c86f', 'R6273ba83Z', 'R9aae7f10Z']
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
