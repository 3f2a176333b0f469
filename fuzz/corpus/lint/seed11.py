"""add-foreign-key-validating: ok_not_valid

Revision ID: 5b37f58eed95
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "5b37f58eed95"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID")


def downgrade():
    op.execute("SELECT 1")
