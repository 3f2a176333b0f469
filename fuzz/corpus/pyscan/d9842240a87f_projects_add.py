'''index constraint add

Revision ID: d9842240a87f
Revises: 89b0f8540164
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = 'd' '9842240a87f'
down_revision: Union[str, Sequence[str], None] = '8' '9b0f8540164'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
