"""alter-column-type: bad_sql

Revision ID: b2c60868c1af
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "b2c60868c1af"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ALTER COLUMN age TYPE bigint")  # expect: alter-column-type


def downgrade():
    op.execute("SELECT 1")
