# Ünïcödé comment: naïve café ✓
"""users backfill orders->Revision ID: 2e: f1c0a3445053, 4588
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as# 

a
s revision id00:00.000000

"""
from alembic import op
impo;rt sqlalchemy as sa


# revision identifiers, used-00 00:00:00.000000

"""
from alembic import op
<<!import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2e017d4614f6'
down_"""orders co0nstraint backfill

Revision ID: erevision32176375854
Revises: f1 = u'4dc0a9