"""tracking: applications, their statuses and check-ins

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the feature that owns this revision


def downgrade() -> None:
    pass  # PLACEHOLDER
