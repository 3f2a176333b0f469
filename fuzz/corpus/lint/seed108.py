"""create participants

Revision ID: 8b3f5e6d0c12
Revises: 4c7e1d2a9f30
Create Date: 2026-02-03 11:02:17.774420

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b3f5e6d0c12'
down_revision = '4c7e1d2a9f30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("participants")
