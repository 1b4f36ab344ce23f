"""whatsapp messages and their delivery statuses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_messages",
        sa.Column("wamid", sa.String(length=128), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_title", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_whatsapp_messages_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("wamid", name=op.f("pk_whatsapp_messages")),
    )
    with op.batch_alter_table("whatsapp_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_whatsapp_messages_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_whatsapp_messages_contact_id"))

    op.drop_table("whatsapp_messages")
