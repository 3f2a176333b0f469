"""data-and-schema-in-one-revision: ok_other_table

Revision ID: 32e60340bf8c
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "32e60340bf8c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(20), server_default="free"))
    op.execute("UPDATE accounts SET plan = 'pro' WHERE paid")


def downgrade():
    op.execute("SELECT 1")
