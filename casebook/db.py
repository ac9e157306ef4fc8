"""Opening a casebook file: checks, migrations, the engine and transactions.

A casebook is one SQLite file in WAL mode with foreign keys on. The engine is made
when a casebook is opened, never at import. Every write runs in `Casebook.write()`:
one `BEGIN IMMEDIATE` transaction, committed on success and rolled back on error, so a
save is either wholly on disk or not at all.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from casebook import cipher, filemark, paths, schema
from casebook.errors import StorageError

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
# SQL function for case-blind matching of names and places: SQLite's own lower() and
# LIKE fold ASCII only, so "Élif" would never match "élif".
FOLD_FUNCTION = "casebook_fold"


def fold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


@dataclass(frozen=True)
class FileState:
    exists: bool
    revision: str | None
    has_tables: bool


def readonly_uri(path: Path) -> str:
    """The URI for a read-only connection. SQLite reads a WAL-mode file through its
    -shm file, which it must be able to create; in a folder the user may not write,
    with no -wal file present (so nothing uncommitted or unmerged to read), the file
    is opened as immutable instead, which needs no -shm."""
    # With no -shm present no window has the file open: it is opened as immutable, so
    # the read leaves no side file, takes no lock and writes nothing. A -wal without
    # its -shm (copied from elsewhere, or stale) is then not read, let alone merged:
    # `casebook check` reports it. With both present (a window has it open, or one
    # was killed) they are read, never merged into the file (mode=ro).
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if os.name != "nt" and not Path(f"{path}-shm").exists():
        uri += "&immutable=1"
    return uri


def readonly_connect(path: Path) -> sqlite3.Connection:
    # The driver (stdlib or SQLCipher, keyed) is casebook.cipher's choice.
    return cipher.connect(path, uri=readonly_uri(path), timeout=BUSY_TIMEOUT_MS / 1000)


def inspect_file(path: Path) -> FileState:
    """Read the schema revision with the stdlib driver in read-only mode: this touches
    nothing and costs no SQLAlchemy or Alembic import."""
    if not path.exists():
        return FileState(False, None, False)
    if not path.is_file():
        raise StorageError("storage.not_a_file", path=str(path))
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise StorageError(
            "storage.unreadable", path=str(path), reason=exc.strerror or ""
        ) from None
    if not header:
        return FileState(True, None, False)
    if header != SQLITE_MAGIC and not cipher.is_encrypted(path):
        raise StorageError("storage.not_a_database", path=str(path))
    try:
        conn = readonly_connect(path)
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except cipher.DB_ERRORS as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (5, 6):  # BUSY, LOCKED
            # locked by another window or program: not damage, and no advice to restore
            raise StorageError("safety.storage.busy", path=str(path)) from None
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (8, 14):  # READONLY, CANTOPEN
            check_writable(path)  # a read-only folder or file says so
            raise StorageError("safety.storage.cannot_open", path=str(path)) from None
        raise StorageError("storage.corrupt", path=str(path)) from None
    return FileState(True, revision, bool(tables - {"alembic_version"}))


def open_readonly_connection(path: Path | str) -> sqlite3.Connection:
    """A read-only stdlib connection to the casebook at `path`, for readers that need no
    SQLAlchemy (`casebook stats`). Refuses what `open_casebook(path, create=False,
    readonly=True)` refuses, with the same messages: a missing file, a non-database, a
    corrupt file, a newer schema, a file that is not a casebook or needs migrating."""
    path = Path(path)
    state = inspect_file(path)
    if not state.exists:
        raise StorageError("storage.missing", path=str(path))
    if state.revision is not None and state.revision not in schema.REVISIONS:
        raise StorageError("storage.too_new", path=str(path))
    if state.revision is None and state.has_tables:
        raise StorageError("storage.not_a_casebook", path=str(path))
    if state.revision != schema.HEAD:
        raise StorageError("storage.needs_migration", path=str(path))
    try:
        conn = readonly_connect(path)
    except cipher.DB_ERRORS as exc:
        raise storage_error(path, exc) from None
    conn.isolation_level = None  # BEGIN is the reader's to emit
    return conn


def dbapi_connection(source) -> sqlite3.Connection:
    """The stdlib connection behind `source`: a sqlite3 connection as is, or the one a
    SQLModel/SQLAlchemy Session is using (flushed first, so its pending changes
    count, and inside its transaction)."""
    if isinstance(source, cipher.CONNECTIONS):
        return source
    source.flush()
    return source.connection().connection.driver_connection


@contextmanager
def driver_reads(source) -> Iterator[sqlite3.Connection]:
    """The stdlib connection behind `source` (see `dbapi_connection`), for plain-SQL
    readers that must not pay for SQLAlchemy statements. The reads see one snapshot:
    inside the Session's transaction, or in one of their own on a bare connection.
    Through a Session a driver error comes out as SQLAlchemy would raise it, so that
    `Casebook.read()` turns it into a readable StorageError."""
    conn = dbapi_connection(source)
    own = not conn.in_transaction
    try:
        if own:
            conn.execute("BEGIN")
        yield conn
        if own:
            conn.execute("COMMIT")
    except BaseException as exc:
        if own and conn.in_transaction:
            with contextlib.suppress(*cipher.DB_ERRORS):
                conn.execute("ROLLBACK")
        if not isinstance(exc, cipher.DB_ERRORS) or conn is source:
            raise
        from sqlalchemy.exc import DBAPIError

        base = next(e for e in cipher.DB_ERRORS if isinstance(exc, e))
        raise DBAPIError.instance(None, None, exc, base) from None


class Casebook:
    """An open casebook: its path and engine, and the way to read and write it."""

    def __init__(self, path: Path, engine):
        self.path = path
        self.engine = engine
        self._writer = engine.execution_options(casebook_begin="IMMEDIATE")
        self.identity = file_identity(path)
        self.watch = filemark.Watch(path)  # replaced in place: another tag, an older copy

    def check_identity(self) -> None:
        """Refuse (StorageError) when the file at `path` is no longer the one opened:
        deleted, moved away or replaced by another file while a window had it open.
        A save then would go into a file nobody will open again, and be lost."""
        now = file_identity(self.path)
        if now is None:
            raise StorageError("faults.file.gone", path=str(self.path))
        if self.identity is not None and now != self.identity:
            raise StorageError("faults.file.replaced", path=str(self.path))
        if not self.watch.unchanged():  # same inode, another file's content
            raise StorageError("faults.file.replaced", path=str(self.path))

    @contextmanager
    def read(self) -> Iterator:
        from sqlalchemy.exc import DBAPIError
        from sqlmodel import Session

        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except DBAPIError as exc:
                raise storage_error(self.path, exc) from None

    @contextmanager
    def write(self, *, cancel=None) -> Iterator:
        """One transaction: committed when the block ends, rolled back if it raises.

        Driver errors (disk full, read-only file, damaged file, locked too long) come
        out as a `StorageError` with a readable message and without the statement's
        parameters, which may hold personal data. The file is checked to be the one
        opened before the transaction and after its commit (`check_identity`).

        `cancel` (anything with `is_set()`, e.g. a threading.Event): when it is set
        before the commit — the officer pressed Escape while the save waited for a
        lock — the transaction is rolled back and `SaveCancelled` raised: a cancelled
        save is never applied later."""
        from sqlalchemy.exc import DBAPIError
        from sqlmodel import Session

        from casebook.errors import SaveCancelled

        self.check_identity()
        with Session(self._writer, expire_on_commit=False) as session:
            try:
                yield session
                session.flush()
                if cancel is not None and cancel.is_set():
                    raise SaveCancelled()
                filemark.bump(dbapi_connection(session))  # see casebook.filemark
                session.commit()
                self.check_identity()
            except DBAPIError as exc:
                _quiet_rollback(session)
                raise storage_error(self.path, exc) from None
            except BaseException:
                _quiet_rollback(session)
                raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Casebook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _quiet_rollback(session) -> None:
    # The connection may be gone (disk full, I/O error); SQLite rolls back by itself.
    with contextlib.suppress(Exception):
        session.rollback()


# SQLite result codes (the primary code, low byte) and the message each one gets.
_SQLITE_MESSAGES = {
    5: "safety.storage.busy",  # SQLITE_BUSY
    6: "safety.storage.busy",  # SQLITE_LOCKED
    8: "safety.storage.read_only",  # SQLITE_READONLY
    10: "safety.storage.io_error",  # SQLITE_IOERR
    11: "storage.corrupt",  # SQLITE_CORRUPT
    13: "safety.storage.disk_full",  # SQLITE_FULL
    14: "safety.storage.cannot_open",  # SQLITE_CANTOPEN
    26: "storage.not_a_database",  # SQLITE_NOTADB
}


def storage_error(path: Path, exc: BaseException) -> StorageError:
    """A readable `StorageError` for a driver error. Uses the SQLite error code and
    never the exception text, which can carry a statement's parameters."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    key = None
    if code is not None:
        key = _SQLITE_MESSAGES.get(code & 0xFF)
    if key is None:
        text = str(orig).lower()
        for needle, candidate in (
            ("disk is full", "safety.storage.disk_full"),
            ("readonly", "safety.storage.read_only"),
            ("read-only", "safety.storage.read_only"),
            ("locked", "safety.storage.busy"),
            ("malformed", "storage.corrupt"),
            ("not a database", "storage.not_a_database"),
            ("unable to open", "safety.storage.cannot_open"),
        ):
            if needle in text:
                key = candidate
                break
    if key is None:
        return StorageError("storage.cannot_write", path=str(path), reason=type(orig).__name__)
    return StorageError(key, path=str(path))


