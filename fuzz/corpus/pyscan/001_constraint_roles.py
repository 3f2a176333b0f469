# Ünïcödé comment: naïve café ✓
'''rename orders column

Revision ID: 633789ca4c79
Revises: orders_legacy
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = ('633789ca4c79')
down_revision: Union[str, Sequence[str], None] = 'orders_legacy'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
