'''audit participants tenant

Revision ID: R93a462e8Z
Revises: 307c84db8bc6
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = 'R93a462e8Z'
down_revision: Union[str, Sequence[str], None] = '307c84db8bc6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


class Helper:
    down_revision = 'ignored'


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
