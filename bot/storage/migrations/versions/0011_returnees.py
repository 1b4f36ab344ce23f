"""returnees: needs, services, referrals to focal points and their conversations

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "returnee_profiles",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.String(length=64), nullable=True),
        sa.Column("returned_in", sa.String(length=7), nullable=True),
        sa.Column("came_from", sa.String(length=8), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_returnee_profiles_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_returnee_profiles")),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("chatting", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("outcome_reason", sa.String(length=500), nullable=True),
        sa.Column("followup", sa.String(length=8), nullable=True),
        sa.Column("followup_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_referrals_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_referrals_official_id_officials"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_area_id"), ["area_id"], unique=False)
        batch_op.create_index("ix_referrals_official_status", ["official_id", "status"], unique=False)
    op.create_table(
        "referral_details",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_referral_details_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_details_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referral_details")),
    )
    with op.batch_alter_table("referral_details", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_details_contact_id"), ["contact_id"], unique=False)
    op.create_table(
        "referral_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=12), nullable=False),
        sa.Column("text", sa.String(length=4096), nullable=False),
        sa.Column("attachment", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_referral_messages_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_messages_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_messages")),
    )
    with op.batch_alter_table("referral_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_messages_referral_id"), ["referral_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_messages_contact_id"), ["contact_id"], unique=False)
    op.create_table(
        "service_offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need", sa.String(length=24), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("bring", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("hours", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_offices")),
    )
    with op.batch_alter_table("service_offices", schema=None) as batch_op:
        batch_op.create_index("ix_service_offices_need_area", ["need", "area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_offices", schema=None) as batch_op:
        batch_op.drop_index("ix_service_offices_need_area")
    op.drop_table("service_offices")
    with op.batch_alter_table("referral_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_messages_contact_id"))
        batch_op.drop_index(batch_op.f("ix_referral_messages_referral_id"))
    op.drop_table("referral_messages")
    with op.batch_alter_table("referral_details", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_details_contact_id"))
    op.drop_table("referral_details")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_official_status")
        batch_op.drop_index(batch_op.f("ix_referrals_area_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_contact_id"))
    op.drop_table("referrals")
    op.drop_table("returnee_profiles")
