"""eligibility pre-check results

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eligibility_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_eligibility_results_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_results")),
    )
    with op.batch_alter_table("eligibility_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eligibility_results_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("eligibility_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eligibility_results_contact_id"))
    op.drop_table("eligibility_results")
