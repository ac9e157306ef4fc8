"""Encrypting a casebook: a new one, an existing one in place, a changed passphrase,
a recovery, and the encrypted dump. No Textual; the CLI and the screens ask the
secrets and call these.

`encrypt_in_place` never leaves neither file: the encrypted copy is made under a
temporary name, verified (it opens with the key, passes integrity_check and holds the
same number of rows in every table), fsynced, and only then renamed over the plain
original; the key file is written before that rename, and until the rename the plain
header decides that the file is read as plain (`cipher.is_encrypted`).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from casebook import cipher, keys, paths
from casebook.errors import CasebookError, StorageError

DUMP_FORMAT = "casebook-dump-encrypted"
DUMP_VERSION = 1


@dataclass
class EncryptResult:
    path: Path
    recovery_code: str
    plain_copies: list[Path] = field(default_factory=list)


def create_encrypted(path: Path, passphrase: str) -> str:
    """Prepare a new casebook at `path` to be made encrypted (its key file, unlocked
    here); `db.open_casebook` then makes it. Returns the recovery code (show it once)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise CasebookError("cli.exists", path=str(path))
    check_passphrase(passphrase)
    if not path.parent.exists():
        paths.make_private_dir(path.parent)
    key_file, unlocked, code = keys.new_key_file(passphrase)
    keys.write_key_file(keys.sidecar_path(path), key_file)
    cipher.remember(unlocked)
    return code


MIN_PASSPHRASE = 10


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise CasebookError("crypt.too_short", length=MIN_PASSPHRASE)


def _tables(conn) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _counts(conn) -> dict[str, int]:
    return {
        name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in _tables(conn)
    }


def _checkpoint(path: Path) -> None:
    """Fold the -wal into the plain file and empty it, so nothing lives only there."""
    conn = cipher.connect(path, key=None, timeout=1, isolation_level=None)
    try:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    wal = Path(f"{path}-wal")
    if busy or (wal.exists() and wal.stat().st_size > 0):
        raise CasebookError("safety.restore.in_use", path=str(path))


def encrypt_in_place(path: Path, passphrase: str, *, after_step=None) -> EncryptResult:
    """Encrypt the plain casebook at `path` under a new random key wrapped by
    `passphrase` and a new recovery code. `after_step(name)` is called between the
    steps (tests kill the process there)."""
    from casebook import backup
    from casebook.db import inspect_file, readonly_uri

    path = Path(path)
    step = after_step or (lambda _name: None)
    check_passphrase(passphrase)
    if cipher.is_encrypted(path):
        raise CasebookError("crypt.already", path=str(path))
    state = inspect_file(path)
    if not state.exists or state.revision is None:
        raise StorageError(
            "storage.missing" if not state.exists else "storage.not_a_casebook", path=str(path)
        )
    if backup._in_use(path):
        raise CasebookError("safety.restore.in_use", path=str(path))
    _checkpoint(path)
    backup.remove_leftovers(path.parent)
    key_file, unlocked, code = keys.new_key_file(passphrase)
    # named as write_copy names its own: remove_leftovers clears it after a kill
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        paths.create_private_file(tmp, exclusive=False)
        cipher.copy(path, tmp, key=unlocked.key)
        step("copied")
        plain = cipher.connect(path, uri=readonly_uri(path), key=None)
        try:
            before = _counts(plain)
        finally:
            plain.close()
        enc = cipher.connect(tmp, key=unlocked.key)
        try:
            ok = enc.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            after = _counts(enc)
            enc.execute("PRAGMA journal_mode=DELETE")
        finally:
            enc.close()
        if not ok or before != after:
            raise StorageError("crypt.verify_failed", path=str(path))
        backup._fsync(tmp)
        step("verified")
        # The key file first: the plain header still says "plain" until the rename.
        keys.write_key_file(keys.sidecar_path(path), key_file)
        step("keys_written")
        _checkpoint(path)  # nothing written meanwhile may live only in a -wal
        for side in ("-wal", "-shm"):
            backup._remove(Path(f"{path}{side}"))
        step("sides_removed")
        os.replace(tmp, path)
        paths.fsync_dir(path.parent)
    except BaseException:
        backup._remove(tmp)
        raise
    step("renamed")
    cipher.remember(unlocked)
    paths.restrict(path)
    return EncryptResult(path, code, plain_copies(path))


def plain_copies(path: Path) -> list[Path]:
    """The casebook's backups that are still plain SQLite."""
    from casebook import backup

    found = []
    for p in backup.list_backups(path):
        try:
            with p.open("rb") as fh:
                if fh.read(16) == cipher.SQLITE_MAGIC:
                    found.append(p)
        except OSError:
            continue
    return found


