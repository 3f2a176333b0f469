"""lossy-downgrade: bad_table

Revision ID: aebe55de4415
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "aebe55de4415"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("notes", sa.Column("id", sa.Integer()))


def downgrade():
    op.drop_table("notes")  # expect: lossy-downgrade
