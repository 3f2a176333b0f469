# -*- coding: utf-8 -*-
"""tenant projects column

Revision ID: f1c0a3445053
Revises: f3b5686853ae
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = ('f1c0a3445053')
down_revision: Union[str, Sequence[str], None] = 'f3b5686853ae'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
