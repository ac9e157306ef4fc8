"""case search index and reference order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Two things the Cases list needs to stay quick after ten years:

- `case_search`, an SQLite FTS5 table with the trigram tokenizer holding, per case
  (rowid = case id), its reference, title, location and the names of its persons.
  A search of three characters or more finds its cases through this index instead of
  reading every case and person (casebook.services.cases). Triggers keep it in step
  with `case_file` and `person`, so every writer (services, import, retention,
  erasure) updates it without knowing about it. It holds personal data (names), like
  the tables it copies: after erasing, `rebuild_search_index` drops what FTS5 keeps of
  replaced rows until its segments merge.
- an index on (ref_year, ref_seq), the order of the Cases list, so that a page of it
  is read from the index instead of sorting every case.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NAMES = (
    "coalesce((SELECT group_concat(p.name, ' | ') FROM person p "
    "WHERE p.case_id = {case} AND p.name != ''), '')"
)

TRIGGERS = {
    "case_search_case_ai": f"""
        CREATE TRIGGER case_search_case_ai AFTER INSERT ON case_file BEGIN
            INSERT INTO case_search(rowid, reference, title, location, names)
            VALUES (new.id, new.reference, new.title, new.location,
                    {NAMES.format(case="new.id")});
        END""",
    "case_search_case_au": """
        CREATE TRIGGER case_search_case_au AFTER UPDATE OF reference, title, location
        ON case_file BEGIN
            UPDATE case_search SET reference = new.reference, title = new.title,
                location = new.location
            WHERE rowid = new.id;
        END""",
    "case_search_case_ad": """
        CREATE TRIGGER case_search_case_ad AFTER DELETE ON case_file BEGIN
            DELETE FROM case_search WHERE rowid = old.id;
        END""",
    "case_search_person_ai": f"""
        CREATE TRIGGER case_search_person_ai AFTER INSERT ON person BEGIN
            UPDATE case_search SET names = {NAMES.format(case="new.case_id")}
            WHERE rowid = new.case_id;
        END""",
    "case_search_person_au": f"""
        CREATE TRIGGER case_search_person_au AFTER UPDATE OF name, case_id ON person BEGIN
            UPDATE case_search SET names = {NAMES.format(case="old.case_id")}
            WHERE rowid = old.case_id;
            UPDATE case_search SET names = {NAMES.format(case="new.case_id")}
            WHERE rowid = new.case_id;
        END""",
    "case_search_person_ad": f"""
        CREATE TRIGGER case_search_person_ad AFTER DELETE ON person BEGIN
            UPDATE case_search SET names = {NAMES.format(case="old.case_id")}
            WHERE rowid = old.case_id;
        END""",
}


def upgrade() -> None:
    op.create_index("ix_case_file_ref_order", "case_file", ["ref_year", "ref_seq"])
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "reference, title, location, names, tokenize = 'trigram')"
    )
    for sql in TRIGGERS.values():
        op.execute(sql)
    op.execute(
        "INSERT INTO case_search(rowid, reference, title, location, names) "
        f"SELECT c.id, c.reference, c.title, c.location, {NAMES.format(case='c.id')} "
        "FROM case_file c"
    )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS case_search")
    op.drop_index("ix_case_file_ref_order", table_name="case_file")
