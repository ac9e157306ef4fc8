"""`casebook check`: integrity, foreign keys, schema version and stored codes."""

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
    return 0 if report.ok else 1
