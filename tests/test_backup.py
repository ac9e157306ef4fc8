"""Backups: the daily copy, rotation, `casebook backup` and `casebook restore`."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from datetime import date, timedelta

import pytest

from casebook import backup, paths
from casebook.cli import main
from casebook.db import open_casebook
from casebook.errors import CasebookError, StorageError
from casebook.services import settings
from tests.safetykit import canary_case, integrity_ok, sqlite_rows

POSIX = sys.platform != "win32"


def case_count(path) -> int:
    return sqlite_rows(path, "SELECT COUNT(*) FROM case_file")[0][0]


def test_daily_backup_is_made_once_a_day_owner_only(cb):
    canary_case(cb, "b", closed=None)
    made = backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28))
    assert made == paths.backups_dir(cb.path) / "daily-2026-11-28.sqlite3"
    assert integrity_ok(made)
    assert case_count(made) == case_count(cb.path) == 1
    assert backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28)) is None
    if POSIX:
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    # no temporary files left behind
    assert [p.name for p in made.parent.iterdir()] == [made.name]


def test_daily_backup_is_cheap_once_made(cb, monkeypatch):
    """With today's copy in place, nothing is opened or copied."""
    backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28))

    def no_copy(*a, **kw):
        raise AssertionError("copied again")

    monkeypatch.setattr(backup, "write_copy", no_copy)
    monkeypatch.setattr(backup, "rotate", no_copy)
    assert backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28)) is None


def test_no_backup_for_a_file_that_does_not_exist(tmp_path):
    assert backup.ensure_daily_backup(tmp_path / "none.sqlite3") is None
    assert not (tmp_path / "backups").exists()


def test_rotation_keeps_last_daily_and_first_of_each_month(cb):
    with cb.write() as s:
        settings.put(s, "backup_keep_daily", "5")
        settings.put(s, "backup_keep_monthly", "3")
    start = date(2026, 7, 1)
    for i in range(0, 150, 3):  # every third day from July to late November
        backup.ensure_daily_backup(cb.path, today=start + timedelta(days=i))
    kept = sorted(p.name for p in paths.backups_dir(cb.path).glob("daily-*"))
    days = [start + timedelta(days=i) for i in range(0, 150, 3)]
    last5 = {f"daily-{d.isoformat()}.sqlite3" for d in days[-5:]}
    firsts = {}
    for d in days:
        firsts.setdefault((d.year, d.month), d)
    monthly = {f"daily-{firsts[m].isoformat()}.sqlite3" for m in sorted(firsts)[-3:]}
    assert set(kept) == last5 | monthly
    assert "daily-2026-07-01.sqlite3" not in kept  # older than the 3 months kept


def test_rotation_never_touches_other_copies(cb, tmp_path):
    folder = paths.make_private_dir(paths.backups_dir(cb.path))
    manual = backup.manual_backup(cb.path)
    other = folder / "pre-migration-0000-x.sqlite3"
    other.write_bytes(b"x")
    with cb.write() as s:
        settings.put(s, "backup_keep_daily", "1")
        settings.put(s, "backup_keep_monthly", "0")
    for i in range(5):
        backup.ensure_daily_backup(cb.path, today=date(2026, 1, 1) + timedelta(days=i))
    names = {p.name for p in folder.iterdir()}
    assert manual.name in names and other.name in names
    assert len([n for n in names if n.startswith("daily-")]) == 1


def test_newest_backup_age_and_overdue(cb):
    from casebook.dates import utcnow

    assert backup.newest_backup_age(cb.path) is None
    assert backup.backup_overdue(cb.path, 2)
    backup.ensure_daily_backup(cb.path)
    age = backup.newest_backup_age(cb.path)
    assert age is not None and age < timedelta(hours=1)
    assert not backup.backup_overdue(cb.path, 2)
    later = utcnow() + timedelta(days=3)
    assert backup.newest_backup_age(cb.path, now=later) > timedelta(days=2)
    assert backup.backup_overdue(cb.path, 2, now=later)


