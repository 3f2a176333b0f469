"""alter-column-type: ok_widening

Revision ID: a56323b29ccb
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "a56323b29ccb"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "name", type_=sa.String(200), existing_type=sa.String(100))


def downgrade():
    op.execute("SELECT 1")
