"""places: areas of both countries, a person's place

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the feature that owns this revision


def downgrade() -> None:
    pass  # PLACEHOLDER
