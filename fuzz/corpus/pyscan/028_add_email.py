'''email constraint index

Revision ID: 307c84db8bc6
Revises: deadbeef0000
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '307c84db8bc6'
down_revision: Union[str, Sequence[str], None] = ['R16fa7ac9', 'e32176375854']
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
