"""add-check-constraint-validating: ok_not_valid

Revision ID: 91e9a42a10ce
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "91e9a42a10ce"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD CONSTRAINT ck_age CHECK (age >= 0) NOT VALID")


def downgrade():
    op.execute("SELECT 1")