def check_writable(path: Path) -> None:
    """Refuse early, with a clear message, a file or folder the user may not write:
    SQLite needs both (the folder for its -wal and -shm files)."""
    if os.name == "nt":
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        raise StorageError("safety.storage.read_only_file", path=str(path))
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError("safety.storage.read_only_folder", path=str(folder))


def make_engine(path: Path, *, readonly: bool = False):
    """The engine for the casebook at `path`. The path reaches SQLite as a path (or,
    read-only, as a properly escaped file: URI), never pasted into a URL that would be
    decoded again: a folder named `%41`, `#`, `?` or holding a newline opens the file it
    names and no other."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import URL

    filename = os.path.abspath(path)  # never read as ":memory:" or a "file:" URI
    timeout = BUSY_TIMEOUT_MS / 1000
    uri = readonly_uri(path) if readonly else None
    key = cipher.key_for(path)  # None: plain; an encrypted casebook must be unlocked

    def connect() -> sqlite3.Connection:  # no arguments: SQLAlchemy calls it bare
        return cipher.connect(filename, uri=uri, key=key, timeout=timeout, check_same_thread=False)

    # The URL only tells SQLAlchemy it is a file database (a pool of connections,
    # one per thread); `creator` makes every connection.
    url = URL.create("sqlite", database=filename)
    # hide_parameters: an error message never repeats the values (personal data) bound
    # to the statement that failed.
    # An encrypted casebook's driver is SQLCipher's: SQLAlchemy wraps its errors then.
    module = {} if key is None else {"module": cipher.sqlcipher}
    engine = create_engine(url, creator=connect, hide_parameters=True, **module)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take transaction control away from the driver, so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        dbapi_conn.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("casebook_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_casebook(
    path: Path | str,
    *,
    create: bool = True,
    create_parents: bool = False,
    readonly: bool = False,
) -> Casebook:
    """Open (and if needed create or migrate) the casebook at `path`.

    Refuses, without modifying the file, anything that is not a casebook this version
    can use: a non-database, a corrupt file, a newer schema.
    """
    path = Path(path)
    state = inspect_file(path)
    if not state.exists:
        if not create:
            raise StorageError("storage.missing", path=str(path))
        if not path.parent.exists():
            if not create_parents:
                raise StorageError("storage.missing_folder", path=str(path.parent))
            paths.make_private_dir(path.parent)
    if state.revision is not None and state.revision not in schema.REVISIONS:
        raise StorageError("storage.too_new", path=str(path))
    if state.revision is None and state.has_tables:
        raise StorageError("storage.not_a_casebook", path=str(path))
    if readonly:
        if state.revision != schema.HEAD:
            raise StorageError("storage.needs_migration", path=str(path))
        return Casebook(path, make_engine(path, readonly=True))

    check_writable(path)
    if not state.exists:
        # Owner-only from the first byte: SQLite gives the -wal and -shm it makes the
        # main file's mode, so they are never readable by others either.
        try:
            paths.create_private_file(path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise StorageError(
                "storage.cannot_write", path=str(path), reason=exc.strerror or ""
            ) from None
    else:
        refuse_foreign_wal(path)  # before SQLite replays it into the file
        for side in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if side.exists():
                paths.restrict(side)
    fresh = state.revision is None
    if state.revision != schema.HEAD:
        if not fresh:
            _backup_before_migration(path, state.revision)
        try:
            engine = make_engine(path)
            _upgrade(engine)
        except StorageError:
            raise
        except Exception as exc:
            from sqlalchemy.exc import DBAPIError

            if isinstance(exc, (DBAPIError, *cipher.DB_ERRORS)):
                raise storage_error(path, exc) from None
            raise StorageError(
                "storage.cannot_write", path=str(path), reason=_reason(exc)
            ) from None
        paths.restrict(path)
        cb = Casebook(path, engine)
        if fresh:
            from casebook.services import setup

            with cb.write() as session:
                setup.seed_new_casebook(session)
        mark_casebook(cb)
        return cb
    cb = Casebook(path, make_engine(path))
    from casebook.retention import finish_pending_vacuum

    finish_pending_vacuum(path)  # an erasure killed before its vacuum: finish it now
    mark_casebook(cb)
    return cb


def refuse_foreign_wal(path: Path) -> None:
    """Refuse a read-write open while a `-wal` lies beside the file that does not
    belong to it (casebook.filemark): SQLite would replay it into the file. Both files
    are left as they are; `casebook check` says so, and `casebook check
    --set-aside-wal` moves the log (and its -shm) aside under a new name."""
    verdict = filemark.checked_wal_verdict(path)
    if not verdict.fits:
        raise StorageError(f"faults2.wal.{verdict.kind}", path=str(path))


def mark_casebook(cb: Casebook) -> None:
    """Give a casebook without a tag (new, or made before casebook.filemark) its
    own, and let the open window's watch accept it."""
    header = filemark.read_header(cb.path)
    if header is None or header.tag:
        return
    tag = filemark.new_tag()
    with cb.write() as session:
        conn = dbapi_connection(session)
        (current,) = conn.execute("PRAGMA application_id").fetchone()
        if current:
            tag = current  # another window tagged it first
        else:
            conn.execute(f"PRAGMA application_id = {int(tag)}")
    cb.watch.allow_tag(tag)
    with contextlib.suppress(sqlite3.Error), cb.engine.connect() as conn:
        # put the tag into the file itself now rather than at the next checkpoint
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def _reason(exc: Exception) -> str:
    # Driver messages name files and SQL, never record contents; keep the first line.
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _upgrade(engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _backup_before_migration(path: Path, revision: str | None) -> Path:
    """A verified copy under a temporary name, renamed when complete: a migration
    killed half-way never leaves a partial copy that looks like a backup."""
    from casebook.backup import write_copy
    from casebook.dates import utcnow

    folder = paths.make_private_dir(paths.backups_dir(path))
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"pre-migration-{revision or 'none'}-{stamp}.sqlite3"
    return write_copy(path, target)


def copy_database(source: Path, target: Path, *, key_from: Path | None = None) -> None:
    """A consistent copy through SQLite's online backup API (safe while in use). The
    copy of an encrypted casebook is encrypted with the same key, and its key file is
    copied beside it (`<target>.keys`) first, so the copy opens as the original does.
    `key_from`: the casebook whose key (and key file) the copy gets instead (a restore
    into an encrypted casebook keeps its key, whatever the backup's)."""
    key_from = key_from or source
    key = cipher.key_for(key_from)
    if key is not None:
        cipher.copy_key_file(key_from, target)
    paths.create_private_file(target, exclusive=False)  # owner-only from byte one
    # A copy is one self-contained file: no -wal beside it.
    cipher.copy(source, target, key=key)
    paths.restrict(target)
