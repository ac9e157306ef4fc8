"""Issue 14: a `-wal` beside the casebook that does not belong to it (from another
casebook, from an older or newer copy of this one, or written by another program) is
found and reported in words by every read-write open — the screens' start and every
writing command — and never replayed into the file; `casebook check` names it and
`--set-aside-wal` moves it aside, kept. A `-wal` a killed casebook left keeps its
saves. And a casebook replaced in place under an open window (`cp other.sqlite3
casebook.sqlite3`: same inode) refuses the next save (casebook.filemark)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from casebook import filemark
from casebook.cli import main
from casebook.db import open_casebook
from casebook.errors import StorageError
from casebook.services import settings as casebook_settings
from tests.servicekit import new_case

ROOT = Path(__file__).resolve().parent.parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _case_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM case_file").fetchone()[0]
    finally:
        conn.close()


def _book(path: Path, cases: int) -> Path:
    book = open_casebook(path)
    for _ in range(cases):
        new_case(book)
    book.close()
    return path


def _left_by_a_kill(path: Path, cases: int = 1) -> None:
    """Save `cases` cases in a child process that then dies without closing (as a
    SIGKILL would): its -wal stays beside the file, holding the saves."""
    code = (
        "import os, sys\n"
        "from casebook.db import open_casebook\n"
        "from tests.servicekit import new_case\n"
        f"book = open_casebook({str(path)!r})\n"
        f"for _ in range({cases}): new_case(book)\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    assert Path(f"{path}-wal").stat().st_size > 0


def _foreign_wal_beside(path: Path, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir(exist_ok=True)
    other = _book(tmp_path / "other" / "other.sqlite3", 2)
    _left_by_a_kill(other, 3)
    shutil.copy(f"{other}-wal", f"{path}-wal")


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "cb" / "casebook.sqlite3"
    path.parent.mkdir()
    return _book(path, 2)


def test_a_wal_from_another_casebook_is_refused_and_nothing_is_changed(book, tmp_path):
    _foreign_wal_beside(book, tmp_path)
    before = (_digest(book), _digest(Path(f"{book}-wal")))
    assert filemark.wal_verdict(book).kind == filemark.FOREIGN
    with pytest.raises(StorageError) as err:
        open_casebook(book)  # what the screens' start does
    assert err.value.key == "faults2.wal.foreign"
    assert "-wal" in err.value.message() and "--set-aside-wal" in err.value.message()
    assert (_digest(book), _digest(Path(f"{book}-wal"))) == before
    assert _case_count(book) == 2


def test_a_wal_written_by_another_program_is_refused(book):
    other = book.with_name("copy.sqlite3")
    shutil.copy(book, other)
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("INSERT OR REPLACE INTO setting VALUES ('municipality', 'Gemeente Vreemd')")
    shutil.copy(f"{other}-wal", f"{book}-wal")
    conn.close()
    with pytest.raises(StorageError) as err:
        open_casebook(book)
    assert err.value.key == "faults2.wal.foreign"


def test_an_older_wal_of_the_same_casebook_is_refused(book):
    _left_by_a_kill(book)
    old = book.with_name("old-wal")
    shutil.copy(f"{book}-wal", old)
    again = open_casebook(book)  # the kill's -wal fits: its save is kept
    new_case(again)
    again.close()
    assert _case_count(book) == 4
    shutil.copy(old, f"{book}-wal")  # the old log put back beside the newer file
    with pytest.raises(StorageError) as err:
        open_casebook(book)
    assert err.value.key == "faults2.wal.stale"
    assert _case_count(book) == 4


def test_an_old_copy_put_back_beside_a_newer_wal_is_refused(book, tmp_path):
    old = tmp_path / "old.sqlite3"
    shutil.copy(book, old)
    book_ = open_casebook(book)
    for _ in range(3):
        new_case(book_)
    book_.close()
    _left_by_a_kill(book)
    shutil.copy(old, book)  # by hand, beside the -wal the kill left
    with pytest.raises(StorageError) as err:
        open_casebook(book)
    assert err.value.key == "faults2.wal.stale"


def test_a_wal_left_by_a_kill_is_replayed_with_every_save(book):
    _left_by_a_kill(book, 3)
    assert filemark.wal_verdict(book).fits
    open_casebook(book).close()
    assert _case_count(book) == 5


def test_writing_commands_refuse_and_check_names_it_and_sets_it_aside(book, tmp_path, capsys):
    _foreign_wal_beside(book, tmp_path)
    before = (_digest(book), _digest(Path(f"{book}-wal")))
    (tmp_path / "out").mkdir()
    for argv in (
        ["purge", "--apply", "--yes"],
        ["erase", "2026-0001", "--person", "1", "--apply", "--yes"],
        ["import", str(tmp_path / "missing.json")],
        ["stats", "2026", "--publish"],
    ):
        code = main(["--db", str(book), *argv])
        err = capsys.readouterr().err
        assert code == 1, (argv, err)
        assert "Traceback" not in err, argv
        if argv[0] != "import":  # import reads its file first
            assert "--set-aside-wal" in err, (argv, err)
        assert (_digest(book), _digest(Path(f"{book}-wal"))) == before, argv
    assert main(["--db", str(book), "check"]) == 1
    assert "hoort er niet bij" in capsys.readouterr().out
    assert main(["--db", str(book), "check", "--set-aside-wal"]) == 0
    capsys.readouterr()
    assert not Path(f"{book}-wal").exists()
    kept = list(book.parent.glob("casebook.sqlite3-wal.set-aside-*"))
    assert len(kept) == 1 and _digest(kept[0]) == before[1]
    open_casebook(book).close()
    assert _case_count(book) == 2  # the file's own cases, nothing of the other one
    assert main(["--db", str(book), "check"]) == 0


def test_set_aside_refuses_a_wal_that_holds_saved_work(book, capsys):
    _left_by_a_kill(book)
    assert main(["--db", str(book), "check", "--set-aside-wal"]) == 1
    assert Path(f"{book}-wal").exists()
    capsys.readouterr()


# ------------------------------------------------------------------ replaced in place


def test_a_casebook_overwritten_in_place_refuses_the_next_save(book, tmp_path):
    other = _book(tmp_path / "other.sqlite3", 1)
    opened = open_casebook(book)
    try:
        new_case(opened)
        inode = os.stat(book).st_ino
        shutil.copyfile(other, book)  # `cp other.sqlite3 casebook.sqlite3`
        assert os.stat(book).st_ino == inode  # the same file, other content
        with pytest.raises(StorageError) as err, opened.write() as s:
            casebook_settings.put(s, "municipality", "Gemeente Zuidhaven")
        assert err.value.key == "faults.file.replaced"
    finally:
        opened.close()


def test_a_casebook_overwritten_by_an_older_copy_of_itself_refuses_the_next_save(book, tmp_path):
    old = tmp_path / "old.sqlite3"
    opened = open_casebook(book)
    try:
        shutil.copy(book, old)
        for _ in range(3):
            new_case(opened)
        with opened.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        opened.check_identity()  # the checkpointed file is still the one opened
        shutil.copyfile(old, book)
        with pytest.raises(StorageError) as err:
            new_case(opened)
        assert err.value.key == "faults.file.replaced"
    finally:
        opened.close()


async def test_the_ui_refuses_a_save_into_a_casebook_overwritten_in_place(tmp_path, book):
    from casebook.i18n import t
    from tests.uikit import SIZE, make_app, record_notices, settle, type_text

    other = _book(tmp_path / "other.sqlite3", 1)
    opened = open_casebook(book)
    try:
        app = make_app(opened)
        notices = record_notices(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f9")
            await settle(pilot)
            shutil.copyfile(other, book)
            field = app.screen.query_one("#municipality")
            field.focus()
            await type_text(pilot, "Gemeente Zuidhaven")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert field.value == "Gemeente Zuidhaven"  # what was typed is kept
    finally:
        opened.close()
    shown = [m for m, _ in notices]
    assert any(t("faults.file.replaced", path=str(book)) in m for m in shown), shown
    assert t("settings.saved") not in shown  # nothing reported saved


def test_the_checks_never_drop_the_open_windows_locks(book):
    """The mark is read through SQLite: a plain open() and close() of the file would
    drop this process's POSIX locks, and a command run meanwhile would take itself for
    the file's last user and delete the -wal and -shm under the open window."""
    opened = open_casebook(book)
    try:
        new_case(opened)  # the window saves (and checks the file before and after)
        opened.check_identity()
        code = (
            "from casebook.db import open_casebook\n"
            "from tests.servicekit import new_case\n"
            f"book = open_casebook({str(book)!r})\n"
            "new_case(book)\n"
            "book.close()\n"
        )
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        assert Path(f"{book}-wal").exists() and Path(f"{book}-shm").exists()
        new_case(opened)  # the window goes on saving
    finally:
        opened.close()
    assert _case_count(book) == 5
