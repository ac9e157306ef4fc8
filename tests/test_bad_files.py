"""Bad files: each gives a clear message and exit code 1, and the file is never modified.

Commands run through `casebook.cli.main` (the same code as the `casebook` command),
including the UI entry point (no subcommand), which must refuse before any screen is
built. CI runs as root, where file modes do not bind: the read-only cases are then
also exercised through SQLite's own read-only mode and through the permission check
itself, so that they test something on every machine."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest

from casebook import backup
from casebook.cli import main
from casebook.db import open_casebook
from casebook.errors import StorageError
from tests.safetykit import PREFIX, canary_case, integrity_ok, sqlite_rows

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
POSIX = sys.platform != "win32"


@pytest.fixture
def no_ui(monkeypatch):
    """The UI entry point must refuse before it builds the App: a stand-in App fails
    the test if it is ever reached."""
    fake = types.ModuleType("screens.app")

    class CasebookApp:  # pragma: no cover - reaching it is the failure
        def __init__(self, *a, **kw):
            raise AssertionError("the UI was started on a bad file")

    fake.CasebookApp = CasebookApp
    monkeypatch.setitem(sys.modules, "screens.app", fake)
    # as in a terminal, where the UI entry point goes on to open the file
    monkeypatch.setattr("casebook.terminal.missing_terminal", lambda: None)


@pytest.fixture
def good(tmp_path) -> Path:
    """A closed casebook file with one case in it (no -wal beside it)."""
    book = open_casebook(tmp_path / "good.sqlite3")
    canary_case(book, "bad", closed=None)
    book.close()
    return book.path


def snapshot(path: Path) -> dict:
    """The file's bytes and those of its write-ahead log. A read-only SQLite connection
    may leave an empty -wal and a -shm (a shared-memory index holding no records)
    beside a WAL-mode file; an empty log is the same as none."""
    out = {path.name: path.read_bytes() if path.exists() else None}
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        out[wal.name] = wal.read_bytes()
    return out


def run_cli(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert PREFIX not in captured.out + captured.err
    return code, captured.err


COMMANDS = (
    ("check",),
    ("backup",),
    ("purge", "--apply"),
    ("erase", "2018-0001", "--person", "1", "--apply"),
    (),  # the UI entry point
)


def assert_refused(capsys, path: Path, key: str, commands=COMMANDS, shown=None) -> None:
    from casebook.i18n import t

    expected = t(key, path=str(shown or path))
    before = snapshot(path)
    for command in commands:
        code, err = run_cli(capsys, "--db", str(path), *command)
        assert code == 1, command
        assert expected in err, (command, err)
        assert snapshot(path) == before, command


def test_not_a_database(tmp_path, capsys, no_ui):
    path = tmp_path / "letter.sqlite3"
    path.write_text("Dear sir,\n" * 500)
    assert_refused(capsys, path, "storage.not_a_database")
    with pytest.raises(StorageError):
        open_casebook(path)


def test_a_database_that_is_not_a_casebook(tmp_path, capsys, no_ui):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    assert_refused(capsys, path, "storage.not_a_casebook")


def test_corrupt_file_valid_header_garbage_pages(good, capsys, no_ui):
    data = bytearray(good.read_bytes())
    assert data.startswith(b"SQLite format 3\x00")
    for i in range(4096, len(data), 5):
        data[i] = (data[i] * 31 + 7) & 0xFF
    good.write_bytes(bytes(data))
    assert_refused(capsys, good, "storage.corrupt")


def test_newer_schema(good, capsys, no_ui):
    conn = sqlite3.connect(good)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    assert_refused(capsys, good, "storage.too_new")
    with pytest.raises(StorageError) as err:
        open_casebook(good)
    assert err.value.key == "storage.too_new"


def test_missing_folder(tmp_path, capsys, no_ui):
    path = tmp_path / "no-such-folder" / "casebook.sqlite3"
    for command in COMMANDS:
        code, err = run_cli(capsys, "--db", str(path), *command)
        assert code == 1, command
        assert str(path.parent) in err or str(path) in err
    assert not path.parent.exists()
    with pytest.raises(StorageError) as err:
        open_casebook(path)
    assert err.value.key == "storage.missing_folder"


# -- read-only file and folder ---------------------------------------------------------


WRITING = COMMANDS[2:]  # purge --apply, erase --apply, the UI


def _deny_writes(monkeypatch, denied: Path) -> None:
    """As root, chmod does not bind; make the permission check see what a normal
    user would see for `denied`."""
    import casebook.db as db

    real = os.access

    def access(p, mode, *a, **kw):
        if Path(p).resolve() == denied.resolve() and mode & os.W_OK:
            return False
        return real(p, mode, *a, **kw)

    monkeypatch.setattr(db.os, "access", access)


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_read_only_file(good, capsys, monkeypatch, no_ui):
    good.chmod(0o444)
    try:
        if IS_ROOT:
            _deny_writes(monkeypatch, good)
        assert_refused(capsys, good, "safety.storage.read_only_file", WRITING)
        # reading still works: check and an access export
        code, _ = run_cli(capsys, "--db", str(good), "check")
        assert code == 0
    finally:
        good.chmod(0o600)


def test_read_only_through_sqlite_itself(good):
    """SQLite's read-only mode binds for root too: a save is refused with a clear
    message and the file's bytes stay the same."""
    from casebook.services import intake

    before = snapshot(good)
    book = open_casebook(good, readonly=True)
    try:
        with book.read() as s:
            assert intake.find_similar(s, names=["nobody here"]) == []
        with pytest.raises(StorageError) as err, book.write() as s:
            intake.record_signal(
                s,
                intake.SignalInput(channel="PHONE", source_role="POL", title="x"),
            )
        assert err.value.key == "safety.storage.read_only"
        assert str(good) in err.value.message()
    finally:
        book.close()
    assert snapshot(good) == before


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_read_only_folder(good, capsys, monkeypatch, no_ui):
    folder = good.parent
    folder.chmod(0o555)
    try:
        if IS_ROOT:
            _deny_writes(monkeypatch, folder)
        assert_refused(capsys, good, "safety.storage.read_only_folder", WRITING, folder)
        assert not (folder / "backups").exists()
        # reading still works (as immutable: SQLite cannot make its -shm file there)
        code, _ = run_cli(capsys, "--db", str(good), "check")
        assert code == 0
    finally:
        folder.chmod(0o700)


