"""normalise legacy role aliases

The roles 'directeur' and 'directrice' were spellings of 'direction'.
Move their members to 'direction' and remove the aliases.

Revision ID: e7b2d9f4a1c6
Revises: c3e8f1a6b4d2
Create Date: 2026-03-02 14:27:45.906512

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b2d9f4a1c6'
down_revision = 'c3e8f1a6b4d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT OR IGNORE INTO user_roles (user_id, role_id) "
        "SELECT ur.user_id, (SELECT id FROM roles WHERE name = 'direction') "
        "FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
        "WHERE r.name IN ('directeur', 'directrice')"
    )
    op.execute(
        "DELETE FROM user_roles WHERE role_id IN "
        "(SELECT id FROM roles WHERE name IN ('directeur', 'directrice'))"
    )
    op.execute("DELETE FROM roles WHERE name IN ('directeur', 'directrice')")


def downgrade() -> None:
    op.execute("INSERT INTO roles (name) VALUES ('directeur'), ('directrice')")
