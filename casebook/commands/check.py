"""`casebook check`: integrity, foreign keys, schema version and stored codes; and the
officer's keymap (`[keymap]` in the preferences), checked as the App checks it."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    import sys

    from casebook import integrity, paths
    from casebook.i18n import t

    path = paths.resolve_db_path(args.db)
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
    # The key tables are the screens' own (their BINDINGS), read without starting the
    # UI: the one place besides the UI's start where `check` reads the screens.
    from screens.keytable import checked

    result = checked(prefs.keymap)
    if not result.problems:
        print(t("keymap.ok", count=len(result.applied)))
        return True
    print(t("keymap.heading", path=str(prefs.path)))
    for problem in result.problems:
        print(f"  - {problem}")
    return False
