"""add-unique-constraint: bad_op

Revision ID: 246c9b4ff851
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "246c9b4ff851"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_unique_constraint("uq_email", "users", ["email"])  # expect: add-unique-constraint


def downgrade():
    op.execute("SELECT 1")
