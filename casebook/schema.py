"""Schema revisions this version of casebook knows, oldest first.

Kept as plain constants so that a normal start can compare the file's revision
without importing Alembic; a test checks the list against Alembic's scripts.
"""

REVISIONS: tuple[str, ...] = ("0001",)
HEAD = REVISIONS[-1]
