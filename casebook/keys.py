"""The database key of an encrypted casebook, and how it is kept.

The key is 32 random bytes. It is never stored as such: the sidecar file beside the
casebook (`<name>.sqlite3.keys`, JSON, owner-only) holds it twice, wrapped with
AES-256-GCM by a key derived with scrypt,

- once from the officer's passphrase,
- once from a one-time recovery code (48 digits in 8 groups of 6, as BitLocker shows
  them), shown once when the casebook is encrypted.

The database's own header is encrypted too, so the wraps must live outside it. A
changed passphrase rewraps the same key: the database is not rewritten. The crypto is
`cryptography`'s (scrypt, AES-GCM, HKDF); nothing here is home-made.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError

KEY_BYTES = 32
SIDECAR_SUFFIX = ".keys"
FORMAT = "casebook-keys"
VERSION = 1
# scrypt's cost: N=2^15, r=8 is 32 MiB a lane; p=6 lanes run one after another, so
# deriving takes ~0.5 s on the 2-core reference machine (measured 2026-12-02, at load
# ~1: 0.08 s a lane, 0.48 s in all; twice that under load 4-5). 32 MiB rather than 64
# (N=2^16, p=3, the same time): the UI unlocks with Textual loaded (60 MB), and its
# peak must stay within the 120 MB budget (README, figure 8); both are at or above
# OWASP's scrypt equivalents (N=2^15, r=8, p=3). Stored with each wrap, so a later
# release can raise them for new wraps only.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 6
# The most memory one derivation may take (scrypt needs 128 * r * N bytes): 8x ours.
MAX_SCRYPT_MEMORY = 256 * 2**20
# A recovery code: 8 groups of 6 digits, each group a 16-bit number times 11 (a typo
# in one group is caught there), 128 bits in all.
RECOVERY_GROUPS = 8
RECOVERY_FACTOR = 11


class WrongSecret(CasebookError):
    """The passphrase or recovery code does not open the key (nothing was changed)."""


@dataclass(frozen=True)
class Unlocked:
    key_id: str
    key: bytes


def sidecar_path(db_path: Path | str) -> Path:
    return Path(f"{db_path}{SIDECAR_SUFFIX}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret.encode("utf-8"))


def normalise_passphrase(passphrase: str) -> str:
    import unicodedata

    # The same passphrase typed on another keyboard (é as one or two code points)
    return unicodedata.normalize("NFC", passphrase)


def wrap(key: bytes, secret: str, key_id: str, purpose: str, *, params=None) -> dict:
    """`key` wrapped by a key derived from `secret` (scrypt, fresh salt), AES-GCM with
    the key id and purpose as associated data: a wrap cannot be moved to another file
    or role unnoticed."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    n, r, p = params or (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(secret, salt, n, r, p)
    wrapped = AESGCM(kek).encrypt(nonce, key, f"{key_id}/{purpose}".encode())
    return {
        "kdf": "scrypt",
        "n": n,
        "r": r,
        "p": p,
        "salt": _b64(salt),
        "aead": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
    }


