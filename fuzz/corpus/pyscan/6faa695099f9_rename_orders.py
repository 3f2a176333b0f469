# -*- coding: utf-8 -*-
# Copyright (c) 2024 Example Corp.
# Licensed under the MIT licence; see LICENSE.
#
'''rename audit index

Revision ID: orders_legacy
Revises: 
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = 'orders_legacy'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = ('billing0',)
depends_on: Union[str, Sequence[str], None] = None


class Helper:
    down_revision = 'ignored'


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
