"""add-check-constraint-validating: bad_sql

Revision ID: 4e28b2a973fe
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "4e28b2a973fe"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD CONSTRAINT ck_age CHECK (age >= 0)")  # expect: add-check-constraint-validating


def downgrade():
    op.execute("SELECT 1")
