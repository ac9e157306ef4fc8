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
    return db_path.parent / "backups"


def make_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the owner only, where the OS allows."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    restrict(path, directory=True)
    return path


def restrict(path: Path, *, directory: bool = False) -> None:
    """Owner-only permissions. On Windows chmod only toggles read-only; the user
    profile folder platformdirs points at is already private there."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        path.chmod(0o700 if directory else 0o600)
