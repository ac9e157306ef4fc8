"""`casebook restore FILE`: put a backup back, after checking it and saving the
current file."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help=t("safety.opt.restore_file"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casebook import backup, paths

    target = paths.resolve_db_path(args.db)
    result = backup.restore(Path(args.file).expanduser(), target)
    if result.previous is not None:
        print(t("safety.restore.previous", path=str(result.previous)))
    print(t("safety.restore.done", path=str(result.target)))
    return 0
