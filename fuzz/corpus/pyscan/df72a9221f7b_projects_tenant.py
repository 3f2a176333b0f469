'''tenant drop constraint

Revision ID: df72a9221f7b
Revises: 333d895be857
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "df72a9221f7b"
down_revision: Union[str, Sequence[str], None] = '333d895be857'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
