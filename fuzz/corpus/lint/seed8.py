"""add-column-volatile-default: ok_now_is_stable

Revision ID: 1807ceb2edc0
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1807ceb2edc0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("seen", sa.DateTime(), server_default=sa.func.now()))


def downgrade():
    op.execute("SELECT 1")
