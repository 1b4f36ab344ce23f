"""package profiles and checklist ticks

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_profiles",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=True),
        sa.Column("destination", sa.String(length=32), nullable=True),
        sa.Column("households", sa.JSON(), nullable=False),
        sa.Column("position", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_package_profiles_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_package_profiles")),
    )
    op.create_table(
        "checklist_ticks",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("ticked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_checklist_ticks_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("contact_id", "item", name=op.f("pk_checklist_ticks")),
    )


def downgrade() -> None:
    op.drop_table("checklist_ticks")
    op.drop_table("package_profiles")
