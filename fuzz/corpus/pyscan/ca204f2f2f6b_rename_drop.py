# Copyright (c) 2024 Example Corp.
# Licensed under the MIT licence; see LICENSE.
#
'''projects roles users

Revision ID: 2a0818955b0b
Revises: deadbeef0000
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2' 'a0818955b0b'
down_revision = '1a05beff8904'
branch_labels = None
depends_on = None


class Helper:
    down_revision = 'ignored'


def upgrade():
    op.execute("SELECT 1")


def downgrade():
    pass
