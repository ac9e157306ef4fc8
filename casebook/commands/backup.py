"""`casebook backup [--out FILE]`: a consistent copy of the casebook."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="FILE", help=t("safety.opt.backup_out"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casebook import backup, paths

    db_path = paths.resolve_db_path(args.db)
    out = Path(args.out).expanduser() if args.out else None
    made = backup.manual_backup(db_path, out)
    print(t("safety.backup.done", path=str(made)))
    from casebook import cipher, keys

    if cipher.is_encrypted(made):  # the copy opens only with its key file beside it
        print(t("crypt.backup.keys", path=str(keys.sidecar_path(made))))
    return 0
