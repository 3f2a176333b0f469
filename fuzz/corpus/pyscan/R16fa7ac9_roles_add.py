# Copyright (c) 2024 Example Corp.
# Licensed under the MIT licence; see LICENSE.
#
'''tenant add backfill

Revision ID: R16fa7ac9
Revises: 2c95c7779d9a
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = u'R16fa7ac9'
down_revision: Union[str, Sequence[str], None] = ('2c95c7779d9a')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
