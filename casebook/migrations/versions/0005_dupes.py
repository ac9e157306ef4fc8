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
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def _search_triggers() -> list[tuple[str, str]]:
    """The case search index's triggers (0002), as stored: a batch copy of `case_file`
    or `person` would break them, so they are dropped first and made again after."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'case_search_%' ORDER BY name"
        )
    )
    return [(name, sql) for name, sql in rows]


def _without_triggers(alter) -> None:
    triggers = _search_triggers()
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    alter()
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    _without_triggers(_upgrade)


def downgrade() -> None:
    _without_triggers(_downgrade)


def _upgrade() -> None:
    op.create_table(
        "case_sector",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "code"),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.String(length=16), nullable=True))
    # NOT NULL columns without a server default: added empty, filled, then required
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guardian_relation", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("guardian_name", sa.String(length=200), nullable=True))
    op.execute("UPDATE person SET guardian_name = '' WHERE guardian_name IS NULL")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("guardian_name", existing_type=sa.String(length=200), nullable=False)
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_by", sa.String(length=16), nullable=True))
    op.execute("UPDATE consent SET given_by = 'PERSON' WHERE given_by IS NULL")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.alter_column("given_by", existing_type=sa.String(length=16), nullable=False)


def _downgrade() -> None:
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_column("given_by")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("guardian_name")
        batch_op.drop_column("guardian_relation")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("merged_into")
    op.drop_table("case_sector")
