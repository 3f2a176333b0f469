"""add-check-constraint-validating: bad_op

Revision ID: d7dbc20935e7
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "d7dbc20935e7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint("ck_age", "users", "age >= 0")  # expect: add-check-constraint-validating


def downgrade():
    op.execute("SELECT 1")
