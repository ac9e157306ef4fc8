"""Where casebook keeps its files.

All paths come from here. `CASEBOOK_HOME` points everything (data, config, backups)
at one folder, which is how the tests keep away from the real home folder.
Folders are made on demand, never on import, and owner-only.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

APP_NAME = "casebook"
DB_FILENAME = "casebook.sqlite3"
ENV_HOME = "CASEBOOK_HOME"
ENV_DB = "CASEBOOK_DB"


def _home_override() -> Path | None:
    value = os.environ.get(ENV_HOME)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    home = _home_override()
    if home is not None:
        return home / "data"
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    home = _home_override()
    if home is not None:
        return home / "config"
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    return config_dir() / "settings.toml"


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_db_path(flag: str | os.PathLike[str] | None) -> Path:
    """Flag > environment > platformdirs default."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def backups_dir(db_path: Path) -> Path:
    """The backups of the casebook `db_path`: `backups/<file name without suffix>/`
    beside it, so that two casebooks in one folder each get their own copies (a
    daily copy is named by date only)."""
    return db_path.parent / "backups" / (db_path.stem or db_path.name)


def make_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the owner only, where the OS allows."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    restrict(path, directory=True)
    if path.parent.name == "backups":  # backups/<casebook>/: the shared folder too
        restrict(path.parent, directory=True)
    return path


def _on_windows() -> bool:
    return sys.platform == "win32"


def create_private_file(path: Path, *, exclusive: bool = True) -> None:
    """Create `path` empty and owner-only from its first byte (SQLite then gives its
    -wal, -shm and -journal files the same mode). Raises FileExistsError when
    `exclusive` and it exists; an existing file is emptied otherwise."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        if sys.platform != "win32":
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (POSIX; Windows has no
    directory handles to sync, and its renames are journalled by NTFS)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def restrict(path: Path, *, directory: bool = False) -> None:
    """Owner-only permissions on POSIX. On Windows chmod only toggles read-only, and
    nothing is changed: a file there has the permissions of the folder it is made in
    (see `protection`)."""
    if _on_windows():
        return
    with contextlib.suppress(OSError):
        path.chmod(0o700 if directory else 0o600)


def protection(path: Path) -> str:
    """What keeps others from reading `path`, true for this platform: said after a
    file with personal data is written."""
    from casebook.i18n import t

    if _on_windows():
        return t("paths.protection.windows", folder=str(Path(path).parent))
    return t("paths.protection.posix")


# -- where a casebook should not live ------------------------------------------------
# SQLite's WAL journal needs shared memory that network file systems do not give, and
# a sync client copies the file (and its -wal) half-written to other machines and the
# cloud. Folder names of the usual sync clients, compared case-blind; "OneDrive -
# Gemeente X" and "Dropbox (Gemeente)" are the business variants.
SYNC_PREFIXES = {
    "onedrive": "OneDrive",
    "dropbox": "Dropbox",
    "icloud": "iCloud",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
}
SYNC_FOLDERS = {
    "mobile documents": "iCloud",  # macOS: ~/Library/Mobile Documents
    "com~apple~clouddocs": "iCloud",
    "my drive": "Google Drive",
}
ONEDRIVE_ENV = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs"}
DRIVE_REMOTE = 4  # GetDriveTypeW


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


def _linux_mounts() -> str:
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _posix_network_fs(path: PurePath) -> str | None:
    """The network file system type of the mount `path` lies on (Linux), or None."""
    best, kind = "", None
    for line in _linux_mounts().splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = str(path) == point or str(path).startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind if kind in NETWORK_FILESYSTEMS else None


def _absolute(path: Path | str) -> PurePath:
    if _on_windows():
        pure: PurePath = PureWindowsPath(str(path))
        if not pure.is_absolute() and not str(pure).startswith("\\\\"):
            pure = PureWindowsPath(os.getcwd()) / pure
        return pure
    return PurePosixPath(os.path.abspath(path))


def synced_service(path: Path | str) -> str | None:
    """The sync client whose folder holds `path` (OneDrive, Dropbox, iCloud, ...)."""
    pure = _absolute(path)
    for part in pure.parts[:-1]:
        name = part.strip("\\/").casefold()
        if name in SYNC_FOLDERS:
            return SYNC_FOLDERS[name]
        for prefix, service in SYNC_PREFIXES.items():
            if name.startswith(prefix):
                return service
    if _on_windows():
        for variable in ONEDRIVE_ENV:
            root = os.environ.get(variable)
            if root and PureWindowsPath(root) in (pure, *pure.parents):
                return "OneDrive"
    return None


def on_network(path: Path | str) -> bool:
    """True for a UNC path (\\\\server\\share), a mapped network drive (Windows) or a
    network file system mount (Linux)."""
    pure = _absolute(path)
    text = str(pure)
    if text.startswith(("\\\\", "//")):
        return True
    if _on_windows():
        drive = pure.drive
        if drive.startswith("\\\\"):
            return True
        if drive:
            with contextlib.suppress(OSError, AttributeError, ValueError):
                return _windows_drive_type(drive + "\\") == DRIVE_REMOTE
        return False
    if sys.platform.startswith("linux"):
        return _posix_network_fs(pure) is not None
    return False


def location_warning(path: Path | str) -> str | None:
    """A warning when the casebook lies on a network drive or in a synced folder."""
    from casebook.i18n import t

    service = synced_service(path)
    if service is not None:
        return t("paths.warn.synced", path=str(path), service=service)
    if on_network(path):
        return t("paths.warn.network", path=str(path))
    return None
