# Ünïcödé comment: naïve café ✓
'''backfill email constraint

Revision ID: 2c6cc192d2de
Revises: users_projects
Create Date: 2026-01-01 00:00:00.000000

'''
from alembic import op
import sqlalchemy as sa
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = ('2c6cc192d2de')
down_revision: Union[str, Sequence[str], None] = 'users_projects'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade_helper(table):
    revision = 'not-module-level'
    return table


def upgrade() -> None:
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
