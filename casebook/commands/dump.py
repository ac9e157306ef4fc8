"""`casebook dump --out FILE`: write everything, personal data included, as JSON."""

from __future__ import annotations

import argparse

from casebook.i18n import t, tn


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE", help=t("transfer.opt.dump_out"))
    p.add_argument("--plain", action="store_true", help=t("crypt.opt.plain"))


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from casebook import cipher
    from casebook.cli import open_from_args
    from casebook.errors import CasebookError
    from casebook.transfer import write_dump

    out = Path(args.out)
    if out.exists():
        raise CasebookError("cli.exists", path=str(out))
    cb = open_from_args(args, readonly=True)  # reads only
    try:
        encrypted = cipher.is_encrypted(cb.path)
        result = write_dump(cb, out, plain=args.plain)
    finally:
        cb.close()
    print(tn("transfer.dumped", result.cases, path=str(result.path), cases=result.cases))
    if encrypted and not args.plain:
        print(t("crypt.dump.sealed", path=str(result.path)))
    elif encrypted:
        print(t("crypt.dump.plain_warning", path=str(result.path)), file=sys.stderr)
    else:
        print(t("transfer.dump_warning", path=str(result.path)), file=sys.stderr)
    return 0