def test_daily_backup_into_unwritable_folder_is_a_clear_error(cb):
    folder = paths.backups_dir(cb.path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    with pytest.raises(StorageError) as err:
        backup.ensure_daily_backup(cb.path)
    assert err.value.key == "safety.backup.failed"
    assert folder.read_text() == "a file where the folder should be"


def test_cli_backup_to_file_and_refuses_to_overwrite(cb, tmp_path, capsys):
    canary_case(cb, "cli", closed=None)
    out = tmp_path / "copy.sqlite3"
    assert main(["--db", str(cb.path), "backup", "--out", str(out)]) == 0
    assert integrity_ok(out) and case_count(out) == 1
    before = out.read_bytes()
    assert main(["--db", str(cb.path), "backup", "--out", str(out)]) == 1
    assert out.read_bytes() == before
    assert main(["--db", str(cb.path), "backup"]) == 0
    assert len(list(paths.backups_dir(cb.path).glob("manual-*.sqlite3"))) == 1
    capsys.readouterr()


def test_backup_while_another_window_writes_is_consistent(cb, tmp_path):
    other = open_casebook(cb.path)
    try:
        canary_case(other, "w1", closed=None)  # committed in WAL, not yet checkpointed
        out = backup.manual_backup(cb.path, tmp_path / "live.sqlite3")
        assert integrity_ok(out) and case_count(out) == 1
    finally:
        other.close()


# -- restore ---------------------------------------------------------------------------


def test_restore_puts_the_backup_back_and_keeps_the_current_file(cb, tmp_path, capsys):
    canary_case(cb, "r1", closed=None)
    copy = backup.manual_backup(cb.path, tmp_path / "one.sqlite3")
    canary_case(cb, "r2", closed=None)
    cb.close()
    assert case_count(cb.path) == 2
    assert main(["--db", str(cb.path), "restore", str(copy)]) == 0
    assert case_count(cb.path) == 1
    assert integrity_ok(cb.path)
    previous = list(paths.backups_dir(cb.path).glob("pre-restore-*.sqlite3"))
    assert len(previous) == 1 and case_count(previous[0]) == 2
    assert not list(tmp_path.glob(".*.tmp"))
    if POSIX:
        assert stat.S_IMODE(cb.path.stat().st_mode) == 0o600
    # the restored file opens and works
    book = open_casebook(cb.path)
    try:
        canary_case(book, "r3", closed=None)
    finally:
        book.close()
    assert case_count(cb.path) == 2
    assert "r1" not in capsys.readouterr().out


def _bad_backups(tmp_path, good):
    not_db = tmp_path / "notes.sqlite3"
    not_db.write_bytes(b"these are not the droids\n" * 100)
    corrupt = tmp_path / "corrupt.sqlite3"
    data = bytearray(good.read_bytes())
    page = 4096
    for i in range(page * 2, len(data), 7):
        data[i] = 0xA5
    corrupt.write_bytes(bytes(data))
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num='9999'")
    conn.commit()
    conn.close()
    other_db = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other_db)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return {
        "storage.not_a_database": not_db,
        "storage.corrupt": corrupt,
        "storage.too_new": newer,
        "storage.not_a_casebook": other_db,
        "storage.missing": tmp_path / "nowhere.sqlite3",
    }


def test_restore_refuses_bad_files_and_touches_nothing(cb, tmp_path, capsys):
    canary_case(cb, "keep", closed=None)
    good = backup.manual_backup(cb.path, tmp_path / "good.sqlite3")
    cb.close()
    before = cb.path.read_bytes()
    for key, bad in _bad_backups(tmp_path, good).items():
        with pytest.raises(StorageError) as err:
            backup.restore(bad, cb.path)
        assert err.value.key == key, bad.name
        assert main(["--db", str(cb.path), "restore", str(bad)]) == 1
        assert "casebook:" in capsys.readouterr().err
        assert cb.path.read_bytes() == before
    assert not paths.backups_dir(cb.path).exists() or not list(
        paths.backups_dir(cb.path).glob("pre-restore-*")
    )


def test_restore_refuses_the_casebook_itself(cb):
    with pytest.raises(CasebookError) as err:
        backup.restore(cb.path, cb.path)
    assert err.value.key == "safety.restore.same_file"