# -- full disk -------------------------------------------------------------------------


def test_full_disk_on_save(good):
    """SQLite's max_page_count stands in for a full disk: the save is refused with a
    clear message, nothing of it is written, and the file stays consistent."""
    from sqlalchemy import event

    from casebook.services import intake
    from tests.servicekit import row_counts

    book = open_casebook(good)
    try:
        counts = row_counts(book)
        pages = sqlite_rows(good, "PRAGMA page_count")[0][0]

        @event.listens_for(book.engine, "connect")
        def _tiny_disk(dbapi_conn, _record):
            dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

        book.engine.dispose()
        before_main = good.read_bytes()
        huge = "x" * 19_000
        with pytest.raises(StorageError) as err:
            for _ in range(50):
                with book.write() as s:
                    intake.record_signal(
                        s,
                        intake.SignalInput(
                            channel="PHONE",
                            source_role="POL",
                            title="t",
                            observed=huge,
                            persons=[intake.PersonInput(notes=huge)],
                        ),
                    )
                counts_now = row_counts(book)
                assert counts_now == counts, "a save got through a full disk"
        assert err.value.key == "safety.storage.disk_full"
        assert "x" * 50 not in err.value.message()
        assert row_counts(book) == counts
    finally:
        book.close()
    assert good.read_bytes() == before_main
    assert integrity_ok(good)


@pytest.mark.slow
@pytest.mark.skipif(not POSIX, reason="RLIMIT_FSIZE is POSIX")
def test_full_disk_for_a_backup(good, tmp_path):
    """A real write failure (file-size limit on the process, as a full disk gives):
    `casebook backup` exits 1 with a clear message, leaves no partial copy, and the
    casebook is unchanged."""
    out = tmp_path / "copy.sqlite3"
    before = snapshot(good)
    limit = max(4096, good.stat().st_size // 4)
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from casebook.cli import main\n"
        f"sys.exit(main(['--lang', 'en', '--db', {str(good)!r}, 'backup', '--out', {str(out)!r}]))\n"
    )
    env = dict(os.environ, CASEBOOK_HOME=str(tmp_path / "home"))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "casebook:" in proc.stderr and "copy.sqlite3" in proc.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert snapshot(good) == before


def test_a_bad_backup_is_never_put_in_place(good, tmp_path, capsys):
    bad = tmp_path / "bad.sqlite3"
    shutil.copy(good, bad)
    data = bytearray(bad.read_bytes())
    for i in range(4096, len(data), 3):
        data[i] = 0
    bad.write_bytes(bytes(data))
    before = snapshot(good)
    code, err = run_cli(capsys, "--db", str(good), "restore", str(bad))
    assert code == 1 and "bad.sqlite3" in err
    assert snapshot(good) == before


def test_backup_refuses_to_copy_a_bad_file(tmp_path):
    path = tmp_path / "letter.sqlite3"
    path.write_text("not a database")
    with pytest.raises(StorageError):
        backup.manual_backup(path, tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()
    if POSIX:
        assert stat.S_IMODE(path.stat().st_mode) != 0  # untouched, still there
