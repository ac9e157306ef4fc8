"""Backups: one automatic copy a day, rotation, and restoring a copy.

Every copy is made with SQLite's online backup API (`db.copy_database`), so it is
consistent even while the casebook is open in a window. Copies go to `backups/`
beside the casebook file, owner-only. A copy is written under a temporary name and
renamed when complete, so a half-written copy never looks like a backup.

Names (local date/time; no personal data in file names):
  daily-YYYY-MM-DD.sqlite3         the automatic copy of the day (rotated)
  manual-YYYYMMDDTHHMMSSZ.sqlite3  `casebook backup` without --out (kept)
  pre-restore-….sqlite3            the file as it was before a restore (kept)
  pre-migration-….sqlite3          made by db.open_casebook before a migration (kept)
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from casebook import cipher, paths, schema
from casebook.errors import CasebookError, StorageError

DAILY_PREFIX = "daily-"
SUFFIX = ".sqlite3"
DEFAULT_KEEP_DAILY = 14
DEFAULT_KEEP_MONTHLY = 12


def _today() -> date:
    from casebook.dates import today

    return today()


def _clock_timestamp() -> float:
    from casebook.clock import timestamp

    return timestamp()


def _stamp() -> str:
    from casebook.dates import utcnow

    return utcnow().strftime("%Y%m%dT%H%M%SZ")


def daily_name(day: date) -> str:
    return f"{DAILY_PREFIX}{day.isoformat()}{SUFFIX}"


def _daily_date(name: str) -> date | None:
    if not (name.startswith(DAILY_PREFIX) and name.endswith(SUFFIX)):
        return None
    try:
        return date.fromisoformat(name[len(DAILY_PREFIX) : -len(SUFFIX)])
    except ValueError:
        return None


def write_copy(source: Path, target: Path) -> Path:
    """Copy the casebook `source` to `target` (which must not exist) through a temporary
    file in the same folder, renamed when complete. Owner-only. On any error the
    temporary file is removed and a `StorageError` raised; `source` is only read."""
    from casebook.db import copy_database, storage_error

    if target.exists():
        raise CasebookError("cli.exists", path=str(target))
    folder = target.parent
    if not folder.is_dir():
        raise StorageError("storage.missing_folder", path=str(folder))
    remove_leftovers(folder)
    tmp = folder / f".{target.name}.{os.getpid()}.tmp"
    try:
        copy_database(source, tmp)
        # A copy counts only once it is known good: a damaged casebook is refused
        # here (its older, good copies are kept) instead of rotating them away.
        if not quick_check(tmp):
            _remove(tmp)
            raise StorageError("faults.backup.source_damaged", path=str(source))
        _fsync(tmp)
        # The copy's time is the clock's, not the file system's: its age is read against
        # the same clock (Today's "no recent backup" warning).
        stamp = _clock_timestamp()
        os.utime(tmp, (stamp, stamp))
        cipher.move_key_file(tmp, target)  # an encrypted copy's key file first
        os.replace(tmp, target)
        paths.fsync_dir(folder)
    except cipher.DB_ERRORS as exc:
        _remove(tmp)
        raise _copy_error(source, target, exc, storage_error) from None
    except OSError as exc:
        _remove(tmp)
        raise StorageError(
            "safety.backup.failed", path=str(target), reason=exc.strerror or type(exc).__name__
        ) from None
    except BaseException:
        _remove(tmp)
        raise
    paths.restrict(target)
    return target


def _copy_error(source: Path, target: Path, exc: Exception, storage_error) -> StorageError:
    err = storage_error(target, exc)
    if err.key in ("storage.corrupt", "storage.not_a_database"):
        return storage_error(source, exc)
    return err


TMP_SUFFIX = ".tmp"


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove temporary copies (`.<name>.<pid>.tmp`, `.<name>.restore-<pid>.tmp`) left by
    a job that was killed: those whose process is gone. Returns what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    with contextlib.suppress(OSError):
        for p in folder.glob(f".*{TMP_SUFFIX}"):
            pid_text = p.name[: -len(TMP_SUFFIX)].rsplit(".", 1)[-1].removeprefix("restore-")
            if not pid_text.isdigit() or _alive(int(pid_text)):
                continue
            for side in (
                p,
                Path(f"{p}-journal"),
                Path(f"{p}-wal"),
                Path(f"{p}-shm"),
                Path(f"{p}.keys"),
            ):
                if side.exists():
                    _remove(side)
            removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def quick_check(path: Path) -> bool:
    """SQLite's quick_check of the file at `path` (read-only): True when it is intact.
    It reads every page, as integrity_check does, without checking index contents."""
    from casebook.db import readonly_connect

    try:
        conn = readonly_connect(path)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except (*cipher.DB_ERRORS, StorageError):  # damaged, or an encrypted copy locked
        return False
    return rows == [("ok",)]


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
    cipher.remove_key_file(path)  # an encrypted copy's key file goes with it


def _keep_settings(db_path: Path) -> tuple[int, int]:
    """backup_keep_daily / backup_keep_monthly from the casebook's own settings, read
    with the stdlib driver in read-only mode (defaults when absent or unreadable)."""
    daily, monthly = DEFAULT_KEEP_DAILY, DEFAULT_KEEP_MONTHLY
    try:
        from casebook.db import readonly_connect

        conn = readonly_connect(db_path)
        try:
            rows = dict(
                conn.execute(
                    "SELECT key, value FROM setting WHERE key IN "
                    "('backup_keep_daily', 'backup_keep_monthly')"
                ).fetchall()
            )
        finally:
            conn.close()
    except cipher.DB_ERRORS:
        return daily, monthly
    with contextlib.suppress(ValueError, TypeError):
        daily = int(rows.get("backup_keep_daily", daily))
    with contextlib.suppress(ValueError, TypeError):
        monthly = int(rows.get("backup_keep_monthly", monthly))
    return max(1, daily), max(0, monthly)


def rotate(
    folder: Path, keep_daily: int, keep_monthly: int, *, good: Path | None = None
) -> list[Path]:
    """Delete daily copies beyond the last `keep_daily`, except the first copy of each of
    the last `keep_monthly` months. Other copies (manual, pre-restore, pre-migration)
    are never touched. Returns the removed files."""
    dailies = sorted(
        ((d, p) for p in folder.glob(f"{DAILY_PREFIX}*{SUFFIX}") if (d := _daily_date(p.name))),
        reverse=True,
    )
    keep = {p for _, p in dailies[: max(1, keep_daily)]}
    # Copies are checked before they count, but a file can go bad later: whatever the
    # counts say, the newest daily copy that is still intact is kept.
    for _, p in dailies:
        if p == good or quick_check(p):  # `good`: just made and checked
            keep.add(p)
            break
    firsts: dict[tuple[int, int], Path] = {}
    for day, p in sorted(dailies):
        firsts.setdefault((day.year, day.month), p)
    for month in sorted(firsts, reverse=True)[:keep_monthly]:
        keep.add(firsts[month])
    removed = []
    for _, p in dailies:
        if p not in keep:
            _remove(p)
            removed.append(p)
    return removed


def ensure_daily_backup(db_path: Path | str, *, today: date | None = None) -> Path | None:
    """Make today's automatic copy if there is none yet, then rotate. Cheap when today's
    copy exists (one stat call). Returns the new copy, or None when nothing was done
    (already made today, or the casebook file does not exist yet).

    Raises `StorageError` when the copy cannot be made (folder not writable, disk
    full): show the message and carry on; the casebook itself is untouched."""
    db_path = Path(db_path)
    today = today or _today()
    folder = paths.backups_dir(db_path)
    target = folder / daily_name(today)
    if target.exists() or not db_path.is_file():
        return None
    try:
        paths.make_private_dir(folder)
    except OSError as exc:
        raise StorageError(
            "safety.backup.failed", path=str(folder), reason=exc.strerror or type(exc).__name__
        ) from None
    made = write_copy(db_path, target)
    rotate(folder, *_keep_settings(db_path), good=made)
    return made


def daily_backup(db_path: Path | str) -> Path | None:
    """Alias of `ensure_daily_backup` (the name used in the design notes)."""
    return ensure_daily_backup(db_path)


def manual_backup(db_path: Path, out: Path | None = None) -> Path:
    """`casebook backup`: a copy to `out`, or a kept copy in the backups folder."""
    _require_casebook(db_path)
    if out is None:
        folder = paths.make_private_dir(paths.backups_dir(db_path))
        out = folder / f"manual-{_stamp()}{SUFFIX}"
    return write_copy(db_path, out)


def list_backups(db_path: Path) -> list[Path]:
    folder = paths.backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{SUFFIX}") if p.is_file())


def newest_backup_age(db_path: Path | str, *, now: datetime | None = None) -> timedelta | None:
    """How old the newest copy in the backups folder is (None when there is none).
    For the Today screen: warn when this exceeds the setting backup_warn_days."""
    from casebook.dates import utcnow

    found = list_backups(Path(db_path))
    if not found:
        return None
    newest = max(p.stat().st_mtime for p in found)
    now = now or utcnow()
    return max(timedelta(0), now - datetime.fromtimestamp(newest, tz=now.tzinfo))


def backup_overdue(db_path: Path | str, warn_days: int, *, now: datetime | None = None) -> bool:
    age = newest_backup_age(db_path, now=now)
    return age is None or age > timedelta(days=max(0, warn_days))


def backup_warning(
    db_path: Path | str, warn_days: int, *, now: datetime | None = None
) -> str | None:
    """The Today screen's warning (in the current language), or None when the newest
    backup is recent enough. `warn_days` is the casebook setting backup_warn_days."""
    from casebook.i18n import t, tn

    age = newest_backup_age(db_path, now=now)
    if age is None:
        return t("safety.backup.none")
    if age > timedelta(days=max(0, warn_days)):
        return tn("safety.backup.overdue", warn_days, days=warn_days)
    return None


# -- restore -------------------------------------------------------------------------


@dataclass
class RestoreResult:
    target: Path
    previous: Path | None  # the copy of the file as it was, or None if there was none


def _require_casebook(path: Path) -> None:
    """Refuse (StorageError) anything that is not an intact casebook this version knows."""
    from casebook.db import inspect_file

    state = inspect_file(path)
    if not state.exists:
        raise StorageError("storage.missing", path=str(path))
    if state.revision is None:
        if state.has_tables:
            raise StorageError("storage.not_a_casebook", path=str(path))
        raise StorageError("storage.not_a_database", path=str(path))
    if state.revision not in schema.REVISIONS:
        raise StorageError("storage.too_new", path=str(path))


def verify_backup_file(path: Path) -> None:
    """The checks a file must pass before it may replace the casebook: a casebook, of a
    schema this version knows, passing SQLite's integrity and foreign-key checks."""
    _require_casebook(path)
    try:
        from casebook.db import readonly_connect

        conn = readonly_connect(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            conn.close()
    except cipher.DB_ERRORS:
        raise StorageError("storage.corrupt", path=str(path)) from None
    if result != [("ok",)] or fk:
        raise StorageError("storage.corrupt", path=str(path))


def _in_use(target: Path) -> bool:
    """True when another connection (a window) has the casebook open. When the last
    connection closes, SQLite checkpoints and deletes the -wal file; if it is still
    there after ours closes, someone else holds the file."""
    wal = Path(f"{target}-wal")
    if not wal.exists():
        return False
    try:
        # Only a read: if ours is the last connection, closing it checkpoints and
        # removes the -wal file; if another is open, the file is left as it was.
        conn = cipher.connect(target, timeout=1)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except cipher.DB_ERRORS:
        return True
    return wal.exists()


def restore(source: Path | str, target: Path | str) -> RestoreResult:
    """Replace the casebook `target` with the backup `source`.

    Refuses, touching nothing, when `source` is not an intact casebook or the casebook
    is open elsewhere. Otherwise copies the current file to backups/ first, then puts
    the backup in place atomically (copy to a temporary file beside it, os.replace)."""
    from casebook.db import check_writable, copy_database

    source, target = Path(source), Path(target)
    verify_backup_file(source)
    if target.exists() and target.resolve() == source.resolve():
        raise CasebookError("safety.restore.same_file")
    if not target.parent.is_dir():
        raise StorageError("storage.missing_folder", path=str(target.parent))
    check_writable(target)
    if target.exists() and _in_use(target):
        raise CasebookError("safety.restore.in_use", path=str(target))

    remove_leftovers(target.parent)
    tmp = target.parent / f".{target.name}.restore-{os.getpid()}.tmp"
    try:
        # Stage the new file first: if that fails (disk full), nothing has changed.
        # An encrypted casebook stays encrypted with its own key (and passphrase).
        key_from = target if cipher.is_encrypted(target) else source
        copy_database(source, tmp, key_from=key_from)
        _fsync(tmp)
        verify_backup_file(tmp)
    except (*cipher.DB_ERRORS, OSError, StorageError) as exc:
        _remove(tmp)
        if isinstance(exc, StorageError):
            raise
        raise StorageError(
            "safety.backup.failed", path=str(target), reason=type(exc).__name__
        ) from None

    previous = None
    try:
        if target.exists():
            previous = _save_previous(target)
        for suffix in ("-wal", "-shm"):
            _remove(Path(f"{target}{suffix}"))
        cipher.move_key_file(tmp, target)
        os.replace(tmp, target)
        paths.fsync_dir(target.parent)
    except OSError as exc:
        _remove(tmp)
        raise StorageError(
            "safety.backup.failed", path=str(target), reason=exc.strerror or type(exc).__name__
        ) from None
    except BaseException:
        _remove(tmp)
        raise
    paths.restrict(target)
    return RestoreResult(target, previous)


def newest_good_backup(db_path: Path | str) -> Path | None:
    """The newest copy in the casebook's backups folder that passes quick_check (and
    is a casebook), newest first by modification time (the clock's, see write_copy),
    then by name (a daily copy's name holds its day); None when there is none."""
    found = list_backups(Path(db_path))
    found.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    for p in found:
        try:
            _require_casebook(p)
        except CasebookError:
            continue
        if quick_check(p):
            return p
    return None


def _save_previous(target: Path) -> Path:
    """Copy the current casebook to backups/ before it is replaced: through SQLite when
    it is readable, else byte for byte (a damaged file is kept as it was)."""
    import shutil

    folder = paths.make_private_dir(paths.backups_dir(target))
    dest = folder / f"pre-restore-{_stamp()}{SUFFIX}"
    try:
        write_copy(target, dest)
    except (StorageError, CasebookError):
        if dest.exists():
            raise
        shutil.copyfile(target, dest)
        if cipher.has_key_file(target):
            shutil.copyfile(f"{target}.keys", f"{dest}.keys")
        wal = Path(f"{target}-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{dest}-wal"))
            paths.restrict(Path(f"{dest}-wal"))
        paths.restrict(dest)
    return dest
