"""Issue 14, part 5: read-only commands neither merge a foreign -wal into the file nor
leave side files; a -wal beside the file is reported; an erasure killed before its
vacuum is finished at the next open and reported by `check` until then; a locked
casebook is "locked", never "damaged"."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from casebook import integrity, retention
from casebook.cli import main
from casebook.db import open_casebook
from tests.servicekit import new_case


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*")}


def _read_only_commands(db: Path, tmp: Path) -> list[list[str]]:
    return [
        ["check"],
        ["purge"],
        ["erase", "2026-0001", "--person", "1"],
        ["stats", "2026", "--out", str(tmp / "out" / "s.csv")],
        ["access", "2026-0001", "--person", "1", "--out", str(tmp / "out" / "a.json")],
        ["dump", "--out", str(tmp / "out" / "d.json")],
    ]


def _closed_book(tmp_path) -> Path:
    path = tmp_path / "cb" / "casebook.sqlite3"
    path.parent.mkdir()
    book = open_casebook(path)
    new_case(book)
    book.close()
    return path


def test_read_only_commands_leave_no_side_files(tmp_path, capsys):
    path = _closed_book(tmp_path)
    (tmp_path / "out").mkdir()
    before, digest = _files(path.parent), _digest(path)
    for argv in _read_only_commands(path, tmp_path):
        code = main(["--db", str(path), *argv])
        err = capsys.readouterr().err
        assert code in (0, 1) and "Traceback" not in err, (argv, err)
        assert _files(path.parent) == before, argv  # no -wal, no -shm left
        assert _digest(path) == digest, argv


def test_a_foreign_wal_is_reported_and_never_merged_by_read_only_commands(tmp_path, capsys):
    path = _closed_book(tmp_path)
    other = tmp_path / "other.sqlite3"
    shutil.copy(path, other)
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE setting SET value = 'Gemeente Vreemd' WHERE key = 'municipality'")
    conn.execute("INSERT OR REPLACE INTO setting VALUES ('municipality', 'Gemeente Vreemd')")
    conn.execute("COMMIT")
    shutil.copy(f"{other}-wal", f"{path}-wal")  # a -wal from another copy, beside ours
    conn.close()
    digest = _digest(path)
    (tmp_path / "out").mkdir()
    for argv in _read_only_commands(path, tmp_path):
        main(["--db", str(path), *argv])
        capsys.readouterr()
        assert _digest(path) == digest, argv  # the file itself is not changed
    report = integrity.format_report(integrity.check_file(path))
    assert "-wal" in report


def test_an_erasure_killed_before_its_vacuum_is_finished_at_the_next_open(cb, monkeypatch):
    new_case(cb)
    with cb.read() as s:
        from casebook.models import Case

        reference = s.exec(__import__("sqlmodel").select(Case.reference)).first()
    monkeypatch.setattr(retention, "vacuum", lambda path: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):  # killed between the commit and the vacuum
        retention.erase(cb, reference, 1)
    cb.close()
    report = integrity.check_file(cb.path)
    assert any(p.key == "faults.check.vacuum_pending" for p in report.problems)
    monkeypatch.undo()
    again = open_casebook(cb.path)
    again.close()
    report = integrity.check_file(cb.path)
    assert not any(p.key == "faults.check.vacuum_pending" for p in report.problems)
    assert b"Ana Voorbeeld" not in cb.path.read_bytes()


def test_a_locked_casebook_is_locked_not_damaged(cb, capsys, monkeypatch):
    monkeypatch.setattr("casebook.db.BUSY_TIMEOUT_MS", 200)
    new_case(cb)
    path = cb.path
    cb.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for argv in (
            ["check"],
            ["purge"],
            ["backup"],
            ["dump", "--out", str(path.parent / "d.json")],
        ):
            code = main(["--db", str(path), *argv])
            err = capsys.readouterr().err
            # a read-only command may read the file as it is on disk (exit 0); a
            # write is refused as "in use, try again" (exit 1); never "damaged"
            assert code in (0, 1), (argv, err)
            assert code == 0 or "bezet" in err, (argv, err)
            assert "beschadigd" not in err and "Traceback" not in err, (argv, err)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
