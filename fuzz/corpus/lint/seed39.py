"""data-and-schema-in-one-revision: bad

Revision ID: 028a3098b895
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "028a3098b895"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), server_default="free"))
    op.execute("UPDATE users SET plan = 'pro' WHERE paid")  # expect: data-and-schema-in-one-revision


def downgrade():
    op.execute("SELECT 1")
