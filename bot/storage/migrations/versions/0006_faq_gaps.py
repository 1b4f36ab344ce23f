"""faq gaps: typed questions without a good answer, answers marked unhelpful

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("answer_id", sa.String(length=48), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_gaps")),
    )
    with op.batch_alter_table("faq_gaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_gaps_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("faq_gaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_gaps_created_at"))

    op.drop_table("faq_gaps")
