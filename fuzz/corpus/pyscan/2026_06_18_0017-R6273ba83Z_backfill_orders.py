'''legacy add email

Revision ID: R6273ba83Z
Revises: 52c2766c5cca
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = 'R6273ba83Z'
down_revision: Union[str, Sequence[str], None] = u'52c2766c5cca'
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
