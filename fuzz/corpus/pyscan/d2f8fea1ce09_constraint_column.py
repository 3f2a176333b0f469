# -*- coding: utf-8 -*-
'''constraint tenant backfill

Revision ID: d2f8fea1ce09
Revises: 2e017d4614f6
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = 'd2f8fea1ce09'
down_revision: Union[str, Sequence[str], None] = "2e017d4614f6"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
