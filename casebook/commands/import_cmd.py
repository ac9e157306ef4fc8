"""`casebook import FILE`: read the JSON layout of docs/import-format.md, all or nothing."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help=t("transfer.opt.import_file"))
    p.add_argument(
        "--create", action="store_true", default=argparse.SUPPRESS, help=t("faults2.opt.create")
    )


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from casebook.cli import open_from_args
    from casebook.transfer import ImportRefused, import_data, read_file

    try:
        data = read_file(Path(args.file))
        cb = open_from_args(args, create=True)
        try:
            from casebook.backup import ensure_daily_backup

            ensure_daily_backup(cb.path)
            result = import_data(cb, data)
        finally:
            cb.close()
    except ImportRefused as exc:
        print(t("cli.error", message=exc.message()), file=sys.stderr)
        for line in exc.lines():
            print(f"  {line}", file=sys.stderr)
        return 1
    counts = {key: result.counts.get(key, 0) for key in _COUNTED}
    print(t("transfer.imported", **counts))
    return 0


_COUNTED = (
    "cases",
    "signals",
    "persons",
    "steps",
    "referrals",
    "contacts",
    "consents",
    "deadlines",
    "history",
    "organisations",
    "trainings",
)
