# -*- coding: utf-8 -*-
'''add projects column

Revision ID: drop_legacy
Revises: abf6cc706170, 2a0818955b0b
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'drop_legacy'
down_revision = ['abf6cc706170', '2a0818955b0b']
branch_labels = None


def upgrade_helper(table):
    revision = 'not-module-level'
    return table


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
