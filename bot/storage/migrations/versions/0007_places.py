"""places: areas of both countries, a person's place

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:00:00.000000

The rows come from content/places/ (bot.places.ensure_loaded, where the database is opened), not from this
revision: content changes more often than the schema.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=48), nullable=True),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("kato", sa.String(length=16), nullable=True),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("name_latin", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["places.id"], name=op.f("fk_places_parent_id_places")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_kato"), ["kato"], unique=False)
        batch_op.create_index(batch_op.f("ix_places_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index("ix_places_path", ["path"], unique=False, postgresql_ops={"path": "varchar_pattern_ops"})

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.String(length=48), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_place_id_places"), "places", ["place_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contacts_place_id_places"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_contacts_place_id"))
        batch_op.drop_column("place_id")

    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index("ix_places_path", postgresql_ops={"path": "varchar_pattern_ops"})
        batch_op.drop_index(batch_op.f("ix_places_parent_id"))
        batch_op.drop_index(batch_op.f("ix_places_kato"))

    op.drop_table("places")
