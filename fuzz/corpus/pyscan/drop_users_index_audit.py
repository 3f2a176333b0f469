# -*- coding: utf-8 -*-
# Ünïcödé comment: naïve café ✓
'''column roles audit

Revision ID: drop_users
Revises: drop_legacy
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "drop_users"
down_revision = 'drop_legacy'
branch_labels = None


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