def encrypt_copy(db_path: Path, copy: Path) -> None:
    """Replace the plain backup `copy` by one encrypted with `db_path`'s key (and its
    key file beside it): through a temporary file, renamed when complete."""
    from casebook import backup

    key = cipher.key_for(db_path)
    if key is None:
        raise CasebookError("crypt.not_encrypted", path=str(db_path))
    tmp = copy.parent / f".{copy.name}.{os.getpid()}.tmp"
    try:
        cipher.copy_key_file(db_path, tmp)
        paths.create_private_file(tmp, exclusive=False)
        cipher.copy(copy, tmp, key=key)
        if not backup.quick_check(tmp):
            raise StorageError("crypt.verify_failed", path=str(copy))
        backup._fsync(tmp)
        stat = copy.stat()
        os.utime(tmp, (stat.st_atime, stat.st_mtime))  # its age stays the copy's
        cipher.move_key_file(tmp, copy)
        os.replace(tmp, copy)
        paths.fsync_dir(copy.parent)
    except BaseException:
        backup._remove(tmp)
        raise


def remove_copy(copy: Path) -> None:
    from casebook import backup

    for side in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        backup._remove(side)


def change_passphrase(path: Path, old: str, new: str) -> int:
    """Rewrap the key of the casebook at `path` with `new`: the database is not
    rewritten. The key files of its backups in the backups folder (same key) are
    rewrapped too. Returns how many backups were. `keys.WrongSecret` when `old` is
    wrong (nothing is written)."""
    check_passphrase(new)
    key_file = cipher.key_file(path)
    unlocked = key_file.open_with_passphrase(old)
    return _set_passphrase(path, key_file, unlocked, new)


def recover(path: Path, code: str, new: str) -> int:
    """Open the key with the recovery code and set `new` as the passphrase."""
    check_passphrase(new)
    key_file = cipher.key_file(path)
    unlocked = key_file.open_with_recovery(code)
    return _set_passphrase(path, key_file, unlocked, new)


def _set_passphrase(path: Path, key_file: keys.KeyFile, unlocked: keys.Unlocked, new: str) -> int:
    from casebook import backup

    fresh = key_file.with_passphrase(unlocked.key, new)
    keys.write_key_file(keys.sidecar_path(path), fresh)
    cipher.remember(unlocked)
    count = 0
    for copy in backup.list_backups(path):
        side = keys.sidecar_path(copy)
        try:
            if keys.read_key_file(side).key_id != unlocked.key_id:
                continue
        except CasebookError:
            continue
        keys.write_key_file(side, fresh)
        count += 1
    return count


# -- the encrypted dump ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def seal_dump(db_path: Path, payload: bytes) -> bytes:
    """The dump `payload` (its JSON) encrypted with AES-256-GCM under a key derived from
    the casebook's key, with the casebook's key file (its wraps) inside: the same
    passphrase or recovery code opens it, on any computer."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = cipher.key_for(db_path)
    if key is None:
        raise CasebookError("crypt.not_encrypted", path=str(db_path))
    key_file = cipher.key_file(db_path)
    nonce = os.urandom(12)
    aad = f"{DUMP_FORMAT}/{key_file.key_id}".encode()
    sealed = AESGCM(keys.subkey(key, "dump")).encrypt(nonce, payload, aad)
    envelope = {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "keys": key_file.to_json(),
        "aead": "aes-256-gcm",
        "nonce": _b64(nonce),
        "ciphertext": _b64(sealed),
    }
    return json.dumps(envelope, indent=1).encode("ascii") + b"\n"


def is_sealed(data: object) -> bool:
    return isinstance(data, dict) and data.get("format") == DUMP_FORMAT


def open_dump(envelope: dict, source: Path) -> bytes:
    """The JSON inside an encrypted dump; `cipher.Locked` when its key is not unlocked
    here (the CLI asks the passphrase and tries again)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if envelope.get("version") != DUMP_VERSION or envelope.get("aead") != "aes-256-gcm":
        raise CasebookError("crypt.dump_damaged", path=str(source))
    key_file = keys.KeyFile.from_json(envelope.get("keys"))
    key = cipher.known_key(key_file.key_id)
    if key is None:
        raise cipher.Locked(source, key_file=key_file)
    aad = f"{DUMP_FORMAT}/{key_file.key_id}".encode()
    try:
        return AESGCM(keys.subkey(key, "dump")).decrypt(
            base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ciphertext"]), aad
        )
    except (InvalidTag, KeyError, ValueError, TypeError):
        raise CasebookError("crypt.dump_damaged", path=str(source)) from None
