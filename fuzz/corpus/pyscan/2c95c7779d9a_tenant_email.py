'''rename column constraint

Revision ID: 2c95c7779d9a
Revises: 89b0f8540164
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '2c95c7779d9a'
down_revision: Union[str, Sequence[str], None] = "89b0f8540164"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
