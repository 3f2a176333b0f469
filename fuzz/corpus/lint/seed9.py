"""add-foreign-key-validating: bad_op

Revision ID: 98cd889f63a4
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "98cd889f63a4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"])  # expect: add-foreign-key-validating


def downgrade():
    op.execute("SELECT 1")
