"""duplicates merged, guardians and who consented, more than one sector

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02

- `case_file.merged_into`: the reference of the case a duplicate was merged into
  (casebook.services.merge); such a case is closed and left out of the statistics.
- `case_sector`: the sectors a case has beside its primary `case_file.sector`.
- `person.guardian_relation`, `person.guardian_name`: who signs for the person (a
  parent, a guardian, a legal representative; `consent_givers` codes).
- `consent.given_by`: who gave the consent; every consent recorded before this
  revision counts as given by the person.

Columns are added in place (ALTER TABLE ADD COLUMN), never by copying a table: the
migration runs with foreign keys on, and dropping the old copy of `case_file` or
`person` would cascade into every signal, step and consent of the casebook.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_sector",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "code"),
    )
    op.add_column("case_file", sa.Column("merged_into", sa.String(length=16), nullable=True))
    op.add_column("person", sa.Column("guardian_relation", sa.String(length=16), nullable=True))
    op.add_column(
        "person",
        sa.Column(
            "guardian_name", sa.String(length=200), nullable=False, server_default=sa.text("''")
        ),
    )
    op.add_column(
        "consent",
        sa.Column("given_by", sa.String(length=16), nullable=False, server_default="PERSON"),
    )


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place, without copying the table
    op.drop_column("consent", "given_by")
    op.drop_column("person", "guardian_name")
    op.drop_column("person", "guardian_relation")
    op.drop_column("case_file", "merged_into")
    op.drop_table("case_sector")
