"""Which driver opens a casebook file, and with which key: the one place a DB-API
connection to a casebook (or one of its copies) is made.

A plain casebook is opened with the stdlib `sqlite3`. An encrypted one (a file that
does not begin with SQLite's plain header and has a key file beside it, see
`casebook.keys`) with SQLCipher through `sqlcipher3`, the same DB-API, and the raw
database key as its first statement, `PRAGMA key = "x'…'"`: a raw key costs no key
derivation at each open (the passphrase's scrypt ran once, at unlock).

Unlocked keys are kept in this process only, by key id, so a casebook's backups (which
carry a copy of its key file) open with the same unlock.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from casebook import keys
from casebook.errors import CasebookError, StorageError

SQLITE_MAGIC = b"SQLite format 3\x00"
# What a driver error can be, from either driver: `except DB_ERRORS`.
DB_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, sqlcipher.Error)
CONNECTIONS: tuple[type, ...] = (sqlite3.Connection, sqlcipher.Connection)

_unlocked: dict[str, bytes] = {}
_LOOKUP = object()  # connect(): the key is the one the file's key file names


class Locked(StorageError):
    """An encrypted casebook whose key is not unlocked in this process."""

    def __init__(self, path: Path, *, key_file: keys.KeyFile | None = None):
        super().__init__("crypt.locked", path=str(path))
        self.db_path = Path(path)
        self._key_file = key_file

    @property
    def key_file(self) -> keys.KeyFile:
        """The wraps that open the key: a casebook's (or copy's) key file, or a dump's."""
        return self._key_file or key_file(self.db_path)

    def unlock(self, passphrase: str) -> None:
        remember(self.key_file.open_with_passphrase(passphrase))


def remember(unlocked: keys.Unlocked) -> None:
    _unlocked[unlocked.key_id] = unlocked.key


def known_key(key_id: str) -> bytes | None:
    return _unlocked.get(key_id)


def forget_all() -> None:
    _unlocked.clear()


def has_key_file(path: Path | str) -> bool:
    return keys.sidecar_path(path).is_file()


def is_encrypted(path: Path | str) -> bool:
    """True when `path` is an encrypted casebook, or will be one when made: its key file
    exists and the file does not begin with the plain header. A plain file beside a key
    file (an `encrypt` killed before its rename) is plain: the header decides."""
    if not has_key_file(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return True
    return head != SQLITE_MAGIC


def key_file(path: Path | str) -> keys.KeyFile:
    try:
        return keys.read_key_file(keys.sidecar_path(path))
    except CasebookError as exc:
        raise StorageError(exc.key, **exc.params) from None


def key_for(path: Path | str) -> bytes | None:
    """The key of the file at `path`: None when it is plain; `Locked` when it is
    encrypted and not unlocked here."""
    if not is_encrypted(path):
        return None
    found = _unlocked.get(key_file(path).key_id)
    if found is None:
        raise Locked(Path(path))
    return found


def is_locked(path: Path | str) -> bool:
    try:
        key_for(path)
    except Locked:
        return True
    return False


def unlock_with_passphrase(path: Path | str, passphrase: str) -> keys.Unlocked:
    """Unlock the casebook at `path` for this process (`keys.WrongSecret` when wrong:
    nothing is written)."""
    unlocked = key_file(path).open_with_passphrase(passphrase)
    remember(unlocked)
    return unlocked


def pragma_key(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path | str, *, uri: str | None = None, key=_LOOKUP, **kwargs):
    """A DB-API connection to the casebook file at `path` (through `uri` when given, a
    read-only `file:` URI). `key`: the file's own (looked up) by default; bytes to
    make or open a file with that key; None for a plain file."""
    if key is _LOOKUP:
        key = key_for(path)
    target = uri if uri is not None else os.fspath(path)
    if key is None:
        return sqlite3.connect(target, uri=uri is not None, **kwargs)
    conn = sqlcipher.connect(target, uri=uri is not None, **kwargs)
    try:
        conn.execute(pragma_key(key))
        # SQLCipher writes decryption failures to stderr, where Textual draws.
        conn.execute("PRAGMA cipher_log_level = NONE")
    except BaseException:
        conn.close()
        raise
    return conn


def copy(source: Path, target: Path, *, key=_LOOKUP) -> None:
    """Copy the casebook `source` into the (empty) file `target`, consistent even while
    `source` is in use, encrypted with `key` (default: the source's own; None: plain).
    Same key: SQLite's online backup; else `sqlcipher_export` re-encrypts page by page."""
    from casebook.db import readonly_uri

    source_key = key_for(source)
    if key is _LOOKUP:
        key = source_key
    if key == source_key:
        src = connect(source, uri=readonly_uri(source), key=source_key)
        try:
            dst = connect(target, key=key)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                dst.close()
        finally:
            src.close()
        return
    # sqlcipher_export runs on a SQLCipher connection, which opens a plain file too.
    src = sqlcipher.connect(readonly_uri(source), uri=True)
    try:
        if source_key is not None:
            src.execute(pragma_key(source_key))
        src.execute("PRAGMA cipher_log_level = NONE")
        attach_key = f"x'{key.hex()}'" if key is not None else ""
        src.execute("ATTACH DATABASE ? AS casebook_copy KEY ?", (os.fspath(target), attach_key))
        src.execute("SELECT sqlcipher_export('casebook_copy')")
        version = src.execute("PRAGMA main.user_version").fetchone()[0]
        src.execute(f"PRAGMA casebook_copy.user_version = {int(version)}")
        src.execute("DETACH DATABASE casebook_copy")
    finally:
        src.close()


def copy_key_file(source_db: Path, target_db: Path) -> None:
    """The key file of `source_db` beside `target_db` (owner-only, atomic)."""
    keys.write_key_file(keys.sidecar_path(target_db), key_file(source_db))


def move_key_file(source_db: Path, target_db: Path) -> None:
    """Rename `source_db`'s key file to `target_db`'s, when there is one."""
    src = keys.sidecar_path(source_db)
    if src.exists():
        os.replace(src, keys.sidecar_path(target_db))


def remove_key_file(db: Path) -> None:
    with contextlib.suppress(OSError):
        keys.sidecar_path(db).unlink()
