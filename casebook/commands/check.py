"""`casebook check`: integrity, foreign keys, schema version and stored codes."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from casebook import integrity, paths

    report = integrity.check_file(paths.resolve_db_path(args.db))
    print(integrity.format_report(report))
    return 0 if report.ok else 1
