"""add-foreign-key-validating: ok_not_valid_op

Revision ID: 227af5eb43bc
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "227af5eb43bc"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True)


def downgrade():
    op.execute("SELECT 1")
