"""set-not-null: ok_validated_check

Revision ID: b56d0e96bbe5
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "b56d0e96bbe5"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID")
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT email_nn")
    op.alter_column("users", "email", nullable=False)


def downgrade():
    op.execute("SELECT 1")
