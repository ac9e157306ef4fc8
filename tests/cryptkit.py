"""Helpers for the encryption tests: an encrypted copy of the demo casebook, a canary in
every free-text field, the passphrase prompt answered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casebook import cipher, encryption, keys

PASSPHRASE = "paardenbloem in de regen"
CANARY = "QZXCANARYQZX"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch):
    """scrypt at its lowest cost for speed (the parameters are stored with each wrap, so
    opening works the same); `test_crypt_keys` measures the real ones. Each test starts
    with nothing unlocked."""
    monkeypatch.setattr(keys, "SCRYPT_N", 2**10)
    monkeypatch.setattr(keys, "SCRYPT_P", 1)
    cipher.forget_all()
    yield
    cipher.forget_all()


def free_text_columns(conn) -> list[tuple[str, str]]:
    """(table, column) of every text column holding free text (lowercase letters) in
    the demo casebook: names, titles, notes, places, contact details."""
    found = []
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'case_search%' AND name NOT IN ('alembic_version', 'setting')"
    ).fetchall():
        for _cid, column, decl, *_ in conn.execute(f'PRAGMA table_info("{table}")'):
            if "CHAR" not in decl.upper() and "TEXT" not in decl.upper():
                continue
            if column.endswith(("_at", "_on")):
                continue
            row = conn.execute(
                f'SELECT 1 FROM "{table}" WHERE {_free_text(column)} LIMIT 1'
            ).fetchone()
            if row:
                found.append((table, column))
    return found


def _free_text(column: str) -> str:
    # lowercase letters and a capital or a space: "Mila", "loods in Tiel"; not the
    # stored codes ("VICTIM", "police")
    return (
        f"(\"{column}\" GLOB '*[a-z]*' AND "
        f"(\"{column}\" GLOB '*[A-Z]*' OR \"{column}\" GLOB '* *'))"
    )


def plant_canary(path: Path) -> int:
    """Append the canary to every free-text value; the number of columns touched."""
    conn = cipher.connect(path, isolation_level=None)
    try:
        columns = free_text_columns(conn)
        conn.execute("BEGIN")
        for table, column in columns:
            conn.execute(
                f'UPDATE "{table}" SET "{column}" = "{column}" || \' {CANARY}\' '
                f"WHERE {_free_text(column)}"
            )
        conn.execute("INSERT INTO case_search(case_search) VALUES ('rebuild')")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(columns)


def encrypted_demo(template: Path, folder: Path, *, canary: bool = True) -> tuple[Path, str]:
    """A copy of the demo casebook in `folder`, canary planted, encrypted in place with
    PASSPHRASE: its path and recovery code (it stays unlocked)."""
    path = folder / "casebook.sqlite3"
    shutil.copy(template, path)
    if canary:
        assert plant_canary(path) >= 10
    result = encryption.encrypt_in_place(path, PASSPHRASE)
    return path, result.recovery_code


def answer_prompts(monkeypatch, *answers: str) -> list[str]:
    """The masked prompts answered in turn (what getpass would read from the terminal);
    the prompts asked are returned."""
    from casebook.commands import _secret

    queue = list(answers)
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return queue.pop(0)

    monkeypatch.setattr(_secret, "ask", ask)
    monkeypatch.setattr(_secret, "delay", lambda _attempt: 0)
    return asked


def raw_files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
