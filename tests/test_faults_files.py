"""Issue 14, part 3: files owner-only from the first byte, backups written under a
temporary name and checked before they count, leftovers of killed jobs removed,
rotation that never deletes the newest good copy, backups per casebook, and damage
found (and said in words) before it spreads."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from casebook import backup, integrity, paths
from casebook.cli import main
from casebook.db import open_casebook
from casebook.errors import StorageError
from casebook.services import settings as casebook_settings
from tests.servicekit import new_case


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def damage(path: Path, page: int = 4) -> None:
    """Overwrite one b-tree page of the file with garbage (a bad sector, a bad copy)."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(4096 * page)
        fh.write(b"\xff" * min(4096, size - 4096 * page))


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_casebook_and_its_wal_and_shm_are_owner_only_from_the_start(tmp_path, loose_umask):
    book = open_casebook(tmp_path / "new.sqlite3")
    try:
        new_case(book)
        for suffix in ("", "-wal", "-shm"):
            side = Path(f"{book.path}{suffix}")
            assert side.exists(), suffix
            assert _mode(side) == 0o600, (suffix, oct(_mode(side)))
    finally:
        book.close()


def test_an_existing_casebooks_side_files_are_made_owner_only_at_open(cb, loose_umask):
    path = cb.path
    new_case(cb)
    os.chmod(f"{path}-wal", 0o644)
    again = open_casebook(path)
    try:
        assert _mode(Path(f"{path}-wal")) == 0o600
    finally:
        again.close()


def test_a_backup_is_written_owner_only_under_a_temporary_name(cb, monkeypatch, loose_umask):
    seen = []
    real = backup.quick_check

    def spy(path):
        seen.append((path.name, _mode(path), path.exists()))
        return real(path)

    monkeypatch.setattr(backup, "quick_check", spy)
    made = backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28))
    name, mode, _ = seen[0]
    assert name.startswith(".daily-2026-11-28.sqlite3.") and name.endswith(".tmp")
    assert mode == 0o600
    assert _mode(made) == 0o600
    assert not [p for p in made.parent.iterdir() if p.name.endswith(".tmp")]


def test_leftovers_of_a_killed_backup_are_removed(cb):
    folder = paths.make_private_dir(paths.backups_dir(cb.path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    leftover = folder / f".daily-2026-11-27.sqlite3.{dead}.tmp"
    leftover.write_bytes(b"SQLite format 3\x00 half a copy")
    mine = folder / f".manual-x.sqlite3.{os.getpid()}.tmp"  # a job still running
    mine.write_bytes(b"busy")
    backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28))
    assert not leftover.exists()
    assert mine.exists()
    assert all(not p.name.startswith(".") for p in backup.list_backups(cb.path))


def test_backups_are_per_casebook(tmp_path):
    one, two = open_casebook(tmp_path / "one.sqlite3"), open_casebook(tmp_path / "two.sqlite3")
    try:
        day = date(2026, 11, 28)
        a = backup.ensure_daily_backup(one.path, today=day)
        b = backup.ensure_daily_backup(two.path, today=day)
        assert a is not None and b is not None and a != b
        assert a.parent.name == "one" and b.parent.name == "two"
        assert backup.list_backups(one.path) == [a]
    finally:
        one.close()
        two.close()


def test_a_damaged_casebook_is_not_backed_up_and_the_good_copies_survive(cb):
    with cb.write() as s:
        casebook_settings.put(s, "backup_keep_daily", "2")
        casebook_settings.put(s, "backup_keep_monthly", "0")
    for _ in range(20):
        new_case(cb)
    start = date(2026, 1, 1)
    good = [backup.ensure_daily_backup(cb.path, today=start + timedelta(days=i)) for i in range(3)]
    cb.close()
    damage(cb.path)
    for i in range(3, 23):  # twenty damaged days
        with pytest.raises(StorageError) as err:
            backup.ensure_daily_backup(cb.path, today=start + timedelta(days=i))
        assert err.value.key == "faults.backup.source_damaged"
    kept = backup.list_backups(cb.path)
    assert good[-1] in kept and all(backup.quick_check(p) for p in kept)
    assert backup.newest_good_backup(cb.path) == good[-1]
    # `check` says it is damaged and names the copy to restore
    report = integrity.format_report(integrity.check_file(cb.path))
    assert str(good[-1]) in report
    # and the start's check says so in words
    warning = integrity.damage_warning(cb.path)
    assert warning and str(good[-1]) in warning and "malformed" not in warning


