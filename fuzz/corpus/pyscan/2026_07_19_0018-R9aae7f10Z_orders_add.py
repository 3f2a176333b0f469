'''legacy email column

Revision ID: R9aae7f10Z
Revises: 1008
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = 'R9aae7f10Z'
down_revision: Union[str, Sequence[str], None] = '1008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade_helper(table):
    revision = 'not-module-level'
    return table


class Helper:
    down_revision = 'ignored'


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
