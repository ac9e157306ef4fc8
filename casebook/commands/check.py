"""`casebook check [--set-aside-wal]`: integrity, foreign keys, schema version and
stored codes, and the officer's keymap (`[keymap]` in the preferences), checked as the
App checks it; with `--set-aside-wal`, a `-wal` beside the file that does not belong
to it (casebook.filemark) is renamed, kept, and no longer in the way."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set-aside-wal", action="store_true", help=t("faults2.opt.set_aside_wal"))


def run(args: argparse.Namespace) -> int:
    import sys

    from casebook import integrity, paths

    path = paths.resolve_db_path(args.db)
    if args.set_aside_wal:
        return _set_aside(path)
    # An intact file in a synced folder or on a network drive is still at risk: the
    # check that IT runs says so, as the screens and the other commands do.
    warning = paths.location_warning(path)
    if warning:
        print(t("cli.error", message=warning), file=sys.stderr)
    report = integrity.check_file(path)
    print(integrity.format_report(report))
    keymap_ok = check_keymap()
    return 0 if report.ok and keymap_ok else 1


def check_keymap() -> bool:
    """Print what is wrong with the officer's keymap, if they have one."""
    from casebook import preferences
    from casebook.i18n import t

    prefs = preferences.load()
    if not prefs.keymap:
        return True
    # The screens' key tables as shipped (data/keytables.json): the core never imports
    # Textual, and a test holds that file to the screens' BINDINGS.
    from casebook import keymap

    result = keymap.check(prefs.keymap, keymap.shipped_scopes())
    if not result.problems:
        print(t("keymap.ok", count=len(result.applied)))
        return True
    print(t("keymap.heading", path=str(prefs.path)))
    for problem in result.problems:
        print(f"  - {problem}")
    return False


def _set_aside(path) -> int:
    """Rename `<file>-wal` (and its `-shm`, which indexes it) to `…-wal.set-aside-<UTC
    moment>`: only a log that does not belong to the casebook; one that does holds
    saved work that the next open puts into the file."""
    import os
    from pathlib import Path

    from casebook.dates import utcnow
    from casebook.errors import StorageError
    from casebook.filemark import checked_wal_verdict

    if not Path(path).exists():
        raise StorageError("storage.missing", path=str(path))
    if checked_wal_verdict(path).fits:
        print(t("faults2.wal.fits", path=str(path)))
        return 1
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    moved = []
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            target = Path(f"{side}.set-aside-{stamp}")
            os.replace(side, target)
            moved.append(str(target))
    print(t("faults2.wal.set_aside", moved=", ".join(moved)))
    return 0
