"""Schema revisions this version of casebook knows, oldest first.

Kept as plain constants so that a normal start can compare the file's revision
without importing Alembic; a test checks the list against Alembic's scripts.
"""

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0005")
HEAD = REVISIONS[-1]

# Tables that live outside the models: the case search index (FTS5, migration 0002)
# and the shadow tables SQLite keeps for it. Autogenerate comparisons skip them.
UNMODELLED_TABLE_PREFIX = "case_search"


def is_modelled(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic `include_name` hook: leave the search index out of comparisons."""
    return not (type_ == "table" and (name or "").startswith(UNMODELLED_TABLE_PREFIX))
