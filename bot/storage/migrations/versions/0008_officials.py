"""officials: roles bound to areas, invites, and who acted on which area in the audit log

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.String(length=48), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_officials_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["area_id"], ["places.id"], name=op.f("fk_officials_area_id_places")),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["officials.id"], name=op.f("fk_officials_invited_by_officials"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officials")),
    )
    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officials_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_officials_area_id"), ["area_id"], unique=False)

    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.String(length=48), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["places.id"], name=op.f("fk_invites_area_id_places")),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["officials.id"], name=op.f("fk_invites_invited_by_officials"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_invites_official_id_officials"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("official_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("area_id", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_official_id_officials"), "officials", ["official_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_audit_log_official_id"), ["official_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_area_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_official_id"))
        batch_op.drop_constraint(batch_op.f("fk_audit_log_official_id_officials"), type_="foreignkey")
        batch_op.drop_column("area_id")
        batch_op.drop_column("official_id")

    op.drop_table("invites")
    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officials_area_id"))
        batch_op.drop_index(batch_op.f("ix_officials_contact_id"))
    op.drop_table("officials")