def test_rotation_keeps_the_newest_good_copy_even_when_newer_ones_went_bad(cb):
    folder = paths.make_private_dir(paths.backups_dir(cb.path))
    start = date(2026, 3, 1)
    made = [backup.ensure_daily_backup(cb.path, today=start + timedelta(days=i)) for i in range(4)]
    for p in made[1:]:  # the three newest rot on disk
        damage(p, page=1)
    backup.rotate(folder, keep_daily=1, keep_monthly=0)
    assert made[0].exists()


def test_an_intact_casebook_gives_no_warning(cb):
    assert integrity.damage_warning(cb.path) is None


def test_check_names_the_newest_good_backup_when_damaged(cb, capsys):
    for _ in range(20):
        new_case(cb)
    made = backup.ensure_daily_backup(cb.path, today=date(2026, 11, 28))
    cb.close()
    damage(cb.path)
    assert main(["--db", str(cb.path), "check"]) == 1
    out = capsys.readouterr().out
    assert str(made) in out


# ------------------------------------------------------------------ as another user

NOBODY = shutil.which("runuser") or shutil.which("setpriv")
# The probe needs only the standard library; the test's own interpreter may live in a
# folder the unprivileged user cannot enter.
PROBE_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or sys.executable


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_files_cannot_be_read_by_another_user(loose_umask):
    """Root ignores file modes: run the reads as `nobody` in a subprocess."""
    if os.geteuid() != 0 or NOBODY is None:
        pytest.skip("needs root to switch to an unprivileged user")
    folder = Path(tempfile.mkdtemp(prefix="casebook-modes-"))
    try:
        os.chmod(folder, 0o755)  # a folder others may enter: only the files' modes protect
        book = open_casebook(folder / "cb.sqlite3")
        new_case(book)
        made = backup.manual_backup(book.path)
        os.chmod(made.parent.parent, 0o755)
        os.chmod(made.parent, 0o755)
        files = [book.path, Path(f"{book.path}-wal"), Path(f"{book.path}-shm"), made]
        probe = (
            "import sys\n"
            "bad = []\n"
            "for p in sys.argv[1:]:\n"
            "    try:\n"
            "        open(p, 'rb').read(1)\n"
            "        bad.append(p)\n"
            "    except PermissionError:\n"
            "        pass\n"
            "print(len(bad))\n"
        )
        if shutil.which("runuser"):
            cmd = ["runuser", "-u", "nobody", "--", PROBE_PYTHON, "-c", probe]
        else:
            cmd = [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                PROBE_PYTHON,
                "-c",
                probe,
            ]
        result = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True)
        book.close()
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "0"  # world-readable files: 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def test_the_ui_says_in_words_that_the_casebook_is_damaged(cb):
    from tests.uikit import SIZE, make_app, record_notices, settle, wait_until

    for _ in range(40):
        new_case(cb)
    made = backup.ensure_daily_backup(cb.path)
    cb.close()
    damage(cb.path, page=5)
    book = open_casebook(cb.path)
    try:
        app = make_app(book)
        notices = record_notices(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            # the check starts half a second after Today, in a worker
            await wait_until(pilot, lambda: any("beschadigd" in m for m, _ in notices))
    finally:
        book.close()
    shown = [m for m, _ in notices]
    assert any("beschadigd" in m and str(made) in m for m in shown), shown
    assert not any("malformed" in m for m in shown)
