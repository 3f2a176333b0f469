"""add-foreign-key-validating: bad_sql

Revision ID: e773710c12ec
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "e773710c12ec"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id)")  # expect: add-foreign-key-validating


def downgrade():
    op.execute("SELECT 1")