def unwrap(entry: dict, secret: str, key_id: str, purpose: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        if entry.get("kdf") != "scrypt" or entry.get("aead") != "aes-256-gcm":
            raise ValueError
        n, r, p = int(entry["n"]), int(entry["r"]), int(entry["p"])
        if not (2**10 <= n <= 2**22 and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError
        if 128 * r * n > MAX_SCRYPT_MEMORY:
            raise ValueError  # a tampered file must not make us allocate gigabytes
        kek = _derive(secret, _unb64(entry["salt"]), n, r, p)
        key = AESGCM(kek).decrypt(
            _unb64(entry["nonce"]), _unb64(entry["wrapped"]), f"{key_id}/{purpose}".encode()
        )
    except InvalidTag:
        raise WrongSecret(f"crypt.wrong_{purpose}") from None
    except (KeyError, ValueError, TypeError):
        raise CasebookError("crypt.keys_damaged") from None
    if len(key) != KEY_BYTES:
        raise CasebookError("crypt.keys_damaged")
    return key


# -- recovery codes -----------------------------------------------------------------


def new_recovery_code() -> str:
    groups = [secrets.randbelow(2**16) * RECOVERY_FACTOR for _ in range(RECOVERY_GROUPS)]
    return "-".join(f"{g:06d}" for g in groups)


def normalise_recovery_code(text: str) -> str:
    """The code as typed (spaces, dashes, any grouping) in its one written form;
    CasebookError naming the first wrong group when it cannot be a code."""
    digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii())
    if len(digits) != 6 * RECOVERY_GROUPS or any(ch not in "0123456789 -\t" for ch in text.strip()):
        raise WrongSecret("crypt.recovery_shape")
    groups = [digits[i : i + 6] for i in range(0, len(digits), 6)]
    for number, group in enumerate(groups, 1):
        value = int(group)
        if value % RECOVERY_FACTOR or value // RECOVERY_FACTOR >= 2**16:
            raise WrongSecret("crypt.recovery_group", group=number)
    return "-".join(groups)


# -- the sidecar --------------------------------------------------------------------


@dataclass
class KeyFile:
    key_id: str
    wraps: dict

    def to_json(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "key_id": self.key_id, "wraps": self.wraps}

    @classmethod
    def from_json(cls, data: object) -> KeyFile:
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != VERSION
            or not isinstance(data.get("key_id"), str)
            or not isinstance(data.get("wraps"), dict)
            or "passphrase" not in data["wraps"]
        ):
            raise CasebookError("crypt.keys_damaged")
        return cls(data["key_id"], dict(data["wraps"]))

    def open_with_passphrase(self, passphrase: str) -> Unlocked:
        key = unwrap(
            self.wraps["passphrase"], normalise_passphrase(passphrase), self.key_id, "passphrase"
        )
        return Unlocked(self.key_id, key)

    def open_with_recovery(self, code: str) -> Unlocked:
        if "recovery" not in self.wraps:
            raise CasebookError("crypt.no_recovery")
        key = unwrap(self.wraps["recovery"], normalise_recovery_code(code), self.key_id, "recovery")
        return Unlocked(self.key_id, key)

    def with_passphrase(self, key: bytes, passphrase: str) -> KeyFile:
        wraps = dict(self.wraps)
        wraps["passphrase"] = wrap(key, normalise_passphrase(passphrase), self.key_id, "passphrase")
        return KeyFile(self.key_id, wraps)


def new_key_file(passphrase: str) -> tuple[KeyFile, Unlocked, str]:
    """A fresh random key wrapped by `passphrase` and by a new recovery code: the key
    file, the unlocked key and the recovery code (to show once)."""
    key = secrets.token_bytes(KEY_BYTES)
    key_id = uuid.uuid4().hex
    code = new_recovery_code()
    wraps = {
        "passphrase": wrap(key, normalise_passphrase(passphrase), key_id, "passphrase"),
        "recovery": wrap(key, code, key_id, "recovery"),
    }
    return KeyFile(key_id, wraps), Unlocked(key_id, key), code


def read_key_file(path: Path) -> KeyFile:
    """The key file at `path` (a sidecar); CasebookError when missing or damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CasebookError("crypt.keys_missing", path=str(path)) from None
    except OSError as exc:
        raise CasebookError(
            "crypt.keys_unreadable", path=str(path), reason=exc.strerror or ""
        ) from None
    if len(raw) > 64_000:
        raise CasebookError("crypt.keys_damaged")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CasebookError("crypt.keys_damaged") from None
    return KeyFile.from_json(data)


def write_key_file(path: Path, key_file: KeyFile) -> None:
    """Write atomically and owner-only: a temporary file beside it, fsynced, renamed
    over the old one, the folder fsynced. A kill leaves the old file or the new one."""
    from casebook import paths

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = json.dumps(key_file.to_json(), indent=1).encode("utf-8")
    try:
        paths.create_private_file(tmp, exclusive=False)
        fd = os.open(tmp, os.O_WRONLY)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise CasebookError(
            "crypt.keys_unwritable", path=str(path), reason=exc.strerror or type(exc).__name__
        ) from None
    paths.fsync_dir(path.parent)
    paths.restrict(path)


def subkey(key: bytes, purpose: str) -> bytes:
    """A key for another use of the database key (the encrypted dump), so the same
    bytes never serve two ciphers."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"casebook/{purpose}".encode()
    ).derive(key)
