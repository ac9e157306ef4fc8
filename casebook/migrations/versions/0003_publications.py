"""publications of the yearly statistics

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

- `publication`: a year's anonymised figures as published (`casebook stats YEAR
  --publish`), with the k and the disclosure method used, the figures themselves (the
  published view as JSON: rounded counts only, no true count) and the publication it
  corrects, if any. Exporting a published year repeats these figures.
- the setting `stats_key`: the casebook's own secret for the random rounding of the
  statistics (docs/statistics-format.md §4). Made once, here, for every casebook (new
  ones too: a new casebook is built by these migrations), so that the read-only
  `casebook stats` never needs to write one.
"""

import secrets

import sqlalchemy as sa
from alembic import op

import casebook.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("figures", sa.String(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("published_at", casebook.models.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(["corrects_id"], ["publication.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "version"),
    )
    op.create_index("ix_publication_year", "publication", ["year"], unique=False)
    op.get_bind().execute(
        sa.text("INSERT OR IGNORE INTO setting (key, value) VALUES ('stats_key', :v)"),
        {"v": secrets.token_hex(32)},
    )


def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE key = 'stats_key'")
    op.drop_index("ix_publication_year", table_name="publication")
    op.drop_table("publication")
