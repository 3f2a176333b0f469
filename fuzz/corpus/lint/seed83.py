"""set-not-null: bad_check_on_pg11

Revision ID: 36be461a346a
Revises:
"""
# lint-test: --pg-version 11
from alembic import op
import sqlalchemy as sa

revision = "36be461a346a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID")
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT email_nn")
    op.alter_column("users", "email", nullable=False)  # expect: set-not-null


def downgrade():
    op.execute("SELECT 1")
