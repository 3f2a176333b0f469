# -*- coding: utf-8 -*-
"""orders participants drop

Revision ID: b5f33429c86f
Revises: deadbeef0000
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = u'b5f33429c86f'
down_revision: Union[str, Sequence[str], None] = u'df72a9221f7b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade_helper(table):
    revision = 'not-module-level'
    return table


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
