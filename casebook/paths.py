"""Where casebook keeps its files.

All paths come from here. `CASEBOOK_HOME` points everything (data, config, backups)
at one folder, which is how the tests keep away from the real home folder.
Folders are made on demand, never on import, and owner-only.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

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


def restrict(path: Path, *, directory: bool = False) -> None:
    """Owner-only permissions. On Windows chmod only toggles read-only; the user
    profile folder platformdirs points at is already private there."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        path.chmod(0o700 if directory else 0o600)