def test_restore_refuses_while_the_casebook_is_open_elsewhere(cb, tmp_path):
    good = backup.manual_backup(cb.path, tmp_path / "good.sqlite3")
    canary_case(cb, "busy", closed=None)  # cb stays open: a window holds the file
    before = cb.path.read_bytes()
    with pytest.raises(CasebookError) as err:
        backup.restore(good, cb.path)
    assert err.value.key == "safety.restore.in_use"
    assert cb.path.read_bytes() == before
    assert case_count(cb.path) == 1


def test_restore_into_a_new_place(tmp_path, cb):
    good = backup.manual_backup(cb.path, tmp_path / "good.sqlite3")
    target = tmp_path / "fresh" / "casebook.sqlite3"
    target.parent.mkdir()
    result = backup.restore(good, target)
    assert result.previous is None and integrity_ok(target)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes")
def test_everything_made_is_owner_only(tmp_path, monkeypatch, capsys):
    """The casebook file, its folders, backups and exports: owner-only."""
    monkeypatch.setenv("CASEBOOK_HOME", str(tmp_path / "h"))
    os.umask(0o022)
    try:
        book = open_casebook(paths.default_db_path(), create_parents=True)
        info = canary_case(book, "perm", closed=None)
        book.close()
        db = paths.default_db_path()
        backup.ensure_daily_backup(db)
        assert main(["backup"]) == 0
        out = tmp_path / "access.json"
        assert main(["access", info["reference"], "--person", "1", "--out", str(out)]) == 0
    finally:
        os.umask(0o022)
    for p in [db, out, *paths.backups_dir(db).iterdir()]:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    for d in (db.parent, paths.backups_dir(db)):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d.name
    for extra in (f"{db}-wal", f"{db}-shm"):
        if os.path.exists(extra):
            # SQLite gives -wal/-shm the main file's permissions
            assert stat.S_IMODE(os.stat(extra).st_mode) & 0o077 == 0
    capsys.readouterr()


def test_restore_over_a_damaged_casebook_keeps_the_damaged_bytes(cb, tmp_path):
    canary_case(cb, "dm", closed=None)
    good = backup.manual_backup(cb.path, tmp_path / "good.sqlite3")
    cb.close()
    data = bytearray(cb.path.read_bytes())
    for i in range(4096, len(data), 5):
        data[i] = 0x00
    cb.path.write_bytes(bytes(data))
    damaged = cb.path.read_bytes()
    result = backup.restore(good, cb.path)
    assert integrity_ok(cb.path) and case_count(cb.path) == 1
    assert result.previous is not None and result.previous.read_bytes() == damaged


def test_restore_keeps_saves_left_in_a_stale_write_ahead_log(cb, tmp_path):
    """A crash can leave committed saves in the -wal file. Restoring must not lose
    them silently: they end up in the pre-restore copy."""
    import shutil

    good = backup.manual_backup(cb.path, tmp_path / "good.sqlite3")
    canary_case(cb, "wal", closed=None)
    # simulate a crash: copy the file and its -wal while the casebook is still open
    crashed = tmp_path / "crashed" / "casebook.sqlite3"
    crashed.parent.mkdir()
    shutil.copy(cb.path, crashed)
    shutil.copy(f"{cb.path}-wal", f"{crashed}-wal")
    result = backup.restore(good, crashed)
    assert case_count(crashed) == 0
    assert case_count(result.previous) == 1
    assert not os.path.exists(f"{crashed}-wal") or os.path.getsize(f"{crashed}-wal") == 0


def test_backup_warning_for_the_today_screen(cb):
    from casebook.dates import utcnow
    from casebook.i18n import t

    assert backup.backup_warning(cb.path, 2) == t("safety.backup.none")
    backup.ensure_daily_backup(cb.path)
    assert backup.backup_warning(cb.path, 2) is None
    later = utcnow() + timedelta(days=3)
    assert backup.backup_warning(cb.path, 2, now=later) == t(
        "safety.backup.overdue", count=2, days=2
    )
