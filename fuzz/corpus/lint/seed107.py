"""create roles and user_roles

Revision ID: 4c7e1d2a9f30
Revises: 1f0a9c3e2b71
Create Date: 2026-01-19 16:40:55.502019

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c7e1d2a9f30'
down_revision = '1f0a9c3e2b71'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role_id", sa.Integer, sa.ForeignKey("roles.id"), primary_key=True),
    )
    op.execute(
        "INSERT INTO roles (name) VALUES "
        "('admin_tech'), ('direction'), ('directeur'), ('directrice'), ('participant')"
    )


def downgrade() -> None:
    op.drop_table("user_roles")
    op.drop_table("roles")
